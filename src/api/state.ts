/**
 * Keyed state, as in Flink: a function asks its runtime context for a state
 * by descriptor; the state is scoped to the key of the current record (and,
 * inside window functions, to the window).
 */
import { invalidArgument } from './errors.js';
import type { ReduceFunction } from './functions.js';
import { toMillis, type Duration } from './time.js';

/** A single value per key. */
export interface ValueState<T> {
  /** The value, or the descriptor's default (`undefined` when none) if unset. */
  value(): T | undefined;
  update(value: T | undefined): void;
  clear(): void;
}

/** A list of values per key. */
export interface ListState<T> {
  /** The elements (an empty iterable when unset). */
  get(): Iterable<T>;
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  /** Replaces the whole list. */
  update(values: Iterable<T>): void;
  clear(): void;
}

/** A map per key. */
export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<[K, V]> | Map<K, V>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  entries(): Iterable<[K, V]>;
  keys(): Iterable<K>;
  values(): Iterable<V>;
  isEmpty(): boolean;
  clear(): void;
}

/** A value per key combined with a reduce function on every `add`. */
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/** An accumulator per key, updated with an aggregate function on every `add`. */
export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

/** Incremental aggregation: an accumulator per key or window. */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

/** When the last-access timestamp of a state entry is refreshed. */
export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite' | 'Disabled';
/** Whether a read may return an expired value that was not cleaned up yet. */
export type TtlStateVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

/** Time-to-live of state entries (processing time), as Flink's `StateTtlConfig`. */
export class StateTtlConfig {
  private constructor(
    readonly ttlMs: number,
    readonly updateType: TtlUpdateType,
    readonly stateVisibility: TtlStateVisibility,
    /** Expired entries found by a full scan are dropped from snapshots. */
    readonly cleanupFullSnapshot: boolean,
    /** Entries checked per state access, for incremental cleanup (0 = off). */
    readonly incrementalCleanupSize: number,
  ) {}

  static newBuilder(ttl: Duration): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(toMillis('StateTtlConfig.newBuilder', ttl));
  }

  /** @internal */
  static create(ttlMs: number, updateType: TtlUpdateType, visibility: TtlStateVisibility, fullSnapshot: boolean, incremental: number): StateTtlConfig {
    return new StateTtlConfig(ttlMs, updateType, visibility, fullSnapshot, incremental);
  }
}

/** Builds a {@link StateTtlConfig}. */
export class StateTtlConfigBuilder {
  private updateType: TtlUpdateType = 'OnCreateAndWrite';
  private visibility: TtlStateVisibility = 'NeverReturnExpired';
  private fullSnapshot = false;
  private incremental = 0;

  constructor(private readonly ttlMs: number) {
    if (!(ttlMs > 0)) invalidArgument('StateTtlConfig.newBuilder', `the time-to-live must be positive, got ${ttlMs} ms`);
  }

  setUpdateType(updateType: TtlUpdateType): this {
    this.updateType = updateType;
    return this;
  }

  updateTtlOnCreateAndWrite(): this {
    return this.setUpdateType('OnCreateAndWrite');
  }

  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType('OnReadAndWrite');
  }

  setStateVisibility(visibility: TtlStateVisibility): this {
    this.visibility = visibility;
    return this;
  }

  neverReturnExpired(): this {
    return this.setStateVisibility('NeverReturnExpired');
  }

  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility('ReturnExpiredIfNotCleanedUp');
  }

  cleanupFullSnapshot(): this {
    this.fullSnapshot = true;
    return this;
  }

  /** Checks `cleanupSize` entries for expiry on every state access. */
  cleanupIncrementally(cleanupSize: number, _runCleanupForEveryRecord = false): this {
    if (!Number.isInteger(cleanupSize) || cleanupSize < 1) invalidArgument('cleanupIncrementally', 'the cleanup size must be a positive integer');
    this.incremental = cleanupSize;
    return this;
  }

  build(): StateTtlConfig {
    return StateTtlConfig.create(this.ttlMs, this.updateType, this.visibility, this.fullSnapshot, this.incremental);
  }
}

/** What all state descriptors share. */
export abstract class StateDescriptor<S, T> {
  /** Phantom field that carries the state type. */
  declare readonly __state?: S;
  private ttl: StateTtlConfig | undefined;

  abstract readonly kind: 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

  constructor(
    readonly name: string,
    readonly defaultValue?: T,
  ) {
    if (typeof name !== 'string' || name.length === 0) invalidArgument(`new ${this.constructor.name}`, 'the state name must be a non-empty string');
  }

  enableTimeToLive(config: StateTtlConfig): this {
    this.ttl = config;
    return this;
  }

  getTtlConfig(): StateTtlConfig | undefined {
    return this.ttl;
  }
}

export class ValueStateDescriptor<T> extends StateDescriptor<ValueState<T>, T> {
  readonly kind = 'value' as const;
}

export class ListStateDescriptor<T> extends StateDescriptor<ListState<T>, T> {
  readonly kind = 'list' as const;

  constructor(name: string) {
    super(name);
  }
}

export class MapStateDescriptor<K, V> extends StateDescriptor<MapState<K, V>, V> {
  readonly kind = 'map' as const;

  constructor(name: string) {
    super(name);
  }
}

export class ReducingStateDescriptor<T> extends StateDescriptor<ReducingState<T>, T> {
  readonly kind = 'reducing' as const;

  constructor(
    name: string,
    readonly reduceFunction: ReduceFunction<T>,
  ) {
    super(name);
  }
}

export class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<AggregatingState<IN, OUT>, ACC> {
  readonly kind = 'aggregating' as const;

  constructor(
    name: string,
    readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(name);
  }
}

/** Any state descriptor. */
export type AnyStateDescriptor =
  | ValueStateDescriptor<any>
  | ListStateDescriptor<any>
  | MapStateDescriptor<any, any>
  | ReducingStateDescriptor<any>
  | AggregatingStateDescriptor<any, any, any>;

/** Gives access to keyed state (the runtime context, window contexts). */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}
