/**
 * Broadcast state: operator state of a broadcast connection, one map per
 * descriptor given to `broadcast(...)`. Every parallel instance receives every
 * broadcast element, so (with deterministic updates) the maps are equal on
 * all instances. `processBroadcastElement` gets the writable state,
 * `processElement` a read-only view whose writes fail naming the operator.
 * Keys are compared by value, as in keyed map state.
 */
import type { BroadcastState, ReadOnlyBroadcastState } from '../../api/co-functions.js';
import { FlinktsError } from '../../api/errors.js';
import type { MapStateDescriptor } from '../../api/state.js';
import { canonicalKey } from './key-grouped-map.js';

/** A broadcast state on the heap: canonical key → [original key, value]. */
export class HeapBroadcastState<K, V> implements BroadcastState<K, V> {
  readonly map = new Map<unknown, [K, V]>();

  get(key: K): V | undefined {
    return this.map.get(canonicalKey(key))?.[1];
  }

  contains(key: K): boolean {
    return this.map.has(canonicalKey(key));
  }

  put(key: K, value: V): void {
    this.map.set(canonicalKey(key), [key, value]);
  }

  putAll(entries: Iterable<[K, V]> | Map<K, V>): void {
    for (const [key, value] of entries) this.put(key, value);
  }

  remove(key: K): void {
    this.map.delete(canonicalKey(key));
  }

  entries(): Iterable<[K, V]> {
    return [...this.map.values()].map(([k, v]) => [k, v] as [K, V]);
  }

  immutableEntries(): Iterable<readonly [K, V]> {
    return this.entries();
  }

  keys(): Iterable<K> {
    return [...this.map.values()].map(([k]) => k);
  }

  values(): Iterable<V> {
    return [...this.map.values()].map(([, v]) => v);
  }

  isEmpty(): boolean {
    return this.map.size === 0;
  }

  clear(): void {
    this.map.clear();
  }
}

/** The read-only view `processElement` gets; writes fail with a message saying where to write. */
class ReadOnlyView<K, V> implements ReadOnlyBroadcastState<K, V> {
  constructor(
    private readonly state: HeapBroadcastState<K, V>,
    private readonly operatorName: string,
    private readonly name: string,
  ) {}

  get(key: K): V | undefined {
    return this.state.get(key);
  }

  contains(key: K): boolean {
    return this.state.contains(key);
  }

  immutableEntries(): Iterable<readonly [K, V]> {
    return this.state.entries();
  }

  isEmpty(): boolean {
    return this.state.isEmpty();
  }

  put(): never {
    return this.readOnly('put');
  }

  putAll(): never {
    return this.readOnly('putAll');
  }

  remove(): never {
    return this.readOnly('remove');
  }

  clear(): never {
    return this.readOnly('clear');
  }

  private readOnly(method: string): never {
    throw new FlinktsError(
      'USER_FUNCTION',
      `${this.operatorName}: broadcast state '${this.name}' is read-only in processElement (${method}() called); update it in processBroadcastElement`,
    );
  }
}

/** The broadcast states of one operator subtask. */
export class BroadcastStateStore {
  private readonly states = new Map<string, HeapBroadcastState<unknown, unknown>>();
  private readonly views = new Map<string, ReadOnlyView<unknown, unknown>>();

  constructor(
    descriptors: readonly MapStateDescriptor<any, any>[],
    private readonly operatorName: string,
  ) {
    for (const descriptor of descriptors) {
      const state = new HeapBroadcastState<unknown, unknown>();
      this.states.set(descriptor.name, state);
      this.views.set(descriptor.name, new ReadOnlyView(state, operatorName, descriptor.name));
    }
  }

  /** The writable state of `descriptor` (processBroadcastElement). */
  writable<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    this.check(descriptor);
    return this.states.get(descriptor.name) as HeapBroadcastState<K, V>;
  }

  /** The read-only view of `descriptor` (processElement, onTimer). */
  readOnly<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    this.check(descriptor);
    return this.views.get(descriptor.name) as ReadOnlyView<K, V>;
  }

  /** The contents per state name, for snapshots and tests. */
  contents(): Map<string, Map<unknown, unknown>> {
    return new Map([...this.states].map(([name, state]) => [name, new Map(state.entries())]));
  }

  private check(descriptor: MapStateDescriptor<unknown, unknown>): void {
    const name = typeof descriptor === 'object' && descriptor !== null ? descriptor.name : undefined;
    if (name !== undefined && this.states.has(name)) return;
    const known = [...this.states.keys()].map((n) => `'${n}'`).join(', ');
    throw new FlinktsError(
      'USER_FUNCTION',
      `${this.operatorName}: no broadcast state ${name === undefined ? String(descriptor) : `'${name}'`}; give its descriptor to broadcast(...) (this broadcast stream has ${known === '' ? 'none' : known})`,
    );
  }
}
