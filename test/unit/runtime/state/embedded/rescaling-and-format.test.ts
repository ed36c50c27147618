/**
 * Restores across parallelisms and backends: a snapshot split by key group
 * into two backends holds exactly the original entries, partitioned by key
 * group, and merges back; a canonical snapshot of the heap backend restores
 * into the embedded one and vice versa (one file format).
 */
import { describe, expect, it } from 'vitest';
import { ListStateDescriptor, MapStateDescriptor, StateTtlConfig, ValueStateDescriptor } from '../../../../../src/api/state.js';
import { assignToKeyGroup } from '../../../../../src/graph/key-groups.js';
import type { KeyedStateHandle } from '../../../../../src/runtime/checkpoint/metadata.js';
import { HeapKeyedStateBackend } from '../../../../../src/runtime/state/heap-keyed-state-backend.js';
import type { KeyedStateBackend } from '../../../../../src/runtime/state/keyed-state-backend.js';
import type { AnyListState, AnyMapState, AnyValueState } from '../helpers.js';
import { backendsAndFilesPerTest, counter, counters, stateOf, type Backends, type DirectoryStateFilesFixture } from './fixtures.js';

let backends: Backends;
let files: DirectoryStateFilesFixture;
backendsAndFilesPerTest((b, f) => ([backends, files] = [b, f]));

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

async function checkpoint(backend: KeyedStateBackend, checkpointId: number, format: 'native' | 'canonical' = 'native'): Promise<KeyedStateHandle | undefined> {
  return backend.snapshot({ checkpointId, format, files })();
}


describe('rescaling', () => {
  it('restoring into two backends with split key-group ranges partitions the entries exactly by key group', async () => {
    const source = backends.make({ cacheEntries: 500 });
    const v: AnyValueState<number> = stateOf(source, counter());
    const keys = range(3000);
    for (const key of keys) {
      source.setCurrentKey(key);
      v.update(key * 2);
    }
    const handle = (await checkpoint(source, 1))!;
    const halves = [
      { start: 0, end: 63 },
      { start: 64, end: 127 },
    ];
    const restored = [];
    for (const keyGroupRange of halves) {
      const target = backends.make({ keyGroupRange });
      await target.restore([handle], files);
      const mine = keys.filter((k) => {
        const group = assignToKeyGroup(k, 128);
        return group >= keyGroupRange.start && group <= keyGroupRange.end;
      });
      expect(target.countEntries('counter')).toBe(mine.length);
      expect(counters(target, mine)).toEqual(new Map(mine.map((k) => [k, k * 2])));
      restored.push(target);
    }
    expect(restored[0]!.countEntries('counter') + restored[1]!.countEntries('counter')).toBe(3000);
    // And back: both halves' handles into one backend.
    const handles = [(await checkpoint(restored[0]!, 2))!, (await checkpoint(restored[1]!, 2))!];
    const merged = backends.make();
    await merged.restore(handles, files);
    expect(merged.countEntries('counter')).toBe(3000);
    expect(counters(merged, keys)).toEqual(new Map(keys.map((k) => [k, k * 2])));
  });
});

describe('the snapshot format is the heap backend’s', () => {
  it('a canonical snapshot of either backend restores into the other', async () => {
    const clock = backends.clock;
    const heap = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128, clock.read);
    const embedded = backends.make({ cacheEntries: 4 });
    const ttl = StateTtlConfig.newBuilder(1000).build();
    const descriptors = () => ({
      v: new ValueStateDescriptor<number>('v').enableTimeToLive(ttl),
      l: new ListStateDescriptor<number>('l').enableTimeToLive(ttl),
      m: new MapStateDescriptor<unknown, number>('m').enableTimeToLive(ttl),
    });
    const fill = (backend: KeyedStateBackend): void => {
      const d = descriptors();
      const [v, l, m] = [d.v, d.l, d.m].map((x) => backend.getState(x)) as [AnyValueState<number>, AnyListState<number>, AnyMapState<unknown, number>];
      for (const key of [1, 'two', [3]]) {
        backend.setCurrentKey(key);
        v.update(7);
        l.addAll([1, 2]);
        m.put({ u: key }, 9);
      }
    };
    const read = (backend: KeyedStateBackend): unknown[] => {
      const d = descriptors();
      const [v, l, m] = [d.v, d.l, d.m].map((x) => backend.getState(x)) as [AnyValueState<number>, AnyListState<number>, AnyMapState<unknown, number>];
      return [1, 'two', [3]].map((key) => {
        backend.setCurrentKey(key);
        return [v.value(), [...l.get()], [...m.entries()]];
      });
    };
    fill(heap as unknown as KeyedStateBackend);
    fill(embedded);
    const expected = [1, 'two', [3]].map((key) => [7, [1, 2], [[{ u: key }, 9]]]);
    const fromHeap = (await checkpoint(heap as unknown as KeyedStateBackend, 1, 'canonical'))!;
    const fromEmbedded = (await checkpoint(embedded, 1, 'canonical'))!;
    const embeddedTarget = backends.make();
    await embeddedTarget.restore([fromHeap], files);
    const heapTarget = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128, clock.read);
    await heapTarget.restore([fromEmbedded], files);
    clock.now = 999;
    expect(read(embeddedTarget)).toEqual(expected);
    expect(read(heapTarget as unknown as KeyedStateBackend)).toEqual(expected);
  });
});
