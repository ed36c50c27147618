/**
 * The continuous triggers, as Flink's: early firings of a window every
 * `interval` of event time or processing time (aligned to multiples of the
 * interval), besides the firing at the end of the window.
 */
import { invalidArgument } from '../errors.js';
import { ReducingStateDescriptor, type ReducingState } from '../state.js';
import { toMillis, type Duration } from '../time.js';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './trigger.js';
import type { Window } from './windows.js';

/** Minimum of fire timestamps: merged windows keep the earliest pending early firing. */
const min = (a: number, b: number): number => Math.min(a, b);

function checkInterval(call: string, interval: Duration): number {
  const ms = toMillis(call, interval);
  if (!(ms > 0)) invalidArgument(call, `the interval must be positive, got ${ms} ms`);
  return ms;
}

/**
 * Fires every `interval` of event time (aligned to multiples of the interval)
 * and when the watermark passes the end of the window.
 */
export class ContinuousEventTimeTrigger extends Trigger<unknown, Window> {
  private readonly stateDesc = new ReducingStateDescriptor<number>('fire-time', min);

  private constructor(private readonly interval: number) {
    super();
  }

  static of(interval: Duration): ContinuousEventTimeTrigger {
    return new ContinuousEventTimeTrigger(checkInterval('ContinuousEventTimeTrigger.of', interval));
  }

  onElement(_element: unknown, timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTimestamp: ReducingState<number> = ctx.getPartitionedState(this.stateDesc);
    if (fireTimestamp.get() === undefined && timestamp !== undefined) {
      this.registerNext(timestamp - (timestamp % this.interval), window, ctx, fireTimestamp);
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    const fireTimestamp: ReducingState<number> = ctx.getPartitionedState(this.stateDesc);
    if (fireTimestamp.get() === time) {
      fireTimestamp.clear();
      this.registerNext(time, window, ctx, fireTimestamp);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTimestamp: ReducingState<number> = ctx.getPartitionedState(this.stateDesc);
    const time = fireTimestamp.get();
    if (time !== undefined) {
      ctx.deleteEventTimeTimer(time);
      fireTimestamp.clear();
    }
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = (ctx.getPartitionedState(this.stateDesc) as ReducingState<number>).get();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
  }

  private registerNext(time: number, window: Window, ctx: TriggerContext, state: ReducingState<number>): void {
    // Never later than the end of the window, so the last interval is not lost.
    const next = Math.min(time + this.interval, window.maxTimestamp());
    state.add(next);
    ctx.registerEventTimeTimer(next);
  }

  override toString(): string {
    return `ContinuousEventTimeTrigger(${this.interval})`;
  }
}

/** Fires every `interval` of processing time (aligned to multiples of the interval). */
export class ContinuousProcessingTimeTrigger extends Trigger<unknown, Window> {
  private readonly stateDesc = new ReducingStateDescriptor<number>('fire-time', min);

  private constructor(private readonly interval: number) {
    super();
  }

  static of(interval: Duration): ContinuousProcessingTimeTrigger {
    return new ContinuousProcessingTimeTrigger(checkInterval('ContinuousProcessingTimeTrigger.of', interval));
  }

  onElement(_element: unknown, _timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTimestamp: ReducingState<number> = ctx.getPartitionedState(this.stateDesc);
    const now = ctx.getCurrentProcessingTime();
    if (fireTimestamp.get() === undefined) this.registerNext(now - (now % this.interval), window, ctx, fireTimestamp);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTimestamp: ReducingState<number> = ctx.getPartitionedState(this.stateDesc);
    if (fireTimestamp.get() === time) {
      fireTimestamp.clear();
      this.registerNext(time, window, ctx, fireTimestamp);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTimestamp: ReducingState<number> = ctx.getPartitionedState(this.stateDesc);
    const time = fireTimestamp.get();
    if (time !== undefined) {
      ctx.deleteProcessingTimeTimer(time);
      fireTimestamp.clear();
    }
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = (ctx.getPartitionedState(this.stateDesc) as ReducingState<number>).get();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }

  private registerNext(time: number, window: Window, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    state.add(next);
    ctx.registerProcessingTimeTimer(next);
  }

  override toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.interval})`;
  }
}
