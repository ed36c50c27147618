/**
 * The state objects of the heap backend. Each reads and writes the entry of
 * (the backend's current key, its own namespace). With a time-to-live, values
 * are stored with their last-access time and expire as Flink's TTL states do
 * (checked on access; optionally a few more entries per access).
 */
import { FlinktsError } from '../../api/errors.js';
import type {
  AggregateFunction,
  AggregatingState,
  AnyStateDescriptor,
  ListState,
  MapState,
  ReducingState,
  StateTtlConfig,
  ValueState,
} from '../../api/state.js';
import { canonicalKey } from './key-grouped-map.js';
import { mergeNamespaceValues } from './merge-namespaces.js';
import type { NamespaceMap } from './namespace-map.js';
import type { StateTable } from './state-table.js';

/** What states need from their backend. */
export interface StateHost {
  currentKeyCanonical(): unknown;
  getCurrentKey(): unknown;
  readonly clock: () => number;
}

/** A keyed state the runtime can point at a namespace. */
export interface InternalKvState {
  readonly name: string;
  readonly kind: AnyStateDescriptor['kind'];
  setCurrentNamespace(namespace: string): void;
  clear(): void;
  /** Merging states (list, reducing, aggregating) combine namespaces into one. */
  mergeNamespaces?(target: string, sources: readonly string[]): void;
}

type Table = StateTable;

const isEmptyMap = (namespaces: NamespaceMap<unknown>): boolean => namespaces.size === 0;

/** A stored value with its last-access time (only with a TTL). */
interface Stamped<T> {
  v: T;
  t: number;
}

abstract class HeapState<T> implements InternalKvState {
  protected namespace = '';
  protected readonly ttl: StateTtlConfig | undefined;
  private sweep: IterableIterator<{ key: unknown; value: NamespaceMap<unknown> }> | undefined;
  /** Whether the whole stored value carries the TTL stamp (lists stamp each element instead). */
  protected readonly stampWhole: boolean = true;
  abstract readonly kind: AnyStateDescriptor['kind'];

  constructor(
    readonly name: string,
    ttl: StateTtlConfig | undefined,
    protected readonly table: Table,
    protected readonly host: StateHost,
  ) {
    this.ttl = ttl !== undefined && ttl.updateType !== 'Disabled' ? ttl : undefined;
  }

  setCurrentNamespace(namespace: string): void {
    this.namespace = namespace;
  }

  clear(): void {
    this.store(undefined);
  }

  /**
   * The stored value of (current key, namespace), expired values handled per
   * TTL. `forUpdate`: the caller builds a new value on it, so an expired value
   * is never returned (as Flink's TTL reduce/aggregate/map functions skip it).
   */
  protected load(namespace = this.namespace, forUpdate = false): T | undefined {
    // Incremental cleanup runs on every access, also of keys without state (each key seen once).
    if (this.ttl !== undefined) this.cleanupSome();
    const entry = this.table.entryOfCanonical(this.host.currentKeyCanonical());
    const stored = entry?.value.get(namespace);
    if (stored === undefined) return undefined;
    if (this.ttl === undefined || !this.stampWhole) return stored as T;
    const stamped = stored as Stamped<T>;
    const now = this.host.clock();
    if (this.expired(stamped, now)) {
      this.store(undefined, namespace);
      return this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' && !forUpdate ? stamped.v : undefined;
    }
    if (this.ttl.updateType === 'OnReadAndWrite') stamped.t = now;
    return stamped.v;
  }

  /** Stores a value for (current key, namespace); `undefined` removes it. */
  protected store(value: T | undefined, namespace = this.namespace): void {
    const canonical = this.host.currentKeyCanonical();
    let entry = this.table.entryOfCanonical(canonical);
    if (value === undefined) {
      if (entry === undefined) return;
      if (entry.value.delete(namespace) && entry.value.size === 0) this.table.releaseEmpty(isEmptyMap);
      return;
    }
    if (entry === undefined) entry = this.table.insertKey(this.host.getCurrentKey(), canonical);
    else if (entry.value.size === 0) this.table.reclaim();
    entry.value.set(namespace, this.ttl === undefined || !this.stampWhole ? value : ({ v: value, t: this.host.clock() } satisfies Stamped<T>));
  }

  protected expired(stamped: Stamped<unknown>, now: number): boolean {
    return now - stamped.t >= this.ttl!.ttlMs;
  }

  /** Incremental cleanup: looks at a few more entries on every access. */
  protected cleanupSome(): void {
    const size = this.ttl?.incrementalCleanupSize ?? 0;
    if (size === 0) return;
    const now = this.host.clock();
    for (let i = 0; i < size; i++) {
      this.sweep ??= this.table.entries();
      const next = this.sweep.next();
      if (next.done === true) {
        this.sweep = undefined;
        return;
      }
      const { key, value } = next.value;
      // Entries released empty are the table's to drop (it counts them).
      if (value.size === 0) continue;
      for (const [namespace, stored] of value) {
        if (this.stampWhole) {
          if (this.expired(stored as Stamped<unknown>, now)) value.delete(namespace);
          continue;
        }
        // A list: drop its expired elements.
        const list = stored as Stamped<unknown>[];
        const live = list.filter((e) => !this.expired(e, now));
        if (live.length === 0) value.delete(namespace);
        else if (live.length < list.length) value.set(namespace, live);
      }
      if (value.size === 0) this.table.delete(key);
    }
  }
}

class HeapValueState<T> extends HeapState<T> implements ValueState<T> {
  readonly kind = 'value' as const;

  constructor(name: string, ttl: StateTtlConfig | undefined, table: Table, host: StateHost, private readonly defaultValue: T | undefined) {
    super(name, ttl, table, host);
  }

  value(): T | undefined {
    return this.load() ?? this.defaultValue;
  }

  /** `null` or `undefined` clears the value, as Flink treats null. */
  update(value: T | undefined): void {
    this.cleanupSome();
    this.store(value === null ? undefined : value);
  }
}

/** With a TTL, list elements expire one by one. */
class HeapListState<T> extends HeapState<T[]> implements ListState<T> {
  readonly kind = 'list' as const;
  protected override readonly stampWhole = false;

  get(): Iterable<T> {
    const list = this.load();
    if (list === undefined) return [];
    if (this.ttl === undefined) return [...list];
    const now = this.host.clock();
    const stamped = list as unknown as Stamped<T>[];
    const live = stamped.filter((e) => !this.expired(e, now));
    if (live.length !== stamped.length) this.store(live.length === 0 ? undefined : (live as unknown as T[]));
    if (this.ttl.updateType === 'OnReadAndWrite') for (const e of live) e.t = now;
    const visible = this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? stamped : live;
    return visible.map((e) => e.v);
  }

  add(value: T): void {
    this.checkElement(value);
    const list = this.load() ?? [];
    list.push(this.wrap(value));
    this.store(list);
  }

  addAll(values: Iterable<T>): void {
    for (const value of values) this.add(value);
  }

  update(values: Iterable<T>): void {
    const elements = [...values];
    // Check every element before replacing anything, as Flink does.
    for (const value of elements) this.checkElement(value);
    this.cleanupSome();
    this.store(elements.length === 0 ? undefined : elements.map((v) => this.wrap(v)));
  }

  mergeNamespaces(target: string, sources: readonly string[]): void {
    const merged: T[] = [];
    for (const source of sources) {
      merged.push(...(this.load(source) ?? []));
      this.store(undefined, source);
    }
    if (merged.length === 0) return;
    this.store([...(this.load(target) ?? []), ...merged], target);
  }

  private checkElement(value: T): void {
    if (value === undefined || value === null) throw new FlinktsError('USER_FUNCTION', `ListState '${this.name}': cannot add ${String(value)}`);
  }

  private wrap(value: T): T {
    return this.ttl === undefined ? value : ({ v: value, t: this.host.clock() } as unknown as T);
  }
}

/** User keys are compared by value (canonical form); entries keep the original key. */
class HeapMapState<K, V> extends HeapState<Map<unknown, [K, V]>> implements MapState<K, V> {
  readonly kind = 'map' as const;

  get(key: K): V | undefined {
    return this.load()?.get(canonicalKey(key))?.[1];
  }

  put(key: K, value: V): void {
    const map = this.load(this.namespace, true) ?? new Map<unknown, [K, V]>();
    map.set(canonicalKey(key), [key, value]);
    this.store(map);
  }

  putAll(entries: Iterable<[K, V]> | Map<K, V>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  remove(key: K): void {
    const map = this.load(this.namespace, true);
    if (map === undefined) return;
    map.delete(canonicalKey(key));
    this.store(map.size === 0 ? undefined : map);
  }

  contains(key: K): boolean {
    return this.load()?.has(canonicalKey(key)) ?? false;
  }

  entries(): Iterable<[K, V]> {
    return [...(this.load()?.values() ?? [])].map(([k, v]) => [k, v] as [K, V]);
  }

  keys(): Iterable<K> {
    return [...(this.load()?.values() ?? [])].map(([k]) => k);
  }

  values(): Iterable<V> {
    return [...(this.load()?.values() ?? [])].map(([, v]) => v);
  }

  isEmpty(): boolean {
    return (this.load()?.size ?? 0) === 0;
  }
}

class HeapReducingState<T> extends HeapState<T> implements ReducingState<T> {
  readonly kind = 'reducing' as const;

  constructor(name: string, ttl: StateTtlConfig | undefined, table: Table, host: StateHost, private readonly reduce: (a: T, b: T) => T) {
    super(name, ttl, table, host);
  }

  get(): T | undefined {
    return this.load();
  }

  /** Adding `null` / `undefined` clears the state, as in Flink. */
  add(value: T): void {
    if (value === null || value === undefined) return this.clear();
    const current = this.load(this.namespace, true);
    this.store(current === undefined ? value : this.reduce(current, value));
  }

  mergeNamespaces(target: string, sources: readonly string[]): void {
    mergeNamespaceValues(target, sources, (ns) => this.load(ns, true), (value, ns) => this.store(value, ns), this.reduce);
  }
}

class HeapAggregatingState<IN, ACC, OUT> extends HeapState<ACC> implements AggregatingState<IN, OUT> {
  readonly kind = 'aggregating' as const;

  constructor(name: string, ttl: StateTtlConfig | undefined, table: Table, host: StateHost, private readonly fn: AggregateFunction<IN, ACC, OUT>) {
    super(name, ttl, table, host);
  }

  get(): OUT | undefined {
    const acc = this.load();
    return acc === undefined ? undefined : this.fn.getResult(acc);
  }

  /** The accumulator itself (window operators merge and emit from it). */
  getAccumulator(): ACC | undefined {
    return this.load();
  }

  /** Adding `null` / `undefined` clears the state, as in Flink. */
  add(value: IN): void {
    if (value === null || value === undefined) return this.clear();
    const acc = this.load(this.namespace, true) ?? this.fn.createAccumulator();
    this.store(this.fn.add(value, acc));
  }

  mergeNamespaces(target: string, sources: readonly string[]): void {
    mergeNamespaceValues(target, sources, (ns) => this.load(ns, true), (acc, ns) => this.store(acc, ns), (a, b) => this.fn.merge(a, b));
  }
}

/** Creates the state object of a descriptor over its table. */
export function createState(descriptor: AnyStateDescriptor, table: Table, host: StateHost): InternalKvState {
  const ttl = descriptor.getTtlConfig();
  switch (descriptor.kind) {
    case 'value':
      return new HeapValueState(descriptor.name, ttl, table, host, descriptor.defaultValue);
    case 'list':
      return new HeapListState(descriptor.name, ttl, table, host);
    case 'map':
      return new HeapMapState(descriptor.name, ttl, table, host);
    case 'reducing': {
      const fn = descriptor.reduceFunction;
      const reduce = typeof fn === 'function' ? fn : (a: unknown, b: unknown) => fn.reduce(a, b);
      return new HeapReducingState(descriptor.name, ttl, table, host, reduce);
    }
    case 'aggregating':
      return new HeapAggregatingState(descriptor.name, ttl, table, host, descriptor.aggregateFunction);
  }
}

export type { HeapAggregatingState };
