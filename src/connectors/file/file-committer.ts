/**
 * The committer of a `FileSink`: makes pending part files visible by renaming
 * them to their final names once the checkpoint that sealed them completed.
 * Idempotent, as the sink contract requires: after a restore the committables
 * of the restored checkpoint are committed again, and a pending file that is
 * gone while its final file exists was committed before.
 */
import * as fs from 'node:fs/promises';
import { FlinktsError } from '../../api/errors.js';
import type { Committer } from '../../api/sink.js';
import { fileError } from './line-cursor.js';

/** A pending part file: what a checkpoint stores and the committer renames. */
export interface FileSinkCommittable {
  /** The hidden in-progress name the file has while pending. */
  readonly pendingPath: string;
  /** Its visible name once finished. */
  readonly finalPath: string;
  readonly bucketId: string;
  /** Its length in bytes. */
  readonly size: number;
}

/** Renames pending part files to their final names. */
export class FileCommitter implements Committer<FileSinkCommittable> {
  async commit(committables: readonly FileSinkCommittable[]): Promise<void> {
    for (const committable of committables) await commitOne(committable);
  }
}

async function commitOne({ pendingPath, finalPath }: FileSinkCommittable): Promise<void> {
  try {
    await fs.rename(pendingPath, finalPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(pendingPath, 'rename', error);
    // Committed before (a restore commits the restored checkpoint's files again).
    if (await exists(finalPath)) return;
    throw new FlinktsError('CONNECTOR', `cannot commit the part file '${finalPath}': its pending file '${pendingPath}' is gone`, { cause: error });
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}
