/**
 * State much larger than the write-back cache: 200 000 keys (value, list and
 * map state) through a cache of 10 000 entries. The cache must stay within
 * its bound between records, and every entry must read back exactly, in an
 * order unrelated to the order of the writes.
 */
import { afterEach, expect, it } from 'vitest';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../../../src/api/state.js';
import type { AnyListState, AnyMapState, AnyValueState } from '../helpers.js';
import { Backends, stateOf } from './fixtures.js';

const KEYS = 200_000;
const CACHE = 10_000;
let backends: Backends;

afterEach(async () => {
  await backends.disposeAll();
});

/** A permutation of 0..n-1 (a multiplicative step coprime with n). */
function permuted(n: number, step: number): number[] {
  return Array.from({ length: n }, (_, i) => (i * step) % n);
}

it('200 000 keys through a 10 000-entry cache read back exactly', () => {
  backends = new Backends();
  const backend = backends.make({ cacheEntries: CACHE });
  const v: AnyValueState<{ id: number; label: string }> = stateOf(backend, new ValueStateDescriptor<{ id: number; label: string }>('v'));
  const l: AnyListState<number> = stateOf(backend, new ListStateDescriptor<number>('l'));
  const m: AnyMapState<number, string> = stateOf(backend, new MapStateDescriptor<number, string>('m'));
  let maxCached = 0;
  for (const key of permuted(KEYS, 7919)) {
    backend.setCurrentKey(key);
    maxCached = Math.max(maxCached, backend.cache.size);
    v.update({ id: key, label: `label-${key}` });
    if (key % 10 === 0) {
      l.add(key);
      l.add(key + 1);
      m.put(key, `m${key}`);
    }
  }
  // At most the bound when a record starts, plus the entries of one record.
  expect(maxCached).toBeLessThanOrEqual(CACHE + 3);
  expect(backend.countEntries('v')).toBe(KEYS);
  expect(backend.countEntries('l')).toBe(KEYS / 10);
  let wrong = 0;
  for (const key of permuted(KEYS, 104_729)) {
    backend.setCurrentKey(key);
    const value = v.value();
    if (value?.id !== key || value.label !== `label-${key}`) wrong++;
    if (key % 10 === 0) {
      const list = [...l.get()];
      if (list.length !== 2 || list[0] !== key || list[1] !== key + 1 || m.get(key) !== `m${key}`) wrong++;
    } else if ([...l.get()].length !== 0 || m.get(key) !== undefined) wrong++;
  }
  expect(wrong).toBe(0);
  expect(backend.cache.size).toBeLessThanOrEqual(CACHE + 3);
}, 120_000);
