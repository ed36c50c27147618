/**
 * Recognising flinkts errors thrown by a job. A job bundle normally shares
 * the runtime's copy of flinkts (see `load-job.ts`), but one that bundles its
 * own copy (or a test that runs the client from sources against the built
 * package) throws errors of another `FlinktsError` class; they are flinkts
 * errors all the same and keep their code.
 */
import { FlinktsError, type ErrorCode } from '../api/errors.js';

/** Whether `error` is a {@link FlinktsError} of this or of another copy of flinkts. */
export function isFlinktsError(error: unknown): error is FlinktsError {
  if (error instanceof FlinktsError) return true;
  if (!(error instanceof Error)) return false;
  const candidate = error as Partial<FlinktsError>;
  return typeof candidate.code === 'string' && typeof candidate.retriable === 'boolean' && 'hint' in candidate;
}

/** `error` again with `prefix: ` before its message, keeping code, hint, retriability and the error as cause. */
export function prefixError(prefix: string, error: FlinktsError): FlinktsError {
  return new FlinktsError(error.code as ErrorCode, `${prefix}: ${error.message}`, {
    cause: error,
    retriable: error.retriable,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  });
}
