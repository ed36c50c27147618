/**
 * WindowedStream (`keyBy(...).window(...)`) and AllWindowedStream
 * (`windowAll(...)`): collect the trigger, evictor and lateness settings, and
 * record the window operator when a window function is applied. Lazy, as
 * every DataStream method: nothing runs here.
 */
import type { SingleOutputStreamOperator } from './datastream.js';
import { invalidArgument } from './errors.js';
import { isRichFunction, type ReduceFunction } from './functions.js';
import { OutputTag } from './output-tag.js';
import type { AggregateFunction } from './state.js';
import { toMillis, type Duration } from './time.js';
import type { AggregationKind, OperatorSpec } from './transformation.js';
import { checkFunction } from './validation.js';
import { durationText, MergingWindowAssigner, WindowAssigner } from './windowing/assigners.js';
import type { Evictor } from './windowing/evictors.js';
import { CountEvictor } from './windowing/evictors.js';
import type { AllWindowFunction, ProcessAllWindowFunction, ProcessWindowFunction, WindowFunction } from './windowing/functions.js';
import type { IncrementalSpec, WindowFunctionSpec } from './windowing/spec.js';
import { Trigger } from './windowing/trigger.js';
import { CountTrigger, PurgingTrigger } from './windowing/triggers.js';
import type { GlobalWindow, Window } from './windowing/windows.js';

/** Records the window operator on the stream the windows were defined on. @internal */
export type RecordWindowOperator = (name: string, operator: OperatorSpec) => SingleOutputStreamOperator<any>;

/** What the keyed and the non-keyed windowed streams share. */
abstract class WindowedStreamBase<T, W extends Window> {
  private triggerValue: Trigger<any, any> | undefined;
  private evictorValue: Evictor<any, any> | undefined;
  private lateness = 0;
  private lateTag: OutputTag<T> | undefined;

  constructor(
    protected readonly assigner: WindowAssigner<T, W>,
    private readonly record: RecordWindowOperator,
    private readonly nonKeyed: boolean,
  ) {
    const call = nonKeyed ? 'windowAll' : 'window';
    if (!(assigner instanceof WindowAssigner)) invalidArgument(call, 'expected a WindowAssigner, e.g. TumblingEventTimeWindows.of(Time.seconds(10))');
  }

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    if (!(trigger instanceof Trigger)) invalidArgument('trigger', 'expected a Trigger (a subclass of Trigger or a built-in one)');
    if (this.assigner instanceof MergingWindowAssigner && !trigger.canMerge()) {
      invalidArgument(`trigger(${String(trigger)})`, `a merging window assigner (${String(this.assigner)}) needs a trigger that supports merging (canMerge() returns true)`);
    }
    this.triggerValue = trigger;
    return this;
  }

  /** Removes elements before and/or after the window function runs (the window then keeps every element). */
  evictor(evictor: Evictor<T, W>): this {
    const ok = typeof evictor === 'object' && evictor !== null && typeof evictor.evictBefore === 'function' && typeof evictor.evictAfter === 'function';
    if (!ok) invalidArgument('evictor', 'expected an Evictor (an object with evictBefore() and evictAfter())');
    this.evictorValue = evictor;
    return this;
  }

  /**
   * Keeps event-time windows for `lateness` after the watermark passed their
   * end: late elements in that time fire the window again. Default 0.
   */
  allowedLateness(lateness: Duration): this {
    const ms = toMillis('allowedLateness', lateness);
    if (ms < 0) invalidArgument(`allowedLateness(${durationText(lateness)})`, 'the allowed lateness must not be negative');
    this.lateness = ms;
    return this;
  }

  /** Sends elements that arrive after their windows were cleaned up to the side output `tag` (`getSideOutput(tag)` on the result). */
  sideOutputLateData(tag: OutputTag<T>): this {
    if (!(tag instanceof OutputTag)) invalidArgument('sideOutputLateData', 'expected an OutputTag');
    this.lateTag = tag;
    return this;
  }

  /** Records the window operator. */
  protected build<O>(functionName: string, incremental: IncrementalSpec | undefined, windowFunction: WindowFunctionSpec | undefined): SingleOutputStreamOperator<O> {
    const trigger = this.triggerValue ?? this.assigner.getDefaultTrigger();
    const parts = [String(this.assigner), String(trigger), ...(this.evictorValue === undefined ? [] : [String(this.evictorValue)]), functionName];
    const name = `${this.nonKeyed ? 'AllWindow' : 'Window'}(${parts.join(', ')})`;
    return this.record(name, {
      kind: 'window',
      window: {
        assigner: this.assigner,
        trigger,
        evictor: this.evictorValue,
        allowedLateness: this.lateness,
        lateDataTag: this.lateTag,
        nonKeyed: this.nonKeyed,
        incremental,
        windowFunction,
      },
    }) as SingleOutputStreamOperator<O>;
  }

  protected reduceSpec(call: string, fn: ReduceFunction<T>): IncrementalSpec {
    checkFunction(call, fn, 'reduce');
    if (isRichFunction(fn)) invalidArgument(call, 'the ReduceFunction of a window cannot be a rich function; use reduce(reduceFunction, processWindowFunction) for a life cycle');
    return { kind: 'reduce', fn };
  }

  protected aggregateSpec(call: string, fn: AggregateFunction<T, any, any>): IncrementalSpec {
    const ok = typeof fn === 'object' && fn !== null && ['createAccumulator', 'add', 'getResult', 'merge'].every((m) => typeof (fn as unknown as Record<string, unknown>)[m] === 'function');
    if (!ok) invalidArgument(call, 'expected an AggregateFunction: an object with createAccumulator(), add(), getResult() and merge()');
    if (isRichFunction(fn)) invalidArgument(call, 'the AggregateFunction of a window cannot be a rich function; use aggregate(aggregateFunction, processWindowFunction) for a life cycle');
    return { kind: 'aggregate', fn };
  }

  /** A WindowFunction (function or `apply`) or a ProcessWindowFunction (`process`). */
  protected functionSpec(call: string, fn: unknown): WindowFunctionSpec {
    if (typeof fn === 'object' && fn !== null && typeof (fn as { process?: unknown }).process === 'function') return { kind: 'process', fn };
    checkFunction(call, fn, 'apply');
    return { kind: 'apply', fn };
  }

  protected processSpec(call: string, fn: unknown): WindowFunctionSpec {
    checkFunction(call, fn, 'process');
    if (typeof fn === 'function') invalidArgument(call, 'expected a ProcessWindowFunction (an object with process()); for a plain function use apply(...)');
    return { kind: 'process', fn };
  }

  protected fieldSpec(aggregation: AggregationKind, field: string | number, first: boolean): IncrementalSpec {
    const valid = (typeof field === 'string' && field.length > 0) || (typeof field === 'number' && Number.isInteger(field) && field >= 0);
    if (!valid) invalidArgument(`${aggregation}(${String(field)})`, 'the field must be a property name or a non-negative tuple index');
    return { kind: 'field', aggregation, field, first };
  }
}

/** The windows of a keyed stream: `keyBy(...).window(assigner)`. */
export class WindowedStream<T, K, W extends Window> extends WindowedStreamBase<T, W> {
  /** @internal created by `KeyedStream.window`. */
  constructor(assigner: WindowAssigner<T, W>, record: RecordWindowOperator) {
    super(assigner, record, false);
  }

  /** Combines the elements of each window incrementally; emits the result when the window fires. */
  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T>;
  /** Reduces incrementally, then hands the one result to `windowFunction` with its window. */
  reduce<R>(fn: ReduceFunction<T>, windowFunction: WindowFunction<T, R, K, W> | ProcessWindowFunction<T, R, K, W>): SingleOutputStreamOperator<R>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction?: WindowFunction<T, R, K, W> | ProcessWindowFunction<T, R, K, W>): SingleOutputStreamOperator<R> {
    const incremental = this.reduceSpec('reduce', fn);
    const wf = windowFunction === undefined ? undefined : this.functionSpec('reduce', windowFunction);
    return this.build('reduce', incremental, wf);
  }

  /** Aggregates each window incrementally with an {@link AggregateFunction}; emits `getResult` when it fires. */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): SingleOutputStreamOperator<V>;
  /** Aggregates incrementally, then hands the result to `windowFunction` with its window. */
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, windowFunction: WindowFunction<V, R, K, W> | ProcessWindowFunction<V, R, K, W>): SingleOutputStreamOperator<R>;
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, windowFunction?: WindowFunction<V, R, K, W> | ProcessWindowFunction<V, R, K, W>): SingleOutputStreamOperator<R> {
    const incremental = this.aggregateSpec('aggregate', fn);
    const wf = windowFunction === undefined ? undefined : this.functionSpec('aggregate', windowFunction);
    return this.build('aggregate', incremental, wf);
  }

  /** Evaluates each fired window with all its elements. */
  apply<R>(fn: WindowFunction<T, R, K, W>): SingleOutputStreamOperator<R> {
    checkFunction('apply', fn, 'apply');
    return this.build('apply', undefined, { kind: 'apply', fn });
  }

  /** Evaluates each fired window with all its elements and a context (state, time, side outputs). */
  process<R>(fn: ProcessWindowFunction<T, R, K, W>): SingleOutputStreamOperator<R> {
    return this.build('process', undefined, this.processSpec('process', fn));
  }

  /** The sum of `field` per window; other fields come from the window's first element. */
  sum(field: string | number): SingleOutputStreamOperator<T> {
    return this.build('sum', this.fieldSpec('sum', field, true), undefined);
  }

  /** The minimum of `field` per window; other fields come from the window's first element. */
  min(field: string | number): SingleOutputStreamOperator<T> {
    return this.build('min', this.fieldSpec('min', field, true), undefined);
  }

  /** The maximum of `field` per window; other fields come from the window's first element. */
  max(field: string | number): SingleOutputStreamOperator<T> {
    return this.build('max', this.fieldSpec('max', field, true), undefined);
  }

  /** The element with the smallest `field` per window (the first of equals unless `first` is false). */
  minBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.build('minBy', this.fieldSpec('minBy', field, first), undefined);
  }

  /** The element with the largest `field` per window (the first of equals unless `first` is false). */
  maxBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.build('maxBy', this.fieldSpec('maxBy', field, first), undefined);
  }
}

/** The windows of a whole stream: `windowAll(assigner)`, evaluated at parallelism 1. */
export class AllWindowedStream<T, W extends Window> extends WindowedStreamBase<T, W> {
  /** @internal created by `DataStream.windowAll`. */
  constructor(assigner: WindowAssigner<T, W>, record: RecordWindowOperator) {
    super(assigner, record, true);
  }

  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction: AllWindowFunction<T, R, W> | ProcessAllWindowFunction<T, R, W>): SingleOutputStreamOperator<R>;
  reduce<R>(fn: ReduceFunction<T>, windowFunction?: AllWindowFunction<T, R, W> | ProcessAllWindowFunction<T, R, W>): SingleOutputStreamOperator<R> {
    const incremental = this.reduceSpec('reduce', fn);
    const wf = windowFunction === undefined ? undefined : this.functionSpec('reduce', windowFunction);
    return this.build('reduce', incremental, wf);
  }

  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): SingleOutputStreamOperator<V>;
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, windowFunction: AllWindowFunction<V, R, W> | ProcessAllWindowFunction<V, R, W>): SingleOutputStreamOperator<R>;
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, windowFunction?: AllWindowFunction<V, R, W> | ProcessAllWindowFunction<V, R, W>): SingleOutputStreamOperator<R> {
    const incremental = this.aggregateSpec('aggregate', fn);
    const wf = windowFunction === undefined ? undefined : this.functionSpec('aggregate', windowFunction);
    return this.build('aggregate', incremental, wf);
  }

  apply<R>(fn: AllWindowFunction<T, R, W>): SingleOutputStreamOperator<R> {
    checkFunction('apply', fn, 'apply');
    return this.build('apply', undefined, { kind: 'apply', fn });
  }

  process<R>(fn: ProcessAllWindowFunction<T, R, W>): SingleOutputStreamOperator<R> {
    return this.build('process', undefined, this.processSpec('process', fn));
  }

  sum(field: string | number): SingleOutputStreamOperator<T> {
    return this.build('sum', this.fieldSpec('sum', field, true), undefined);
  }

  min(field: string | number): SingleOutputStreamOperator<T> {
    return this.build('min', this.fieldSpec('min', field, true), undefined);
  }

  max(field: string | number): SingleOutputStreamOperator<T> {
    return this.build('max', this.fieldSpec('max', field, true), undefined);
  }

  minBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.build('minBy', this.fieldSpec('minBy', field, first), undefined);
  }

  maxBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.build('maxBy', this.fieldSpec('maxBy', field, first), undefined);
  }
}

/** Validates a count window's size and slide; throws naming `call`. */
export function checkCountWindow(call: string, size: number, slide: number | undefined): void {
  const text = slide === undefined ? `${call}(${size})` : `${call}(${size}, ${slide})`;
  if (!Number.isInteger(size) || size <= 0) invalidArgument(text, 'the window size must be a positive integer count');
  if (slide !== undefined && (!Number.isInteger(slide) || slide <= 0)) invalidArgument(text, 'the slide must be a positive integer count');
}

/**
 * Count windows on the global window: `size` elements per firing, purged
 * after each (tumbling); with `slide`, fires every `slide` elements over the
 * last `size` elements.
 */
export function countWindowsOf<S extends WindowedStreamBase<any, GlobalWindow>>(stream: S, call: string, size: number, slide: number | undefined): S {
  checkCountWindow(call, size, slide);
  if (slide === undefined) return stream.trigger(PurgingTrigger.of(CountTrigger.of(size)));
  return stream.evictor(CountEvictor.of(size)).trigger(CountTrigger.of(slide));
}
