/**
 * Windows, as Flink's `Window`, `TimeWindow` and `GlobalWindow`: a window is
 * a bucket of elements with a largest timestamp at which it may fire.
 */

/**
 * The largest timestamp: the `maxTimestamp()` of the global window and the
 * "never" of cleanup times (Flink's `Long.MAX_VALUE`). The end-of-input
 * watermark (+∞) still passes it.
 */
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

/** A grouping of elements into a finite bucket. */
export abstract class Window {
  /** The largest timestamp that still belongs to this window. */
  abstract maxTimestamp(): number;
  /** Value equality: windows are compared as values, never by identity. */
  abstract equals(other: unknown): boolean;
}

/** A window covering the time interval `[start, end)`. */
export class TimeWindow extends Window {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {
    super();
  }

  /** The first timestamp of the window (inclusive). */
  getStart(): number {
    return this.start;
  }

  /** The end of the window (exclusive). */
  getEnd(): number {
    return this.end;
  }

  /** `end - 1`: the last timestamp inside the window. */
  maxTimestamp(): number {
    return this.end - 1;
  }

  equals(other: unknown): boolean {
    return other instanceof TimeWindow && other.start === this.start && other.end === this.end;
  }

  /** Whether the two windows overlap or touch (Flink merges adjacent session windows too). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window containing both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  override toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  /**
   * The start of the window of size `windowSize` (aligned to `offset`) that
   * contains `timestamp`: `timestamp - ((timestamp - offset) mod windowSize)`,
   * with the remainder taken non-negative so negative timestamps work too.
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }

  /**
   * Merges overlapping windows, as Flink's `TimeWindow.mergeWindows`: sorted
   * by start, each run of intersecting windows becomes their cover, and
   * `callback(toBeMerged, mergeResult)` is called for every run of more than
   * one distinct window.
   */
  static mergeWindows(windows: Iterable<TimeWindow>, callback: MergeCallback<TimeWindow>): void {
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    let current: { result: TimeWindow; members: TimeWindow[] } | undefined;
    const runs: { result: TimeWindow; members: TimeWindow[] }[] = [];
    for (const candidate of sorted) {
      if (current === undefined) {
        current = { result: candidate, members: [candidate] };
      } else if (current.result.intersects(candidate)) {
        current.result = current.result.cover(candidate);
        if (!current.members.some((m) => m.equals(candidate))) current.members.push(candidate);
      } else {
        runs.push(current);
        current = { result: candidate, members: [candidate] };
      }
    }
    if (current !== undefined) runs.push(current);
    for (const run of runs) {
      if (run.members.length > 1) callback.merge(run.members, run.result);
    }
  }
}

/** Receives the result of merging windows. */
export interface MergeCallback<W> {
  /** `toBeMerged` (distinct windows) become `mergeResult`. */
  merge(toBeMerged: readonly W[], mergeResult: W): void;
}

/** The single window that holds all elements (of a key). */
export class GlobalWindow extends Window {
  private static readonly INSTANCE = new GlobalWindow();

  private constructor() {
    super();
  }

  /** The global window (a singleton). */
  static get(): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }

  maxTimestamp(): number {
    return MAX_TIMESTAMP;
  }

  equals(other: unknown): boolean {
    return other instanceof GlobalWindow;
  }

  override toString(): string {
    return 'GlobalWindow';
  }
}
