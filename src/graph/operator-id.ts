/**
 * Stable operator ids: state in checkpoints and savepoints is matched to
 * operators by them. A `uid()` always yields the same id; without one the id
 * is derived from the operator's position and inputs, so an unchanged job maps
 * to its old state and a reordered one does not.
 */
import { createHash } from 'node:crypto';

/** 32 hex digits (128 bits), like Flink's operator ids. */
export function operatorIdFor(uid: string | undefined, topology: string): string {
  const input = uid !== undefined ? `uid:${uid}` : `topology:${topology}`;
  return createHash('sha256').update(input).digest('hex').slice(0, 32);
}
