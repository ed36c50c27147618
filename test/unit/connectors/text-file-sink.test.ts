import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WriteMode } from '../../../src/api/builtins.js';
import type { OperatorListState, OperatorStateStore } from '../../../src/api/checkpointing.js';
import { Configuration } from '../../../src/api/configuration.js';
import { FlinktsError } from '../../../src/api/errors.js';
import { TextFileSinkFunction } from '../../../src/connectors/file/text-file-sink.js';
import { runtimeContext, sinkContext } from './helpers.js';

let dir: string;
let counter = 0;

/** An operator state store with one union list, as the runtime keeps it for the sink. */
class UnionStore implements OperatorStateStore {
  private elements: unknown[];
  /** Whether the sink asked for its list. */
  registered = false;

  constructor(restored: readonly unknown[] = []) {
    this.elements = [...restored];
  }

  getListState<T>(): OperatorListState<T> {
    throw new Error('writeAsText keeps union list state only');
  }

  getUnionListState<T>(): OperatorListState<T> {
    this.registered = true;
    return {
      get: () => this.elements as T[],
      add: (value) => void this.elements.push(value),
      addAll: (values) => void this.elements.push(...values),
      update: (values) => void (this.elements = [...values]),
      clear: () => void (this.elements = []),
    };
  }

  getBroadcastState(): never {
    throw new Error('writeAsText keeps union list state only');
  }

  /** The list as a checkpoint stores it. */
  snapshot(): unknown[] {
    return structuredClone(this.elements);
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flinkts-text-sink-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh path in the test directory. */
function target(name: string): string {
  return path.join(dir, `${counter++}-${name}`);
}

function sinkFor<T>(file: string, writeMode: WriteMode, index: number, parallelism: number, attempt = 0): TextFileSinkFunction<T> {
  const sink = new TextFileSinkFunction<T>(file, writeMode);
  sink.setRuntimeContext(runtimeContext(index, parallelism, attempt));
  return sink;
}

/** Runs one subtask's sink over `records` through its whole life cycle. */
async function write<T>(file: string, writeMode: WriteMode, records: T[], index = 0, parallelism = 1, attempt = 0): Promise<void> {
  const sink = sinkFor<T>(file, writeMode, index, parallelism, attempt);
  await sink.open(new Configuration());
  for (const record of records) await sink.invoke(record, sinkContext);
  await sink.finish();
  await sink.close();
}

async function openError(file: string, writeMode: WriteMode, index = 0, parallelism = 1): Promise<unknown> {
  const sink = sinkFor<string>(file, writeMode, index, parallelism);
  return Promise.resolve()
    .then(() => sink.open(new Configuration()))
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

describe('TextFileSinkFunction', () => {
  it('writes one formatted line per record to the file at parallelism 1', async () => {
    const file = target('out.txt');
    await write<unknown>(file, 'NO_OVERWRITE', ['plain', ['hello', 3], { a: 1 }, 42, 'ünïcödé €']);
    expect(fs.readFileSync(file, 'utf8')).toBe('plain\n(hello,3)\n{"a":1}\n42\nünïcödé €\n');
  });

  it('writes more than the 64 KiB buffer completely and in order', async () => {
    const file = target('big.txt');
    const records = Array.from({ length: 30_000 }, (_, i) => `record number ${i}`);
    await write(file, 'NO_OVERWRITE', records);
    expect(fs.readFileSync(file, 'utf8')).toBe(records.map((r) => `${r}\n`).join(''));
  });

  it('writes to the file whenever 64 KiB are buffered, before finish()', async () => {
    const file = target('streaming.txt');
    const sink = sinkFor<string>(file, 'NO_OVERWRITE', 0, 1);
    await sink.open(new Configuration());
    const line = 'q'.repeat(1023); // 1 KiB with the newline
    for (let i = 0; i < 63; i++) await sink.invoke(line, sinkContext);
    expect(fs.statSync(file).size).toBe(0);
    await sink.invoke(line, sinkContext);
    expect(fs.statSync(file).size).toBe(64 * 1024);
    await sink.invoke('tail', sinkContext);
    await sink.finish();
    expect(fs.statSync(file).size).toBe(64 * 1024 + 5);
    await sink.close();
  });

  it('writes an empty file for no records', async () => {
    const file = target('empty.txt');
    await write(file, 'NO_OVERWRITE', []);
    expect(fs.readFileSync(file, 'utf8')).toBe('');
  });

  it('writes a directory with one file per subtask, named 1..p, at parallelism 3', async () => {
    const out = target('parallel');
    const perSubtask = [['a0', 'a1'], ['b0'], []];
    // Open all three first, as concurrent subtasks would, then write.
    const sinks = perSubtask.map((_, i) => sinkFor<string>(out, 'NO_OVERWRITE', i, 3));
    for (const sink of sinks) await sink.open(new Configuration());
    for (const [i, records] of perSubtask.entries()) for (const r of records) await sinks[i]!.invoke(r, sinkContext);
    for (const sink of sinks) {
      await sink.finish();
      await sink.close();
    }
    expect(fs.readdirSync(out).sort()).toEqual(['1', '2', '3']);
    expect(fs.readFileSync(path.join(out, '1'), 'utf8')).toBe('a0\na1\n');
    expect(fs.readFileSync(path.join(out, '2'), 'utf8')).toBe('b0\n');
    expect(fs.readFileSync(path.join(out, '3'), 'utf8')).toBe('');
  });

  it('refuses an existing file under NO_OVERWRITE, naming it, and leaves it alone', async () => {
    const file = target('exists.txt');
    fs.writeFileSync(file, 'keep me\n');
    const error = await openError(file, 'NO_OVERWRITE');
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as Error).message).toBe(`writeAsText: '${file}' already exists; use OVERWRITE or remove it`);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it('refuses an existing subtask file under NO_OVERWRITE at parallelism 3', async () => {
    const out = target('parallel-exists');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, '2'), 'old\n');
    expect(await openError(out, 'NO_OVERWRITE', 0, 3)).toBeUndefined();
    const error = await openError(out, 'NO_OVERWRITE', 1, 3);
    expect((error as Error).message).toBe(`writeAsText: '${path.join(out, '2')}' already exists; use OVERWRITE or remove it`);
  });

  it('refuses a file where the directory should be under NO_OVERWRITE at parallelism 3', async () => {
    const out = target('not-a-dir');
    fs.writeFileSync(out, 'a file\n');
    const error = await openError(out, 'NO_OVERWRITE', 0, 3);
    expect((error as Error).message).toBe(`writeAsText: '${out}' already exists; use OVERWRITE or remove it`);
  });

  it('replaces an existing file under OVERWRITE', async () => {
    const file = target('replace.txt');
    fs.writeFileSync(file, 'old line 1\nold line 2\nold line 3\n');
    await write(file, 'OVERWRITE', ['new']);
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
  });

  it('replaces a file by a directory and existing subtask files under OVERWRITE at parallelism 3', async () => {
    const out = target('overwrite-parallel');
    fs.writeFileSync(out, 'was a file\n');
    for (let i = 0; i < 3; i++) await write(out, 'OVERWRITE', [`first run ${i}`], i, 3);
    for (let i = 0; i < 3; i++) await write(out, 'OVERWRITE', [`second run ${i}`], i, 3);
    expect(fs.readdirSync(out).sort()).toEqual(['1', '2', '3']);
    for (let i = 0; i < 3; i++) expect(fs.readFileSync(path.join(out, String(i + 1)), 'utf8')).toBe(`second run ${i}\n`);
  });

  it('never deletes a directory in the way of the file at parallelism 1', async () => {
    const out = target('a-dir');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'precious'), 'x');
    for (const mode of ['NO_OVERWRITE', 'OVERWRITE'] as const) {
      const error = await openError(out, mode);
      expect(error).toBeInstanceOf(FlinktsError);
      expect((error as Error).message).toContain(`'${out}'`);
    }
    expect(fs.readFileSync(path.join(out, 'precious'), 'utf8')).toBe('x');
  });

  it('appends to the file of a failed attempt on a restart without a checkpoint (at-least-once)', async () => {
    const file = target('restarted.txt');
    await write(file, 'NO_OVERWRITE', ['attempt 0']);
    await write(file, 'NO_OVERWRITE', ['attempt 1'], 0, 1, 1);
    expect(fs.readFileSync(file, 'utf8')).toBe('attempt 0\nattempt 1\n');
  });

  it('keeps no state when the only checkpoint comes after the end of its input', async () => {
    const file = target('final-only.txt');
    const sink = sinkFor<string>(file, 'NO_OVERWRITE', 0, 1, 0);
    const store = new UnionStore();
    sink.initializeState({ isRestored: () => false, getOperatorStateStore: () => store });
    await sink.open(new Configuration());
    await sink.invoke('a', sinkContext);
    await sink.finish();
    sink.snapshotState();
    await sink.close();
    expect(store.registered).toBe(false);
  });

  it('cuts the file back to the restored checkpoint on a restart: no line twice, none lost', async () => {
    const file = target('checkpointed.txt');
    const failed = sinkFor<string>(file, 'NO_OVERWRITE', 0, 1, 0);
    const store = new UnionStore();
    failed.initializeState({ isRestored: () => false, getOperatorStateStore: () => store });
    await failed.open(new Configuration());
    for (const line of ['a', 'b', 'c']) await failed.invoke(line, sinkContext);
    failed.snapshotState();
    const checkpoint = store.snapshot();
    // After the checkpoint: more lines reach the file, then the attempt fails (close writes the buffer).
    for (const line of ['d', 'e']) await failed.invoke(line, sinkContext);
    await failed.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('a\nb\nc\nd\ne\n');

    const restored = sinkFor<string>(file, 'NO_OVERWRITE', 0, 1, 1);
    restored.initializeState({ isRestored: () => true, getOperatorStateStore: () => new UnionStore(checkpoint) });
    await restored.open(new Configuration());
    expect(fs.readFileSync(file, 'utf8')).toBe('a\nb\nc\n');
    // The source replays d and e, then the input goes on.
    for (const line of ['d', 'e', 'f']) await restored.invoke(line, sinkContext);
    await restored.finish();
    await restored.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('a\nb\nc\nd\ne\nf\n');
  });

  it('after a restore at a lower parallelism cuts back the files of subtasks that are gone too', async () => {
    const out = target('rescaled');
    const stores = [0, 1, 2].map(() => new UnionStore());
    for (let i = 0; i < 3; i++) {
      const sink = sinkFor<string>(out, 'NO_OVERWRITE', i, 3);
      sink.initializeState({ isRestored: () => false, getOperatorStateStore: () => stores[i]! });
      await sink.open(new Configuration());
      await sink.invoke(`s${i}-before`, sinkContext);
      sink.snapshotState();
      await sink.invoke(`s${i}-after`, sinkContext);
      await sink.close();
    }
    const union = stores.flatMap((s) => s.snapshot());
    for (let i = 0; i < 2; i++) {
      const sink = sinkFor<string>(out, 'NO_OVERWRITE', i, 2, 1);
      sink.initializeState({ isRestored: () => true, getOperatorStateStore: () => new UnionStore(union) });
      await sink.open(new Configuration());
      await sink.close();
    }
    expect([1, 2, 3].map((n) => fs.readFileSync(path.join(out, String(n)), 'utf8'))).toEqual(['s0-before\n', 's1-before\n', 's2-before\n']);
  });

  it('names the file when it cannot be created', async () => {
    const file = path.join(target('missing-parent'), 'sub', 'out.txt');
    const error = await openError(file, 'NO_OVERWRITE');
    expect((error as Error).message).toBe(`writeAsText: cannot write '${file}': no such file or directory (ENOENT)`);
  });
});
