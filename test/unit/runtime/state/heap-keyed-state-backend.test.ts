/**
 * The `hashmap` keyed state backend without TTL: each state kind, scoping per
 * key and namespace, views over one table, merging and iteration. Every
 * expected value is worked out by hand from the calls in the test.
 */
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../../src/api/state.js';
import {
  AVERAGE,
  backendWithClock,
  stateOf,
  type AnyAggregatingState,
  type AnyListState,
  type AnyMapState,
  type AnyReducingState,
  type AnyValueState,
} from './helpers.js';

describe('ValueState', () => {
  it('returns the descriptor default until updated, and again after clear', () => {
    const { backend } = backendWithClock();
    const count: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('count', 0));
    backend.setCurrentKey('a');
    expect(count.value()).toBe(0);
    count.update(5);
    expect(count.value()).toBe(5);
    count.clear();
    expect(count.value()).toBe(0);
    expect(backend.tableOf('count')!.size).toBe(0);
  });

  it('returns undefined when unset and no default was given; update(undefined) clears', () => {
    const { backend } = backendWithClock();
    const last: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('last'));
    backend.setCurrentKey(1);
    expect(last.value()).toBeUndefined();
    last.update('x');
    last.update(undefined);
    expect(last.value()).toBeUndefined();
    expect(backend.tableOf('last')!.size).toBe(0);
  });

  it('keeps one value per key', () => {
    const { backend } = backendWithClock();
    const v: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('v', -1));
    for (const [key, value] of [['a', 1], ['b', 2], ['a', 3]] as const) {
      backend.setCurrentKey(key);
      v.update(value);
    }
    backend.setCurrentKey('a');
    expect(v.value()).toBe(3);
    backend.setCurrentKey('b');
    expect(v.value()).toBe(2);
    backend.setCurrentKey('c');
    expect(v.value()).toBe(-1);
  });

  it('compares composite keys by value, not identity', () => {
    const { backend } = backendWithClock();
    const v: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('v'));
    backend.setCurrentKey({ user: 'u1', region: 'eu' });
    v.update('hello');
    backend.setCurrentKey({ region: 'eu', user: 'u1' });
    expect(v.value()).toBe('hello');
    backend.setCurrentKey(['u1', 'eu']);
    expect(v.value()).toBeUndefined();
    // The number 1 and the string '1' are different keys.
    backend.setCurrentKey(1);
    v.update('number');
    backend.setCurrentKey('1');
    expect(v.value()).toBeUndefined();
  });
});

describe('ListState', () => {
  it('adds, adds all, replaces and returns the elements in order', () => {
    const { backend } = backendWithClock();
    const list: AnyListState<number> = stateOf(backend, new ListStateDescriptor<number>('list'));
    backend.setCurrentKey('k');
    expect([...list.get()]).toEqual([]);
    list.add(1);
    list.addAll([2, 3]);
    list.add(4);
    expect([...list.get()]).toEqual([1, 2, 3, 4]);
    list.update([9, 8]);
    expect([...list.get()]).toEqual([9, 8]);
    list.update([]);
    expect([...list.get()]).toEqual([]);
    expect(backend.tableOf('list')!.size).toBe(0);
  });

  it('hands out a copy: changing the returned array does not change the state', () => {
    const { backend } = backendWithClock();
    const list: AnyListState<number> = stateOf(backend, new ListStateDescriptor<number>('list'));
    backend.setCurrentKey('k');
    list.addAll([1, 2]);
    (list.get() as number[]).push(3);
    expect([...list.get()]).toEqual([1, 2]);
  });

  it.each([
    ['add(null)', (l: AnyListState<unknown>) => l.add(null)],
    ['add(undefined)', (l: AnyListState<unknown>) => l.add(undefined)],
    ['addAll([1, null])', (l: AnyListState<unknown>) => l.addAll([1, null])],
    ['update([1, undefined])', (l: AnyListState<unknown>) => l.update([1, undefined])],
  ])('%s is an error naming the state', (_, call) => {
    const { backend } = backendWithClock();
    const list: AnyListState<unknown> = stateOf(backend, new ListStateDescriptor<unknown>('events'));
    backend.setCurrentKey('k');
    let thrown: unknown;
    try {
      call(list);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FlinktsError);
    expect((thrown as Error).message).toContain("ListState 'events'");
  });
});

describe('ListState.update with a bad element', () => {
  it('changes nothing', () => {
    const { backend } = backendWithClock();
    const list: AnyListState<number | null> = stateOf(backend, new ListStateDescriptor<number | null>('l'));
    backend.setCurrentKey('k');
    list.addAll([1, 2]);
    expect(() => list.update([3, null])).toThrow("ListState 'l': cannot add null");
    expect([...list.get()]).toEqual([1, 2]);
  });
});

describe('MapState', () => {
  it('compares object keys by value: an equal key with its fields in another order is the same key', () => {
    const { backend } = backendWithClock();
    const map: AnyMapState<{ x: number; y: number }, string> = stateOf(backend, new MapStateDescriptor<{ x: number; y: number }, string>('grid'));
    backend.setCurrentKey('k');
    expect(map.isEmpty()).toBe(true);
    map.put({ x: 1, y: 2 }, 'a');
    map.put({ y: 3, x: 1 }, 'b');
    // The same key written with its fields in another order replaces the value.
    map.put({ y: 2, x: 1 } as { x: number; y: number }, 'c');
    expect(map.get({ x: 1, y: 2 })).toBe('c');
    expect(map.contains({ y: 3, x: 1 })).toBe(true);
    expect(map.contains({ x: 2, y: 1 })).toBe(false);
    expect(map.get({ x: 9, y: 9 })).toBeUndefined();
    expect([...map.entries()]).toEqual([
      [{ y: 2, x: 1 }, 'c'],
      [{ y: 3, x: 1 }, 'b'],
    ]);
    expect([...map.keys()]).toEqual([{ y: 2, x: 1 }, { y: 3, x: 1 }]);
    expect([...map.values()]).toEqual(['c', 'b']);
    expect(map.isEmpty()).toBe(false);
  });

  it('putAll takes a Map or pairs; removing the last entry clears the key', () => {
    const { backend } = backendWithClock();
    const map: AnyMapState<string, number> = stateOf(backend, new MapStateDescriptor<string, number>('m'));
    backend.setCurrentKey('k');
    map.putAll(new Map([['a', 1], ['b', 2]]));
    map.putAll([['c', 3]]);
    map.remove('b');
    map.remove('missing');
    expect([...map.entries()]).toEqual([['a', 1], ['c', 3]]);
    map.remove('a');
    map.remove('c');
    expect(map.isEmpty()).toBe(true);
    expect([...map.keys()]).toEqual([]);
    expect(backend.tableOf('m')!.size).toBe(0);
  });

  it('keeps one map per key; clear drops only the current key', () => {
    const { backend } = backendWithClock();
    const map: AnyMapState<string, number> = stateOf(backend, new MapStateDescriptor<string, number>('m'));
    backend.setCurrentKey('k1');
    map.put('a', 1);
    backend.setCurrentKey('k2');
    map.put('a', 2);
    map.clear();
    expect(map.get('a')).toBeUndefined();
    backend.setCurrentKey('k1');
    expect(map.get('a')).toBe(1);
  });
});

describe('ReducingState and AggregatingState', () => {
  it('reduces every added value (function and object form)', () => {
    const { backend } = backendWithClock();
    const sum: AnyReducingState<number> = stateOf(backend, new ReducingStateDescriptor<number>('sum', (a, b) => a + b));
    const max: AnyReducingState<number> = stateOf(backend, new ReducingStateDescriptor<number>('max', { reduce: (a, b) => Math.max(a, b) }));
    backend.setCurrentKey('k');
    expect(sum.get()).toBeUndefined();
    for (const v of [4, 9, 2]) {
      sum.add(v);
      max.add(v);
    }
    expect(sum.get()).toBe(15);
    expect(max.get()).toBe(9);
    sum.clear();
    expect(sum.get()).toBeUndefined();
    expect(max.get()).toBe(9);
  });

  it('aggregates into an accumulator and returns its result', () => {
    const { backend } = backendWithClock();
    const avg: AnyAggregatingState<number, number> = stateOf(backend, new AggregatingStateDescriptor('avg', AVERAGE));
    backend.setCurrentKey('k');
    expect(avg.get()).toBeUndefined();
    avg.add(1);
    avg.add(2);
    avg.add(6);
    expect(avg.get()).toBe(3);
    backend.setCurrentKey('other');
    expect(avg.get()).toBeUndefined();
  });
});

describe('namespaces and views', () => {
  it('scopes values per key and per namespace', () => {
    const { backend } = backendWithClock();
    const v: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('v'));
    backend.setCurrentKey('a');
    v.update('a/void');
    v.setCurrentNamespace('w1');
    v.update('a/w1');
    backend.setCurrentKey('b');
    expect(v.value()).toBeUndefined();
    v.update('b/w1');
    v.setCurrentNamespace('');
    expect(v.value()).toBeUndefined();
    backend.setCurrentKey('a');
    expect(v.value()).toBe('a/void');
    v.setCurrentNamespace('w1');
    expect(v.value()).toBe('a/w1');
    // Clearing one namespace leaves the key's other namespace alone.
    v.clear();
    v.setCurrentNamespace('');
    expect(v.value()).toBe('a/void');
  });

  it('gives every request its own view: same data, own namespace', () => {
    const { backend } = backendWithClock();
    const descriptor = new ListStateDescriptor<number>('shared');
    const first: AnyListState<number> = stateOf(backend, descriptor);
    const second: AnyListState<number> = stateOf(backend, new ListStateDescriptor<number>('shared'));
    backend.setCurrentKey('k');
    first.setCurrentNamespace('window-1');
    first.add(1);
    expect([...second.get()]).toEqual([]);
    second.add(2);
    second.setCurrentNamespace('window-1');
    expect([...second.get()]).toEqual([1]);
    first.setCurrentNamespace('');
    expect([...first.get()]).toEqual([2]);
    expect(backend.stateNames()).toEqual(['shared']);
  });

  it('refuses a name already registered with another kind, naming the state and both kinds', () => {
    const { backend } = backendWithClock();
    stateOf(backend, new ValueStateDescriptor<number>('seen'));
    let thrown: unknown;
    try {
      stateOf(backend, new MapStateDescriptor<string, number>('seen'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FlinktsError);
    expect((thrown as Error).message).toBe("state 'seen' was registered as value state and is now requested as map state");
  });
});

describe('mergeNamespaces', () => {
  it('appends the sources to the target list, in order, and removes the sources', () => {
    const { backend } = backendWithClock();
    const list: AnyListState<number> = stateOf(backend, new ListStateDescriptor<number>('l'));
    backend.setCurrentKey('k');
    for (const [ns, values] of [['t', [0]], ['s1', [1, 2]], ['s2', [3]]] as const) {
      list.setCurrentNamespace(ns);
      list.addAll(values);
    }
    backend.mergeNamespaces(list, 't', ['s1', 's2', 'empty']);
    list.setCurrentNamespace('t');
    expect([...list.get()]).toEqual([0, 1, 2, 3]);
    for (const ns of ['s1', 's2']) {
      list.setCurrentNamespace(ns);
      expect([...list.get()]).toEqual([]);
    }
    expect([...backend.tableOf('l')!.entry('k')!.value.keys()]).toEqual(['t']);
  });

  it('creates the target from the sources when it has no state', () => {
    const { backend } = backendWithClock();
    const list: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('l'));
    backend.setCurrentKey('k');
    list.setCurrentNamespace('s');
    list.add('x');
    backend.mergeNamespaces(list, 'new', ['s']);
    list.setCurrentNamespace('new');
    expect([...list.get()]).toEqual(['x']);
  });

  it('reduces target and sources into the target', () => {
    const { backend } = backendWithClock();
    const sum: AnyReducingState<number> = stateOf(backend, new ReducingStateDescriptor<number>('s', (a, b) => a + b));
    backend.setCurrentKey('k');
    for (const [ns, v] of [['t', 10], ['a', 5], ['b', 7]] as const) {
      sum.setCurrentNamespace(ns);
      sum.add(v);
    }
    backend.mergeNamespaces(sum, 't', ['a', 'b']);
    sum.setCurrentNamespace('t');
    expect(sum.get()).toBe(22);
    sum.setCurrentNamespace('a');
    expect(sum.get()).toBeUndefined();
  });

  it('merges aggregating accumulators with the function’s merge', () => {
    const { backend } = backendWithClock();
    const avg: AnyAggregatingState<number, number> = stateOf(backend, new AggregatingStateDescriptor('avg', AVERAGE));
    backend.setCurrentKey('k');
    // Namespace a: 1, 2 (acc [3, 2]); namespace b: 9 (acc [9, 1]). Merged: [12, 3] → 4.
    avg.setCurrentNamespace('a');
    avg.add(1);
    avg.add(2);
    avg.setCurrentNamespace('b');
    avg.add(9);
    backend.mergeNamespaces(avg, 'b', ['a']);
    expect(avg.get()).toBe(4);
    avg.setCurrentNamespace('a');
    expect(avg.get()).toBeUndefined();
  });

  it('refuses to merge value and map state', () => {
    const { backend } = backendWithClock();
    const value: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('v'));
    const map: AnyMapState<string, number> = stateOf(backend, new MapStateDescriptor<string, number>('m'));
    expect(() => backend.mergeNamespaces(value, 't', ['s'])).toThrow("state 'v' of kind value cannot be merged");
    expect(() => backend.mergeNamespaces(map, 't', ['s'])).toThrow("state 'm' of kind map cannot be merged");
  });
});

describe('applyToAllKeys', () => {
  it('visits every key with state in the namespace, with that key current, then restores the key', () => {
    const { backend } = backendWithClock();
    const descriptor = new ValueStateDescriptor<number>('v');
    const v: AnyValueState<number> = stateOf(backend, descriptor);
    const writes: [unknown, string, number][] = [
      ['a', '', 1],
      ['b', 'w', 2],
      [{ id: 7 }, '', 3],
      ['c', '', 4],
    ];
    for (const [key, ns, value] of writes) {
      backend.setCurrentKey(key);
      v.setCurrentNamespace(ns);
      v.update(value);
    }
    backend.setCurrentKey('current');
    const seen: [unknown, number | undefined, unknown][] = [];
    backend.applyToAllKeys('', descriptor, (key, state) => {
      seen.push([key, (state as AnyValueState<number>).value(), backend.getCurrentKey()]);
    });
    // Keys in first-write order; 'b' only has namespace 'w'.
    expect(seen).toEqual([
      ['a', 1, 'a'],
      [{ id: 7 }, 3, { id: 7 }],
      ['c', 4, 'c'],
    ]);
    expect(backend.getCurrentKey()).toBe('current');
  });

  it('lets the function clear the state it visits', () => {
    const { backend } = backendWithClock();
    const descriptor = new ListStateDescriptor<number>('l');
    const l: AnyListState<number> = stateOf(backend, descriptor);
    for (let k = 0; k < 10; k++) {
      backend.setCurrentKey(k);
      l.add(k);
    }
    let visited = 0;
    backend.applyToAllKeys('', descriptor, (_, state) => {
      visited++;
      state.clear();
    });
    expect(visited).toBe(10);
    expect(backend.tableOf('l')!.size).toBe(0);
  });
});

describe('null values, as Flink treats them', () => {
  it('ValueState.update(null) and ReducingState/AggregatingState.add(null) clear the state', async () => {
    const { HeapKeyedStateBackend: Backend } = await import('../../../../src/runtime/state/heap-keyed-state-backend.js');
    const { ValueStateDescriptor: V, ReducingStateDescriptor: R, AggregatingStateDescriptor: A } = await import('../../../../src/api/state.js');
    const backend = new Backend({ start: 0, end: 127 }, 128);
    backend.setCurrentKey('k');
    const value = backend.getState<any>(new V<number>('v', 7));
    value.update(3);
    value.update(null);
    expect(value.value()).toBe(7); // back to the default
    const sum = backend.getState<any>(new R<number>('r', (a, b) => a + b));
    sum.add(2);
    sum.add(null);
    expect(sum.get()).toBeUndefined();
    const count = backend.getState<any>(new A<number, number, number>('a', { createAccumulator: () => 0, add: (_v, acc) => acc + 1, getResult: (acc) => acc, merge: (a, b) => a + b }));
    count.add(5);
    count.add(null);
    expect(count.get()).toBeUndefined();
    expect(backend.tableOf('v')!.size + backend.tableOf('r')!.size + backend.tableOf('a')!.size).toBe(0);
  });
});
