/**
 * The value, list, reducing and aggregating states of the embedded backend.
 * They follow the heap states (`heap-states.ts`) step by step — the same
 * loads and stores, the same TTL rules and the same errors — over entries of
 * the write-back cache instead of a heap table. Map states are in
 * `embedded-map-state.ts`.
 *
 * **Copies.** A value read from state is unpacked from bytes, so it is a copy:
 * changing it without `update()` (or `add`) does not change the state, as with
 * Flink's RocksDB backend (the heap backend hands out the stored object itself).
 */
import { FlinktsError } from '../../../api/errors.js';
import type {
  AggregateFunction,
  AggregatingState,
  AnyStateDescriptor,
  ListState,
  ReducingState,
  StateTtlConfig,
  ValueState,
} from '../../../api/state.js';
import type { InternalKvState, StateHost } from '../heap-states.js';
import type { EntryCache, MapEntry, RowRef, SingleEntry } from './entry-cache.js';
import type { MapRow } from './entry-cache.js';
import { pack, unpack, unpackAll } from './row-codec.js';
import { mergeNamespaceValues } from '../merge-namespaces.js';

/** What the embedded states need from their backend. */
export interface EmbeddedStateHost extends StateHost {
  readonly cache: EntryCache;
  /** The cache id of (state, current key, namespace). */
  entryId(stateId: number, namespace: string): string;
  /** The row of (state, current key, namespace). */
  entryRef(stateId: number, namespace: string): RowRef;
  /** The row of `userKey` in a map entry, with the user key's id. */
  mapRowRef(entry: MapEntry, userKey: unknown): RowRef & { id: string };
  /** The rows of a map entry as the store holds them (by user-key id). */
  storedMapRows(entry: MapEntry): Iterable<[string, MapRow]>;
  /** The packed value of one stored map row. */
  storedMapRow(rowKey: Buffer): Buffer | undefined;
  /** Incremental TTL cleanup: calls `visit` for up to `count` more entries of the state, each with its key current. */
  sweep(stateId: number, count: number, visit: (namespace: string) => void): void;
}

/** A stored value with its last-access time (only with a TTL). */
export interface Stamped<T> {
  v: T;
  t: number;
}

/** What the single-entry states share: the entry of (current key, namespace), loads and stores with TTL. */
abstract class EmbeddedState<T> implements InternalKvState {
  protected namespace = '';
  protected readonly ttl: StateTtlConfig | undefined;
  /** Whether the whole stored value carries the TTL stamp (lists stamp each element instead). */
  protected readonly stampWhole: boolean = true;
  abstract readonly kind: AnyStateDescriptor['kind'];

  constructor(
    readonly name: string,
    ttl: StateTtlConfig | undefined,
    protected readonly stateId: number,
    protected readonly host: EmbeddedStateHost,
  ) {
    this.ttl = ttl !== undefined && ttl.updateType !== 'Disabled' ? ttl : undefined;
  }

  setCurrentNamespace(namespace: string): void {
    this.namespace = namespace;
  }

  clear(): void {
    this.store(undefined);
  }

  /** The cache entry of (current key, `namespace`); `load` reads a stored value the cache does not hold. */
  protected entry(namespace: string, load: boolean): SingleEntry {
    const host = this.host;
    return host.cache.single(host.entryId(this.stateId, namespace), () => host.entryRef(this.stateId, namespace), load);
  }

  /** The stored value (as the heap holds it: stamped with a TTL), a fresh copy. */
  protected readStored(namespace: string): T | undefined {
    const parts = this.entry(namespace, true).parts;
    return parts === undefined ? undefined : (unpack(parts[0]!) as T);
  }

  protected encodeStored(stored: T): Buffer[] {
    return [pack(stored)];
  }

  /** Writes the stored form as is (already stamped). */
  protected writeStored(stored: T | undefined, namespace: string): void {
    const entry = this.entry(namespace, false);
    if (stored === undefined && entry.baseLoaded && entry.parts === undefined) return;
    this.host.cache.setParts(entry, stored === undefined ? undefined : this.encodeStored(stored));
  }

  /** As the heap's `load`: expired values handled per TTL; `forUpdate` never returns an expired value. */
  protected load(namespace = this.namespace, forUpdate = false): T | undefined {
    if (this.ttl !== undefined) this.cleanupSome();
    const stored = this.readStored(namespace);
    if (stored === undefined) return undefined;
    if (this.ttl === undefined || !this.stampWhole) return stored;
    const stamped = stored as unknown as Stamped<T>;
    const now = this.host.clock();
    if (this.expired(stamped, now)) {
      this.store(undefined, namespace);
      return this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' && !forUpdate ? stamped.v : undefined;
    }
    if (this.ttl.updateType === 'OnReadAndWrite') {
      stamped.t = now;
      this.writeStored(stamped as unknown as T, namespace);
    }
    return stamped.v;
  }

  /** Stores a value for (current key, namespace); `undefined` removes it. */
  protected store(value: T | undefined, namespace = this.namespace): void {
    if (value === undefined || this.ttl === undefined || !this.stampWhole) return this.writeStored(value, namespace);
    this.writeStored({ v: value, t: this.host.clock() } as unknown as T, namespace);
  }

  protected expired(stamped: Stamped<unknown>, now: number): boolean {
    return now - stamped.t >= this.ttl!.ttlMs;
  }

  /** Incremental cleanup: looks at a few more entries on every access. */
  protected cleanupSome(): void {
    const size = this.ttl?.incrementalCleanupSize ?? 0;
    if (size === 0) return;
    this.host.sweep(this.stateId, size, (namespace) => this.sweepOne(namespace));
  }

  /** Drops the entry of (current key, `namespace`) when expired. */
  protected sweepOne(namespace: string): void {
    const stored = this.readStored(namespace);
    if (stored !== undefined && this.expired(stored as unknown as Stamped<unknown>, this.host.clock())) this.writeStored(undefined, namespace);
  }
}

class EmbeddedValueState<T> extends EmbeddedState<T> implements ValueState<T> {
  readonly kind = 'value' as const;

  constructor(name: string, ttl: StateTtlConfig | undefined, stateId: number, host: EmbeddedStateHost, private readonly defaultValue: T | undefined) {
    super(name, ttl, stateId, host);
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

/** With a TTL, list elements expire one by one. Appending never reads the stored list. */
class EmbeddedListState<T> extends EmbeddedState<T[]> implements ListState<T> {
  readonly kind = 'list' as const;
  protected override readonly stampWhole = false;

  get(): Iterable<T> {
    const list = this.load();
    if (list === undefined) return [];
    if (this.ttl === undefined) return list;
    const now = this.host.clock();
    const stamped = list as unknown as Stamped<T>[];
    const live = stamped.filter((e) => !this.expired(e, now));
    if (this.ttl.updateType === 'OnReadAndWrite') for (const e of live) e.t = now;
    if (live.length !== stamped.length || this.ttl.updateType === 'OnReadAndWrite') this.store(live.length === 0 ? undefined : (live as unknown as T[]));
    const visible = this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' ? stamped : live;
    return visible.map((e) => e.v);
  }

  add(value: T): void {
    this.checkElement(value);
    if (this.ttl !== undefined) this.cleanupSome();
    this.host.cache.append(this.entry(this.namespace, false), pack(this.wrap(value)));
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

  /** Moves the sources' packed elements behind the target's, without unpacking them. */
  mergeNamespaces(target: string, sources: readonly string[]): void {
    const chunks: Buffer[] = [];
    for (const source of sources) {
      if (this.ttl !== undefined) this.cleanupSome();
      const entry = this.entry(source, true);
      if (entry.parts === undefined) continue;
      chunks.push(...entry.parts);
      this.host.cache.setParts(entry, undefined);
    }
    if (chunks.length === 0) return;
    if (this.ttl !== undefined) this.cleanupSome();
    const targetEntry = this.entry(target, false);
    for (const chunk of chunks) this.host.cache.append(targetEntry, chunk);
  }

  protected override readStored(namespace: string): T[] | undefined {
    const parts = this.entry(namespace, true).parts;
    return parts === undefined ? undefined : (unpackAll(parts) as T[]);
  }

  protected override encodeStored(stored: T[]): Buffer[] {
    return [Buffer.concat(stored.map((e) => pack(e)))];
  }

  protected override sweepOne(namespace: string): void {
    const list = this.readStored(namespace) as unknown as Stamped<T>[] | undefined;
    if (list === undefined) return;
    const now = this.host.clock();
    const live = list.filter((e) => !this.expired(e, now));
    if (live.length < list.length) this.writeStored(live.length === 0 ? undefined : (live as unknown as T[]), namespace);
  }

  private checkElement(value: T): void {
    if (value === undefined || value === null) throw new FlinktsError('USER_FUNCTION', `ListState '${this.name}': cannot add ${String(value)}`);
  }

  private wrap(value: T): T {
    return this.ttl === undefined ? value : ({ v: value, t: this.host.clock() } as unknown as T);
  }
}

class EmbeddedReducingState<T> extends EmbeddedState<T> implements ReducingState<T> {
  readonly kind = 'reducing' as const;

  constructor(name: string, ttl: StateTtlConfig | undefined, stateId: number, host: EmbeddedStateHost, private readonly reduce: (a: T, b: T) => T) {
    super(name, ttl, stateId, host);
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

class EmbeddedAggregatingState<IN, ACC, OUT> extends EmbeddedState<ACC> implements AggregatingState<IN, OUT> {
  readonly kind = 'aggregating' as const;

  constructor(name: string, ttl: StateTtlConfig | undefined, stateId: number, host: EmbeddedStateHost, private readonly fn: AggregateFunction<IN, ACC, OUT>) {
    super(name, ttl, stateId, host);
  }

  get(): OUT | undefined {
    const acc = this.load();
    return acc === undefined ? undefined : this.fn.getResult(acc);
  }

  /** The accumulator itself (window operators merge and emit from it); a copy. */
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

/** Creates the state object of a non-map descriptor (see `createEmbeddedMapState` for maps). */
export function createEmbeddedState(descriptor: Exclude<AnyStateDescriptor, { kind: 'map' }>, stateId: number, host: EmbeddedStateHost): InternalKvState {
  const ttl = descriptor.getTtlConfig();
  switch (descriptor.kind) {
    case 'value':
      return new EmbeddedValueState(descriptor.name, ttl, stateId, host, descriptor.defaultValue);
    case 'list':
      return new EmbeddedListState(descriptor.name, ttl, stateId, host);
    case 'reducing': {
      const fn = descriptor.reduceFunction;
      const reduce = typeof fn === 'function' ? fn : (a: unknown, b: unknown) => fn.reduce(a, b);
      return new EmbeddedReducingState(descriptor.name, ttl, stateId, host, reduce);
    }
    case 'aggregating':
      return new EmbeddedAggregatingState(descriptor.name, ttl, stateId, host, descriptor.aggregateFunction);
  }
}

export type { EmbeddedAggregatingState };
