/**
 * The one error of snapshot storage: a checkpoint or savepoint (or one of its
 * files) that cannot be used. It always names the file or directory and says
 * why in its message; `reason` says the same for code that must branch on it
 * (never parse the message).
 */
import { FlinktsError, type FlinktsErrorOptions } from '../../api/errors.js';

/** Why a snapshot cannot be used. */
export type CheckpointFormatReason =
  /** The path given does not exist. */
  | 'not-found'
  /** The path is neither a snapshot directory nor a `_metadata` file, or the directory has no `_metadata`. */
  | 'not-a-snapshot'
  /** `_metadata` does not start with the flinkts magic number. */
  | 'bad-magic'
  /** `_metadata` has a format version this flinkts cannot read. */
  | 'unknown-version'
  /** The SHA-256 of `_metadata` (header or whole) or of a state file does not match. */
  | 'checksum-mismatch'
  /** `_metadata` is shorter than its header says. */
  | 'truncated'
  /** `_metadata` is longer than its header says. */
  | 'trailing-data'
  /** `_metadata` has no bytes at all. */
  | 'empty'
  /** The content is not what the format allows (JSON path in the message), or a state section does not decode. */
  | 'malformed'
  /** A state file the metadata references does not exist. */
  | 'missing-file'
  /** A state file has another size than the metadata records. */
  | 'size-mismatch'
  /** The operation does not apply to this kind of snapshot (e.g. disposing of a checkpoint). */
  | 'wrong-kind'
  /** Reading or writing failed (permissions, I/O). */
  | 'io';

/**
 * A snapshot that cannot be used: code `INVALID_SNAPSHOT`, never retriable
 * (the bytes will not change by themselves). Messages read
 * `<file>: <reason>`, e.g. `/ckpt/job/chk-3/_metadata: checksum mismatch ...`.
 */
export class CheckpointFormatError extends FlinktsError {
  /** The file or directory concerned, as given or resolved. */
  readonly file: string;
  readonly reason: CheckpointFormatReason;

  constructor(file: string, reason: CheckpointFormatReason, detail: string, options: Omit<FlinktsErrorOptions, 'retriable'> = {}) {
    super('INVALID_SNAPSHOT', `${file}: ${detail}`, { ...options, retriable: false });
    this.name = 'CheckpointFormatError';
    this.file = file;
    this.reason = reason;
  }
}

/** Whether `error` is a Node.js system error with `code` (e.g. `ENOENT`). */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
