/**
 * Window joins and co-groups, built as Flink builds them: both inputs are
 * tagged (`{ input: 1 | 2, value }`), unioned, keyed by the key of their own
 * side, windowed, and a window function splits each window's elements by tag
 * and hands them to the user's `CoGroupFunction` (or, for a join, calls the
 * `JoinFunction` for every pair of the cross product).
 *
 *     a.join(b).where(ka).equalTo(kb).window(assigner).apply(joinFunction)
 *     a.coGroup(b).where(ka).equalTo(kb).window(assigner).apply(coGroupFunction)
 */
import { RichFlatJoinFunction, RichJoinFunction, type CoGroupFunction, type FlatJoinFunction, type JoinFunction } from './co-functions.js';
import type { DataStream, SingleOutputStreamOperator } from './datastream.js';
import { invalidArgument } from './errors.js';
import { AbstractRichFunction, isRichFunction, type Collector, type KeySelector, type RuntimeContext } from './functions.js';
import type { Configuration } from './configuration.js';
import { toMillis, type Duration } from './time.js';
import type { Transformation } from './transformation.js';
import { checkFunction, toKeySelector, type KeySpec } from './validation.js';
import type { WindowAssigner } from './windowing/assigners.js';
import type { Evictor } from './windowing/evictors.js';
import type { Trigger } from './windowing/trigger.js';
import type { Window } from './windowing/windows.js';

/** An element of either input, tagged with its side (Flink's `TaggedUnion`). */
export interface TaggedUnion<T1, T2> {
  readonly input: 1 | 2;
  readonly value: T1 | T2;
}

/** Calls a co-group function over the elements of one key and window, split by input (Flink's `CoGroupWindowFunction`). */
class CoGroupWindowFunction<T1, T2, OUT> extends AbstractRichFunction {
  private readonly call: (first: T1[], second: T2[], out: Collector<OUT>) => void;

  constructor(private readonly fn: CoGroupFunction<T1, T2, OUT> | RichCoGroupLike<T1, T2, OUT>) {
    super();
    this.call = typeof fn === 'function' ? fn : (first, second, out) => fn.coGroup(first, second, out);
  }

  apply(_key: unknown, _window: Window, values: Iterable<TaggedUnion<T1, T2>>, out: Collector<OUT>): void {
    const first: T1[] = [];
    const second: T2[] = [];
    for (const tagged of values) {
      if (tagged.input === 1) first.push(tagged.value as T1);
      else second.push(tagged.value as T2);
    }
    this.call(first, second, out);
  }

  // The user's function gets the runtime context and life cycle of the window operator.
  override setRuntimeContext(context: RuntimeContext): void {
    super.setRuntimeContext(context);
    if (isRichFunction(this.fn)) this.fn.setRuntimeContext(context);
  }

  override async open(parameters: Configuration): Promise<void> {
    if (isRichFunction(this.fn)) await this.fn.open?.(parameters);
  }

  override async close(): Promise<void> {
    if (isRichFunction(this.fn)) await this.fn.close?.();
  }
}

type RichCoGroupLike<T1, T2, OUT> = { coGroup(first: Iterable<T1>, second: Iterable<T2>, out: Collector<OUT>): void };

/** Whether a join function emits through a collector (a FlatJoinFunction: three parameters). */
function isFlatJoin(fn: unknown): boolean {
  if (fn instanceof RichFlatJoinFunction) return true;
  if (fn instanceof RichJoinFunction) return false;
  const join = typeof fn === 'function' ? fn : (fn as { join: (...args: unknown[]) => unknown }).join;
  return join.length >= 3;
}

/** A join as a co-group: the cross product of both sides (Flink's `JoinCoGroupFunction` / `FlatJoinCoGroupFunction`). */
class JoinCoGroupFunction<T1, T2, OUT> extends AbstractRichFunction {
  private readonly join: (first: T1, second: T2, out: Collector<OUT>) => void;

  constructor(private readonly fn: JoinFunction<T1, T2, OUT> | FlatJoinFunction<T1, T2, OUT>) {
    super();
    const bound = (typeof fn === 'function' ? fn : fn.join.bind(fn)) as (...args: unknown[]) => unknown;
    this.join = isFlatJoin(fn) ? (a, b, out) => void bound(a, b, out) : (a, b, out) => out.collect(bound(a, b) as OUT);
  }

  coGroup(first: Iterable<T1>, second: Iterable<T2>, out: Collector<OUT>): void {
    const rights = [...second];
    for (const left of first) for (const right of rights) this.join(left, right, out);
  }

  override setRuntimeContext(context: RuntimeContext): void {
    super.setRuntimeContext(context);
    if (isRichFunction(this.fn)) this.fn.setRuntimeContext(context);
  }

  override async open(parameters: Configuration): Promise<void> {
    if (isRichFunction(this.fn)) await this.fn.open?.(parameters);
  }

  override async close(): Promise<void> {
    if (isRichFunction(this.fn)) await this.fn.close?.();
  }
}

/** The explicit parallelism of the operator a stream comes from (through partitioning and side outputs), if any. */
function explicitParallelism(t: Transformation): number | undefined {
  if (t.kind === 'partition' || t.kind === 'side-output') return explicitParallelism(t.input);
  if (t.kind === 'union') return undefined;
  return t.parallelism;
}

/** Tags the elements of one input; the tagger runs at the parallelism of its input, as in Flink. */
function tag<T1, T2>(stream: DataStream<any>, input: 1 | 2): SingleOutputStreamOperator<TaggedUnion<T1, T2>> {
  const tagged = stream.map((value: unknown): TaggedUnion<T1, T2> => ({ input, value: value as T1 | T2 }));
  const parallelism = explicitParallelism(stream.getTransformation());
  return parallelism === undefined ? tagged : tagged.setParallelism(parallelism);
}

/** Window settings collected before `apply`. */
interface WindowSettings {
  trigger: Trigger<any, any> | undefined;
  evictor: Evictor<any, any> | undefined;
  allowedLateness: number | undefined;
}

/** Records tag → union → keyBy → window → apply(coGroup) and returns the result. */
function buildCoGroup<T1, T2, O>(
  input1: DataStream<T1>,
  input2: DataStream<T2>,
  key1: KeySelector<T1, unknown>,
  key2: KeySelector<T2, unknown>,
  assigner: WindowAssigner<any, any>,
  settings: WindowSettings,
  fn: CoGroupFunction<T1, T2, O> | RichCoGroupLike<T1, T2, O>,
): SingleOutputStreamOperator<O> {
  const k1 = typeof key1 === 'function' ? key1 : (v: T1) => key1.getKey(v);
  const k2 = typeof key2 === 'function' ? key2 : (v: T2) => key2.getKey(v);
  const union = tag<T1, T2>(input1, 1).union(tag<T1, T2>(input2, 2));
  let windowed = union.keyBy((u: TaggedUnion<T1, T2>) => (u.input === 1 ? k1(u.value as T1) : k2(u.value as T2))).window(assigner);
  if (settings.trigger !== undefined) windowed = windowed.trigger(settings.trigger);
  if (settings.evictor !== undefined) windowed = windowed.evictor(settings.evictor);
  if (settings.allowedLateness !== undefined) windowed = windowed.allowedLateness(settings.allowedLateness);
  return windowed.apply(new CoGroupWindowFunction<T1, T2, O>(fn)) as SingleOutputStreamOperator<O>;
}

/** The part the join and the co-group share: where → equalTo → window → trigger / evictor / lateness. */
abstract class TwoStreamWindowBuilder<T1, T2> {
  protected readonly settings: WindowSettings = { trigger: undefined, evictor: undefined, allowedLateness: undefined };

  constructor(
    protected readonly call: string,
    protected readonly input1: DataStream<T1>,
    protected readonly input2: DataStream<T2>,
    protected readonly key1: KeySelector<T1, unknown>,
    protected readonly key2: KeySelector<T2, unknown>,
    protected readonly assigner: WindowAssigner<any, any>,
  ) {}

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<any, any>): this {
    this.settings.trigger = trigger;
    return this;
  }

  /** Removes elements before and/or after the function runs. */
  evictor(evictor: Evictor<any, any>): this {
    this.settings.evictor = evictor;
    return this;
  }

  /** Keeps event-time windows for `lateness` after the watermark passed them. */
  allowedLateness(lateness: Duration): this {
    this.settings.allowedLateness = toMillis(`${this.call}(...).allowedLateness`, lateness);
    return this;
  }
}

/** A windowed join: `apply` calls the join function for every pair of one key and window. */
export class JoinedWindowedStreams<T1, T2> extends TwoStreamWindowBuilder<T1, T2> {
  /** Calls a {@link JoinFunction} for every pair; each returns the joined record. */
  apply<O>(fn: JoinFunction<T1, T2, O>): SingleOutputStreamOperator<O>;
  /** Calls a {@link FlatJoinFunction} (three parameters) for every pair; it emits through `out`. */
  apply<O>(fn: FlatJoinFunction<T1, T2, O>): SingleOutputStreamOperator<O>;
  apply<O>(fn: JoinFunction<T1, T2, O> | FlatJoinFunction<T1, T2, O>): SingleOutputStreamOperator<O> {
    checkFunction('join(...).apply', fn, 'join');
    return buildCoGroup<T1, T2, O>(this.input1, this.input2, this.key1, this.key2, this.assigner, this.settings, new JoinCoGroupFunction<T1, T2, O>(fn));
  }
}

/** A windowed co-group: `apply` calls the co-group function once per key and window. */
export class CoGroupedWindowedStreams<T1, T2> extends TwoStreamWindowBuilder<T1, T2> {
  apply<O>(fn: CoGroupFunction<T1, T2, O>): SingleOutputStreamOperator<O> {
    checkFunction('coGroup(...).apply', fn, 'coGroup');
    return buildCoGroup<T1, T2, O>(this.input1, this.input2, this.key1, this.key2, this.assigner, this.settings, fn);
  }
}

/** `where(key1)` → `equalTo(key2)` → `window(assigner)`. */
class WhereClause<T1, T2, W> {
  constructor(
    private readonly call: string,
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
    private readonly key1: KeySelector<T1, unknown>,
    private readonly make: (call: string, i1: DataStream<T1>, i2: DataStream<T2>, k1: KeySelector<T1, unknown>, k2: KeySelector<T2, unknown>, a: WindowAssigner<any, any>) => W,
  ) {}

  /** The key of the second input; elements with equal keys of both inputs meet. */
  equalTo<K>(key: KeySpec<T2, K>): { window(assigner: WindowAssigner<any, any>): W } {
    const key2 = toKeySelector<T2, K>(`${this.call}(...).equalTo`, key);
    return {
      window: (assigner) => {
        if (assigner === null || typeof assigner !== 'object' || typeof assigner.assignWindows !== 'function') {
          invalidArgument(`${this.call}(...).window`, 'expected a WindowAssigner, e.g. TumblingEventTimeWindows.of(Time.seconds(10))');
        }
        return this.make(this.call, this.input1, this.input2, this.key1, key2 as KeySelector<T2, unknown>, assigner);
      },
    };
  }
}

/** `a.join(b)`: continue with `where(key)`. */
export class JoinedStreams<T1, T2> {
  /** @internal created by `DataStream.join`. */
  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
  ) {
    if (input2.getExecutionEnvironment() !== input1.getExecutionEnvironment()) invalidArgument('join', 'the streams belong to different environments');
  }

  /** The key of the first input. */
  where<K>(key: KeySpec<T1, K>): WhereClause<T1, T2, JoinedWindowedStreams<T1, T2>> {
    const key1 = toKeySelector<T1, K>('join(...).where', key) as KeySelector<T1, unknown>;
    return new WhereClause('join', this.input1, this.input2, key1, (...args) => new JoinedWindowedStreams<T1, T2>(...args));
  }
}

/** `a.coGroup(b)`: continue with `where(key)`. */
export class CoGroupedStreams<T1, T2> {
  /** @internal created by `DataStream.coGroup`. */
  constructor(
    private readonly input1: DataStream<T1>,
    private readonly input2: DataStream<T2>,
  ) {
    if (input2.getExecutionEnvironment() !== input1.getExecutionEnvironment()) invalidArgument('coGroup', 'the streams belong to different environments');
  }

  /** The key of the first input. */
  where<K>(key: KeySpec<T1, K>): WhereClause<T1, T2, CoGroupedWindowedStreams<T1, T2>> {
    const key1 = toKeySelector<T1, K>('coGroup(...).where', key) as KeySelector<T1, unknown>;
    return new WhereClause('coGroup', this.input1, this.input2, key1, (...args) => new CoGroupedWindowedStreams<T1, T2>(...args));
  }
}

export type { WhereClause };
