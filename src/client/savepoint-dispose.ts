/**
 * `flinkts savepoint dispose`: deletes a savepoint directory, but only one
 * that loads as a valid savepoint (never a checkpoint, never a directory that
 * merely looks like one), and only the files flinkts wrote there.
 */
import { disposeSavepoint, type DisposeResult } from '../runtime/checkpoint/snapshots.js';

export type { DisposeResult };

/**
 * Disposes of the savepoint at `path` (its directory or its `_metadata`).
 *
 * @throws CheckpointFormatError (code INVALID_SNAPSHOT) when `path` is not a
 *   valid savepoint: missing, not a snapshot, corrupt, or a checkpoint
 */
export async function disposeSavepointAt(path: string): Promise<DisposeResult> {
  return disposeSavepoint(path);
}
