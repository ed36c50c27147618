/**
 * Evictors, as Flink's: they remove elements from a window's contents before
 * and/or after the window function runs. A window with an evictor keeps all
 * its elements (no incremental aggregation) so they can be evicted.
 */
import { invalidArgument } from '../errors.js';
import { toMillis, type Duration } from '../time.js';
import { checkDeltaFunction, deltaOf, type DeltaFunction } from './triggers.js';
import type { Window } from './windows.js';

/** An element with its timestamp (`undefined` when the record had none). */
export class TimestampedValue<T> {
  constructor(
    readonly value: T,
    readonly timestamp: number | undefined,
  ) {}

  getValue(): T {
    return this.value;
  }

  getTimestamp(): number | undefined {
    return this.timestamp;
  }

  hasTimestamp(): boolean {
    return this.timestamp !== undefined;
  }
}

/** What an evictor knows about time. */
export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

/**
 * Removes elements from a window when it fires. `elements` is the window's
 * contents in arrival order; an evictor removes entries from that array in
 * place (e.g. with `splice`). What remains after `evictAfter` is what the
 * window keeps.
 */
export interface Evictor<T = any, W extends Window = Window> {
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
}

/** Keeps the elements for which `keep` is true, in order. */
function retain<T>(elements: TimestampedValue<T>[], keep: (element: TimestampedValue<T>) => boolean): void {
  let w = 0;
  for (let r = 0; r < elements.length; r++) {
    const element = elements[r]!;
    if (keep(element)) elements[w++] = element;
  }
  elements.length = w;
}

/** Keeps the last `maxCount` elements. */
export class CountEvictor<T = any> implements Evictor<T> {
  private constructor(
    private readonly maxCount: number,
    private readonly doEvictAfter: boolean,
  ) {}

  /** Evicts before the function unless `doEvictAfter` is true. */
  static of<T = any>(maxCount: number, doEvictAfter = false): CountEvictor<T> {
    if (!Number.isInteger(maxCount) || maxCount <= 0) invalidArgument(`CountEvictor.of(${maxCount})`, 'the count must be a positive integer');
    return new CountEvictor<T>(maxCount, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[], size: number): void {
    if (!this.doEvictAfter) this.evict(elements, size);
  }

  evictAfter(elements: TimestampedValue<T>[], size: number): void {
    if (this.doEvictAfter) this.evict(elements, size);
  }

  private evict(elements: TimestampedValue<T>[], size: number): void {
    if (size <= this.maxCount) return;
    elements.splice(0, size - this.maxCount);
  }

  toString(): string {
    return `CountEvictor(${this.maxCount})`;
  }
}

/**
 * Keeps the elements whose timestamp is within `windowSize` of the largest
 * timestamp in the window (those at or below `max - windowSize` go).
 */
export class TimeEvictor<T = any> implements Evictor<T> {
  private constructor(
    private readonly windowSize: number,
    private readonly doEvictAfter: boolean,
  ) {}

  /** Evicts before the function unless `doEvictAfter` is true. */
  static of<T = any>(windowSize: Duration, doEvictAfter = false): TimeEvictor<T> {
    const ms = toMillis('TimeEvictor.of', windowSize);
    if (ms < 0) invalidArgument(`TimeEvictor.of(${ms})`, 'the time must not be negative');
    return new TimeEvictor<T>(ms, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<T>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue<T>[]): void {
    // As Flink: elements without timestamps (judged by the first) are never evicted by time.
    if (elements.length === 0 || !elements[0]!.hasTimestamp()) return;
    let max = Number.NEGATIVE_INFINITY;
    for (const element of elements) if (element.timestamp! > max) max = element.timestamp!;
    const cutoff = max - this.windowSize;
    retain(elements, (element) => !(element.timestamp! <= cutoff));
  }

  toString(): string {
    return `TimeEvictor(${this.windowSize})`;
  }
}

/** Evicts the elements whose delta to the last element is at least `threshold`. */
export class DeltaEvictor<T = any> implements Evictor<T> {
  private constructor(
    private readonly threshold: number,
    private readonly deltaFunction: DeltaFunction<T>,
    private readonly doEvictAfter: boolean,
  ) {}

  /** Evicts before the function unless `doEvictAfter` is true. */
  static of<T>(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) invalidArgument(`DeltaEvictor.of(${String(threshold)})`, 'the threshold must be a number');
    checkDeltaFunction('DeltaEvictor.of', deltaFunction);
    return new DeltaEvictor<T>(threshold, deltaFunction, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<T>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue<T>[]): void {
    if (elements.length === 0) return;
    const last = elements[elements.length - 1]!.value;
    retain(elements, (element) => deltaOf(this.deltaFunction, element.value, last) < this.threshold);
  }

  toString(): string {
    return `DeltaEvictor(${this.threshold})`;
  }
}
