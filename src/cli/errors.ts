/**
 * How the CLI reports an error: one line `Error: <message>`, a `Hint: <hint>`
 * line when there is one, the stack (and causes) only with `--verbose`, and an
 * exit status from the error's code: 2 for usage and configuration mistakes
 * (including oclif's parse errors), 1 for everything else.
 */
import type { ErrorCode } from '../api/errors.js';
import { isFlinktsError } from '../client/flinkts-error.js';

/** Exit status of a successful command. */
export const EXIT_OK = 0;
/** Exit status of a failure: a job that failed, a broken job file, an internal error. */
export const EXIT_FAILURE = 1;
/** Exit status of a usage error: a bad flag, argument or configuration. */
export const EXIT_USAGE = 2;
/** Exit status of a run canceled with Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['USAGE', 'CONFIG']);

/** oclif appends this to parse errors; the CLI shows it as the hint instead. */
const OCLIF_HELP_SUFFIX = '\nSee more help with --help';

/** An error as the CLI reports it. */
export interface ReportedError {
  readonly exitCode: number;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  /** The stack of the error and its causes. */
  readonly stack?: string;
}

/** The JSON form printed on stdout under `--json`. */
export interface ErrorJson {
  readonly error: { readonly code: string; readonly message: string; readonly hint?: string; readonly exitCode: number; readonly stack?: string };
}

/**
 * Classifies `error`. `commandId` names the command in hints (`flinkts run
 * --help`).
 */
export function reportError(error: unknown, commandId?: string): ReportedError {
  const stack = stackOf(error);
  const withStack = stack === undefined ? {} : { stack };
  if (isFlinktsError(error)) {
    return {
      exitCode: USAGE_CODES.has(error.code) ? EXIT_USAGE : EXIT_FAILURE,
      code: error.code,
      message: error.message,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...withStack,
    };
  }
  if (isOclifError(error)) {
    const helpHint = `see ${commandId === undefined ? 'flinkts --help' : `flinkts ${commandId.replaceAll(':', ' ')} --help`}`;
    const hasHelpSuffix = error.message.includes(OCLIF_HELP_SUFFIX);
    const missing = missingArgs(error);
    const message =
      missing === undefined
        ? error.message.replace(OCLIF_HELP_SUFFIX, '').replace(/\s*\n\s*/g, ' ').trim()
        : `missing required argument${missing.length === 1 ? '' : 's'} ${missing.map((name) => name.toUpperCase()).join(', ')}`;
    return {
      exitCode: error.oclif.exit ?? EXIT_USAGE,
      code: 'USAGE',
      message: stripAnsi(message),
      ...(hasHelpSuffix || isParseError(error) ? { hint: helpHint } : {}),
      ...withStack,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT_FAILURE, code: 'INTERNAL', message, hint: 'this is a bug in flinkts; run with --verbose and report the stack trace', ...withStack };
}

/** The lines printed on stderr. */
export function formatError(reported: ReportedError, verbose: boolean, colour: (kind: 'error' | 'hint', text: string) => string = (_k, t) => t): string {
  const lines = [`${colour('error', 'Error:')} ${reported.message}`];
  if (reported.hint !== undefined) lines.push(`${colour('hint', 'Hint:')} ${reported.hint}`);
  if (verbose && reported.stack !== undefined) lines.push('', reported.stack);
  return lines.join('\n') + '\n';
}

/** The object printed on stdout under `--json`. */
export function errorJson(reported: ReportedError, verbose: boolean): ErrorJson {
  return {
    error: {
      code: reported.code,
      message: reported.message,
      ...(reported.hint === undefined ? {} : { hint: reported.hint }),
      exitCode: reported.exitCode,
      ...(verbose && reported.stack !== undefined ? { stack: reported.stack } : {}),
    },
  };
}

/** The stack of `error` followed by those of its causes. */
function stackOf(error: unknown): string | undefined {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    parts.push((parts.length === 0 ? '' : 'Caused by: ') + (current.stack ?? `${current.name}: ${current.message}`));
    current = current.cause;
  }
  return parts.length === 0 ? undefined : parts.join('\n');
}

interface OclifError extends Error {
  readonly oclif: { readonly exit?: number };
}

function isOclifError(error: unknown): error is OclifError {
  return error instanceof Error && typeof (error as Partial<OclifError>).oclif === 'object' && (error as Partial<OclifError>).oclif !== null;
}

function isParseError(error: OclifError): boolean {
  return 'parse' in error;
}

/**
 * The names of the missing arguments of oclif's RequiredArgsError (whose own
 * message lists their descriptions and a note about multiple-value flags).
 * Recognised by shape: a parse error whose `args` are argument definitions.
 */
function missingArgs(error: OclifError): string[] | undefined {
  const args = (error as { args?: unknown }).args;
  if (!isParseError(error) || !Array.isArray(args) || args.length === 0) return undefined;
  const names = args.map((arg: unknown) => (typeof arg === 'object' && arg !== null ? (arg as { name?: unknown }).name : undefined));
  return names.every((name): name is string => typeof name === 'string') ? names : undefined;
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
