/**
 * The interval join of two keyed streams, as Flink's `KeyedStream.IntervalJoin`:
 * `left.intervalJoin(right).between(lower, upper).process(fn)` joins every
 * left element `l` with every right element `r` of the same key where
 * `l.ts + lower <= r.ts <= l.ts + upper` (bounds inclusive unless excluded),
 * in event time.
 */
import { ProcessJoinFunction } from './co-functions.js';
import { keySelectorOf, recordTwoInput } from './connected-streams.js';
import { KeyedStream, type SingleOutputStreamOperator } from './datastream.js';
import { invalidArgument } from './errors.js';
import { OutputTag } from './output-tag.js';
import { toMillis, Time, type Duration } from './time.js';

function durationText(duration: Duration): string {
  return duration instanceof Time ? String(duration.toMilliseconds()) : String(duration);
}

/** `left.intervalJoin(right)`: waits for `between(lower, upper)`. */
export class IntervalJoin<T1, T2, K> {
  /** @internal created by `KeyedStream.intervalJoin`. */
  constructor(
    private readonly left: KeyedStream<T1, K>,
    private readonly right: KeyedStream<T2, K>,
  ) {
    if (!(right instanceof KeyedStream)) invalidArgument('intervalJoin', 'the other stream must be a KeyedStream: call keyBy(...) on it first');
    if (right.getExecutionEnvironment() !== left.getExecutionEnvironment()) invalidArgument('intervalJoin', 'the streams belong to different environments');
  }

  /**
   * Joins `l` with `r` when `l.ts + lower <= r.ts <= l.ts + upper`; both
   * bounds may be negative. Throws when `lower > upper`.
   */
  between(lowerBound: Duration, upperBound: Duration): IntervalJoined<T1, T2, K> {
    const call = `between(${durationText(lowerBound)}, ${durationText(upperBound)})`;
    const lower = toMillis(call, lowerBound);
    const upper = toMillis(call, upperBound);
    if (lower > upper) invalidArgument(call, `the lower bound (${lower} ms) must not be greater than the upper bound (${upper} ms)`);
    return new IntervalJoined<T1, T2, K>(this.left, this.right, lower, upper);
  }
}

/** An interval join with its bounds: exclude bounds, route late data, then `process`. */
export class IntervalJoined<T1, T2, K> {
  private lowerInclusive = true;
  private upperInclusive = true;
  private leftLateTag: OutputTag<T1> | undefined;
  private rightLateTag: OutputTag<T2> | undefined;

  /** @internal */
  constructor(
    private readonly left: KeyedStream<T1, K>,
    private readonly right: KeyedStream<T2, K>,
    private readonly lowerBound: number,
    private readonly upperBound: number,
  ) {}

  /** `r.ts` must be strictly greater than `l.ts + lower`. */
  lowerBoundExclusive(): this {
    this.lowerInclusive = false;
    return this;
  }

  /** `r.ts` must be strictly less than `l.ts + upper`. */
  upperBoundExclusive(): this {
    this.upperInclusive = false;
    return this;
  }

  /** Left elements behind the watermark go to `tag` instead of being dropped. */
  sideOutputLeftLateData(tag: OutputTag<T1>): this {
    if (!(tag instanceof OutputTag)) invalidArgument('sideOutputLeftLateData', 'expected an OutputTag');
    this.leftLateTag = tag;
    return this;
  }

  /** Right elements behind the watermark go to `tag` instead of being dropped. */
  sideOutputRightLateData(tag: OutputTag<T2>): this {
    if (!(tag instanceof OutputTag)) invalidArgument('sideOutputRightLateData', 'expected an OutputTag');
    this.rightLateTag = tag;
    return this;
  }

  /** Calls `fn.processElement(left, right, ctx, out)` for every joined pair; the pair's timestamp is the larger of both. */
  process<O>(fn: ProcessJoinFunction<T1, T2, O>): SingleOutputStreamOperator<O> {
    const ok = fn instanceof ProcessJoinFunction || (typeof fn === 'object' && fn !== null && typeof (fn as { processElement?: unknown }).processElement === 'function');
    if (!ok) invalidArgument('IntervalJoined.process', 'expected a ProcessJoinFunction (an object with processElement(left, right, ctx, out))');
    return recordTwoInput<O>(
      this.left,
      this.right,
      'Interval Join',
      {
        kind: 'intervalJoin',
        fn,
        lowerBound: this.lowerBound,
        upperBound: this.upperBound,
        lowerBoundInclusive: this.lowerInclusive,
        upperBoundInclusive: this.upperInclusive,
        leftLateDataTag: this.leftLateTag,
        rightLateDataTag: this.rightLateTag,
      },
      { key1: keySelectorOf(this.left), key2: keySelectorOf(this.right) },
    );
  }
}
