import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { configFlag, dynamicPropertyFlag, jobArg, parallelismFlag } from '../src/cli/flags.js';
import { writeStdout } from '../src/cli/output.js';
import { PLAN_FORMATS, renderPlan } from '../src/cli/plan.js';
import { describeJob, type JobDescription } from '../src/client/info.js';

/** `flinkts info`: the execution plan of a job. */
export default class Info extends BaseCommand {
  static override summary = 'Show the execution plan (JobGraph) of a job without running it.';

  static override description = `Plans the job exactly as run would and prints its JobGraph: the vertices (tasks) with their chained operators, operator ids, parallelism and max parallelism, and the edges between vertices with their partitioners.

For a .tgz artifact given no -p, -D, --config or job arguments, the plan stored in the artifact is shown. --format dot prints Graphviz input (pipe it to dot -Tsvg); --format json prints the jobgraph.json document.`;

  static override examples = [
    {
      description: 'Show the plan of the word count example.',
      command: '<%= config.bin %> <%= command.id %> examples/wordcount.ts -- --input README.md',
    },
    {
      description: 'Draw the plan at parallelism 4 with Graphviz.',
      command: '<%= config.bin %> <%= command.id %> -p 4 --format dot examples/wordcount.ts -- --input README.md | dot -Tsvg > plan.svg',
    },
    {
      description: 'Print the plan stored in an artifact as JSON.',
      command: '<%= config.bin %> <%= command.id %> --format json job.tgz',
    },
  ];

  static override usage = '<%= command.id %> JOB [--format text|json|dot] [-p <n>] [-D <key=value>...] [--config <file>] [-- JOB_ARGS...]';

  static override args = { job: jobArg };

  static override flags = {
    format: Flags.option({
      options: PLAN_FORMATS,
      default: 'text',
      summary: 'Output format of the plan.',
    })(),
    parallelism: parallelismFlag,
    property: dynamicPropertyFlag,
    config: configFlag,
  };

  async run(): Promise<JobDescription> {
    const { args, flags } = await this.parseWithJobArgs(Info);
    const description = await describeJob({
      job: args.job,
      args: this.jobArgs,
      ...(flags.parallelism === undefined ? {} : { parallelism: flags.parallelism }),
      dynamicProperties: flags.property ?? [],
      ...(flags.config === undefined ? {} : { configFile: flags.config }),
    });
    if (!this.jsonEnabled()) writeStdout(renderPlan(description.jobGraph, flags.format));
    return description;
  }
}
