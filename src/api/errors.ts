/**
 * The one error hierarchy of flinkts. Every layer throws a {@link FlinktsError}
 * (or a subclass) with a stable `code`; callers branch on `code` or `instanceof`,
 * never on message text. The CLI maps codes to exit statuses and prints the
 * message plus the `hint` as one line.
 */

/** Stable error codes. The CLI maps the `usage` family to exit status 2. */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'JOB_FILE'
  | 'JOB_COMPILE'
  | 'JOB_DEFINITION'
  | 'INVALID_GRAPH'
  | 'INVALID_ARTIFACT'
  /** A checkpoint or savepoint that is missing, not a snapshot, corrupt or of an unknown format (see `CheckpointFormatError`). */
  | 'INVALID_SNAPSHOT'
  /** The state to restore does not fit the job (changed state kind or schema); restarting cannot help. */
  | 'STATE_INCOMPATIBLE'
  | 'JOB_FAILED'
  | 'USER_FUNCTION'
  | 'SERIALIZATION'
  | 'BACK_PRESSURE_IGNORED'
  /** A record a source could not deserialize, under the `fail` policy (the message names where it came from). */
  | 'BAD_RECORD'
  /** An external system a connector talks to is unreachable, refuses, or lacks a named resource. */
  | 'CONNECTOR'
  | 'INTERNAL';

/** Options of a {@link FlinktsError}. */
export interface FlinktsErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** What the user can do about it, printed after the message. */
  hint?: string;
  /** Whether retrying the same action may succeed. */
  retriable?: boolean;
}

/** Brands flinkts errors across copies of the package (a job bundle may load another copy). */
const FLINKTS_ERROR = Symbol.for('flinkts.FlinktsError');

/** Base class of every error flinkts raises on purpose. */
export class FlinktsError extends Error {
  /** `instanceof FlinktsError` holds for errors of any copy of the package. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== FlinktsError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[FLINKTS_ERROR] === true;
  }

  readonly [FLINKTS_ERROR] = true;
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: FlinktsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlinktsError';
    this.code = code;
    this.hint = options.hint;
    this.retriable = options.retriable ?? false;
  }
}

/** A user function threw while the job ran; names the operator and subtask. */
export class UserFunctionError extends FlinktsError {
  readonly operatorName: string;
  readonly subtaskIndex: number;

  constructor(operatorName: string, subtaskIndex: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('USER_FUNCTION', `${operatorName} (subtask ${subtaskIndex}) threw: ${reason}`, { cause });
    this.name = 'UserFunctionError';
    this.operatorName = operatorName;
    this.subtaskIndex = subtaskIndex;
  }
}

/** Throws a JOB_DEFINITION error naming the API call that was misused. */
export function invalidArgument(call: string, problem: string): never {
  throw new FlinktsError('JOB_DEFINITION', `${call}: ${problem}`);
}
