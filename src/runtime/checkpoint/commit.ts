/**
 * Completing a snapshot: its `_metadata` is written to a temp file in the
 * snapshot directory, fsynced, renamed to `_metadata` and the directory
 * fsynced. The rename is the commit point: a directory without a valid
 * `_metadata` is not a checkpoint, whatever else it holds, so a crash at any
 * moment leaves either the complete snapshot or none.
 *
 * Test-only hook: with `FLINKTS_TEST_PAUSE_METADATA_WRITE=1` in the
 * environment, the commit writes the first half of the temp file, fsyncs it,
 * prints `FLINKTS_TEST_PAUSE_METADATA_WRITE paused <temp file>` on stderr and
 * never returns, so a test can SIGKILL the process in the middle of the
 * write (RELIABILITY.md C2). It has no other use.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FlinktsError } from '../../api/errors.js';
import { isErrno } from './checkpoint-errors.js';
import { METADATA_FILE_NAME, type CheckpointMetadata } from './metadata.js';
import { encodeMetadata } from './metadata-format.js';

/** The environment variable of the test-only pause (see the module comment). */
export const PAUSE_METADATA_WRITE_ENV = 'FLINKTS_TEST_PAUSE_METADATA_WRITE';

/** Temp files of `_metadata` are named `_metadata.<12 hex>.tmp`; listings ignore them. */
export const METADATA_TEMP_PATTERN = /^_metadata\.[0-9a-f]{12}\.tmp$/;

/** Options of {@link commitSnapshot}. */
export interface CommitOptions {
  /** Other directories holding files of this snapshot (the job's `shared/`), fsynced before the commit. */
  readonly syncDirs?: readonly string[];
}

/**
 * Writes `metadata` as `<dir>/_metadata` atomically (see the module comment).
 * Fails if `dir` already holds a `_metadata`: a completed snapshot is never
 * replaced.
 */
export async function commitSnapshot(dir: string, metadata: CheckpointMetadata, options: CommitOptions = {}): Promise<void> {
  const bytes = encodeMetadata(metadata);
  const target = join(dir, METADATA_FILE_NAME);
  if (await exists(target)) throw new FlinktsError('INTERNAL', `${target} already exists: a completed snapshot is never replaced`);
  // The state files' directory entries must be durable before the metadata that points at them.
  for (const other of options.syncDirs ?? []) await syncDirectory(other);
  const temp = join(dir, `${METADATA_FILE_NAME}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    if (process.env[PAUSE_METADATA_WRITE_ENV] === '1') await pauseForTest(handle, bytes, temp);
    await writeFully(handle, bytes);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(temp, target);
  await syncDirectory(dir);
}

/**
 * fsyncs a directory so the entries created, renamed or removed in it are
 * durable. Platforms that cannot open a directory for syncing (Windows)
 * refuse with EISDIR/EPERM/EINVAL; there is nothing more to do there.
 */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    if (isErrno(error, 'EISDIR') || isErrno(error, 'EPERM') || isErrno(error, 'EINVAL')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!(isErrno(error, 'EISDIR') || isErrno(error, 'EPERM') || isErrno(error, 'EINVAL'))) throw error;
  } finally {
    await handle.close();
  }
}

async function writeFully(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.byteLength - written);
    written += bytesWritten;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
}

async function pauseForTest(handle: FileHandle, bytes: Uint8Array, temp: string): Promise<never> {
  await writeFully(handle, bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
  await handle.sync();
  process.stderr.write(`${PAUSE_METADATA_WRITE_ENV} paused ${temp}\n`);
  // Keep the event loop alive until the test kills the process.
  setInterval(() => undefined, 60_000);
  return new Promise<never>(() => undefined);
}
