/**
 * `left.intervalJoin(right).between(lower, upper).process(fn)`, as Flink's
 * IntervalJoinOperator. Both inputs are keyed by the join key. Every element
 * is buffered in keyed map state (timestamp → elements) and joined with the
 * buffered elements of the other side whose timestamps lie in its interval;
 * a cleanup timer per element drops it once the combined watermark shows no
 * partner can arrive any more. Elements behind the watermark are late: they
 * are dropped, or go to the side output given for their side.
 *
 * Exclusive bounds shift by one millisecond (`lower + 1`, `upper - 1`), as in
 * Flink; timestamps are milliseconds.
 */
import type { ProcessJoinFunction, ProcessJoinFunctionContext } from '../../api/co-functions.js';
import { FlinktsError } from '../../api/errors.js';
import type { OutputTag } from '../../api/output-tag.js';
import { MapStateDescriptor, type MapState } from '../../api/state.js';
import type { InternalTimer, Triggerable } from '../time/timer-service.js';
import type { OperatorContext } from './operator.js';
import { AbstractTwoInputOperator } from './two-input/abstract-two-input-operator.js';

const LEFT_BUFFER = 'LEFT_BUFFER';
const RIGHT_BUFFER = 'RIGHT_BUFFER';
const CLEANUP_LEFT = 'CLEANUP_LEFT';
const CLEANUP_RIGHT = 'CLEANUP_RIGHT';

/** The bounds and late-data tags of an interval join. */
export interface IntervalJoinSettings {
  readonly lowerBound: number;
  readonly upperBound: number;
  readonly lowerBoundInclusive: boolean;
  readonly upperBoundInclusive: boolean;
  readonly leftLateDataTag: OutputTag<any> | undefined;
  readonly rightLateDataTag: OutputTag<any> | undefined;
}

/** Runs a ProcessJoinFunction over the pairs of an interval join; it is the function's context. */
export class IntervalJoinOperator extends AbstractTwoInputOperator implements Triggerable, ProcessJoinFunctionContext {
  /** The bounds with exclusion applied: a pair joins when `lower <= r.ts - l.ts <= upper`. */
  private readonly lowerBound: number;
  private readonly upperBound: number;
  private leftBuffer!: MapState<number, unknown[]>;
  private rightBuffer!: MapState<number, unknown[]>;
  private leftTimestamp = Number.NEGATIVE_INFINITY;
  private rightTimestamp = Number.NEGATIVE_INFINITY;
  private resultTimestamp = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly join: ProcessJoinFunction<unknown, unknown, unknown>,
    private readonly settings: IntervalJoinSettings,
    context: OperatorContext,
  ) {
    super(join, context);
    if (context.keyedStateBackend === undefined) {
      throw new FlinktsError('INTERNAL', `${context.operatorName}: an interval join needs keyed inputs`);
    }
    this.lowerBound = settings.lowerBoundInclusive ? settings.lowerBound : settings.lowerBound + 1;
    this.upperBound = settings.upperBoundInclusive ? settings.upperBound : settings.upperBound - 1;
    // Only the internal timer service is used (cleanup timers); the user function sets none.
    this.createTimerService(this);
  }

  override open(): Promise<void> {
    const backend = this.context.keyedStateBackend!;
    this.leftBuffer = backend.getState(new MapStateDescriptor<number, unknown[]>(LEFT_BUFFER)) as unknown as MapState<number, unknown[]>;
    this.rightBuffer = backend.getState(new MapStateDescriptor<number, unknown[]>(RIGHT_BUFFER)) as unknown as MapState<number, unknown[]>;
    return super.open();
  }

  processElement1(value: unknown, timestamp: number | undefined): void {
    this.processElement(value, timestamp, true);
  }

  processElement2(value: unknown, timestamp: number | undefined): void {
    this.processElement(value, timestamp, false);
  }

  onEventTime(timer: InternalTimer): void {
    switch (timer.namespace) {
      case CLEANUP_LEFT:
        this.leftBuffer.remove(this.upperBound <= 0 ? timer.timestamp : timer.timestamp - this.upperBound);
        break;
      case CLEANUP_RIGHT:
        this.rightBuffer.remove(this.lowerBound <= 0 ? timer.timestamp + this.lowerBound : timer.timestamp);
        break;
      default:
        throw new FlinktsError('INTERNAL', `${this.context.operatorName}: unknown timer namespace '${timer.namespace}'`);
    }
  }

  onProcessingTime(): void {
    // Interval joins run in event time only.
  }

  getLeftTimestamp(): number {
    return this.leftTimestamp;
  }

  getRightTimestamp(): number {
    return this.rightTimestamp;
  }

  getTimestamp(): number {
    return this.resultTimestamp;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.context.output.collectSide(tag.id, value, this.resultTimestamp);
  }

  /** The buffered elements of each side (timestamp → elements) for the current key, for tests. */
  buffers(): { left: Map<number, unknown[]>; right: Map<number, unknown[]> } {
    return { left: new Map(this.leftBuffer.entries()), right: new Map(this.rightBuffer.entries()) };
  }

  private processElement(value: unknown, timestamp: number | undefined, isLeft: boolean): void {
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      throw new FlinktsError(
        'USER_FUNCTION',
        `${this.context.operatorName}: an element of the ${isLeft ? 'left' : 'right'} input has no event timestamp; interval joins need timestamps: use assignTimestampsAndWatermarks(...) upstream`,
      );
    }
    const watermark = this.internalTimers!.currentWatermark();
    if (timestamp < watermark) {
      const tag = isLeft ? this.settings.leftLateDataTag : this.settings.rightLateDataTag;
      if (tag !== undefined) this.context.output.collectSide(tag.id, value, timestamp);
      return;
    }
    const ours = isLeft ? this.leftBuffer : this.rightBuffer;
    const other = isLeft ? this.rightBuffer : this.leftBuffer;
    // Relative to our element: the other side's timestamps that join with it.
    const relativeLower = isLeft ? this.lowerBound : -this.upperBound;
    const relativeUpper = isLeft ? this.upperBound : -this.lowerBound;

    const bucket = ours.get(timestamp) ?? [];
    bucket.push(value);
    ours.put(timestamp, bucket);

    for (const [otherTimestamp, elements] of other.entries()) {
      if (otherTimestamp < timestamp + relativeLower || otherTimestamp > timestamp + relativeUpper) continue;
      for (const element of elements) {
        if (isLeft) this.collect(value, element, timestamp, otherTimestamp);
        else this.collect(element, value, otherTimestamp, timestamp);
      }
    }

    const cleanupTime = relativeUpper > 0 ? timestamp + relativeUpper : timestamp;
    this.internalTimers!.registerEventTimeTimer(isLeft ? CLEANUP_LEFT : CLEANUP_RIGHT, cleanupTime);
  }

  private collect(left: unknown, right: unknown, leftTimestamp: number, rightTimestamp: number): void {
    this.leftTimestamp = leftTimestamp;
    this.rightTimestamp = rightTimestamp;
    this.resultTimestamp = Math.max(leftTimestamp, rightTimestamp);
    this.collector.timestamp = this.resultTimestamp;
    this.settle(this.join.processElement(left, right, this, this.collector));
  }
}
