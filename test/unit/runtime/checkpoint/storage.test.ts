/** Checkpoint storage: commit, listing, retention with shared files, loading snapshots (C1), relocation and disposal. */
import { cp, mkdir, readdir, readFile, rename, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointFormatError, type CheckpointFormatReason } from '../../../../src/runtime/checkpoint/checkpoint-errors.js';
import type { CheckpointMetadata } from '../../../../src/runtime/checkpoint/metadata.js';
import { encodeMetadata } from '../../../../src/runtime/checkpoint/metadata-format.js';
import { decodeKeyGroupSection, decodeOperatorState } from '../../../../src/runtime/checkpoint/state-sections.js';
import { CheckpointStorage, commitSnapshot, disposeSavepoint, loadSnapshot, savepointDir } from '../../../../src/runtime/checkpoint/storage.js';
import { JOB_ID, keyedRef, makeTempDir, metadataWith, writeSampleSnapshot } from './helpers.js';

let base: string;
let cleanup: () => Promise<void>;
let storage: CheckpointStorage;
beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
  storage = new CheckpointStorage(base);
});
afterEach(() => cleanup());

async function failure(promise: Promise<unknown>, reason: CheckpointFormatReason): Promise<CheckpointFormatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointFormatError);
  expect((error as CheckpointFormatError).reason).toBe(reason);
  return error as CheckpointFormatError;
}

/** Commits checkpoint `id` whose keyed files are the shared files `shared` plus one exclusive file. */
async function completeWithShared(id: number, shared: readonly string[]): Promise<string> {
  const dir = await storage.createCheckpointDir(JOB_ID, id);
  const files = [...shared.map((name) => keyedRef(name, 'shared')), keyedRef(`own-${id}.keyed`)];
  await storage.commit(dir, metadataWith(files, { checkpointId: id }));
  return dir;
}

describe('CheckpointStorage layout and commit', () => {
  it('creates <base>/<jobId>/chk-<n> and shared/, and commits _metadata through a temp file', async () => {
    const dir = await storage.createCheckpointDir(JOB_ID, 4);
    expect(dir).toBe(join(base, JOB_ID, 'chk-4'));
    expect((await readdir(join(base, JOB_ID))).sort()).toEqual(['chk-4', 'shared']);
    const metadata = await writeSampleSnapshot(dir, 'checkpoint', 4);
    await storage.commit(dir, metadata);
    expect(await readFile(join(dir, '_metadata'))).toEqual(encodeMetadata(metadata));
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await storage.listCompleted(JOB_ID)).toEqual([{ checkpointId: 4, dir, metadata }]);
    await expect(storage.commit(dir, metadata)).rejects.toThrow(`${join(dir, '_metadata')} already exists: a completed snapshot is never replaced`);
  });

  it('replaces a leftover directory of a crashed attempt, but never a completed checkpoint', async () => {
    const dir = await storage.createCheckpointDir(JOB_ID, 2);
    await writeFile(join(dir, 'junk.keyed'), 'x');
    expect(await storage.createCheckpointDir(JOB_ID, 2)).toBe(dir);
    expect(await readdir(dir)).toEqual([]);
    await storage.commit(dir, metadataWith([], { checkpointId: 2 }));
    await expect(storage.createCheckpointDir(JOB_ID, 2)).rejects.toThrow(`${dir} already holds a completed checkpoint 2`);
  });
});

describe('listing completed checkpoints', () => {
  it('lists in id order and skips directories whose _metadata is missing, torn, corrupt or of another checkpoint', async () => {
    await completeWithShared(10, []);
    await completeWithShared(2, []);
    await completeWithShared(9, []);
    const valid = encodeMetadata(metadataWith([], { checkpointId: 3 }));
    const make = async (name: string, files: Record<string, Uint8Array>): Promise<void> => {
      await mkdir(join(base, JOB_ID, name));
      for (const [file, bytes] of Object.entries(files)) await writeFile(join(base, JOB_ID, name, file), bytes);
    };
    await make('chk-3', { '_metadata.0123456789ab.tmp': valid.subarray(0, 40) }); // crashed while writing the temp file
    await make('chk-4', { _metadata: valid.subarray(0, valid.length - 1) }); // torn _metadata
    await make('chk-5', {}); // in progress
    await make('chk-6', { _metadata: new Uint8Array(0) });
    await make('chk-7', { _metadata: valid }); // a copy of checkpoint 3's metadata
    await make('chk-x', { _metadata: encodeMetadata(metadataWith([], { checkpointId: 8 })) });
    await make('chk-08', { _metadata: encodeMetadata(metadataWith([], { checkpointId: 8 })) });
    expect((await storage.listCompleted(JOB_ID)).map((c) => c.checkpointId)).toEqual([2, 9, 10]);
    expect((await storage.latestCompleted(JOB_ID))?.checkpointId).toBe(10);
    expect(await storage.listCompleted('another-job')).toEqual([]);
    expect(await storage.latestCompleted('another-job')).toBeUndefined();
  });

  it('the latest completed is the highest valid one', async () => {
    await completeWithShared(1, []);
    const torn = await storage.createCheckpointDir(JOB_ID, 2);
    await writeFile(join(torn, '_metadata'), encodeMetadata(metadataWith([], { checkpointId: 2 })).subarray(0, 50));
    expect((await storage.latestCompleted(JOB_ID))?.checkpointId).toBe(1);
  });
});

describe('retention', () => {
  it('keeps the newest N, deletes older and stale incomplete dirs, and exactly the shared files no retained checkpoint references', async () => {
    const shared = storage.sharedDir(JOB_ID);
    await mkdir(shared, { recursive: true });
    for (const name of ['s1', 's2', 's3', 's4', 's5', 'orphan']) await writeFile(join(shared, name), name);
    await completeWithShared(1, ['s1', 's2']);
    await completeWithShared(2, ['s2', 's3']);
    await completeWithShared(3, ['s3', 's4']);
    await storage.createCheckpointDir(JOB_ID, 4); // aborted, older than the latest
    await completeWithShared(5, ['s4', 's5']);
    await storage.createCheckpointDir(JOB_ID, 6); // in progress
    const result = await storage.retain(JOB_ID, 2);
    // Retained: 3 (s3, s4) and 5 (s4, s5). Everything else in shared/ goes.
    expect(result).toEqual({ removedCheckpoints: [1, 2], removedIncomplete: [4], removedSharedFiles: ['orphan', 's1', 's2'] });
    expect((await readdir(join(base, JOB_ID))).sort()).toEqual(['chk-3', 'chk-5', 'chk-6', 'shared']);
    expect((await readdir(shared)).sort()).toEqual(['s3', 's4', 's5']);
    expect((await storage.listCompleted(JOB_ID)).map((c) => c.checkpointId)).toEqual([3, 5]);
  });

  it('keeps shared files of checkpoints in progress when asked, and changes nothing when everything is retained', async () => {
    const shared = storage.sharedDir(JOB_ID);
    await completeWithShared(1, ['a']);
    for (const name of ['a', 'pending']) await writeFile(join(shared, name), name);
    expect(await storage.retain(JOB_ID, 3, { keepShared: (name) => name === 'pending' })).toEqual({
      removedCheckpoints: [],
      removedIncomplete: [],
      removedSharedFiles: [],
    });
    expect((await readdir(shared)).sort()).toEqual(['a', 'pending']);
    await expect(storage.retain(JOB_ID, 0)).rejects.toThrow('the number of retained checkpoints must be a positive integer, got 0');
  });

  it('discards an aborted checkpoint but refuses a completed one; deleteJob removes everything', async () => {
    await storage.createCheckpointDir(JOB_ID, 1);
    await storage.discard(JOB_ID, 1);
    expect(await readdir(join(base, JOB_ID))).toEqual(['shared']);
    const dir = await completeWithShared(2, []);
    await expect(storage.discard(JOB_ID, 2)).rejects.toThrow(`${dir} is a completed checkpoint; only retention deletes it`);
    await storage.deleteJob(JOB_ID);
    expect(await readdir(base)).toEqual([]);
  });

  it('refuses job ids that would leave the base directory', () => {
    expect(() => storage.jobDir('../etc')).toThrow('job id "../etc" cannot be a directory name');
    expect(() => storage.jobDir('..')).toThrow('job id ".." cannot be a directory name');
  });
});

describe('savepoints and loadSnapshot', () => {
  async function savepoint(): Promise<{ dir: string; metadata: CheckpointMetadata }> {
    const dir = await savepointDir(join(base, 'savepoints'), JOB_ID);
    const metadata = await writeSampleSnapshot(dir, 'savepoint', 12);
    await commitSnapshot(dir, metadata);
    return { dir, metadata };
  }

  it('names savepoint directories savepoint-<6 of the job id>-<12 hex>', async () => {
    const { dir } = await savepoint();
    expect(dir.slice(join(base, 'savepoints').length + 1)).toMatch(/^savepoint-012345-[0-9a-f]{12}$/);
    expect((await stat(dir)).isDirectory()).toBe(true);
  });

  it('loads from the directory or its _metadata, and still loads after the directory moved', async () => {
    const { dir, metadata } = await savepoint();
    const moved = join(base, 'elsewhere', 'renamed-savepoint');
    await mkdir(join(base, 'elsewhere'));
    await rename(dir, moved);
    for (const path of [moved, join(moved, '_metadata')]) {
      const loaded = await loadSnapshot(path, { verifyChecksums: true });
      expect(loaded.dir).toBe(moved);
      expect(loaded.metadata).toEqual(metadata);
      const subtask = loaded.metadata.operators[0]!.subtasks[0]!;
      const file = subtask.keyed!.files[0]!;
      expect(decodeKeyGroupSection((await loaded.reader.readSection(file, 1))!)).toEqual([['count', 'a', '', 1]]);
      expect(decodeKeyGroupSection((await loaded.reader.readSection(file, 3))!)).toEqual([['count', 'b', '', 2]]);
      expect(decodeOperatorState(await loaded.reader.readFile(subtask.operator!.file))).toEqual({ offsets: [1, 2] });
    }
  });

  it('loads a checkpoint whose files are in the job shared directory', async () => {
    const dir = await storage.createCheckpointDir(JOB_ID, 3);
    const metadata = await writeSampleSnapshot(dir, 'checkpoint', 3, storage.sharedDir(JOB_ID));
    await storage.commit(dir, metadata);
    const loaded = await loadSnapshot(dir, { verifyChecksums: true });
    const file = loaded.metadata.operators[0]!.subtasks[0]!.keyed!.files[0]!;
    expect(file.location).toBe('shared');
    expect(decodeKeyGroupSection((await loaded.reader.readSection(file, 3))!)).toEqual([['count', 'b', '', 2]]);
  });

  it('names the path and the reason for a missing path, a non-snapshot file and a directory without _metadata', async () => {
    const missing = join(base, 'nope');
    expect((await failure(loadSnapshot(missing), 'not-found')).message).toBe(`${missing}: does not exist`);
    const other = join(base, 'notes.txt');
    await writeFile(other, 'hello');
    expect((await failure(loadSnapshot(other), 'not-a-snapshot')).message).toBe(`${other}: is not a snapshot directory or _metadata file`);
    const empty = join(base, 'empty');
    await mkdir(empty);
    const error = await failure(loadSnapshot(empty), 'not-a-snapshot');
    expect(error.message).toBe(`${empty}: is not a savepoint or checkpoint: it has no _metadata`);
  });

  it('C1: corrupt _metadata, a missing state file, a state file of another size or with a flipped byte', async () => {
    const { dir, metadata } = await savepoint();
    const meta = join(dir, '_metadata');
    const keyed = join(dir, metadata.operators[0]!.subtasks[0]!.keyed!.files[0]!.path);
    const original = await readFile(meta);

    const flipped = Buffer.from(original);
    flipped[100] = flipped[100]! ^ 0x04;
    await writeFile(meta, flipped);
    expect((await failure(loadSnapshot(dir), 'checksum-mismatch')).message).toMatch(new RegExp(`^${escape(meta)}: checksum mismatch`));
    await truncate(meta, 30);
    expect((await failure(loadSnapshot(dir), 'truncated')).message).toBe(`${meta}: truncated (expected ${original.length} bytes, got 30)`);
    await writeFile(meta, '');
    expect((await failure(loadSnapshot(dir), 'empty')).file).toBe(meta);
    await writeFile(meta, original);

    const keyedBytes = await readFile(keyed);
    await unlink(keyed);
    expect((await failure(loadSnapshot(dir), 'missing-file')).message).toBe(`${keyed}: state file does not exist`);
    await writeFile(keyed, keyedBytes.subarray(1));
    expect((await failure(loadSnapshot(dir), 'size-mismatch')).message).toBe(
      `${keyed}: size mismatch: the metadata records ${keyedBytes.length} bytes, the file has ${keyedBytes.length - 1}`,
    );
    const corrupt = Buffer.from(keyedBytes);
    corrupt[0] = corrupt[0]! ^ 0x80;
    await writeFile(keyed, corrupt);
    // Existence and size are checked at load; the checksum when the file is first read, or at load when asked.
    const loaded = await loadSnapshot(dir);
    expect((await failure(loaded.reader.readFile(loaded.metadata.operators[0]!.subtasks[0]!.keyed!.files[0]!), 'checksum-mismatch')).file).toBe(keyed);
    expect((await failure(loadSnapshot(dir, { verifyChecksums: true }), 'checksum-mismatch')).file).toBe(keyed);
  });

  it('disposeSavepoint deletes a valid savepoint, and refuses checkpoints, corrupt savepoints and files it did not write', async () => {
    const { dir } = await savepoint();
    const copy = `${dir}-copy`;
    await cp(dir, copy, { recursive: true });
    const result = await disposeSavepoint(join(dir, '_metadata'));
    expect(result.dir).toBe(dir);
    expect(result.files).toBe(3);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);

    await writeFile(join(copy, 'notes.txt'), 'mine');
    const left = await failure(disposeSavepoint(copy), 'io');
    expect(left.message).toBe(`${copy}: the savepoint was disposed of, but the directory still holds entries flinkts did not write: notes.txt`);
    expect(await readdir(copy)).toEqual(['notes.txt']);

    const checkpoint = await completeWithShared(1, []);
    const wrongKind = await failure(disposeSavepoint(checkpoint), 'wrong-kind');
    expect(wrongKind.message).toBe(`${checkpoint}: is a checkpoint, not a savepoint; dispose deletes savepoints only`);
    expect(await readdir(checkpoint)).toContain('_metadata');

    const { dir: corrupt } = await savepoint();
    await truncate(join(corrupt, '_metadata'), 10);
    await failure(disposeSavepoint(corrupt), 'truncated');
    expect((await readdir(corrupt)).length).toBe(3);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
