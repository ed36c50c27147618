/**
 * Window assigners, as Flink's: each element goes to zero or more windows.
 * Tumbling and sliding windows on event or processing time, and the global
 * window. Session windows (merging) are in `session-windows.ts`.
 */
import { FlinktsError, invalidArgument } from '../errors.js';
import { Time, toMillis, type Duration } from '../time.js';
import type { Trigger } from './trigger.js';
import { EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger } from './triggers.js';
import { GlobalWindow, TimeWindow, type MergeCallback, type Window } from './windows.js';

/** What an assigner may ask while assigning. */
export interface WindowAssignerContext {
  /** The current processing time (epoch ms). */
  getCurrentProcessingTime(): number;
}

/**
 * Assigns elements to windows.
 *
 * @typeParam T - the elements
 * @typeParam W - the windows
 */
export abstract class WindowAssigner<T = any, W extends Window = Window> {
  /** The windows `element` (with its `timestamp`) belongs to. The runtime never modifies the returned array. */
  abstract assignWindows(element: T, timestamp: number | undefined, context: WindowAssignerContext): readonly W[];

  /** The trigger used when the job sets none. */
  abstract getDefaultTrigger(): Trigger<any, W>;

  /** Whether windows are in event time (watermarks fire them, lateness applies). */
  abstract isEventTime(): boolean;
}

/** An assigner whose windows can merge (session windows). */
export abstract class MergingWindowAssigner<T = any, W extends Window = Window> extends WindowAssigner<T, W> {
  /** Calls `callback.merge(toBeMerged, result)` for every group of `windows` that merges. */
  abstract mergeWindows(windows: readonly W[], callback: MergeCallback<W>): void;
}

/** A positive duration in milliseconds, or an error naming `call`. */
export function positiveMillis(call: string, what: string, duration: Duration): number {
  const ms = toMillis(call, duration);
  if (!(ms > 0)) invalidArgument(call, `the ${what} must be positive, got ${ms} ms`);
  return ms;
}

function offsetMillis(call: string, offset: Duration, bound: number, boundName: string): number {
  const ms = toMillis(call, offset);
  if (!(Math.abs(ms) < bound)) invalidArgument(call, `the offset must satisfy -${boundName} < offset < ${boundName} (${boundName} = ${bound} ms), got ${ms} ms`);
  return ms;
}

/** A duration as a call shows it: milliseconds. */
export function durationText(duration: unknown): string {
  return duration instanceof Time ? String(duration.toMilliseconds()) : String(duration);
}

function callText(name: string, ...args: Duration[]): string {
  return `${name}.of(${args.map(durationText).join(', ')})`;
}

/** The event timestamp of an element, or a clear error when it has none. */
export function requireTimestamp(assigner: WindowAssigner, timestamp: number | undefined): number {
  if (typeof timestamp === 'number' && !Number.isNaN(timestamp)) return timestamp;
  throw new FlinktsError(
    'USER_FUNCTION',
    `${String(assigner)}: a record has no timestamp; event-time windows need timestamps: call assignTimestampsAndWatermarks(...) on the stream (or give env.fromSource a WatermarkStrategy) before the window`,
  );
}

/** Remembers the last window it handed out, so runs of elements in one window share it. */
class LastWindow {
  private start = Number.NaN;
  private windows: readonly TimeWindow[] = [];

  of(start: number, size: number): readonly TimeWindow[] {
    if (start !== this.start) {
      this.start = start;
      this.windows = Object.freeze([new TimeWindow(start, start + size)]);
    }
    return this.windows;
  }
}

/** Non-overlapping windows of a fixed size in event time. */
export class TumblingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private readonly last = new LastWindow();

  protected constructor(
    readonly size: number,
    readonly offset: number,
  ) {
    super();
  }

  /** Windows of `size`, aligned to `offset` (e.g. `Time.hours(-8)` for UTC+8 days); |offset| < size. */
  static of(size: Duration, offset: Duration = 0): TumblingEventTimeWindows {
    const call = callText('TumblingEventTimeWindows', size, offset);
    const ms = positiveMillis(call, 'window size', size);
    return new TumblingEventTimeWindows(ms, offsetMillis(call, offset, ms, 'size'));
  }

  assignWindows(_element: unknown, timestamp: number | undefined, _context?: WindowAssignerContext): readonly TimeWindow[] {
    const ts = requireTimestamp(this, timestamp);
    return this.last.of(TimeWindow.getWindowStartWithOffset(ts, this.offset, this.size), this.size);
  }

  getDefaultTrigger(): Trigger<any, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  getSize(): number {
    return this.size;
  }

  override toString(): string {
    return `TumblingEventTimeWindows(${this.size})`;
  }
}

/** Non-overlapping windows of a fixed size in processing time. */
export class TumblingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  private readonly last = new LastWindow();

  protected constructor(
    readonly size: number,
    readonly offset: number,
  ) {
    super();
  }

  /** Windows of `size` on the wall clock, aligned to `offset`; |offset| < size. */
  static of(size: Duration, offset: Duration = 0): TumblingProcessingTimeWindows {
    const call = callText('TumblingProcessingTimeWindows', size, offset);
    const ms = positiveMillis(call, 'window size', size);
    return new TumblingProcessingTimeWindows(ms, offsetMillis(call, offset, ms, 'size'));
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, context: WindowAssignerContext): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return this.last.of(TimeWindow.getWindowStartWithOffset(now, this.offset, this.size), this.size);
  }

  getDefaultTrigger(): Trigger<any, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return `TumblingProcessingTimeWindows(${this.size})`;
  }
}

/** The windows of `size` every `slide` that contain `timestamp`, latest first (as Flink lists them). */
function slidingWindows(timestamp: number, size: number, slide: number, offset: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, offset, slide);
  for (let start = lastStart; start > timestamp - size; start -= slide) windows.push(new TimeWindow(start, start + size));
  return windows;
}

function slidingArguments(name: string, size: Duration, slide: Duration, offset: Duration): [number, number, number] {
  const call = callText(name, size, slide, offset);
  const sizeMs = positiveMillis(call, 'window size', size);
  const slideMs = positiveMillis(call, 'slide', slide);
  return [sizeMs, slideMs, offsetMillis(call, offset, slideMs, 'slide')];
}

/** Windows of `size` starting every `slide` in event time; an element may belong to several. */
export class SlidingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  protected constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    super();
  }

  /** |offset| < slide, as in Flink. */
  static of(size: Duration, slide: Duration, offset: Duration = 0): SlidingEventTimeWindows {
    return new SlidingEventTimeWindows(...slidingArguments('SlidingEventTimeWindows', size, slide, offset));
  }

  assignWindows(_element: unknown, timestamp: number | undefined, _context?: WindowAssignerContext): readonly TimeWindow[] {
    return slidingWindows(requireTimestamp(this, timestamp), this.size, this.slide, this.offset);
  }

  getDefaultTrigger(): Trigger<any, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  override toString(): string {
    return `SlidingEventTimeWindows(${this.size}, ${this.slide})`;
  }
}

/** Windows of `size` starting every `slide` in processing time. */
export class SlidingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  protected constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
  ) {
    super();
  }

  /** |offset| < slide, as in Flink. */
  static of(size: Duration, slide: Duration, offset: Duration = 0): SlidingProcessingTimeWindows {
    return new SlidingProcessingTimeWindows(...slidingArguments('SlidingProcessingTimeWindows', size, slide, offset));
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, context: WindowAssignerContext): readonly TimeWindow[] {
    return slidingWindows(context.getCurrentProcessingTime(), this.size, this.slide, this.offset);
  }

  getDefaultTrigger(): Trigger<any, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return `SlidingProcessingTimeWindows(${this.size}, ${this.slide})`;
  }
}

/** Every element (of a key) in the one global window; the default trigger never fires. */
export class GlobalWindows extends WindowAssigner<unknown, GlobalWindow> {
  private static readonly WINDOWS: readonly GlobalWindow[] = Object.freeze([GlobalWindow.get()]);

  private constructor() {
    super();
  }

  static create(): GlobalWindows {
    return new GlobalWindows();
  }

  assignWindows(_element?: unknown, _timestamp?: number, _context?: WindowAssignerContext): readonly GlobalWindow[] {
    return GlobalWindows.WINDOWS;
  }

  getDefaultTrigger(): Trigger<any, GlobalWindow> {
    return new NeverTrigger();
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return 'GlobalWindows()';
  }
}
