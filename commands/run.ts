import { BaseCommand } from '../src/cli/base-command.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED } from '../src/cli/errors.js';
import { Flags } from '@oclif/core';
import { configFlag, dynamicPropertyFlag, jobArg, parallelismFlag, targetFlag } from '../src/cli/flags.js';
import { decorationEnabled, stderrColours, writeStderr } from '../src/cli/output.js';
import { ProgressLine } from '../src/cli/progress.js';
import { failureMessage, formatRunSummary } from '../src/cli/run-report.js';
import { runJob, type RunResult } from '../src/client/run.js';
import { resolveTarget } from '../src/client/targets.js';

/** `flinkts run`: run a job attached, until it finishes or fails. */
export default class Run extends BaseCommand {
  static override summary = 'Run a job and wait for it to finish.';

  static override description = `Bundles the job (or unpacks a .tgz artifact), plans it and runs it on the target. The local target (the default) starts an embedded cluster inside this process: a job manager and a task manager whose slots are worker threads.

Everything after -- is passed to the job as its arguments (read them with params.get(...) in the definition). While the job runs, a progress line is shown on stderr when it is a terminal; at the end a summary of every vertex. The exit status is 0 when the job finishes and 1 when it fails. Ctrl-C cancels the job (exit status 130).`;

  static override examples = [
    {
      description: 'Count the words of a file on the local cluster.',
      command: '<%= config.bin %> <%= command.id %> examples/wordcount.ts -- --input README.md',
    },
    {
      description: 'Run with parallelism 4 and a configuration option.',
      command: '<%= config.bin %> <%= command.id %> -p 4 -D pipeline.max-parallelism=256 src/job.ts',
    },
    {
      description: 'Resume a job from a savepoint (or a retained checkpoint) at parallelism 3.',
      command: '<%= config.bin %> <%= command.id %> -s /tmp/savepoints/savepoint-1a2b3c-0123456789ab -p 3 src/job.ts',
    },
    {
      description: 'Run a compiled artifact and print the result as JSON.',
      command: '<%= config.bin %> <%= command.id %> --json job.tgz',
    },
  ];

  static override usage = '<%= command.id %> JOB [-p <n>] [-t <target>] [-s <savepoint>] [-D <key=value>...] [--config <file>] [-- JOB_ARGS...]';

  static override args = { job: jobArg };

  static override flags = {
    parallelism: parallelismFlag,
    target: targetFlag,
    property: dynamicPropertyFlag,
    config: configFlag,
    'from-savepoint': Flags.string({
      char: 's',
      summary: 'Start from this savepoint or retained checkpoint (its directory or its _metadata file).',
      description:
        'Keyed state is redistributed by key group and operator state by its redistribution mode, so the parallelism may differ from the snapshot (up to the max parallelism, which must not change). Operators are matched by id (uid() or topology).',
      helpValue: '<path>',
    }),
    'allow-non-restored-state': Flags.boolean({
      summary: 'Drop the state of operators the job no longer has instead of failing.',
      dependsOn: ['from-savepoint'],
    }),
    'claim-mode': Flags.string({
      summary: 'Whether the job takes ownership of the snapshot: no_claim (default) never modifies or deletes it.',
      options: ['no_claim', 'claim'],
      default: 'no_claim',
      helpValue: '<mode>',
    }),
  };

  async run(): Promise<RunResult> {
    const { args, flags } = await this.parseWithJobArgs(Run);
    const target = resolveTarget(flags.target);
    const progress = new ProgressLine(decorationEnabled(this.jsonEnabled()), `Starting ${args.job}`);
    // Ctrl-C cancels the job (its tasks close cleanly); a second one kills the process as usual.
    const cancel = new AbortController();
    const onInterrupt = (): void => cancel.abort();
    process.once('SIGINT', onInterrupt);
    let result: RunResult;
    try {
      result = await runJob({
        job: args.job,
        args: this.jobArgs,
        target,
        ...(flags.parallelism === undefined ? {} : { parallelism: flags.parallelism }),
        dynamicProperties: flags.property ?? [],
        ...(flags.config === undefined ? {} : { configFile: flags.config }),
        ...(flags['from-savepoint'] !== undefined && {
          fromSavepoint: flags['from-savepoint'],
          allowNonRestoredState: flags['allow-non-restored-state'],
          claimMode: flags['claim-mode'] as 'no_claim' | 'claim',
        }),
        signal: cancel.signal,
        onProgress: (snapshot) => progress.update(snapshot),
        // Under --json, stdout carries only the result object: what the job prints goes to stderr.
        ...(this.jsonEnabled() ? { onOutput: (_stream: 'stdout' | 'stderr', data: string) => writeStderr(data) } : {}),
      });
    } finally {
      process.off('SIGINT', onInterrupt);
      progress.stop();
    }
    const exitCode = result.status === 'FINISHED' ? 0 : cancel.signal.aborted ? EXIT_INTERRUPTED : EXIT_FAILURE;
    if (this.jsonEnabled()) {
      if (exitCode !== 0) {
        this.logJson(result);
        this.exit(exitCode);
      }
      return result;
    }
    writeStderr(formatRunSummary(result));
    if (exitCode !== 0) {
      const chalk = stderrColours();
      const stack = this.verboseRequested() && result.error?.stack !== undefined ? `\n${result.error.stack}\n` : '';
      writeStderr(`${chalk.red.bold('Error:')} ${failureMessage(result)}\n${stack}`);
      this.exit(exitCode);
    }
    return result;
  }
}
