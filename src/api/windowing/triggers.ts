/**
 * The built-in triggers, with Flink's names and behaviour: event time,
 * processing time, count, purging and delta (the continuous ones are in
 * `continuous-triggers.ts`).
 */
import { invalidArgument } from '../errors.js';
import { ReducingStateDescriptor, ValueStateDescriptor, type ReducingState, type ValueState } from '../state.js';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './trigger.js';
import type { Window } from './windows.js';

/** The distance between two data points, for {@link DeltaTrigger} and `DeltaEvictor`. */
export type DeltaFunction<T> = ((oldDataPoint: T, newDataPoint: T) => number) | { getDelta(oldDataPoint: T, newDataPoint: T): number };

/** Calls a {@link DeltaFunction} in either form. */
export function deltaOf<T>(fn: DeltaFunction<T>, oldDataPoint: T, newDataPoint: T): number {
  return typeof fn === 'function' ? fn(oldDataPoint, newDataPoint) : fn.getDelta(oldDataPoint, newDataPoint);
}

/** Fires once the watermark passes the end of the window (the default of event-time assigners). */
export class EventTimeTrigger extends Trigger<unknown, Window> {
  private static readonly INSTANCE = new EventTimeTrigger();

  private constructor() {
    super();
  }

  static create(): EventTimeTrigger {
    return EventTimeTrigger.INSTANCE;
  }

  onElement(_element: unknown, _timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    // A window the watermark already passed (allowed lateness) fires right away.
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: Window): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: Window, ctx: OnMergeContext): void {
    // Only register a timer if the watermark is not yet past the end of the merged window;
    // otherwise the cleanup timer (allowed lateness) or a late element fires it.
    const maxTimestamp = window.maxTimestamp();
    if (maxTimestamp > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(maxTimestamp);
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }

  override toString(): string {
    return 'EventTimeTrigger()';
  }
}

/** Fires once the processing-time clock passes the end of the window (the default of processing-time assigners). */
export class ProcessingTimeTrigger extends Trigger<unknown, Window> {
  private static readonly INSTANCE = new ProcessingTimeTrigger();

  private constructor() {
    super();
  }

  static create(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.INSTANCE;
  }

  onElement(_element: unknown, _timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.FIRE;
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: Window, ctx: OnMergeContext): void {
    const maxTimestamp = window.maxTimestamp();
    if (maxTimestamp > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(maxTimestamp);
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }

  override toString(): string {
    return 'ProcessingTimeTrigger()';
  }
}

/** Never fires: the default trigger of {@link GlobalWindows}. */
export class NeverTrigger extends Trigger<unknown, Window> {
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(): void {}

  override canMerge(): boolean {
    return true;
  }

  override onMerge(): void {}

  override toString(): string {
    return 'NeverTrigger()';
  }
}

/** Fires each time `maxCount` elements have arrived in the window since it last fired. */
export class CountTrigger extends Trigger<unknown, Window> {
  private readonly stateDesc = new ReducingStateDescriptor<number>('count', (a, b) => a + b);

  private constructor(private readonly maxCount: number) {
    super();
  }

  static of(maxCount: number): CountTrigger {
    if (!Number.isInteger(maxCount) || maxCount <= 0) invalidArgument(`CountTrigger.of(${maxCount})`, 'the count must be a positive integer');
    return new CountTrigger(maxCount);
  }

  onElement(_element: unknown, _timestamp: number | undefined, _window: Window, ctx: TriggerContext): TriggerResult {
    const count: ReducingState<number> = ctx.getPartitionedState(this.stateDesc);
    count.add(1);
    if (count.get()! >= this.maxCount) {
      count.clear();
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(_window: Window, ctx: TriggerContext): void {
    ctx.getPartitionedState(this.stateDesc).clear();
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
  }

  override toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}

/** Turns every FIRE of the nested trigger into FIRE_AND_PURGE. */
export class PurgingTrigger<T, W extends Window> extends Trigger<T, W> {
  private constructor(private readonly nested: Trigger<T, W>) {
    super();
  }

  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    if (!(nested instanceof Trigger)) invalidArgument('PurgingTrigger.of', 'expected a Trigger');
    return new PurgingTrigger(nested);
  }

  onElement(element: T, timestamp: number | undefined, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onElement(element, timestamp, window, ctx));
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onEventTime(time, window, ctx));
  }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onProcessingTime(time, window, ctx));
  }

  clear(window: W, ctx: TriggerContext): void {
    this.nested.clear(window, ctx);
  }

  override canMerge(): boolean {
    return this.nested.canMerge();
  }

  override onMerge(window: W, ctx: OnMergeContext): void {
    this.nested.onMerge(window, ctx);
  }

  /** The wrapped trigger. */
  getNestedTrigger(): Trigger<T, W> {
    return this.nested;
  }

  override toString(): string {
    return `PurgingTrigger(${String(this.nested)})`;
  }
}

function purging(result: TriggerResult): TriggerResult {
  return result.isFire() ? TriggerResult.FIRE_AND_PURGE : result;
}

/**
 * Fires when the delta between the element that last fired (or the first
 * element) and the current one exceeds `threshold`.
 */
export class DeltaTrigger<T> extends Trigger<T, Window> {
  private readonly stateDesc = new ValueStateDescriptor<T>('last-element');

  private constructor(
    private readonly threshold: number,
    private readonly deltaFunction: DeltaFunction<T>,
  ) {
    super();
  }

  static of<T>(threshold: number, deltaFunction: DeltaFunction<T>): DeltaTrigger<T> {
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) invalidArgument(`DeltaTrigger.of(${String(threshold)})`, 'the threshold must be a number');
    checkDeltaFunction('DeltaTrigger.of', deltaFunction);
    return new DeltaTrigger(threshold, deltaFunction);
  }

  onElement(element: T, _timestamp: number | undefined, _window: Window, ctx: TriggerContext): TriggerResult {
    const last: ValueState<T> = ctx.getPartitionedState(this.stateDesc);
    const previous = last.value();
    if (previous === undefined) {
      last.update(element);
      return TriggerResult.CONTINUE;
    }
    if (deltaOf(this.deltaFunction, previous, element) > this.threshold) {
      last.update(element);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(_window: Window, ctx: TriggerContext): void {
    ctx.getPartitionedState(this.stateDesc).clear();
  }

  override toString(): string {
    return `DeltaTrigger(${this.threshold})`;
  }
}

/** Throws naming `call` unless `fn` is a delta function. */
export function checkDeltaFunction(call: string, fn: unknown): void {
  const ok = typeof fn === 'function' || (typeof fn === 'object' && fn !== null && typeof (fn as { getDelta?: unknown }).getDelta === 'function');
  if (!ok) invalidArgument(call, 'expected a delta function (old, new) => number or an object with getDelta()');
}
