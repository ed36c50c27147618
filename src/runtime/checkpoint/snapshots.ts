/**
 * Savepoint directories, loading any snapshot (checkpoint or savepoint) from
 * a path a user gives, and disposing of savepoints.
 *
 * A savepoint is self-contained: every file is exclusive and every path is
 * relative to its directory, so the directory can be moved or copied and
 * still loads. A checkpoint's shared files are found in `../shared/` next to
 * its `chk-<n>` directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CheckpointFormatError, isErrno } from './checkpoint-errors.js';
import { METADATA_TEMP_PATTERN } from './commit.js';
import { METADATA_FILE_NAME, SHARED_DIR_NAME, type CheckpointMetadata } from './metadata.js';
import { decodeMetadata } from './metadata-format.js';
import { KEYED_FILE_SUFFIX, LocalStateFileReader, OPERATOR_FILE_SUFFIX, referencedFiles } from './state-files.js';

/** A snapshot read from disk. */
export interface LoadedSnapshot {
  /** The snapshot directory (absolute). */
  readonly dir: string;
  /** Its `_metadata` file (absolute). */
  readonly metadataFile: string;
  readonly metadata: CheckpointMetadata;
  /** Reads its state files, checking each file's SHA-256 on first use. */
  readonly reader: LocalStateFileReader;
}

/** Options of {@link loadSnapshot}. */
export interface LoadOptions {
  /**
   * Also check the SHA-256 of every state file now, instead of when the
   * reader first uses it. Existence and size are always checked at load.
   */
  readonly verifyChecksums?: boolean;
}

/** What {@link disposeSavepoint} deleted. */
export interface DisposeResult {
  readonly dir: string;
  /** Files deleted, `_metadata` included. */
  readonly files: number;
  readonly bytes: number;
}

/** How many files are checked at the same time. */
const CHECK_CONCURRENCY = 16;

/**
 * Creates a new savepoint directory in `targetDir`, named as Flink names it:
 * `savepoint-<first 6 of the job id>-<12 random hex>`; returns its path.
 */
export async function savepointDir(targetDir: string, jobId: string): Promise<string> {
  await mkdir(targetDir, { recursive: true });
  const prefix = jobId.replace(/[^0-9A-Za-z]/g, '').slice(0, 6);
  const dir = join(targetDir, `savepoint-${prefix}-${randomBytes(6).toString('hex')}`);
  await mkdir(dir);
  return dir;
}

/**
 * Loads the snapshot at `path`: a snapshot directory or its `_metadata` file.
 * Decodes and validates `_metadata` and checks that every state file it
 * references exists with the recorded size (checksums: see
 * {@link LoadOptions.verifyChecksums}).
 *
 * @throws CheckpointFormatError naming the path: `not-found`,
 *   `not-a-snapshot`, a format reason of `decodeMetadata`, `missing-file`,
 *   `size-mismatch` (and `checksum-mismatch` with `verifyChecksums`)
 */
export async function loadSnapshot(path: string, options: LoadOptions = {}): Promise<LoadedSnapshot> {
  const { dir, metadataFile, metadata } = await readSnapshotMetadata(path);
  return { dir, metadataFile, metadata, reader: await checkedReader(dir, metadata, options) };
}

/** Resolves `path` to a snapshot directory and decodes its `_metadata` (no state file is looked at). */
async function readSnapshotMetadata(path: string): Promise<{ dir: string; metadataFile: string; metadata: CheckpointMetadata }> {
  const given = resolve(path);
  let info;
  try {
    info = await stat(given);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) throw new CheckpointFormatError(path, 'not-found', 'does not exist', { cause: error });
    throw new CheckpointFormatError(path, 'io', `cannot read: ${(error as Error).message}`, { cause: error });
  }
  let dir: string;
  if (info.isDirectory()) dir = given;
  else if (info.isFile() && basename(given) === METADATA_FILE_NAME) dir = dirname(given);
  else throw new CheckpointFormatError(path, 'not-a-snapshot', `is not a snapshot directory or ${METADATA_FILE_NAME} file`);
  const metadataFile = join(dir, METADATA_FILE_NAME);
  let bytes: Buffer;
  try {
    bytes = await readFile(metadataFile);
  } catch (error) {
    if (isErrno(error, 'ENOENT') || isErrno(error, 'EISDIR')) {
      throw new CheckpointFormatError(dir, 'not-a-snapshot', `is not a savepoint or checkpoint: it has no ${METADATA_FILE_NAME}`, {
        cause: error,
        hint: `a checkpoint directory without ${METADATA_FILE_NAME} was never completed`,
      });
    }
    throw new CheckpointFormatError(metadataFile, 'io', `cannot read: ${(error as Error).message}`, { cause: error });
  }
  return { dir, metadataFile, metadata: decodeMetadata(bytes, metadataFile) };
}

/** A reader of the snapshot's files, after checking that each exists with its size (and checksum when asked). */
async function checkedReader(dir: string, metadata: CheckpointMetadata, options: LoadOptions): Promise<LocalStateFileReader> {
  const sharedDir = metadata.kind === 'checkpoint' ? join(dirname(dir), SHARED_DIR_NAME) : undefined;
  const reader = new LocalStateFileReader(dir, sharedDir);
  const files = referencedFiles(metadata);
  for (let i = 0; i < files.length; i += CHECK_CONCURRENCY) {
    const batch = files.slice(i, i + CHECK_CONCURRENCY);
    const results = await Promise.allSettled(batch.map((file) => (options.verifyChecksums === true ? reader.verify(file) : reader.checkExists(file))));
    // The first failure in metadata order, so the error does not depend on timing.
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }
  return reader;
}

/**
 * Deletes the savepoint at `path` after it loaded as a valid savepoint
 * (anything else is refused, a checkpoint included). Deletes `_metadata`
 * first (so an interrupted dispose never leaves something that loads as a
 * savepoint), then the state files it references and any other file
 * flinkts writes there (`*.keyed`, `*.op`, `_metadata` temp files), then
 * the directory. Files flinkts did not write are left, with an error saying
 * which.
 */
export async function disposeSavepoint(path: string): Promise<DisposeResult> {
  const loaded = await readSnapshotMetadata(path);
  if (loaded.metadata.kind !== 'savepoint') {
    throw new CheckpointFormatError(loaded.dir, 'wrong-kind', `is a ${loaded.metadata.kind}, not a savepoint; dispose deletes savepoints only`, {
      hint: 'checkpoints are deleted by retention (state.checkpoints.num-retained) or when their job is canceled',
    });
  }
  await checkedReader(loaded.dir, loaded.metadata, {});
  const { dir } = loaded;
  const metadataSize = (await stat(loaded.metadataFile)).size;
  await unlink(loaded.metadataFile);
  let files = 1;
  let bytes = metadataSize;
  const known = new Set(referencedFiles(loaded.metadata).map((file) => file.path));
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const ours = known.has(entry.name) || entry.name.endsWith(KEYED_FILE_SUFFIX) || entry.name.endsWith(OPERATOR_FILE_SUFFIX) || METADATA_TEMP_PATTERN.test(entry.name);
    if (!entry.isFile() || !ours) continue;
    const file = join(dir, entry.name);
    bytes += (await stat(file)).size;
    await unlink(file);
    files++;
  }
  try {
    await rmdir(dir);
  } catch (error) {
    if (!isErrno(error, 'ENOTEMPTY') && !isErrno(error, 'EEXIST')) throw error;
    const left = (await readdir(dir)).sort();
    throw new CheckpointFormatError(dir, 'io', `the savepoint was disposed of, but the directory still holds entries flinkts did not write: ${left.join(', ')}`, {
      hint: 'delete them yourself if they are not needed',
    });
  }
  return { dir, files, bytes };
}
