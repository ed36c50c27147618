/**
 * Snapshots and restores of the embedded backend: full round trips of every
 * state kind, snapshots taken while records keep changing state, and
 * incremental checkpoints (the delta holds exactly the changed entries and
 * the handle reuses the base file). Files go through a test fixture of the
 * state-file interfaces over a temp directory. Rescaling and the format
 * shared with the heap backend: `rescaling-and-format.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../../../../src/api/state.js';
import type { KeyedStateHandle } from '../../../../../src/runtime/checkpoint/metadata.js';
import { DELETED } from '../../../../../src/runtime/checkpoint/state-sections.js';
import type { EmbeddedKeyedStateBackend } from '../../../../../src/runtime/state/embedded/index.js';
import type { KeyedStateBackend } from '../../../../../src/runtime/state/keyed-state-backend.js';
import { AVERAGE, type AnyAggregatingState, type AnyListState, type AnyMapState, type AnyReducingState, type AnyValueState } from '../helpers.js';
import { backendsAndFilesPerTest, counter, counters, stateOf, type Backends, type DirectoryStateFilesFixture } from './fixtures.js';

// Every test runs twice: the asynchronous part reading the store on the task's thread, and on the encoding thread.
describe.each([
  ['on the task thread', false],
  ['on the encoding thread', true],
])('embedded snapshots written %s', (_, onThread) => {
  let backends: Backends;
  let files: DirectoryStateFilesFixture;
  backendsAndFilesPerTest((b, f) => ([backends, files] = [b, f]), { onThread });


  async function checkpoint(backend: KeyedStateBackend, checkpointId: number, format: 'native' | 'canonical' = 'native'): Promise<KeyedStateHandle | undefined> {
    return backend.snapshot({ checkpointId, format, files })();
  }


  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

  describe('full snapshots', () => {
    it('round-trip every state kind with namespaces, composite keys and TTL stamps', async () => {
      const source = backends.make({ cacheEntries: 8 });
      const ttl = StateTtlConfig.newBuilder(1000).build();
      const v: AnyValueState<unknown> = stateOf(source, new ValueStateDescriptor<unknown>('v').enableTimeToLive(ttl));
      const l: AnyListState<string> = stateOf(source, new ListStateDescriptor<string>('l'));
      const m: AnyMapState<unknown, Date> = stateOf(source, new MapStateDescriptor<unknown, Date>('m'));
      const r: AnyReducingState<number> = stateOf(source, new ReducingStateDescriptor<number>('r', (a, b) => a * b));
      const a: AnyAggregatingState<number, number> = stateOf(source, new AggregatingStateDescriptor('a', AVERAGE));
      const keys: unknown[] = ['k', 42, ['composite', 1], { id: 'x', n: 2n }];
      for (const [i, key] of keys.entries()) {
        source.setCurrentKey(key);
        for (const namespace of ['', `${i}|${i + 10}`]) {
          for (const s of [v, l, m, r, a]) s.setCurrentNamespace(namespace);
          v.update({ key, namespace, big: BigInt(i), set: new Set([i]) });
          l.addAll([`${i}a`, `${i}b`]);
          m.put([i, 'user'], new Date(i * 1000));
          m.put(i, new Date(1));
          r.add(i + 2);
          r.add(3);
          a.add(i);
          a.add(i + 1);
        }
      }
      for (const format of ['canonical', 'native'] as const) {
        const handle = (await checkpoint(source, 1, format))!;
        expect(handle.files).toHaveLength(1);
        expect(handle.files[0]!.location).toBe(format === 'canonical' ? 'exclusive' : 'shared');
        expect(handle.files[0]!.delta).toBe(false);
        expect(handle.states.map((s) => `${s.name}:${s.kind}`).sort()).toEqual(['a:aggregating', 'l:list', 'm:map', 'r:reducing', 'v:value']);
        const target = backends.make({ cacheEntries: 3 });
        await target.restore([handle], files);
        expect(target.stateNames().sort()).toEqual(['a', 'l', 'm', 'r', 'v']);
        const tv: AnyValueState<unknown> = stateOf(target, new ValueStateDescriptor<unknown>('v').enableTimeToLive(ttl));
        const tl: AnyListState<string> = stateOf(target, new ListStateDescriptor<string>('l'));
        const tm: AnyMapState<unknown, Date> = stateOf(target, new MapStateDescriptor<unknown, Date>('m'));
        const tr: AnyReducingState<number> = stateOf(target, new ReducingStateDescriptor<number>('r', (x, y) => x * y));
        const ta: AnyAggregatingState<number, number> = stateOf(target, new AggregatingStateDescriptor('a', AVERAGE));
        for (const [i, key] of keys.entries()) {
          target.setCurrentKey(key);
          for (const namespace of ['', `${i}|${i + 10}`]) {
            for (const s of [tv, tl, tm, tr, ta]) s.setCurrentNamespace(namespace);
            expect(tv.value()).toEqual({ key, namespace, big: BigInt(i), set: new Set([i]) });
            expect([...tl.get()]).toEqual([`${i}a`, `${i}b`]);
            expect(tm.get([i, 'user'])).toEqual(new Date(i * 1000));
            expect(tm.get(i)).toEqual(new Date(1));
            expect(tr.get()).toBe((i + 2) * 3);
            expect(ta.get()).toBe(i + 0.5);
          }
        }
      }
    });

    it('the asynchronous part writes the state as of the synchronous part', async () => {
      const source = backends.make();
      const v: AnyValueState<number> = stateOf(source, counter());
      for (const key of range(10)) {
        source.setCurrentKey(key);
        v.update(key);
      }
      const write = source.snapshot({ checkpointId: 1, format: 'native', files });
      for (const key of range(20)) {
        source.setCurrentKey(key);
        v.update(1000 + key);
      }
      source.flush();
      const handle = (await write())!;
      const target = backends.make();
      await target.restore([handle], files);
      expect(counters(target, range(20))).toEqual(new Map(range(20).map((k) => [k, k < 10 ? k : undefined])));
    });

    it('records keep changing state while the asynchronous part runs; the files hold the barrier state (full, then delta)', async () => {
      const source = backends.make({ cacheEntries: 50 });
      const v: AnyValueState<number> = stateOf(source, counter());
      const keys = range(30_000);
      const expected = new Map<number, number | undefined>(keys.map((k) => [k, k]));
      for (const key of keys) {
        source.setCurrentKey(key);
        v.update(key);
      }
      for (const checkpointId of [1, 2]) {
        let done = false;
        const written = source.snapshot({ checkpointId, format: 'native', files })().finally(() => (done = true));
        const barrier = new Map(expected);
        let rounds = 0;
        while (!done) {
          // Between the snapshot's slices: change and remove entries, flushing all the time (cache of 50); at most
          // 20 rounds (10 000 changes), so fewer entries change than the store holds and checkpoint 2 is a delta.
          for (const key of range(rounds < 20 ? 500 : 0).map((i) => (i * 61 + rounds * 7 + checkpointId) % 30_000)) {
            source.setCurrentKey(key);
            if (key % 3 === 0) v.clear();
            else v.update(-key - checkpointId);
            expected.set(key, key % 3 === 0 ? undefined : -key - checkpointId);
          }
          rounds++;
          await new Promise((resolve) => setImmediate(resolve));
        }
        const handle = (await written)!;
        expect(handle.files.map((f) => f.delta)).toEqual(checkpointId === 1 ? [false] : [false, true]);
        expect(rounds).toBeGreaterThan(checkpointId === 1 ? 1 : 0);
        source.notifyCheckpointComplete(checkpointId);
        const target = backends.make();
        await target.restore([handle], files);
        expect(counters(target, keys)).toEqual(barrier);
      }
    });

    it('disposing the backend while a snapshot is being written fails that snapshot, nothing else', async () => {
      const source = backends.make();
      const v: AnyValueState<number> = stateOf(source, counter());
      for (const key of range(20_000)) {
        source.setCurrentKey(key);
        v.update(key);
      }
      const write = source.snapshot({ checkpointId: 1, format: 'native', files });
      const notStarted = source.snapshot({ checkpointId: 2, format: 'native', files });
      const written = write();
      await source.dispose();
      await expect(written).rejects.toThrow('disposed while a snapshot was being written');
      await expect(notStarted()).rejects.toThrow('disposed while a snapshot was being written');
      expect(() => source.getState(counter())).toThrow('disposed');
    });

    it('cleanupFullSnapshot leaves expired entries out', async () => {
      const source = backends.make();
      const ttl = StateTtlConfig.newBuilder(100).cleanupFullSnapshot().build();
      const v: AnyValueState<string> = stateOf(source, new ValueStateDescriptor<string>('v').enableTimeToLive(ttl));
      source.setCurrentKey('old');
      v.update('x');
      backends.clock.now = 60;
      source.setCurrentKey('new');
      v.update('y');
      backends.clock.now = 120;
      const handle = (await checkpoint(source, 1, 'canonical'))!;
      expect((await files.entriesOf(handle.files[0]!)).map(([, key, , value]) => [key, value])).toEqual([['new', { v: 'y', t: 60 }]]);
    });
  });

  describe('incremental checkpoints', () => {
    async function sourceWith(n: number, maxDeltas = 10): Promise<{ source: EmbeddedKeyedStateBackend; v: AnyValueState<number> }> {
      const source = backends.make({ cacheEntries: 100, maxDeltas });
      const v: AnyValueState<number> = stateOf(source, counter());
      for (const key of range(n)) {
        source.setCurrentKey(key);
        v.update(key);
      }
      return { source, v };
    }

    it('the second checkpoint writes only the changed entries and lists the first file again', async () => {
      const { source, v } = await sourceWith(2000);
      const first = (await checkpoint(source, 1))!;
      expect(first.files).toHaveLength(1);
      expect((await files.entriesOf(first.files[0]!)).length).toBe(2000);
      source.notifyCheckpointComplete(1);
      // 7 updates (one of them twice), 3 removals, 2 new keys.
      for (const key of [5, 6, 7, 8, 9, 10, 11, 5]) {
        source.setCurrentKey(key);
        v.update(-key);
      }
      for (const key of [100, 200, 300]) {
        source.setCurrentKey(key);
        v.clear();
      }
      for (const key of [5000, 5001]) {
        source.setCurrentKey(key);
        v.update(key);
      }
      const second = (await checkpoint(source, 2))!;
      expect(second.files).toHaveLength(2);
      expect(second.files[0]).toEqual(first.files[0]);
      const delta = second.files[1]!;
      expect(delta).toMatchObject({ delta: true, location: 'shared' });
      const entries = await files.entriesOf(delta);
      expect(entries.map(([name, key, , value]) => [name, key, value]).sort((x, y) => Number(x[1]) - Number(y[1]))).toEqual([
        ['counter', 5, -5],
        ['counter', 6, -6],
        ['counter', 7, -7],
        ['counter', 8, -8],
        ['counter', 9, -9],
        ['counter', 10, -10],
        ['counter', 11, -11],
        ['counter', 100, DELETED],
        ['counter', 200, DELETED],
        ['counter', 300, DELETED],
        ['counter', 5000, 5000],
        ['counter', 5001, 5001],
      ]);
      expect(files.written).toHaveLength(2);
      // Written by the thread's writer (its file names), or by the fixture's.
      expect(files.written.map((f) => f.path.startsWith(onThread ? 'fixture0-0-' : 'file-'))).toEqual([true, true]);
      // Restoring base + delta gives the state as it is now.
      const target = backends.make();
      await target.restore([second], files);
      const expected = new Map(counters(source, [...range(2000), 5000, 5001]));
      expect(counters(target, [...range(2000), 5000, 5001])).toEqual(expected);
      expect(expected.get(100)).toBeUndefined();
      expect(expected.get(5)).toBe(-5);
    });

    it('deltas build on the last confirmed checkpoint; an unchanged state writes no file', async () => {
      const { source, v } = await sourceWith(100);
      const first = (await checkpoint(source, 1))!;
      source.notifyCheckpointComplete(1);
      source.setCurrentKey(1);
      v.update(111);
      const second = (await checkpoint(source, 2))!; // not confirmed (e.g. declined)
      source.setCurrentKey(2);
      v.update(222);
      const third = (await checkpoint(source, 3))!;
      expect(third.files.map((f) => f.path)).toEqual([first.files[0]!.path, third.files[1]!.path]);
      expect((await files.entriesOf(third.files[1]!)).map(([, key, , value]) => [key, value]).sort()).toEqual([
        [1, 111],
        [2, 222],
      ]);
      expect(second.files).toHaveLength(2);
      source.notifyCheckpointComplete(3);
      const fourth = (await checkpoint(source, 4))!;
      expect(fourth.files).toEqual(third.files);
      expect(source.snapshotReports().at(-1)).toMatchObject({ checkpointId: 4, kind: 'unchanged', entries: 0 });
    });

    it('an entry changed in several flushes is in the delta once, with its last value; confirmed epochs leave the change log', async () => {
      const { source, v } = await sourceWith(1000);
      await checkpoint(source, 1);
      source.notifyCheckpointComplete(1);
      // Key 7 changes in the epoch of checkpoint 2 (never confirmed) and again in that of checkpoint 3, each
      // time flushed by the 100-entry cache as 150 other keys go through it.
      for (const value of [70, 700]) {
        source.setCurrentKey(7);
        v.update(value);
        for (const key of range(150)) {
          source.setCurrentKey(key + 100);
          v.update(value + key);
        }
        if (value === 70) await checkpoint(source, 2);
      }
      const third = (await checkpoint(source, 3))!;
      const entries = (await files.entriesOf(third.files[1]!)).map(([, key, , value]) => [key, value]);
      expect(entries.filter(([key]) => key === 7)).toEqual([[7, 700]]);
      expect(entries).toHaveLength(151);
      expect(new Set(entries.map(([key]) => key)).size).toBe(151);
      const logged = (): number[] => {
        const view = source.store.snapshot();
        try {
          return [...view.changeRecords(0)].map((r) => r.epoch);
        } finally {
          view.release();
        }
      };
      expect(logged().length).toBeGreaterThan(0);
      source.notifyCheckpointComplete(3);
      source.setCurrentKey(1);
      v.update(-1);
      const fourth = (await checkpoint(source, 4))!;
      expect((await files.entriesOf(fourth.files.at(-1)!)).map(([, key, , value]) => [key, value])).toEqual([[1, -1]]);
      // Writing the delta of checkpoint 4 pruned every record of the epochs checkpoint 3 confirmed.
      expect(logged()).toEqual([4]);
    });

    it('writes a full file when more entries changed than the store holds (most of the state removed)', async () => {
      const { source, v } = await sourceWith(1000);
      await checkpoint(source, 1);
      source.notifyCheckpointComplete(1);
      for (const key of range(900)) {
        source.setCurrentKey(key);
        v.clear();
      }
      const second = (await checkpoint(source, 2))!;
      // 900 removals against 100 entries left: the 100 entries, not 900 DELETED ones.
      expect(second.files).toHaveLength(1);
      expect(second.files[0]!.delta).toBe(false);
      expect((await files.entriesOf(second.files[0]!)).map(([, key]) => key).sort((a, b) => Number(a) - Number(b))).toEqual(range(100).map((k) => k + 900));
      expect(source.snapshotReports().at(-1)).toMatchObject({ checkpointId: 2, kind: 'full', entries: 100 });
      const target = backends.make();
      await target.restore([second], files);
      expect(counters(target, range(1000))).toEqual(new Map(range(1000).map((k) => [k, k < 900 ? undefined : k])));
    });

    it('stays a delta when a few entries changed in many flushes (more logged changes than the store holds)', async () => {
      const { source, v } = await sourceWith(1000);
      await checkpoint(source, 1);
      source.notifyCheckpointComplete(1);
      // 50 keys, 50 flushes: 2 500 logged changes of 50 entries.
      for (let round = 0; round < 50; round++) {
        for (const key of range(50)) {
          source.setCurrentKey(key);
          v.update(round * 1000 + key);
        }
        source.flush();
      }
      const second = (await checkpoint(source, 2))!;
      expect(second.files.map((f) => f.delta)).toEqual([false, true]);
      expect((await files.entriesOf(second.files[1]!)).map(([, key, , value]) => [key, value]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual(range(50).map((k) => [k, 49_000 + k]));
    });

    it('a checkpoint after a never-confirmed one is full', async () => {
      const { source } = await sourceWith(10);
      await checkpoint(source, 1);
      const second = (await checkpoint(source, 2))!;
      expect(second.files).toHaveLength(1);
      expect(second.files[0]!.delta).toBe(false);
    });

    it('writes a new full base after maxDeltas deltas, and when the deltas outgrow the base', async () => {
      const { source, v } = await sourceWith(50, 2);
      const kinds: string[] = [];
      for (let id = 1; id <= 5; id++) {
        source.setCurrentKey(id);
        v.update(id * 100);
        const handle = (await checkpoint(source, id))!;
        source.notifyCheckpointComplete(id);
        kinds.push(handle.files.map((f) => (f.delta ? 'd' : 'F')).join(''));
      }
      expect(kinds).toEqual(['F', 'Fd', 'Fdd', 'F', 'Fd']);
      // Deltas larger than the base: every key changes every time.
      const { source: busy, v: bv } = await sourceWith(20, 100);
      const sizes: string[] = [];
      for (let id = 1; id <= 4; id++) {
        for (const key of range(20)) {
          busy.setCurrentKey(key);
          bv.update(key * id * 1_000_003);
        }
        const handle = (await checkpoint(busy, id))!;
        busy.notifyCheckpointComplete(id);
        sizes.push(handle.files.map((f) => (f.delta ? 'd' : 'F')).join(''));
      }
      expect(sizes).toEqual(['F', 'Fd', 'Fdd', 'F']);
    });

    it('map states: a changed map is written whole in the delta, an emptied one as DELETED', async () => {
      const source = backends.make({ cacheEntries: 2 });
      const m: AnyMapState<string, number> = stateOf(source, new MapStateDescriptor<string, number>('m'));
      for (const key of ['a', 'b', 'c']) {
        source.setCurrentKey(key);
        m.putAll([
          ['x', 1],
          ['y', 2],
        ]);
      }
      await checkpoint(source, 1);
      source.notifyCheckpointComplete(1);
      source.setCurrentKey('a');
      m.put('z', 3);
      source.setCurrentKey('b');
      m.remove('x');
      m.remove('y');
      const handle = (await checkpoint(source, 2))!;
      const entries = (await files.entriesOf(handle.files[1]!)).sort((p, q) => String(p[1]).localeCompare(String(q[1])));
      expect(entries).toEqual([
        [
          'm',
          'a',
          '',
          new Map([
            ['x', ['x', 1]],
            ['y', ['y', 2]],
            ['z', ['z', 3]],
          ]),
        ],
        ['m', 'b', '', DELETED],
      ]);
    });
  });
});
