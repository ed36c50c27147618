/**
 * Which failures a restart can cure. A failure whose cause is the job itself
 * (its definition, its graph, its configuration) or the state it restores
 * from (incompatible or unreadable) fails again the same way on every
 * restart, so the job ends FAILED at once instead of looping through its
 * restart budget (RELIABILITY C4). Everything else (a user function that
 * threw, a worker that died, a corrupt network buffer) is worth a restart,
 * as in Flink, where only errors marked non-recoverable suppress restarts.
 */
import type { ErrorCode } from '../../api/errors.js';
import type { SerializedError } from '../worker/protocol.js';

/** Error codes that fail the job without a restart: the same restart would fail the same way. */
export const NON_RECOVERABLE_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  // The state to restore does not fit the job (changed state kind or schema).
  'STATE_INCOMPATIBLE',
  // The checkpoint or savepoint to restore is missing, corrupt or of an unknown format.
  'INVALID_SNAPSHOT',
  // The job, as written, cannot run: each worker defines it again on restart.
  'JOB_DEFINITION',
  'INVALID_GRAPH',
  'JOB_FILE',
  'JOB_COMPILE',
  'INVALID_ARTIFACT',
  'CONFIG',
  'USAGE',
]);

/**
 * Whether a restart may get past `error`: false for the codes in
 * {@link NON_RECOVERABLE_ERROR_CODES}, true otherwise (also when the error
 * has no code).
 */
export function isRecoverable(error: SerializedError): boolean {
  return error.code === undefined || !(NON_RECOVERABLE_ERROR_CODES as ReadonlySet<string>).has(error.code);
}
