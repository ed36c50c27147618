/**
 * Deployment targets (`run -t`). This version has the embedded local cluster
 * only; `remote`, the process-based resource manager and Kubernetes follow.
 */
import { FlinktsError } from '../api/errors.js';

/** The targets this version supports. */
export const SUPPORTED_TARGETS = ['local'] as const;

/** A supported target. */
export type Target = (typeof SUPPORTED_TARGETS)[number];

/**
 * Checks a `-t` value; undefined means `local`.
 *
 * @throws FlinktsError USAGE `unknown target 'x'; supported targets: local`.
 */
export function resolveTarget(target: string | undefined): Target {
  const value = target ?? 'local';
  const supported = SUPPORTED_TARGETS.find((t) => t === value);
  if (supported === undefined) {
    throw new FlinktsError('USAGE', `unknown target '${value}'; supported targets: ${SUPPORTED_TARGETS.join(', ')}`);
  }
  return supported;
}
