/**
 * Key-group organisation of keyed state. The key group of a key is
 * `assignToKeyGroup` (checked against Flink's own numbers in
 * test/unit/graph/key-groups.test.ts); the ranges are `keyGroupRangeFor`.
 */
import { describe, expect, it } from 'vitest';
import { ValueStateDescriptor } from '../../../../src/api/state.js';
import { assignToKeyGroup, keyGroupRangeFor } from '../../../../src/graph/key-groups.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import { KeyGroupedMap } from '../../../../src/runtime/state/key-grouped-map.js';
import { stateOf, type AnyValueState } from './helpers.js';

const KEYS: unknown[] = [
  ...Array.from({ length: 300 }, (_, i) => i),
  ...Array.from({ length: 100 }, (_, i) => `user-${i}`),
  1.5,
  -7,
  true,
  { id: 3, region: 'eu' },
  ['a', 1],
];

describe('KeyGroupedMap', () => {
  it('files every key under its key group and finds it again by value', () => {
    const map = new KeyGroupedMap<number>({ start: 0, end: 127 }, 128);
    KEYS.forEach((key, i) => map.insert(key, i));
    expect(map.size).toBe(KEYS.length);
    const expectedGroups = new Map<number, unknown[]>();
    for (const key of KEYS) {
      const group = assignToKeyGroup(key, 128);
      expectedGroups.set(group, [...(expectedGroups.get(group) ?? []), key]);
    }
    for (let group = 0; group < 128; group++) {
      expect([...map.group(group)].map((e) => e.key)).toEqual(expectedGroups.get(group) ?? []);
      for (const entry of map.group(group)) expect(entry.keyGroup).toBe(group);
    }
    // Composite keys are found by an equal value, not only the same object.
    expect(map.get({ region: 'eu', id: 3 })).toBe(KEYS.length - 2);
    expect(map.get(['a', 1])).toBe(KEYS.length - 1);
  });

  it('removes a key from the index and from its group', () => {
    const map = new KeyGroupedMap<string>({ start: 0, end: 127 }, 128);
    map.set('x', 'one');
    map.set('x', 'two');
    expect(map.size).toBe(1);
    expect(map.get('x')).toBe('two');
    map.delete('x');
    map.delete('never-there');
    expect(map.size).toBe(0);
    expect([...map.group(assignToKeyGroup('x', 128))]).toEqual([]);
  });

  it('refuses a key whose group belongs to another subtask', () => {
    // Subtask 1 of 4 with max parallelism 128 owns groups 32..63.
    const range = keyGroupRangeFor(128, 4, 1);
    expect(range).toEqual({ start: 32, end: 63 });
    const foreign = Array.from({ length: 1000 }, (_, i) => i).find((k) => assignToKeyGroup(k, 128) < 32)!;
    const map = new KeyGroupedMap<number>(range, 128);
    expect(() => map.insert(foreign, 1)).toThrow(`key group ${assignToKeyGroup(foreign, 128)} of key ${foreign} is outside this subtask's range 32-63`);
    expect(map.size).toBe(0);
  });
});

describe('HeapKeyedStateBackend key groups', () => {
  it('at parallelism 4 each subtask stores exactly the keys of its range, each in its group', () => {
    const maxParallelism = 128;
    const owner = (key: unknown): number => Math.floor((assignToKeyGroup(key, maxParallelism) * 4) / maxParallelism);
    for (let subtask = 0; subtask < 4; subtask++) {
      const range = keyGroupRangeFor(maxParallelism, 4, subtask);
      const backend = new HeapKeyedStateBackend(range, maxParallelism);
      const v: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('v'));
      const mine = KEYS.filter((k) => owner(k) === subtask);
      expect(mine.length).toBeGreaterThan(0);
      for (const key of mine) {
        backend.setCurrentKey(key);
        v.update(1);
      }
      const table = backend.tableOf('v')!;
      expect(table.size).toBe(mine.length);
      let filed = 0;
      for (let group = range.start; group <= range.end; group++) {
        for (const entry of table.group(group)) {
          expect(assignToKeyGroup(entry.key, maxParallelism)).toBe(group);
          filed++;
        }
      }
      expect(filed).toBe(mine.length);
      // A key of another subtask cannot get state here.
      const other = KEYS.find((k) => owner(k) !== subtask)!;
      backend.setCurrentKey(other);
      expect(() => v.update(1)).toThrow(/is outside this subtask's range/);
      expect(v.value()).toBeUndefined();
    }
  });
});

describe('released empty entries', () => {
  const isEmpty = (v: Set<number>): boolean => v.size === 0;

  it('keep their entry for reuse, are not counted, and are dropped in a batch past the threshold', () => {
    const map = new KeyGroupedMap<Set<number>>({ start: 0, end: 127 }, 128);
    for (let k = 0; k < 3000; k++) map.insert(k, new Set([k]));
    // Empty 1 500 keys one by one; the sweep runs once more than max(1024, live/2) were released.
    for (let k = 0; k < 1500; k++) {
      map.entry(k)!.value.clear();
      map.releaseEmpty(isEmpty);
    }
    expect(map.size).toBe(1500);
    // 3000 entries, threshold max(1024, 1500) = 1500: the 1 501st release sweeps.
    expect(map.entry(0)).toBeDefined();
    const reused = map.entry(1)!;
    reused.value.add(1);
    map.reclaim();
    expect(map.size).toBe(1501);
    map.entry(1500)!.value.clear();
    map.releaseEmpty(isEmpty);
    // Swept: every empty entry is gone, the reused one stays.
    expect(map.entry(0)).toBeUndefined();
    expect(map.entry(1500)).toBeUndefined();
    expect(map.entry(1)).toBe(reused);
    expect(map.size).toBe(1500);
    expect([...map.entries()]).toHaveLength(1500);
  });
});
