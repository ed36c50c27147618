/**
 * Every state kind of the embedded backend, with namespaces and with TTL, on
 * a manual clock: each expected value follows from the writes and clock
 * moves in the test (Flink's TTL rule: stamped at `t`, expired at `now` when
 * `t + ttl <= now`). A tiny cache (4 entries) makes most accesses go through
 * the store, so values must survive the round trip to disk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../../../../src/api/state.js';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { FlinktsError } from '../../../../../src/api/errors.js';
import type { AnyAggregatingState, AnyListState, AnyMapState, AnyReducingState, AnyValueState } from '../helpers.js';
import { AVERAGE } from '../helpers.js';
import { Backends, stateOf } from './fixtures.js';

const TTL = 100;
let backends: Backends;

afterEach(async () => {
  await backends.disposeAll();
});

function setup(cacheEntries = 4) {
  backends = new Backends();
  return { backend: backends.make({ cacheEntries }), clock: backends.clock };
}

function ttl(configure: (b: ReturnType<typeof StateTtlConfig.newBuilder>) => unknown = () => undefined): StateTtlConfig {
  const builder = StateTtlConfig.newBuilder(TTL);
  configure(builder);
  return builder.build();
}

describe('embedded ValueState', () => {
  it('holds a value per key and namespace, gives the default when unset, and null clears', () => {
    const { backend } = setup();
    const v: AnyValueState<{ n: number; tags: Set<string> }> = stateOf(backend, new ValueStateDescriptor('v', { n: -1, tags: new Set<string>() }));
    for (const key of ['a', 'b', 7, ['x', 1], { id: 3 }]) {
      backend.setCurrentKey(key);
      v.update({ n: JSON.stringify(key).length, tags: new Set([String(key)]) });
    }
    backend.setCurrentKey('a');
    v.setCurrentNamespace('w1');
    v.update({ n: 100, tags: new Set(['w']) });
    v.setCurrentNamespace('');
    expect(v.value()).toEqual({ n: 3, tags: new Set(['a']) });
    v.setCurrentNamespace('w1');
    expect(v.value()).toEqual({ n: 100, tags: new Set(['w']) });
    backend.setCurrentKey(['x', 1]);
    v.setCurrentNamespace('');
    expect(v.value()).toEqual({ n: 7, tags: new Set(['x,1']) });
    backend.setCurrentKey({ id: 3 });
    expect(v.value()).toEqual({ n: 8, tags: new Set(['[object Object]']) });
    backend.setCurrentKey('unset');
    expect(v.value()).toEqual({ n: -1, tags: new Set() });
    backend.setCurrentKey(7);
    v.update(null as never);
    expect(v.value()).toEqual({ n: -1, tags: new Set() });
    expect(backend.countEntries('v')).toBe(5);
  });

  it('keys are compared by value: 1 and "1" differ, equal arrays and objects are one key, -0 is 0', () => {
    const { backend } = setup();
    const v: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('v'));
    backend.setCurrentKey(1);
    v.update('number');
    backend.setCurrentKey('1');
    v.update('string');
    backend.setCurrentKey({ b: 2, a: [1, 2] });
    v.update('object');
    backend.setCurrentKey(-0);
    v.update('zero');
    backend.setCurrentKey(1);
    expect(v.value()).toBe('number');
    backend.setCurrentKey('1');
    expect(v.value()).toBe('string');
    backend.setCurrentKey({ a: [1, 2], b: 2 });
    expect(v.value()).toBe('object');
    backend.setCurrentKey(0);
    expect(v.value()).toBe('zero');
  });

  it('a value read is a copy: changing it without update() changes nothing', () => {
    const { backend } = setup();
    const v: AnyValueState<number[]> = stateOf(backend, new ValueStateDescriptor<number[]>('v'));
    backend.setCurrentKey('k');
    v.update([1]);
    v.value()!.push(2);
    expect(v.value()).toEqual([1]);
  });

  it('long keys and namespaces (stored by hash) keep their identity', () => {
    const { backend } = setup();
    const v: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('v'));
    const long = 'k'.repeat(5000);
    const namespace = 'n'.repeat(3000);
    backend.setCurrentKey(long);
    v.setCurrentNamespace(namespace);
    v.update(1);
    backend.setCurrentKey(`${long}x`);
    v.update(2);
    backend.setCurrentKey(long);
    expect(v.value()).toBe(1);
    v.setCurrentNamespace(`${namespace}y`);
    expect(v.value()).toBeUndefined();
  });

  it('with a TTL: OnCreateAndWrite, OnReadAndWrite and both visibilities', () => {
    const { backend, clock } = setup();
    const write: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('write').enableTimeToLive(ttl()));
    const read: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('read').enableTimeToLive(ttl((b) => b.updateTtlOnReadAndWrite())));
    const stale: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('stale').enableTimeToLive(ttl((b) => b.returnExpiredIfNotCleanedUp())));
    backend.setCurrentKey('k');
    write.update('w');
    read.update('r');
    stale.update('s');
    clock.now = 60;
    expect(read.value()).toBe('r'); // restamped at 60
    clock.now = 99;
    expect(write.value()).toBe('w');
    clock.now = 100;
    expect(write.value()).toBeUndefined();
    expect(stale.value()).toBe('s'); // expired, returned once
    expect(stale.value()).toBeUndefined();
    clock.now = 159;
    expect(read.value()).toBe('r');
    clock.now = 259;
    expect(read.value()).toBeUndefined();
    expect(backend.countEntries('write') + backend.countEntries('read') + backend.countEntries('stale')).toBe(0);
  });
});

describe('embedded ListState', () => {
  it('adds, replaces and clears per key and namespace; rejects null elements', () => {
    const { backend } = setup();
    const l: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('l'));
    backend.setCurrentKey('a');
    l.add('x');
    l.addAll(['y', 'z']);
    l.setCurrentNamespace('w');
    l.add('in-w');
    backend.setCurrentKey('b');
    l.setCurrentNamespace('');
    l.update(['p', 'q']);
    backend.setCurrentKey('a');
    expect([...l.get()]).toEqual(['x', 'y', 'z']);
    l.setCurrentNamespace('w');
    expect([...l.get()]).toEqual(['in-w']);
    expect(() => l.add(null as never)).toThrow(FlinktsError);
    expect(() => l.update(['ok', undefined as never])).toThrow("ListState 'l': cannot add undefined");
    expect([...l.get()]).toEqual(['in-w']);
    l.update([]);
    expect([...l.get()]).toEqual([]);
    backend.setCurrentKey('b');
    l.setCurrentNamespace('');
    l.clear();
    expect([...l.get()]).toEqual([]);
    expect(backend.countEntries('l')).toBe(1);
  });

  it('appends to a stored list without reading it, across flushes and evictions', () => {
    const { backend } = setup(1);
    const l: AnyListState<number> = stateOf(backend, new ListStateDescriptor<number>('l'));
    for (let i = 0; i < 50; i++) {
      backend.setCurrentKey(i % 5);
      l.add(i);
    }
    for (let k = 0; k < 5; k++) {
      backend.setCurrentKey(k);
      expect([...l.get()]).toEqual(Array.from({ length: 10 }, (_, j) => k + 5 * j));
    }
  });

  it('merges namespaces: sources appended to the target in order, sources cleared', () => {
    const { backend } = setup();
    const l: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('l'));
    backend.setCurrentKey('k');
    for (const [namespace, values] of [['t', ['t1']], ['s1', ['a', 'b']], ['s2', ['c']]] as const) {
      l.setCurrentNamespace(namespace);
      l.addAll(values);
    }
    backend.mergeNamespaces(l, 't', ['s1', 'empty', 's2']);
    l.setCurrentNamespace('t');
    expect([...l.get()]).toEqual(['t1', 'a', 'b', 'c']);
    l.setCurrentNamespace('s1');
    expect([...l.get()]).toEqual([]);
    l.setCurrentNamespace('s2');
    expect([...l.get()]).toEqual([]);
  });

  it('with a TTL, elements expire one by one; OnReadAndWrite restamps; ReturnExpired shows them once', () => {
    const { backend, clock } = setup();
    const l: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('l').enableTimeToLive(ttl()));
    const r: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('r').enableTimeToLive(ttl((b) => b.updateTtlOnReadAndWrite())));
    const s: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('s').enableTimeToLive(ttl((b) => b.returnExpiredIfNotCleanedUp())));
    backend.setCurrentKey('k');
    l.add('a');
    r.add('a');
    s.add('a');
    clock.now = 50;
    l.addAll(['b', 'c']);
    r.add('b');
    s.add('b');
    clock.now = 90;
    expect([...r.get()]).toEqual(['a', 'b']); // restamped at 90
    clock.now = 100;
    expect([...l.get()]).toEqual(['b', 'c']);
    expect([...s.get()]).toEqual(['a', 'b']);
    expect([...s.get()]).toEqual(['b']);
    clock.now = 189;
    expect([...r.get()]).toEqual(['a', 'b']);
    clock.now = 150;
    expect([...l.get()]).toEqual([]);
    expect(backend.countEntries('l')).toBe(0);
  });
});

describe('embedded MapState', () => {
  it('puts, gets, removes and iterates per key and namespace; user keys by value', () => {
    const { backend } = setup();
    const m: AnyMapState<unknown, string> = stateOf(backend, new MapStateDescriptor<unknown, string>('m'));
    backend.setCurrentKey('k');
    m.put(1, 'one');
    m.put('1', 'string one');
    m.put([1, 2], 'pair');
    m.putAll(new Map<unknown, string>([[{ x: 1 }, 'object'], [2, 'two']]));
    m.setCurrentNamespace('w');
    m.put(1, 'w-one');
    m.setCurrentNamespace('');
    expect(m.get(1)).toBe('one');
    expect(m.get('1')).toBe('string one');
    expect(m.get([1, 2])).toBe('pair');
    expect(m.get({ x: 1 })).toBe('object');
    expect(m.contains(2)).toBe(true);
    m.remove(2);
    expect(m.contains(2)).toBe(false);
    expect(m.get(3)).toBeUndefined();
    const byKey = (a: [unknown, string], b: [unknown, string]) => a[1].localeCompare(b[1]);
    expect([...m.entries()].sort(byKey)).toEqual([
      [{ x: 1 }, 'object'],
      [1, 'one'],
      [[1, 2], 'pair'],
      ['1', 'string one'],
    ]);
    expect([...m.values()].sort()).toEqual(['object', 'one', 'pair', 'string one']);
    expect([...m.keys()]).toHaveLength(4);
    m.setCurrentNamespace('w');
    expect([...m.entries()]).toEqual([[1, 'w-one']]);
    m.clear();
    expect(m.isEmpty()).toBe(true);
    m.setCurrentNamespace('');
    expect(m.isEmpty()).toBe(false);
    for (const key of [1, '1', [1, 2], { x: 1 }]) m.remove(key);
    expect(m.isEmpty()).toBe(true);
    expect(backend.countEntries('m')).toBe(0);
  });

  it('a map larger than the cache reads back whole, and removing from a stored map works', () => {
    const { backend } = setup(1);
    const m: AnyMapState<number, number> = stateOf(backend, new MapStateDescriptor<number, number>('m'));
    backend.setCurrentKey('k');
    for (let i = 0; i < 500; i++) m.put(i, i * i);
    backend.setCurrentKey('other');
    m.put(0, 0);
    backend.setCurrentKey('k');
    expect(m.get(499)).toBe(499 * 499);
    for (let i = 0; i < 500; i += 2) m.remove(i);
    backend.setCurrentKey('other');
    backend.setCurrentKey('k');
    expect([...m.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 250 }, (_, i) => 2 * i + 1));
    expect(m.isEmpty()).toBe(false);
  });

  it('with a TTL the map expires as a whole ttl after its last write; puts after expiry start a new map', () => {
    const { backend, clock } = setup();
    const m: AnyMapState<string, number> = stateOf(backend, new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl()));
    const s: AnyMapState<string, number> = stateOf(backend, new MapStateDescriptor<string, number>('s').enableTimeToLive(ttl((b) => b.returnExpiredIfNotCleanedUp())));
    backend.setCurrentKey('k');
    m.put('a', 1);
    s.put('a', 1);
    clock.now = 60;
    m.put('b', 2); // restamps the whole map at 60
    clock.now = 159;
    expect(m.get('a')).toBe(1);
    clock.now = 160;
    expect(m.get('a')).toBeUndefined();
    expect(m.isEmpty()).toBe(true);
    expect([...s.entries()]).toEqual([['a', 1]]); // expired, shown once
    expect(s.isEmpty()).toBe(true);
    s.put('new', 2);
    expect([...s.entries()]).toEqual([['new', 2]]);
  });
});

describe('embedded ReducingState and AggregatingState', () => {
  it('reduce and aggregate per key and namespace; null clears; merging namespaces combines', () => {
    const { backend } = setup();
    const sum: AnyReducingState<number> = stateOf(backend, new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
    const avg: AnyAggregatingState<number, number> = stateOf(backend, new AggregatingStateDescriptor('avg', AVERAGE));
    backend.setCurrentKey('k');
    for (const [namespace, values] of [['a', [1, 2]], ['b', [10]], ['c', [100, 200]]] as const) {
      sum.setCurrentNamespace(namespace);
      avg.setCurrentNamespace(namespace);
      for (const value of values) {
        sum.add(value);
        avg.add(value);
      }
    }
    sum.setCurrentNamespace('a');
    avg.setCurrentNamespace('a');
    expect(sum.get()).toBe(3);
    expect(avg.get()).toBe(1.5);
    backend.mergeNamespaces(sum, 'a', ['b', 'c']);
    backend.mergeNamespaces(avg, 'a', ['b', 'c']);
    expect(sum.get()).toBe(313);
    expect(avg.get()).toBe(313 / 5);
    sum.setCurrentNamespace('b');
    expect(sum.get()).toBeUndefined();
    sum.setCurrentNamespace('a');
    sum.add(null as never);
    expect(sum.get()).toBeUndefined();
  });

  it('with a TTL: an expired value is never reduced or aggregated into a new one', () => {
    const { backend, clock } = setup();
    const visible = ttl((b) => b.returnExpiredIfNotCleanedUp());
    const sum: AnyReducingState<number> = stateOf(backend, new ReducingStateDescriptor<number>('sum', (a, b) => a + b).enableTimeToLive(visible));
    const avg: AnyAggregatingState<number, number> = stateOf(backend, new AggregatingStateDescriptor('avg', AVERAGE).enableTimeToLive(ttl()));
    backend.setCurrentKey('k');
    sum.add(5);
    avg.add(4);
    avg.add(8);
    clock.now = 99;
    expect(avg.get()).toBe(6);
    clock.now = 100;
    expect(avg.get()).toBeUndefined();
    sum.add(1);
    expect(sum.get()).toBe(1);
  });

  it('lists, maps and values cannot be merged; a name registered with two kinds fails', () => {
    const { backend } = setup();
    const v: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('v'));
    expect(() => backend.mergeNamespaces(v, 'a', ['b'])).toThrow("state 'v' of kind value cannot be merged");
    expect(() => backend.getState(new ListStateDescriptor('v'))).toThrow("state 'v' was registered as value state and is now requested as list state");
  });
});

describe('the store directory', () => {
  it('each backend has its own under <tmp dir>/flinkts-<pid>/, removed (with the emptied parent) by dispose', async () => {
    backends = new Backends();
    const [first, second] = [backends.make(), backends.make()];
    expect(basename(dirname(first.store.directory))).toBe(`flinkts-${process.pid}`);
    expect(dirname(first.store.directory)).toBe(dirname(second.store.directory));
    expect(first.store.directory).not.toBe(second.store.directory);
    await first.dispose();
    expect(existsSync(first.store.directory)).toBe(false);
    expect(existsSync(dirname(first.store.directory))).toBe(true);
    await second.dispose();
    expect(existsSync(dirname(first.store.directory))).toBe(false);
    expect(() => first.getState(new ValueStateDescriptor('v'))).toThrow('disposed');
  });
});

describe('incremental TTL cleanup', () => {
  it('inspects the configured number of other entries per access until every expired one is gone', () => {
    const { backend, clock } = setup();
    const v: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('v').enableTimeToLive(ttl((b) => b.cleanupIncrementally(2))));
    for (const key of ['a', 'b', 'c', 'd', 'e']) {
      backend.setCurrentKey(key);
      v.update(1);
    }
    clock.now = 50;
    backend.setCurrentKey('live');
    v.update(2);
    clock.now = 120; // a..e expired, 'live' not
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      backend.setCurrentKey('reader');
      expect(v.value()).toBeUndefined();
      sizes.push(backend.countEntries('v'));
    }
    // Each access inspects 2 entries; a round over all 6 takes 3 accesses, then a new round starts.
    expect(sizes[0]).toBeGreaterThanOrEqual(4);
    expect(sizes.at(-1)).toBe(1);
    backend.setCurrentKey('live');
    expect(v.value()).toBe(2);
  });
});
