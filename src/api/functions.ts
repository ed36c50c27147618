/**
 * The user-function contracts of the DataStream API, with Flink's names.
 * Every function may be a plain function, an object with the named method, or
 * a rich function class (`open`, `close`, `getRuntimeContext()`).
 */
import type { Configuration } from './configuration.js';
import { FlinktsError } from './errors.js';
import type { OutputTag } from './output-tag.js';
import type { ParameterTool } from './parameter-tool.js';
import type { KeyedStateStore } from './state.js';

/** Receives the records a function emits. */
export interface Collector<T> {
  collect(record: T): void;
}

/**
 * What a running parallel instance of a function knows about itself. The
 * keyed-state getters work in functions applied after `keyBy`; elsewhere
 * they throw, naming the operator.
 */
export interface RuntimeContext extends KeyedStateStore {
  /** The name of the task (the chain of operators) this function runs in. */
  getTaskName(): string;
  /** `name (index+1/parallelism)`, as Flink prints it. */
  getTaskNameWithSubtasks(): string;
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  /** 0 for the first execution, incremented on every restart. */
  getAttemptNumber(): number;
  /** The parameters set with `env.setGlobalJobParameters`. */
  getGlobalJobParameters(): ParameterTool;
}

/** A function with a life cycle and access to its runtime context. */
export interface RichFunction {
  open?(parameters: Configuration): void | Promise<void>;
  close?(): void | Promise<void>;
  setRuntimeContext(context: RuntimeContext): void;
  getRuntimeContext(): RuntimeContext;
}

/** Base class of rich functions: override `open` / `close` as needed. */
export abstract class AbstractRichFunction implements RichFunction {
  private runtimeContext: RuntimeContext | undefined;

  setRuntimeContext(context: RuntimeContext): void {
    this.runtimeContext = context;
  }

  getRuntimeContext(): RuntimeContext {
    if (this.runtimeContext === undefined) {
      throw new FlinktsError('USER_FUNCTION', 'The runtime context has not been initialized: it is available from open() on, not in the constructor.');
    }
    return this.runtimeContext;
  }

  open(_parameters: Configuration): void | Promise<void> {}

  close(): void | Promise<void> {}
}

/** Whether `fn` is a rich function (has `setRuntimeContext`). */
export function isRichFunction(fn: unknown): fn is RichFunction {
  return typeof fn === 'object' && fn !== null && typeof (fn as RichFunction).setRuntimeContext === 'function';
}

export type MapFunction<I, O> = ((value: I) => O) | { map(value: I): O };
/** Emits through `out`, or returns an iterable of the records to emit. */
export type FlatMapFunction<I, O> =
  | ((value: I, out: Collector<O>) => void | Iterable<O>)
  | { flatMap(value: I, out: Collector<O>): void | Iterable<O> };
export type FilterFunction<T> = ((value: T) => boolean) | { filter(value: T): boolean };
export type ReduceFunction<T> = ((accumulated: T, value: T) => T) | { reduce(accumulated: T, value: T): T };
export type KeySelector<T, K> = ((value: T) => K) | { getKey(value: T): K };
/** Chooses the partition (0 ≤ result < numPartitions) of a key. */
export type Partitioner<K> = ((key: K, numPartitions: number) => number) | { partition(key: K, numPartitions: number): number };

export abstract class RichMapFunction<I, O> extends AbstractRichFunction {
  abstract map(value: I): O;
}

export abstract class RichFlatMapFunction<I, O> extends AbstractRichFunction {
  abstract flatMap(value: I, out: Collector<O>): void | Iterable<O>;
}

export abstract class RichFilterFunction<T> extends AbstractRichFunction {
  abstract filter(value: T): boolean;
}

export abstract class RichReduceFunction<T> extends AbstractRichFunction {
  abstract reduce(accumulated: T, value: T): T;
}

/** Timers and time of the current element; timers need a keyed stream. */
export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
}

/** The context of `ProcessFunction.processElement`. */
export interface ProcessFunctionContext {
  /** The timestamp of the current element, or `undefined` if it has none. */
  timestamp(): number | undefined;
  timerService(): TimerService;
  /** Emits to the side output identified by `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** A low-level function over each element with side outputs, as Flink's `ProcessFunction`. */
export abstract class ProcessFunction<I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: ProcessFunctionContext, out: Collector<O>): void | Promise<void>;
}

/** The context of `KeyedProcessFunction.processElement`: adds the current key. */
export interface KeyedProcessFunctionContext<K> extends ProcessFunctionContext {
  getCurrentKey(): K;
}

/** Which clock a timer belongs to. */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/** The context of `onTimer`. */
export interface OnTimerContext<K> extends KeyedProcessFunctionContext<K> {
  timeDomain(): TimeDomain;
}

/**
 * A process function on a keyed stream, with keyed state and timers (one per
 * key and timestamp), as Flink's `KeyedProcessFunction`.
 */
export abstract class KeyedProcessFunction<K, I, O> extends AbstractRichFunction {
  abstract processElement(value: I, ctx: KeyedProcessFunctionContext<K>, out: Collector<O>): void | Promise<void>;

  /** Called when a timer registered through `ctx.timerService()` fires. */
  onTimer(_timestamp: number, _ctx: OnTimerContext<K>, _out: Collector<O>): void {}
}

/** What a sink knows about the record it is given. */
export interface SinkContext {
  currentProcessingTime(): number;
  currentWatermark(): number;
  timestamp(): number | undefined;
}

/**
 * A sink: `invoke` is called once per record. It may return a promise; the
 * task then waits for it before handing over the next record (back-pressure).
 */
export type SinkFunction<T> =
  | ((value: T, context: SinkContext) => void | Promise<void>)
  | { invoke(value: T, context: SinkContext): void | Promise<void>; finish?(): void | Promise<void> };

export abstract class RichSinkFunction<T> extends AbstractRichFunction {
  abstract invoke(value: T, context: SinkContext): void | Promise<void>;
  /** Called once at the end of a bounded input, before `close`. */
  finish(): void | Promise<void> {}
}

/**
 * The context a legacy source emits through. `collect` returns a promise when
 * the source should pause (its output is back-pressured, or its time slice is
 * used up); a source that loops should `await` it.
 */
export interface SourceContext<T> {
  collect(element: T): void | Promise<void>;
  collectWithTimestamp(element: T, timestamp: number): void | Promise<void>;
  /** Emits a watermark from the source itself. */
  emitWatermark(watermark: { readonly timestamp: number }): void;
  /** Tells downstream operators not to wait for this source's watermarks until it emits again. */
  markAsTemporarilyIdle(): void;
  /** Kept for Flink compatibility; JavaScript needs no lock. */
  getCheckpointLock(): object;
}

/** A source in Flink's legacy `run(ctx)` / `cancel()` form. Non-parallel unless `parallel` is true. */
export interface SourceFunction<T> {
  run(ctx: SourceContext<T>): void | Promise<void>;
  cancel(): void;
  /** `true` for a {@link ParallelSourceFunction}. */
  readonly parallel?: boolean;
}

/** A source function of which every parallel instance runs. */
export interface ParallelSourceFunction<T> extends SourceFunction<T> {
  readonly parallel: true;
}

export abstract class RichSourceFunction<T> extends AbstractRichFunction implements SourceFunction<T> {
  abstract run(ctx: SourceContext<T>): void | Promise<void>;
  abstract cancel(): void;
}

export abstract class RichParallelSourceFunction<T> extends AbstractRichFunction implements ParallelSourceFunction<T> {
  readonly parallel = true as const;
  abstract run(ctx: SourceContext<T>): void | Promise<void>;
  abstract cancel(): void;
}
