/**
 * Window assigners: which windows each timestamp lands in, worked out by hand
 * from Flink's definition (start = ts − ((ts − offset) mod size), the mod
 * taken non-negative; end exclusive; maxTimestamp = end − 1).
 */
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { Time } from '../../../../src/api/time.js';
import {
  GlobalWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from '../../../../src/api/windowing/assigners.js';
import { EventTimeSessionWindows, ProcessingTimeSessionWindows } from '../../../../src/api/windowing/session-windows.js';
import { EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger } from '../../../../src/api/windowing/triggers.js';
import { GlobalWindow, MAX_TIMESTAMP, TimeWindow } from '../../../../src/api/windowing/windows.js';

const clock = (now: number) => ({ getCurrentProcessingTime: () => now });
const spans = (windows: readonly TimeWindow[]) => windows.map((w) => [w.getStart(), w.getEnd()]);

describe('TimeWindow.getWindowStartWithOffset', () => {
  // [timestamp, offset, size, start]
  const cases: [number, number, number, number][] = [
    [0, 0, 10, 0],
    [9, 0, 10, 0],
    [10, 0, 10, 10],
    [15, 3, 10, 13],
    [12, 3, 10, 3],
    [-1, 0, 10, -10], // (−1 − 0) mod 10 = 9 → −1 − 9
    [-10, 0, 10, -10],
    [-11, 0, 10, -20], // the old formula (ts − offset + size) % size gives −11 − (−1) = −10: wrong
    [-25, 0, 10, -30],
    [-3, -4, 10, -4], // (−3 + 4) mod 10 = 1
    [5, -4, 10, -4], // (5 + 4) mod 10 = 9
    [1_767_225_600_123, 0, 1000, 1_767_225_600_000],
  ];
  it.each(cases)('ts %i, offset %i, size %i → %i', (ts, offset, size, start) => {
    expect(TimeWindow.getWindowStartWithOffset(ts, offset, size)).toBe(start);
  });
});

describe('TimeWindow', () => {
  it('end is exclusive and maxTimestamp = end − 1', () => {
    const w = new TimeWindow(10, 20);
    expect([w.getStart(), w.getEnd(), w.maxTimestamp()]).toEqual([10, 20, 19]);
    expect(w.equals(new TimeWindow(10, 20))).toBe(true);
    expect(w.equals(new TimeWindow(10, 21))).toBe(false);
  });

  it('merges overlapping and touching windows, sorted by start (Flink: start ≤ other.end && end ≥ other.start)', () => {
    const merges: [number[], number[][]][] = [];
    const windows = [new TimeWindow(20, 30), new TimeWindow(0, 10), new TimeWindow(5, 12), new TimeWindow(12, 15), new TimeWindow(40, 50), new TimeWindow(0, 10)];
    TimeWindow.mergeWindows(windows, { merge: (toBeMerged, result) => merges.push([[result.start, result.end], spans(toBeMerged)]) });
    // [0,10), [5,12) overlap; [12,15) touches [5,12); [20,30) and [40,50) stand alone; the duplicate [0,10) counts once.
    expect(merges).toEqual([[[0, 15], [[0, 10], [5, 12], [12, 15]]]]);
  });
});

describe('tumbling windows', () => {
  // [size, offset, timestamp, [start, end]]
  const cases: [number, number, number, [number, number]][] = [
    [10, 0, 0, [0, 10]],
    [10, 0, 9, [0, 10]],
    [10, 0, 10, [10, 20]],
    [10, 0, -1, [-10, 0]],
    [10, 0, -11, [-20, -10]],
    [10, 3, 2, [-7, 3]],
    [10, 3, 3, [3, 13]],
    [10, -3, 7, [7, 17]],
    // Days in UTC+8 (offset −8 h): 2026-01-01T00:00:00.005Z lies in the day that began 2025-12-31T16:00Z.
    [86_400_000, -8 * 3_600_000, 1_767_225_600_005, [1_767_196_800_000, 1_767_283_200_000]],
  ];
  it.each(cases)('event time: size %i, offset %i, ts %i → %j', (size, offset, ts, span) => {
    expect(spans(TumblingEventTimeWindows.of(size, offset).assignWindows(null, ts, clock(0)) as TimeWindow[])).toEqual([span]);
  });

  it.each(cases)('processing time: size %i, offset %i, now %i → %j', (size, offset, now, span) => {
    expect(spans(TumblingProcessingTimeWindows.of(size, offset).assignWindows(null, undefined, clock(now)) as TimeWindow[])).toEqual([span]);
  });

  it('accepts Time and plain milliseconds alike', () => {
    const a = TumblingEventTimeWindows.of(Time.seconds(5), Time.milliseconds(100));
    const b = TumblingEventTimeWindows.of(5000, 100);
    expect(spans(a.assignWindows(null, 12_345, clock(0)) as TimeWindow[])).toEqual(spans(b.assignWindows(null, 12_345, clock(0)) as TimeWindow[]));
    expect(String(a)).toBe('TumblingEventTimeWindows(5000)');
  });

  it('defaults: event time fires on the watermark, processing time on the clock', () => {
    expect(TumblingEventTimeWindows.of(10).getDefaultTrigger()).toBe(EventTimeTrigger.create());
    expect(TumblingEventTimeWindows.of(10).isEventTime()).toBe(true);
    expect(TumblingProcessingTimeWindows.of(10).getDefaultTrigger()).toBe(ProcessingTimeTrigger.create());
    expect(TumblingProcessingTimeWindows.of(10).isEventTime()).toBe(false);
  });

  it('an event-time assigner refuses a record without timestamp, saying what to add', () => {
    expect(() => TumblingEventTimeWindows.of(10).assignWindows(null, undefined, clock(0))).toThrow(/no timestamp.*assignTimestampsAndWatermarks/);
  });
});

describe('sliding windows', () => {
  // [size, slide, offset, timestamp, windows latest first]
  const cases: [number, number, number, number, [number, number][]][] = [
    [10, 5, 0, 0, [[0, 10], [-5, 5]]],
    [10, 5, 0, 7, [[5, 15], [0, 10]]],
    [10, 5, 0, 10, [[10, 20], [5, 15]]],
    [10, 3, 0, 7, [[6, 16], [3, 13], [0, 10]]], // starts 6, 3, 0 (> 7 − 10); −3 is not
    [10, 3, 1, 7, [[7, 17], [4, 14], [1, 11], [-2, 8]]], // starts 7, 4, 1, −2 (> −3)
    [5, 10, 0, 3, [[0, 5]]], // hopping with gaps: the element is in one window
    [5, 10, 0, 7, []], // ... or in none
    [10, 5, 0, -3, [[-5, 5], [-10, 0]]],
  ];
  it.each(cases)('event time: size %i, slide %i, offset %i, ts %i → %j', (size, slide, offset, ts, expected) => {
    expect(spans(SlidingEventTimeWindows.of(size, slide, offset).assignWindows(null, ts) as TimeWindow[])).toEqual(expected);
  });

  it.each(cases)('processing time: size %i, slide %i, offset %i, now %i → %j', (size, slide, offset, now, expected) => {
    expect(spans(SlidingProcessingTimeWindows.of(size, slide, offset).assignWindows(null, undefined, clock(now)) as TimeWindow[])).toEqual(expected);
  });
});

describe('session and global windows', () => {
  it('a session element opens [ts, ts + gap)', () => {
    expect(spans(EventTimeSessionWindows.withGap(Time.seconds(3)).assignWindows(null, 1000) as TimeWindow[])).toEqual([[1000, 4000]]);
    expect(spans(ProcessingTimeSessionWindows.withGap(50).assignWindows(null, undefined, clock(7)) as TimeWindow[])).toEqual([[7, 57]]);
  });

  it('a dynamic gap comes from the element; a gap ≤ 0 fails naming the assigner', () => {
    const assigner = EventTimeSessionWindows.withDynamicGap<{ gap: number }>((e) => e.gap);
    expect(spans(assigner.assignWindows({ gap: 5 }, 10) as TimeWindow[])).toEqual([[10, 15]]);
    expect(() => assigner.assignWindows({ gap: 0 }, 10)).toThrow(/DynamicEventTimeSessionWindows\(\): the dynamic session gap must be a positive number/);
    const byObject = ProcessingTimeSessionWindows.withDynamicGap<number>({ extract: (e) => e * 2 });
    expect(spans(byObject.assignWindows(4, undefined, clock(100)) as TimeWindow[])).toEqual([[100, 108]]);
  });

  it('global windows: one window, never fires by default, maxTimestamp is the largest timestamp', () => {
    const assigner = GlobalWindows.create();
    expect(assigner.assignWindows()).toEqual([GlobalWindow.get()]);
    expect(assigner.getDefaultTrigger()).toBeInstanceOf(NeverTrigger);
    expect(GlobalWindow.get().maxTimestamp()).toBe(MAX_TIMESTAMP);
  });
});

describe('bad arguments fail when the job is defined, naming the call', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['tumbling size 0', () => TumblingEventTimeWindows.of(0), /^TumblingEventTimeWindows\.of\(0, 0\): the window size must be positive, got 0 ms$/],
    ['tumbling size < 0', () => TumblingProcessingTimeWindows.of(Time.seconds(-1)), /^TumblingProcessingTimeWindows\.of\(-1000, 0\): the window size must be positive/],
    ['tumbling offset = size', () => TumblingEventTimeWindows.of(10, 10), /^TumblingEventTimeWindows\.of\(10, 10\): the offset must satisfy -size < offset < size/],
    ['tumbling offset = −size', () => TumblingEventTimeWindows.of(10, -10), /offset must satisfy/],
    ['sliding size 0', () => SlidingEventTimeWindows.of(0, 5), /^SlidingEventTimeWindows\.of\(0, 5, 0\): the window size must be positive/],
    ['sliding slide 0', () => SlidingEventTimeWindows.of(10, 0), /^SlidingEventTimeWindows\.of\(10, 0, 0\): the slide must be positive/],
    ['sliding slide < 0', () => SlidingProcessingTimeWindows.of(10, -5), /the slide must be positive/],
    ['sliding offset ≥ slide', () => SlidingEventTimeWindows.of(10, 5, 5), /offset must satisfy -slide < offset < slide/],
    ['session gap 0', () => EventTimeSessionWindows.withGap(0), /^EventTimeSessionWindows\.withGap\(0\): the session gap must be positive/],
    ['session gap < 0', () => ProcessingTimeSessionWindows.withGap(Time.seconds(-2)), /^ProcessingTimeSessionWindows\.withGap\(-2000\): the session gap must be positive/],
    ['dynamic gap not a function', () => EventTimeSessionWindows.withDynamicGap(5 as never), /withDynamicGap: expected a gap extractor/],
    ['size not a number', () => TumblingEventTimeWindows.of('10' as never), /expected a duration/],
  ];
  it.each(cases)('%s', (_name, call, message) => {
    let error: unknown;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('JOB_DEFINITION');
    expect((error as Error).message).toMatch(message);
  });
});
