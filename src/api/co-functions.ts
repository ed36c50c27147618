/**
 * The user-function contracts of two-input operators, with Flink's names:
 * `CoMapFunction` / `CoFlatMapFunction` and the process functions of
 * `connect` (`CoProcessFunction`, `KeyedCoProcessFunction`), of the broadcast
 * state pattern (`BroadcastProcessFunction`, `KeyedBroadcastProcessFunction`)
 * and of joins (`ProcessJoinFunction`, `JoinFunction`, `FlatJoinFunction`,
 * `CoGroupFunction`).
 */
import { AbstractRichFunction, type Collector, type ProcessFunctionContext, type TimeDomain, type TimerService } from './functions.js';
import type { OutputTag } from './output-tag.js';
import type { AnyStateDescriptor, MapStateDescriptor } from './state.js';

/** Maps the elements of each input of connected streams: `map1` for the first, `map2` for the second. */
export interface CoMapFunction<IN1, IN2, OUT> {
  map1(value: IN1): OUT;
  map2(value: IN2): OUT;
}

/** A {@link CoMapFunction} with a life cycle and runtime context. */
export abstract class RichCoMapFunction<IN1, IN2, OUT> extends AbstractRichFunction implements CoMapFunction<IN1, IN2, OUT> {
  abstract map1(value: IN1): OUT;
  abstract map2(value: IN2): OUT;
}

/** Emits zero or more records per element of each input (through `out`, or as a returned iterable). */
export interface CoFlatMapFunction<IN1, IN2, OUT> {
  flatMap1(value: IN1, out: Collector<OUT>): void | Iterable<OUT>;
  flatMap2(value: IN2, out: Collector<OUT>): void | Iterable<OUT>;
}

/** A {@link CoFlatMapFunction} with a life cycle and runtime context. */
export abstract class RichCoFlatMapFunction<IN1, IN2, OUT> extends AbstractRichFunction implements CoFlatMapFunction<IN1, IN2, OUT> {
  abstract flatMap1(value: IN1, out: Collector<OUT>): void | Iterable<OUT>;
  abstract flatMap2(value: IN2, out: Collector<OUT>): void | Iterable<OUT>;
}

/** The context of `CoProcessFunction.processElement1/2`: timestamp, timers (keyed inputs only), side outputs. */
export type CoProcessFunctionContext = ProcessFunctionContext;

/** The context of `CoProcessFunction.onTimer`. */
export interface CoProcessFunctionOnTimerContext extends CoProcessFunctionContext {
  timeDomain(): TimeDomain;
}

/**
 * A low-level function over the elements of two connected streams, as
 * Flink's `CoProcessFunction`. Timers need keyed inputs (use
 * {@link KeyedCoProcessFunction} there); on non-keyed streams registering one fails.
 */
export abstract class CoProcessFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement1(value: IN1, ctx: CoProcessFunctionContext, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: CoProcessFunctionContext, out: Collector<OUT>): void;

  /** Called when a timer fires (keyed inputs only). */
  onTimer(_timestamp: number, _ctx: CoProcessFunctionOnTimerContext, _out: Collector<OUT>): void {}
}

/** The context of `KeyedCoProcessFunction.processElement1/2`: adds the current key. */
export interface KeyedCoProcessFunctionContext<K> extends CoProcessFunctionContext {
  getCurrentKey(): K;
}

/** The context of `KeyedCoProcessFunction.onTimer`. */
export interface KeyedCoProcessFunctionOnTimerContext<K> extends KeyedCoProcessFunctionContext<K> {
  timeDomain(): TimeDomain;
}

/**
 * A process function over two keyed streams connected with
 * `connect(...).keyBy(key1, key2)`: keyed state and timers per key, shared by
 * both inputs, as Flink's `KeyedCoProcessFunction`.
 */
export abstract class KeyedCoProcessFunction<K, IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement1(value: IN1, ctx: KeyedCoProcessFunctionContext<K>, out: Collector<OUT>): void;
  abstract processElement2(value: IN2, ctx: KeyedCoProcessFunctionContext<K>, out: Collector<OUT>): void;

  /** Called when a timer registered through `ctx.timerService()` fires. */
  onTimer(_timestamp: number, _ctx: KeyedCoProcessFunctionOnTimerContext<K>, _out: Collector<OUT>): void {}
}

/** Broadcast state as `processElement` sees it: read only. */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  /** The entries, as a copy (changing it changes nothing). */
  immutableEntries(): Iterable<readonly [K, V]>;
  isEmpty(): boolean;
}

/** Broadcast state as `processBroadcastElement` sees it: a map, identical on every parallel instance. */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<[K, V]> | Map<K, V>): void;
  remove(key: K): void;
  entries(): Iterable<[K, V]>;
  keys(): Iterable<K>;
  values(): Iterable<V>;
  clear(): void;
}

/** What both contexts of a broadcast process function offer. */
export interface BroadcastBaseContext {
  /** The timestamp of the current element, or `undefined` if it has none. */
  timestamp(): number | undefined;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** Emits to the side output identified by `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** The context of `processElement`: broadcast state is read only there. */
export interface BroadcastReadOnlyContext extends BroadcastBaseContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** The context of `processBroadcastElement`: broadcast state is writable there. */
export interface BroadcastContext extends BroadcastBaseContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/**
 * Connects a non-keyed stream with a broadcast stream (Flink's
 * `BroadcastProcessFunction`): every parallel instance sees every broadcast
 * element and keeps the same broadcast state; the other input is split as usual.
 */
export abstract class BroadcastProcessFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: BroadcastReadOnlyContext, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<OUT>): void;
}

/** Called for every key with state: `applyToKeyedState(descriptor, fn)`. */
export type KeyedStateFunction<K, S> = ((key: K, state: S) => void) | { process(key: K, state: S): void };

/** The state a descriptor gives (e.g. `ValueState<T>` for a `ValueStateDescriptor<T>`). */
export type StateOf<D> = D extends { readonly __state?: infer S } ? NonNullable<S> : never;

/** The context of `KeyedBroadcastProcessFunction.processElement`: adds the key and timers. */
export interface KeyedBroadcastReadOnlyContext<K> extends BroadcastReadOnlyContext {
  getCurrentKey(): K;
  timerService(): TimerService;
}

/** The context of `KeyedBroadcastProcessFunction.processBroadcastElement`: adds `applyToKeyedState`. */
export interface KeyedBroadcastContext<K> extends BroadcastContext {
  /** Calls `fn` for every key that has state `descriptor` on this parallel instance, with that state. */
  applyToKeyedState<D extends AnyStateDescriptor>(descriptor: D, fn: KeyedStateFunction<K, StateOf<D>>): void;
}

/** The context of `KeyedBroadcastProcessFunction.onTimer`. */
export interface KeyedBroadcastOnTimerContext<K> extends KeyedBroadcastReadOnlyContext<K> {
  timeDomain(): TimeDomain;
}

/**
 * Connects a keyed stream with a broadcast stream (Flink's
 * `KeyedBroadcastProcessFunction`): keyed state and timers on the keyed side,
 * writable broadcast state and `applyToKeyedState` on the broadcast side.
 */
export abstract class KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(value: IN1, ctx: KeyedBroadcastReadOnlyContext<K>, out: Collector<OUT>): void;
  abstract processBroadcastElement(value: IN2, ctx: KeyedBroadcastContext<K>, out: Collector<OUT>): void;

  /** Called when a timer registered in `processElement` fires. */
  onTimer(_timestamp: number, _ctx: KeyedBroadcastOnTimerContext<K>, _out: Collector<OUT>): void {}
}

/** The context of `ProcessJoinFunction.processElement`. */
export interface ProcessJoinFunctionContext {
  getLeftTimestamp(): number;
  getRightTimestamp(): number;
  /** The timestamp of the joined pair: the larger of both. */
  getTimestamp(): number;
  /** Emits to the side output identified by `tag`, with the pair's timestamp. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** Called for every pair of an interval join, as Flink's `ProcessJoinFunction`. */
export abstract class ProcessJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract processElement(left: IN1, right: IN2, ctx: ProcessJoinFunctionContext, out: Collector<OUT>): void;
}

/** Joins a pair of a window join into one record. */
export type JoinFunction<IN1, IN2, OUT> = ((first: IN1, second: IN2) => OUT) | { join(first: IN1, second: IN2): OUT };

/** Joins a pair of a window join into zero or more records (a function of three parameters). */
export type FlatJoinFunction<IN1, IN2, OUT> =
  | ((first: IN1, second: IN2, out: Collector<OUT>) => void)
  | { join(first: IN1, second: IN2, out: Collector<OUT>): void };

/** A {@link JoinFunction} with a life cycle and runtime context. */
export abstract class RichJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract join(first: IN1, second: IN2): OUT;
}

/** A {@link FlatJoinFunction} with a life cycle and runtime context. */
export abstract class RichFlatJoinFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract join(first: IN1, second: IN2, out: Collector<OUT>): void;
}

/** Combines the elements of both inputs that share a key and a window (either side may be empty). */
export type CoGroupFunction<IN1, IN2, OUT> =
  | ((first: Iterable<IN1>, second: Iterable<IN2>, out: Collector<OUT>) => void)
  | { coGroup(first: Iterable<IN1>, second: Iterable<IN2>, out: Collector<OUT>): void };

/** A {@link CoGroupFunction} with a life cycle and runtime context. */
export abstract class RichCoGroupFunction<IN1, IN2, OUT> extends AbstractRichFunction {
  abstract coGroup(first: Iterable<IN1>, second: Iterable<IN2>, out: Collector<OUT>): void;
}
