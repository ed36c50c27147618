/** State files: what the writer puts on disk, and the reader's checks of missing, resized and corrupted files. */
import { createHash } from 'node:crypto';
import { readdir, readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointFormatError } from '../../../../src/runtime/checkpoint/checkpoint-errors.js';
import type { KeyedStateFile } from '../../../../src/runtime/checkpoint/metadata.js';
import { LocalStateFileReader, LocalStateFileWriter } from '../../../../src/runtime/checkpoint/state-files.js';
import { makeTempDir, OPERATOR_ID } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
afterEach(() => cleanup());

const A = Buffer.from('section of key group 2');
const B = Buffer.from('group 5');

async function rejection(promise: Promise<unknown>): Promise<CheckpointFormatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointFormatError);
  return error as CheckpointFormatError;
}

/** The handle of an exclusive file of A (key group 2) then B (key group 5). */
function handleOfAB(path: string): KeyedStateFile {
  const bytes = Buffer.concat([A, B]);
  return {
    path,
    location: 'exclusive',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sections: [
      [2, 0, A.length],
      [5, A.length, B.length],
    ],
    delta: false,
  };
}

describe('LocalStateFileWriter', () => {
  it('writes the sections back to back and records offsets, size and SHA-256', async () => {
    const writer = new LocalStateFileWriter({ snapshotDir: dir, operatorId: OPERATOR_ID, subtaskIndex: 3 });
    const file = await writer.writeKeyedStateFile([
      [2, A],
      [5, B],
    ]);
    expect(file.path).toMatch(/^fedcba98-3-[0-9a-f]{16}\.keyed$/);
    const bytes = Buffer.concat([A, B]);
    expect(file).toEqual(handleOfAB(file.path));
    expect(await readFile(join(dir, file.path))).toEqual(bytes);
  });

  it('writes a file section by section (openKeyedStateFile): the same file and handle, bytes reusable at once, order checked, abort deletes', async () => {
    const writer = new LocalStateFileWriter({ snapshotDir: dir, operatorId: OPERATOR_ID, subtaskIndex: 3 });
    const stream = writer.openKeyedStateFile();
    const scratch = Buffer.from(A);
    stream.write(2, scratch);
    scratch.fill(0); // the caller may reuse its bytes once write returns
    stream.write(5, B);
    expect(() => stream.write(5, A)).toThrow('keyed state sections must be in ascending key-group order, got 5 after 5');
    expect(stream.sections).toBe(2);
    const file = await stream.close();
    const bytes = Buffer.concat([A, B]);
    expect(file).toEqual(handleOfAB(file.path));
    expect(file.path).toMatch(/^fedcba98-3-[0-9a-f]{16}\.keyed$/);
    expect(await readFile(join(dir, file.path))).toEqual(bytes);
    expect(Buffer.from((await new LocalStateFileReader(dir).readSection(file, 5))!)).toEqual(B);

    const aborted = writer.openKeyedStateFile();
    aborted.write(1, A);
    aborted.abort();
    await expect(aborted.close()).rejects.toThrow(/was aborted/);
    expect(await readdir(dir)).toEqual([file.path]);

    // I/O errors come from close, as from the asynchronous write: a directory that is gone.
    const nowhere = new LocalStateFileWriter({ snapshotDir: join(dir, 'gone'), operatorId: OPERATOR_ID, subtaskIndex: 0 }).openKeyedStateFile();
    nowhere.write(1, A);
    await expect(nowhere.close()).rejects.toThrow(/ENOENT/);
  });

  it('a file written section by section past 1 MiB is hashed on a thread when closed: the SHA-256 of its bytes', async () => {
    const writer = new LocalStateFileWriter({ snapshotDir: dir, operatorId: OPERATOR_ID, subtaskIndex: 0 });
    const stream = writer.openKeyedStateFile();
    const sections = [0, 1, 2].map((g) => Buffer.alloc(600_000, g + 1));
    const scratch = Buffer.alloc(600_000);
    sections.forEach((bytes, g) => {
      scratch.set(bytes);
      stream.write(g, scratch); // one reused buffer, as the heap backend writes
    });
    const file = await stream.close();
    const all = Buffer.concat(sections);
    expect(file.size).toBe(1_800_000);
    expect(file.sha256).toBe(createHash('sha256').update(all).digest('hex'));
    expect(await readFile(join(dir, file.path))).toEqual(all);
  });

  it('gives every file a new name, writes shared files to the shared directory, and writes exclusive files when there is none', async () => {
    const { dir: shared, cleanup: dropShared } = await makeTempDir();
    try {
      const writer = new LocalStateFileWriter({ snapshotDir: dir, sharedDir: shared, operatorId: OPERATOR_ID, subtaskIndex: 0 });
      const one = await writer.writeKeyedStateFile([[1, A]], { location: 'shared', delta: true, clearedKeyGroups: [1] });
      const two = await writer.writeKeyedStateFile([[1, A]], { location: 'shared' });
      expect(one.path).not.toBe(two.path);
      expect(one).toMatchObject({ location: 'shared', delta: true, clearedKeyGroups: [1] });
      expect((await readdir(shared)).sort()).toEqual([one.path, two.path].sort());
      expect(await readdir(dir)).toEqual([]);
      const savepointWriter = new LocalStateFileWriter({ snapshotDir: dir, operatorId: OPERATOR_ID, subtaskIndex: 0 });
      const exclusive = await savepointWriter.writeKeyedStateFile([[1, A]], { location: 'shared' });
      expect(exclusive.location).toBe('exclusive');
      expect(await readdir(dir)).toEqual([exclusive.path]);
    } finally {
      await dropShared();
    }
  });

  it('refuses sections out of key-group order', async () => {
    const writer = new LocalStateFileWriter({ snapshotDir: dir, operatorId: OPERATOR_ID, subtaskIndex: 0 });
    await expect(
      writer.writeKeyedStateFile([
        [5, B],
        [2, A],
      ]),
    ).rejects.toThrow('keyed state sections must be in ascending key-group order, got 2 after 5');
  });

  it('writes operator state files', async () => {
    const writer = new LocalStateFileWriter({ snapshotDir: dir, operatorId: OPERATOR_ID, subtaskIndex: 1 });
    const file = await writer.writeOperatorStateFile(B);
    expect(file).toEqual({ path: file.path, location: 'exclusive', size: B.length, sha256: createHash('sha256').update(B).digest('hex') });
    expect(file.path).toMatch(/^fedcba98-1-[0-9a-f]{16}\.op$/);
  });
});

describe('LocalStateFileReader', () => {
  async function written() {
    const writer = new LocalStateFileWriter({ snapshotDir: dir, operatorId: OPERATOR_ID, subtaskIndex: 0 });
    const file = await writer.writeKeyedStateFile([
      [2, A],
      [5, B],
    ]);
    return { file, path: join(dir, file.path), reader: new LocalStateFileReader(dir) };
  }

  it('reads sections by key group and whole files', async () => {
    const { file, reader } = await written();
    expect(Buffer.from((await reader.readSection(file, 2))!)).toEqual(A);
    expect(Buffer.from((await reader.readSection(file, 5))!)).toEqual(B);
    expect(await reader.readSection(file, 3)).toBeUndefined();
    expect(Buffer.from(await reader.readFile(file))).toEqual(Buffer.concat([A, B]));
  });

  it('a missing file: missing-file naming the file', async () => {
    const { file, path, reader } = await written();
    await unlink(path);
    const error = await rejection(reader.readSection(file, 2));
    expect(error.reason).toBe('missing-file');
    expect(error.message).toBe(`${path}: state file does not exist`);
  });

  it('a file of another size: size-mismatch naming the file', async () => {
    const { file, path, reader } = await written();
    await truncate(path, 4);
    const error = await rejection(reader.readFile(file));
    expect(error.reason).toBe('size-mismatch');
    expect(error.message).toBe(`${path}: size mismatch: the metadata records ${A.length + B.length} bytes, the file has 4`);
    await expect(reader.checkExists(file)).rejects.toThrow(error.message);
  });

  it('a flipped byte: checksum-mismatch naming the file, before any section is returned', async () => {
    const { file, path, reader } = await written();
    const bytes = await readFile(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
    await writeFile(path, bytes);
    const actual = createHash('sha256').update(bytes).digest('hex');
    // The flipped byte is in key group 5's section; reading group 2 fails all the same.
    const error = await rejection(reader.readSection(file, 2));
    expect(error.reason).toBe('checksum-mismatch');
    expect(error.message).toBe(`${path}: checksum mismatch: the metadata records SHA-256 ${file.sha256}, the file has ${actual}`);
    await reader.checkExists(file); // existence and size are fine
  });

  it('checking alongside: sections come before the check, verifyUsed fails with checksum-mismatch naming the file', async () => {
    const { file, path } = await written();
    const bytes = await readFile(path);
    bytes[0] = bytes[0]! ^ 0x01;
    await writeFile(path, bytes);
    const actual = createHash('sha256').update(bytes).digest('hex');
    const reader = new LocalStateFileReader(dir, undefined, { verifyAlongside: true });
    expect(Buffer.from((await reader.readSection(file, 5))!)).toEqual(B);
    const error = await rejection(reader.verifyUsed());
    expect(error.reason).toBe('checksum-mismatch');
    expect(error.message).toBe(`${path}: checksum mismatch: the metadata records SHA-256 ${file.sha256}, the file has ${actual}`);
    // An intact file passes.
    const intact = await written();
    const other = new LocalStateFileReader(dir, undefined, { verifyAlongside: true });
    await other.readSection(intact.file, 2);
    await other.verifyUsed();
  });

  it('hashes a large file on a thread of its own: the same digest, and a flipped byte found', async () => {
    // 20 MiB of sections (the thread takes files from 16 MiB), content that differs byte by byte.
    const sections: [number, Buffer][] = Array.from({ length: 5 }, (_, i) => [i, Buffer.alloc(4 << 20, `group ${i} `)]);
    const writer = new LocalStateFileWriter({ snapshotDir: dir, operatorId: OPERATOR_ID, subtaskIndex: 0 });
    const file = await writer.writeKeyedStateFile(sections);
    const path = join(dir, file.path);
    const content = await readFile(path);
    expect(file.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    // Several at once (more than the threads allowed at a time), each with its own file.
    const others = await Promise.all([1, 2, 3].map(() => writer.writeKeyedStateFile(sections)));
    const reader = new LocalStateFileReader(dir);
    await Promise.all([file, ...others].map((f) => reader.verify(f)));
    content[12 << 20] = content[12 << 20]! ^ 0x80;
    await writeFile(path, content);
    const error = await rejection(new LocalStateFileReader(dir).verify(file));
    expect(error.message).toBe(`${path}: checksum mismatch: the metadata records SHA-256 ${file.sha256}, the file has ${createHash('sha256').update(content).digest('hex')}`);
  });

  it('reads the next section into released bytes, and only into bytes it gave', async () => {
    const { file, reader } = await written();
    const first = (await reader.readSection(file, 2))!;
    expect(Buffer.from(first)).toEqual(A);
    reader.release(first);
    const second = (await reader.readSection(file, 5))!;
    expect(second.buffer).toBe(first.buffer);
    expect(Buffer.from(second)).toEqual(B);
    // Not released: the next read has bytes of its own.
    const third = (await reader.readSection(file, 2))!;
    expect(third.buffer).not.toBe(second.buffer);
    expect(Buffer.from(third)).toEqual(A);
    expect(Buffer.from(second)).toEqual(B);
    // Bytes the reader did not give are never reused.
    const foreign = Buffer.alloc(1 << 20);
    reader.release(foreign);
    reader.release(third);
    expect((await reader.readSection(file, 5))!.buffer).toBe(third.buffer);
  });

  it('refuses shared files without a shared directory, and unsafe paths', async () => {
    const { file } = await written();
    const reader = new LocalStateFileReader(dir);
    expect(() => reader.resolve({ ...file, location: 'shared' })).toThrow('a shared state file is referenced, but a savepoint has no shared directory');
    expect(() => reader.resolve({ ...file, path: '../x' })).toThrow(`${dir}: state file path "../x" contains a '..' segment`);
  });
});
