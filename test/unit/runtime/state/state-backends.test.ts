/**
 * Choosing and creating keyed state backends (`state-backends.ts`): the heap
 * one by default, the embedded one only when asked (its stores named by job,
 * attempt, operator and subtask under `io.tmp.dirs`, stale ones of earlier
 * attempts and dead processes deleted); `state.backend.incremental: false`;
 * a heap backend restoring into states asked for before the restore (window
 * operators ask in their constructors) and its raw value tables (rolling
 * aggregations); the configuration (`state.backend.*`,
 * `io.tmp.dirs`) as the cluster settings carry it, with the backend's defaults.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListStateDescriptor, ValueStateDescriptor } from '../../../../src/api/state.js';
import { clusterSettings } from '../../../../src/client/run.js';
import { loadConfig } from '../../../../src/config/index.js';
import { LocalStateFileReader, LocalStateFileWriter } from '../../../../src/runtime/checkpoint/state-files.js';
import { EMBEDDED_DEFAULTS, EmbeddedKeyedStateBackend } from '../../../../src/runtime/state/embedded/index.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import type { InternalKvState } from '../../../../src/runtime/state/heap-states.js';
import type { KeyedStateBackend } from '../../../../src/runtime/state/keyed-state-backend.js';
import { heapBackendFactory, loadKeyedStateBackendFactory } from '../../../../src/runtime/state/state-backends.js';
import { DirectoryStateFilesFixture, tempDir } from './embedded/fixtures.js';
import type { AnyValueState } from './helpers.js';

const JOB = 'ab12cd34'.repeat(4);
const OPERATOR = '0123456789abcdef'.repeat(2);
const request = (subtaskIndex = 0) => ({ keyGroupRange: { start: 0, end: 127 }, maxParallelism: 128, operatorId: OPERATOR, subtaskIndex });

let tmp: { dir: string; cleanup: () => void };
const made: KeyedStateBackend[] = [];

beforeEach(() => {
  tmp = tempDir('backends');
});

afterEach(async () => {
  for (const backend of made.splice(0)) await backend.dispose();
  tmp.cleanup();
});

describe('loadKeyedStateBackendFactory', () => {
  it('gives the heap backend when nothing or hashmap is configured', async () => {
    expect(await loadKeyedStateBackendFactory(undefined, { jobId: JOB, attempt: 0 })).toBe(heapBackendFactory);
    expect(await loadKeyedStateBackendFactory({ type: 'hashmap', tmpDirs: [tmp.dir] }, { jobId: JOB, attempt: 0 })).toBe(heapBackendFactory);
    expect(heapBackendFactory(request())).toBeInstanceOf(HeapKeyedStateBackend);
  });

  it('embedded: one store per operator subtask, named by job, attempt, operator and subtask, in the tmp dirs by turn', async () => {
    const second = join(tmp.dir, 'second');
    const factory = await loadKeyedStateBackendFactory({ type: 'embedded', tmpDirs: [tmp.dir, second], cacheEntries: 10 }, { jobId: JOB, attempt: 2 });
    const backends = [0, 1, 2].map((subtask) => factory(request(subtask)) as EmbeddedKeyedStateBackend);
    made.push(...backends);
    expect(backends.every((b) => b instanceof EmbeddedKeyedStateBackend)).toBe(true);
    expect(backends.map((b) => b.settings.cacheEntries)).toEqual([10, 10, 10]);
    const here = join(tmp.dir, `flinkts-${process.pid}`);
    expect(readdirSync(here).sort()).toEqual([expect.stringMatching(/^ab12cd34_2-0123456789ab-0-[0-9a-f]{12}$/), expect.stringMatching(/^ab12cd34_2-0123456789ab-2-[0-9a-f]{12}$/)]);
    expect(readdirSync(join(second, `flinkts-${process.pid}`))).toEqual([expect.stringMatching(/^ab12cd34_2-0123456789ab-1-/)]);
    for (const backend of made.splice(0)) await backend.dispose();
    expect(existsSync(here)).toBe(false);
  });

  it('embedded: deletes stores that earlier attempts of the job and dead processes left behind, and nothing else', async () => {
    const here = join(tmp.dir, `flinkts-${process.pid}`);
    const stale = ['ab12cd34_0-0123456789ab-0-aaaaaaaaaaaa', 'ab12cd34_1-0123456789ab-0-bbbbbbbbbbbb'];
    const kept = ['ab12cd34_3-0123456789ab-0-cccccccccccc', 'ffffffff_0-0123456789ab-0-dddddddddddd'];
    for (const name of [...stale, ...kept]) {
      mkdirSync(join(here, name), { recursive: true });
      writeFileSync(join(here, name, 'data.mdb'), 'x');
    }
    // A pid above Linux's pid_max (4194304) never runs.
    mkdirSync(join(tmp.dir, 'flinkts-99999999', 'x'), { recursive: true });
    mkdirSync(join(tmp.dir, 'flinkts-not-a-pid'), { recursive: true });
    await loadKeyedStateBackendFactory({ type: 'embedded', tmpDirs: [tmp.dir] }, { jobId: JOB, attempt: 2 });
    expect(readdirSync(here).sort()).toEqual(kept);
    expect(readdirSync(tmp.dir).sort()).toEqual([`flinkts-${process.pid}`, 'flinkts-not-a-pid']);
  });

  it('embedded with incremental false: every checkpoint is one full exclusive file', async () => {
    const files = new DirectoryStateFilesFixture(join(tmp.dir, 'files'));
    const factory = await loadKeyedStateBackendFactory({ type: 'embedded', tmpDirs: [tmp.dir], incremental: false }, { jobId: JOB, attempt: 0 });
    const backend = factory(request()) as EmbeddedKeyedStateBackend;
    made.push(backend);
    const v = backend.getState<AnyValueState<number>>(new ValueStateDescriptor<number>('v'));
    for (let checkpointId = 1; checkpointId <= 3; checkpointId++) {
      for (let key = 0; key < 10; key++) {
        backend.setCurrentKey(key);
        v.update(checkpointId * 100 + key);
      }
      backend.setCurrentKey(checkpointId);
      v.update(-1);
      const handle = await backend.snapshot({ checkpointId, format: 'native', files })();
      backend.notifyCheckpointComplete(checkpointId);
      expect(handle!.files.map((f) => [f.location, f.delta])).toEqual([['exclusive', false]]);
    }
    expect(backend.snapshotReports().map((r) => [r.kind, r.entries])).toEqual([
      ['full', 10],
      ['full', 10],
      ['full', 10],
    ]);
  });
});

describe('heap backend restore', () => {
  it('restores into a state asked for before the restore, and its snapshot holds each entry once', async () => {
    const files = new DirectoryStateFilesFixture(join(tmp.dir, 'files'));
    const source = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const written = source.getState<AnyValueState<number>>(new ValueStateDescriptor<number>('v'));
    for (let key = 0; key < 20; key++) {
      source.setCurrentKey(key);
      written.update(key * 2);
    }
    const handle = (await source.snapshot({ checkpointId: 1, format: 'canonical', files })())!;

    const target = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const early = target.getState<AnyValueState<number>>(new ValueStateDescriptor<number>('v'));
    await target.restore([handle], files);
    const values: (number | undefined)[] = [];
    for (let key = 0; key < 20; key++) {
      target.setCurrentKey(key);
      values.push(early.value());
    }
    expect(values).toEqual(Array.from({ length: 20 }, (_, key) => key * 2));
    const again = (await target.snapshot({ checkpointId: 2, format: 'canonical', files })())!;
    expect((await files.entriesOf(again.files[0]!)).length).toBe(20);
  });

  it('a snapshot written section by section (the file opened at the barrier) restores the same entries as one kept in memory', async () => {
    const source = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const names = source.getState<AnyValueState<string>>(new ValueStateDescriptor<string>('name'));
    const lists = source.getState<InternalKvState & { add(value: number): void }>(new ListStateDescriptor<number>('seen'));
    for (let key = 0; key < 3000; key++) {
      source.setCurrentKey(`k${key}`);
      names.update(`name of ${key} ${'·'.repeat(key % 7)}`);
      if (key % 3 === 0) lists.add(key);
    }
    const dir = join(tmp.dir, 'stream');
    mkdirSync(dir);
    const streamed = new LocalStateFileWriter({ snapshotDir: dir, operatorId: 'abcdef0123456789', subtaskIndex: 0 });
    const kept = new DirectoryStateFilesFixture(join(tmp.dir, 'kept'));
    const viaStream = (await source.snapshot({ checkpointId: 1, format: 'canonical', files: streamed })())!;
    const inMemory = (await source.snapshot({ checkpointId: 2, format: 'canonical', files: kept })())!;
    expect(kept.written).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([viaStream.files[0]!.path]);
    expect(viaStream.files[0]!.sections).toEqual(inMemory.files[0]!.sections);
    // Written alike, byte for byte.
    expect(readFileSync(join(dir, viaStream.files[0]!.path))).toEqual(readFileSync(join(tmp.dir, 'kept', 'exclusive', inMemory.files[0]!.path)));
    const restored = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    await restored.restore([viaStream], new LocalStateFileReader(dir));
    const back = restored.getState<AnyValueState<string>>(new ValueStateDescriptor<string>('name'));
    for (let key = 0; key < 3000; key += 7) {
      restored.setCurrentKey(`k${key}`);
      expect(back.value()).toBe(`name of ${key} ${'·'.repeat(key % 7)}`);
    }
  });

  it('refuses a restored state of another kind than the one asked for before', async () => {
    const files = new DirectoryStateFilesFixture(join(tmp.dir, 'files'));
    const source = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    source.setCurrentKey('k');
    source.getState<AnyValueState<number>>(new ValueStateDescriptor<number>('v')).update(1);
    const handle = (await source.snapshot({ checkpointId: 1, format: 'canonical', files })())!;
    const target = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    target.getState(new ListStateDescriptor<number>('v'));
    await expect(target.restore([handle], files)).rejects.toThrow("state 'v' was restored as value state and is now requested as list state");
  });
});

describe('heap raw value tables (rolling aggregations)', () => {
  it('snapshot as value state, restore into a raw table and into any backend’s value state', async () => {
    const files = new DirectoryStateFilesFixture(join(tmp.dir, 'files'));
    const source = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const table = source.rawValueTable('agg');
    for (let key = 0; key < 10; key++) table.insert(key, { total: key * 3 });
    expect(source.stateNames()).toEqual(['agg']);
    expect(() => source.getState(new ValueStateDescriptor('agg'))).toThrow("state 'agg' is the operator's own state");
    const handle = (await source.snapshot({ checkpointId: 1, format: 'canonical', files })())!;
    expect(handle.states).toEqual([{ name: 'agg', kind: 'value' }]);

    // Asked for before the restore (as operators do in their constructors), and after it.
    const before = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const early = before.rawValueTable('agg');
    await before.restore([handle], files);
    const after = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    await after.restore([handle], files);
    const late = after.rawValueTable('agg');
    const factory = await loadKeyedStateBackendFactory({ type: 'embedded', tmpDirs: [tmp.dir] }, { jobId: JOB, attempt: 0 });
    const embedded = factory(request());
    made.push(embedded);
    await embedded.restore([handle], files);
    const asValue = embedded.getState<AnyValueState<{ total: number }>>(new ValueStateDescriptor<{ total: number }>('agg'));
    for (let key = 0; key < 10; key++) {
      expect(early.get(key)).toEqual({ total: key * 3 });
      expect(late.get(key)).toEqual({ total: key * 3 });
      embedded.setCurrentKey(key);
      expect(asValue.value()).toEqual({ total: key * 3 });
    }

    // And back: the embedded value state restores into a heap raw table.
    const back = (await embedded.snapshot({ checkpointId: 2, format: 'canonical', files })())!;
    const heap = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const raw = heap.rawValueTable('agg');
    await heap.restore([back], files);
    expect([...raw.entries()].map((e) => [e.key, e.value]).sort((x, y) => (x[0] as number) - (y[0] as number))).toEqual(
      Array.from({ length: 10 }, (_, key) => [key, { total: key * 3 }]),
    );
  });

  it('refuses a restored state of another kind', async () => {
    const files = new DirectoryStateFilesFixture(join(tmp.dir, 'files'));
    const source = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    source.setCurrentKey('k');
    source.getState<InternalKvState & { add(v: number): void }>(new ListStateDescriptor<number>('agg')).add(1);
    const handle = (await source.snapshot({ checkpointId: 1, format: 'canonical', files })())!;
    const target = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    target.rawValueTable('agg');
    await expect(target.restore([handle], files)).rejects.toThrow("state 'agg' was restored as list state and is now requested as value state");
  });
});

describe('configuration', () => {
  const settingsOf = (...properties: string[]) => clusterSettings(loadConfig({ dynamicProperties: properties })).stateBackend;

  it('defaults to hashmap, with the embedded defaults of the backend and the system temp directory', () => {
    expect(settingsOf()).toEqual({ type: 'hashmap', cacheEntries: EMBEDDED_DEFAULTS.cacheEntries, incremental: EMBEDDED_DEFAULTS.incremental, tmpDirs: [tmpdir()] });
  });

  it('takes Flink’s rocksdb for embedded, and io.tmp.dirs separated by , | or :', () => {
    const settings = settingsOf('state.backend.type=RocksDB', 'state.backend.incremental=false', 'state.backend.embedded.cache-entries=500', 'io.tmp.dirs=/a, /b|/c:/d');
    expect(settings).toEqual({ type: 'embedded', cacheEntries: 500, incremental: false, tmpDirs: ['/a', '/b', '/c', '/d'] });
    expect(settingsOf('state.backend.type=embedded')?.type).toBe('embedded');
  });
});
