/**
 * The base of every flinkts command: `--json` (a stable result object on
 * stdout), `--verbose` (stack traces), strict parsing, job arguments after
 * `--`, and one error report: `Error: <message>` plus `Hint: <hint>` on
 * stderr, exit 2 for usage and configuration errors and 1 otherwise.
 */
import { Command, Errors, Flags, type Interfaces } from '@oclif/core';
import { errorJson, formatError, reportError } from './errors.js';
import { stderrColours, writeStderr } from './output.js';

/** `--`: everything after it belongs to the job. */
const JOB_ARGS_SEPARATOR = '--';

/** Splits the command line at the first `--`: flags and arguments of the command, then the job's arguments. */
export function splitJobArgs(argv: readonly string[]): { readonly commandArgv: string[]; readonly jobArgs: string[] } {
  const at = argv.indexOf(JOB_ARGS_SEPARATOR);
  if (at === -1) return { commandArgv: [...argv], jobArgs: [] };
  return { commandArgv: argv.slice(0, at), jobArgs: argv.slice(at + 1) };
}

/** The base class of all commands. */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;
  static override strict = true;
  static override baseFlags = {
    verbose: Flags.boolean({
      summary: 'Print stack traces of errors.',
      helpGroup: 'GLOBAL',
    }),
  };

  /** The job arguments: everything after `--`. */
  protected jobArgs: readonly string[] = [];

  /**
   * Parses the command line up to `--` strictly (so an unknown flag before
   * `--` fails) and keeps the rest as {@link jobArgs}.
   */
  protected async parseWithJobArgs<F extends Interfaces.OutputFlags<any>, B extends Interfaces.OutputFlags<any>, A extends Interfaces.OutputArgs<any>>(
    options: Interfaces.Input<F, B, A>,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const { commandArgv, jobArgs } = splitJobArgs(this.argv);
    this.jobArgs = jobArgs;
    return this.parse(options, commandArgv);
  }

  /** Whether `--verbose` was given (before `--`); known even when parsing failed. */
  protected verboseRequested(): boolean {
    return splitJobArgs(this.argv).commandArgv.includes('--verbose');
  }

  /** Reports `error` once and exits with the status its code maps to. */
  override async catch(error: Error & { exitCode?: number }): Promise<never> {
    if (error instanceof Errors.ExitError) throw error;
    const reported = reportError(error, this.id);
    const verbose = this.verboseRequested();
    if (this.jsonEnabled()) {
      this.logJson(errorJson(reported, verbose));
    } else {
      const chalk = stderrColours();
      writeStderr(formatError(reported, verbose, (kind, text) => (kind === 'error' ? chalk.red.bold(text) : chalk.yellow(text))));
    }
    // ExitError: oclif's handler exits with this status without printing anything more.
    this.exit(reported.exitCode);
  }
}
