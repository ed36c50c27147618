/**
 * Checkpoint storage on a file system (`state.checkpoints.dir`), laid out as
 * Flink lays it out:
 *
 * ```
 * <base>/<jobId>/chk-<n>/_metadata       the commit point (see commit.ts)
 * <base>/<jobId>/chk-<n>/<files>         exclusive state files of checkpoint n
 * <base>/<jobId>/shared/<files>          files incremental checkpoints share
 * ```
 *
 * A checkpoint exists only once its `_metadata` is valid: listing skips any
 * `chk-<n>` without one (in progress, aborted, or torn by a crash). Retention
 * keeps the newest `numRetained` checkpoints and deletes a shared file only
 * when no retained checkpoint references it. Savepoints, loading and
 * disposing of snapshots are in `snapshots.ts` (re-exported here).
 */
import type { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FlinktsError } from '../../api/errors.js';
import { CheckpointFormatError, isErrno } from './checkpoint-errors.js';
import { commitSnapshot } from './commit.js';
import { CHECKPOINT_DIR_PREFIX, METADATA_FILE_NAME, SHARED_DIR_NAME, type CheckpointMetadata, type StateFileWriter } from './metadata.js';
import { decodeMetadata } from './metadata-format.js';
import { LocalStateFileWriter, referencedFiles } from './state-files.js';

export { commitSnapshot, syncDirectory, PAUSE_METADATA_WRITE_ENV } from './commit.js';
export { SHARED_DIR_NAME, CHECKPOINT_DIR_PREFIX } from './metadata.js';
export { savepointDir, loadSnapshot, disposeSavepoint, type LoadedSnapshot, type LoadOptions, type DisposeResult } from './snapshots.js';

const CHECKPOINT_DIR_PATTERN = /^chk-(0|[1-9][0-9]*)$/;

/** A completed checkpoint found in storage. */
export interface CompletedCheckpoint {
  readonly checkpointId: number;
  readonly dir: string;
  readonly metadata: CheckpointMetadata;
}

/** What {@link CheckpointStorage.retain} deleted. */
export interface RetentionResult {
  /** Ids of the completed checkpoints deleted. */
  readonly removedCheckpoints: readonly number[];
  /** `chk-<n>` directories without a valid `_metadata` deleted (older than the latest completed checkpoint). */
  readonly removedIncomplete: readonly number[];
  /** Paths relative to `shared/` of the shared files deleted. */
  readonly removedSharedFiles: readonly string[];
}

/** Options of {@link CheckpointStorage.retain}. */
export interface RetentionOptions {
  /**
   * Shared files to keep although no retained checkpoint references them
   * yet: those written by checkpoints still in progress. Without concurrent
   * checkpoints, retention runs when none is in progress and needs none.
   */
  readonly keepShared?: (path: string) => boolean;
}

/** The checkpoints of all jobs under one base directory. */
export class CheckpointStorage {
  /** @param baseDir - `state.checkpoints.dir` */
  constructor(readonly baseDir: string) {}

  /** `<base>/<jobId>`. */
  jobDir(jobId: string): string {
    return join(this.baseDir, safeName(jobId, 'job id'));
  }

  /** `<base>/<jobId>/shared`. */
  sharedDir(jobId: string): string {
    return join(this.jobDir(jobId), SHARED_DIR_NAME);
  }

  /** `<base>/<jobId>/chk-<n>`. */
  checkpointDir(jobId: string, checkpointId: number): string {
    if (!Number.isSafeInteger(checkpointId) || checkpointId < 0) throw new RangeError(`checkpoint id must be a non-negative integer, got ${checkpointId}`);
    return join(this.jobDir(jobId), `${CHECKPOINT_DIR_PREFIX}${checkpointId}`);
  }

  /**
   * Creates the (empty) directory of checkpoint `checkpointId`, and the
   * job's shared directory. A leftover directory of that id without a valid
   * `_metadata` (an attempt that crashed) is replaced; one with a valid
   * `_metadata` is an error: checkpoint ids only grow.
   */
  async createCheckpointDir(jobId: string, checkpointId: number): Promise<string> {
    const dir = this.checkpointDir(jobId, checkpointId);
    await mkdir(this.sharedDir(jobId), { recursive: true });
    try {
      await mkdir(dir);
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
      if ((await readCompleted(dir)) !== undefined) {
        throw new FlinktsError('INTERNAL', `${dir} already holds a completed checkpoint ${checkpointId}`);
      }
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      await mkdir(dir);
    }
    return dir;
  }

  /** A writer of one operator subtask's files into checkpoint `checkpointId` (exclusive files in its dir, shared ones in `shared/`). */
  stateFileWriter(jobId: string, checkpointId: number, operatorId: string, subtaskIndex: number): StateFileWriter {
    return new LocalStateFileWriter({ snapshotDir: this.checkpointDir(jobId, checkpointId), sharedDir: this.sharedDir(jobId), operatorId, subtaskIndex });
  }

  /** Completes the checkpoint in `dir` (see `commitSnapshot`), syncing the shared directory first when it is referenced. */
  async commit(dir: string, metadata: CheckpointMetadata): Promise<void> {
    const usesShared = referencedFiles(metadata).some((file) => file.location === 'shared');
    await commitSnapshot(dir, metadata, usesShared ? { syncDirs: [this.sharedDir(metadata.jobId)] } : {});
  }

  /** The completed checkpoints of `jobId`, by ascending id; directories without a valid `_metadata` are skipped. */
  async listCompleted(jobId: string): Promise<CompletedCheckpoint[]> {
    const completed: CompletedCheckpoint[] = [];
    for (const { checkpointId, dir } of await this.checkpointDirs(jobId)) {
      const metadata = await readCompleted(dir);
      if (metadata === undefined || metadata.kind !== 'checkpoint' || metadata.checkpointId !== checkpointId || metadata.jobId !== jobId) continue;
      completed.push({ checkpointId, dir, metadata });
    }
    return completed;
  }

  /** The completed checkpoint of `jobId` with the highest id, if any. */
  async latestCompleted(jobId: string): Promise<CompletedCheckpoint | undefined> {
    const dirs = await this.checkpointDirs(jobId);
    for (let i = dirs.length - 1; i >= 0; i--) {
      const { checkpointId, dir } = dirs[i]!;
      const metadata = await readCompleted(dir);
      if (metadata !== undefined && metadata.kind === 'checkpoint' && metadata.checkpointId === checkpointId && metadata.jobId === jobId) {
        return { checkpointId, dir, metadata };
      }
    }
    return undefined;
  }

  /**
   * Keeps the newest `numRetained` completed checkpoints of `jobId` and
   * deletes the older ones, the incomplete `chk-<n>` directories older than
   * the newest completed checkpoint (aborted or torn: none can still be in
   * progress once a later one completed), and every file in `shared/` that
   * no retained checkpoint references. A checkpoint's `_metadata` is deleted
   * first, so a deletion cut short never leaves a half-deleted checkpoint
   * that lists as complete.
   */
  async retain(jobId: string, numRetained: number, options: RetentionOptions = {}): Promise<RetentionResult> {
    if (!Number.isSafeInteger(numRetained) || numRetained < 1) throw new RangeError(`the number of retained checkpoints must be a positive integer, got ${numRetained}`);
    const dirs = await this.checkpointDirs(jobId);
    const completed = await this.listCompleted(jobId);
    const retained = completed.slice(-numRetained);
    const completedIds = new Set(completed.map((c) => c.checkpointId));
    const latest = completed.at(-1)?.checkpointId ?? -1;
    const removedCheckpoints: number[] = [];
    const removedIncomplete: number[] = [];
    for (const checkpoint of completed.slice(0, completed.length - retained.length)) {
      await deleteSnapshotDir(checkpoint.dir);
      removedCheckpoints.push(checkpoint.checkpointId);
    }
    for (const { checkpointId, dir } of dirs) {
      if (checkpointId < latest && !completedIds.has(checkpointId)) {
        await deleteSnapshotDir(dir);
        removedIncomplete.push(checkpointId);
      }
    }
    const referenced = new Set<string>();
    for (const { metadata } of retained) {
      for (const file of referencedFiles(metadata)) if (file.location === 'shared') referenced.add(file.path);
    }
    const removedSharedFiles: string[] = [];
    for (const name of await listFiles(this.sharedDir(jobId))) {
      if (referenced.has(name) || options.keepShared?.(name) === true) continue;
      await unlink(join(this.sharedDir(jobId), name)).catch((error: unknown) => {
        if (!isErrno(error, 'ENOENT')) throw error;
      });
      removedSharedFiles.push(name);
    }
    return { removedCheckpoints, removedIncomplete, removedSharedFiles: removedSharedFiles.sort() };
  }

  /** Deletes the directory of a checkpoint that was aborted (never completed); refuses a completed one. */
  async discard(jobId: string, checkpointId: number): Promise<void> {
    const dir = this.checkpointDir(jobId, checkpointId);
    if ((await readCompleted(dir)) !== undefined) throw new FlinktsError('INTERNAL', `${dir} is a completed checkpoint; only retention deletes it`);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Deletes every checkpoint and shared file of `jobId` (`DELETE_ON_CANCELLATION`). */
  async deleteJob(jobId: string): Promise<void> {
    for (const { dir } of await this.checkpointDirs(jobId)) await deleteSnapshotDir(dir);
    await rm(this.jobDir(jobId), { recursive: true, force: true, maxRetries: 3 });
  }

  /** The `chk-<n>` directories of `jobId`, by ascending id. */
  private async checkpointDirs(jobId: string): Promise<{ checkpointId: number; dir: string }[]> {
    const jobDir = this.jobDir(jobId);
    let entries: Dirent[];
    try {
      entries = await readdir(jobDir, { withFileTypes: true });
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw error;
    }
    return entries
      .filter((entry) => entry.isDirectory() && CHECKPOINT_DIR_PATTERN.test(entry.name))
      .map((entry) => ({ checkpointId: Number(entry.name.slice(CHECKPOINT_DIR_PREFIX.length)), dir: join(jobDir, entry.name) }))
      .filter(({ checkpointId }) => Number.isSafeInteger(checkpointId))
      .sort((a, b) => a.checkpointId - b.checkpointId);
  }
}

/** The metadata of the snapshot in `dir`, or undefined when it has no valid `_metadata` (missing, torn, corrupt). */
async function readCompleted(dir: string): Promise<CheckpointMetadata | undefined> {
  const file = join(dir, METADATA_FILE_NAME);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'EISDIR') || isErrno(error, 'ENOTDIR')) return undefined;
    throw error;
  }
  try {
    return decodeMetadata(bytes, file);
  } catch (error) {
    if (error instanceof CheckpointFormatError) return undefined;
    throw error;
  }
}

/** Deletes a snapshot directory, `_metadata` first. */
async function deleteSnapshotDir(dir: string): Promise<void> {
  await rm(join(dir, METADATA_FILE_NAME), { force: true });
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

async function listFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
}

/** A job id becomes a directory name: refuse anything that could leave the base directory. */
function safeName(name: string, what: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\]/.test(name) || name.includes('\u0000')) throw new RangeError(`${what} ${JSON.stringify(name)} cannot be a directory name`);
  return name;
}
