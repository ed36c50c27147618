/**
 * Session windows, as Flink's: each element opens a window of `[timestamp,
 * timestamp + gap)`, and windows that overlap (or touch) merge, so a session
 * ends after a gap of inactivity. The gap may be fixed or depend on the element.
 */
import { FlinktsError, invalidArgument } from '../errors.js';
import type { Duration } from '../time.js';
import { durationText, MergingWindowAssigner, positiveMillis, requireTimestamp, type WindowAssignerContext } from './assigners.js';
import type { Trigger } from './trigger.js';
import { EventTimeTrigger, ProcessingTimeTrigger } from './triggers.js';
import { TimeWindow, type MergeCallback } from './windows.js';

/** The session gap (ms) of an element, for dynamic session windows. */
export type SessionWindowTimeGapExtractor<T> = ((element: T) => number) | { extract(element: T): number };

function checkExtractor(call: string, extractor: unknown): void {
  const ok = typeof extractor === 'function' || (typeof extractor === 'object' && extractor !== null && typeof (extractor as { extract?: unknown }).extract === 'function');
  if (!ok) invalidArgument(call, 'expected a gap extractor: a function (element) => gap in ms, or an object with extract()');
}

/** The gap of `element`; a gap that is not a positive number fails the job, naming the assigner. */
function dynamicGap<T>(assigner: object, extractor: SessionWindowTimeGapExtractor<T>, element: T): number {
  const gap = typeof extractor === 'function' ? extractor(element) : extractor.extract(element);
  if (typeof gap !== 'number' || !(gap > 0) || !Number.isFinite(gap)) {
    throw new FlinktsError('USER_FUNCTION', `${String(assigner)}: the dynamic session gap must be a positive number of milliseconds, got ${String(gap)}`);
  }
  return gap;
}

/** Base of the session assigners: windows merge when they overlap or touch. */
abstract class SessionWindowAssigner<T> extends MergingWindowAssigner<T, TimeWindow> {
  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }
}

/** Sessions in event time with a fixed gap. */
export class EventTimeSessionWindows extends SessionWindowAssigner<unknown> {
  protected constructor(readonly gap: number) {
    super();
  }

  static withGap(gap: Duration): EventTimeSessionWindows {
    return new EventTimeSessionWindows(positiveMillis(`EventTimeSessionWindows.withGap(${durationText(gap)})`, 'session gap', gap));
  }

  /** Sessions whose gap `extractor(element)` decides per element. */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicEventTimeSessionWindows<T> {
    return DynamicEventTimeSessionWindows.withDynamicGap(extractor);
  }

  assignWindows(_element: unknown, timestamp: number | undefined, _context?: WindowAssignerContext): readonly TimeWindow[] {
    const ts = requireTimestamp(this, timestamp);
    return [new TimeWindow(ts, ts + this.gap)];
  }

  getDefaultTrigger(): Trigger<any, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  override toString(): string {
    return `EventTimeSessionWindows(${this.gap})`;
  }
}

/** Sessions in event time with a gap per element. */
export class DynamicEventTimeSessionWindows<T> extends SessionWindowAssigner<T> {
  protected constructor(private readonly extractor: SessionWindowTimeGapExtractor<T>) {
    super();
  }

  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicEventTimeSessionWindows<T> {
    checkExtractor('EventTimeSessionWindows.withDynamicGap', extractor);
    return new DynamicEventTimeSessionWindows(extractor);
  }

  assignWindows(element: T, timestamp: number | undefined, _context?: WindowAssignerContext): readonly TimeWindow[] {
    const ts = requireTimestamp(this, timestamp);
    return [new TimeWindow(ts, ts + dynamicGap(this, this.extractor, element))];
  }

  getDefaultTrigger(): Trigger<any, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  override toString(): string {
    return 'DynamicEventTimeSessionWindows()';
  }
}

/** Sessions in processing time with a fixed gap. */
export class ProcessingTimeSessionWindows extends SessionWindowAssigner<unknown> {
  protected constructor(readonly gap: number) {
    super();
  }

  static withGap(gap: Duration): ProcessingTimeSessionWindows {
    return new ProcessingTimeSessionWindows(positiveMillis(`ProcessingTimeSessionWindows.withGap(${durationText(gap)})`, 'session gap', gap));
  }

  /** Sessions whose gap `extractor(element)` decides per element. */
  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicProcessingTimeSessionWindows<T> {
    return DynamicProcessingTimeSessionWindows.withDynamicGap(extractor);
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, context: WindowAssignerContext): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return [new TimeWindow(now, now + this.gap)];
  }

  getDefaultTrigger(): Trigger<any, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return `ProcessingTimeSessionWindows(${this.gap})`;
  }
}

/** Sessions in processing time with a gap per element. */
export class DynamicProcessingTimeSessionWindows<T> extends SessionWindowAssigner<T> {
  protected constructor(private readonly extractor: SessionWindowTimeGapExtractor<T>) {
    super();
  }

  static withDynamicGap<T>(extractor: SessionWindowTimeGapExtractor<T>): DynamicProcessingTimeSessionWindows<T> {
    checkExtractor('ProcessingTimeSessionWindows.withDynamicGap', extractor);
    return new DynamicProcessingTimeSessionWindows(extractor);
  }

  assignWindows(element: T, _timestamp: number | undefined, context: WindowAssignerContext): readonly TimeWindow[] {
    const now = context.getCurrentProcessingTime();
    return [new TimeWindow(now, now + dynamicGap(this, this.extractor, element))];
  }

  getDefaultTrigger(): Trigger<any, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return 'DynamicProcessingTimeSessionWindows()';
  }
}
