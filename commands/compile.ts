import { BaseCommand } from '../src/cli/base-command.js';
import { configFlag, dynamicPropertyFlag, jobArg, outputFlag, parallelismFlag } from '../src/cli/flags.js';
import { writeStdout } from '../src/cli/output.js';
import { compileJob, type CompileResult } from '../src/client/compile.js';

/** `flinkts compile`: the job artifact. */
export default class Compile extends BaseCommand {
  static override summary = 'Compile a job into a .tgz artifact that run and info accept.';

  static override description = `Bundles the job with esbuild (its dependencies inlined, flinkts itself left out as the runtime provides it), plans it, and writes a gzipped tar holding job.mjs, jobgraph.json (the plan) and manifest.json (flinkts version, content hash, creation time, job name and arguments).

Job arguments after -- are stored in the artifact and used when it is run without arguments. An existing output file is replaced.`;

  static override examples = [
    {
      description: 'Compile the word count example with its input.',
      command: '<%= config.bin %> <%= command.id %> examples/wordcount.ts -o wordcount.tgz -- --input README.md',
    },
    {
      description: 'Compile at parallelism 2, then run the artifact.',
      command: '<%= config.bin %> <%= command.id %> -p 2 src/job.ts -o job.tgz && <%= config.bin %> run job.tgz',
    },
  ];

  static override usage = '<%= command.id %> JOB -o <file.tgz> [-p <n>] [-D <key=value>...] [--config <file>] [-- JOB_ARGS...]';

  static override args = { job: jobArg };

  static override flags = {
    output: outputFlag,
    parallelism: parallelismFlag,
    property: dynamicPropertyFlag,
    config: configFlag,
  };

  async run(): Promise<CompileResult> {
    const { args, flags } = await this.parseWithJobArgs(Compile);
    const result = await compileJob({
      job: args.job,
      output: flags.output,
      args: this.jobArgs,
      ...(flags.parallelism === undefined ? {} : { parallelism: flags.parallelism }),
      dynamicProperties: flags.property ?? [],
      ...(flags.config === undefined ? {} : { configFile: flags.config }),
    });
    if (!this.jsonEnabled()) {
      writeStdout(`Compiled job '${result.manifest.jobName}' to ${flags.output} (${result.manifest.contentHash})\n`);
    }
    return result;
  }
}
