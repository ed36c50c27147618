/** Records and window functions shared by the window operator tests. */
import type { Collector } from '../../../../src/api/functions.js';
import type { WindowFunction } from '../../../../src/api/windowing/functions.js';
import { GlobalWindow, TimeWindow, type Window } from '../../../../src/api/windowing/windows.js';
import type { WindowHarness } from './harness.js';

/** A test record: a key and a value. */
export interface Rec {
  key: string;
  v: number;
}

export const rec = (key: string, v: number): Rec => ({ key, v });

/** `[start,end)` or `global`. */
export function windowText(window: Window): string {
  if (window instanceof TimeWindow) return `[${window.getStart()},${window.getEnd()})`;
  return window instanceof GlobalWindow ? 'global' : String(window);
}

/** Emits `key window: v1,v2,...` for every firing. */
export const describeWindow: WindowFunction<Rec, string, string, Window> = (key: string, window: Window, input: Iterable<Rec>, out: Collector<string>) => {
  out.collect(`${key} ${windowText(window)}: ${[...input].map((r) => r.v).join(',')}`);
};

/**
 * Feeds `[key, value, timestamp]` events, each followed by the watermark a
 * bounded-out-of-orderness generator with `bound` would have emitted by then
 * (max timestamp − bound − 1, as Flink's), when it advanced.
 */
export function feedWithBound(h: WindowHarness, events: [string, number, number][], bound: number): void {
  let max = Number.NEGATIVE_INFINITY;
  let watermark = Number.NEGATIVE_INFINITY;
  for (const [key, v, ts] of events) {
    h.element(rec(key, v), ts);
    max = Math.max(max, ts);
    if (max - bound - 1 > watermark) {
      watermark = max - bound - 1;
      h.watermark(watermark);
    }
  }
}
