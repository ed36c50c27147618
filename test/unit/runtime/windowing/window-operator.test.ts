/**
 * The window operator driven directly (real keyed state backend and timer
 * service, a fake clock): each assigner, out-of-order input within and beyond
 * the bound, allowed lateness, the late-data side output, session merging,
 * count windows and processing time. Every expectation is worked out by hand
 * in the comment above it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputTag } from '../../../../src/api/output-tag.js';
import { GlobalWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, TumblingProcessingTimeWindows, SlidingProcessingTimeWindows } from '../../../../src/api/windowing/assigners.js';
import { EventTimeSessionWindows, ProcessingTimeSessionWindows } from '../../../../src/api/windowing/session-windows.js';
import { countWindowsOf } from '../../../../src/api/windowed-stream.js';
import { MAX_TIMESTAMP } from '../../../../src/api/windowing/windows.js';
import { BACKENDS, disposeHarnesses, specOf, useBackend, WindowHarness } from './harness.js';
import { describeWindow, feedWithBound, rec, type Rec } from './helpers.js';

describe.each(BACKENDS)('%s backend', (backend) => {
  beforeEach(() => useBackend(backend));
  afterEach(async () => {
    await disposeHarnesses();
    useBackend('hashmap');
  });

  describe('tumbling event-time windows', () => {
    it('fire when the watermark passes maxTimestamp; out-of-order input within the bound counts, beyond it is dropped', async () => {
      const h = await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.apply(describeWindow))).open();
      // Bound 3: the watermark is max − 4. a@12 → wm 8 (window [0,10) still open, maxTimestamp 9);
      // a@7 is out of order but within the bound; a@15 → wm 11 fires [0,10) for a (1,5,7) then b (3),
      // in timer registration order; a@4 then arrives beyond the bound: its window is gone, it is dropped.
      feedWithBound(h, [['a', 1, 1], ['a', 5, 5], ['b', 3, 3], ['a', 12, 12], ['a', 7, 7], ['a', 15, 15], ['a', 4, 4]], 3);
      expect(h.takeWithTimestamps()).toEqual([
        { value: 'a [0,10): 1,5,7', timestamp: 9 },
        { value: 'b [0,10): 3', timestamp: 9 },
      ]);
      expect(h.operator.lateRecordsDropped).toBe(1);
      // End of input: the maximum watermark fires the rest; the records carry maxTimestamp 19.
      h.watermark(Number.POSITIVE_INFINITY);
      expect(h.takeWithTimestamps()).toEqual([{ value: 'a [10,20): 12,15', timestamp: 19 }]);
      expect(h.keysWithState()).toBe(0);
      expect(h.timerService!.pending()).toEqual({ event: 0, processing: 0 });
      // The watermarks are forwarded after the timers they fired.
      expect(h.watermarks).toEqual([-3, 1, 8, 11, Number.POSITIVE_INFINITY]);
    });

    it('with an offset and negative timestamps', async () => {
      const h = await new WindowHarness(specOf(TumblingEventTimeWindows.of(10, 3), (s) => s.apply(describeWindow))).open();
      // Offset 3: windows [−17,−7), [−7,3), [3,13). −12 → [−17,−7); −7 and 2 → [−7,3); 3 → [3,13).
      h.element(rec('a', -12), -12).element(rec('a', -7), -7).element(rec('a', 2), 2).element(rec('a', 3), 3).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual(['a [-17,-7): -12', 'a [-7,3): -7,2', 'a [3,13): 3']);
    });
  });

  describe('allowed lateness', () => {
    it('late elements within the lateness fire the window again with everything so far; after cleanup they are late', async () => {
      const late = new OutputTag<Rec>('late');
      const spec = specOf(TumblingEventTimeWindows.of(10), (s) => s.allowedLateness(5).sideOutputLateData(late).apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      h.element(rec('a', 1), 1).element(rec('a', 3), 3).watermark(9);
      // wm 9 = maxTimestamp: the window fires once.
      expect(h.take()).toEqual(['a [0,10): 1,3']);
      // a@5 is late but within the lateness (cleanup at 9 + 5 = 14 > 9): EventTimeTrigger fires at once.
      h.element(rec('a', 5), 5);
      expect(h.take()).toEqual(['a [0,10): 1,3,5']);
      h.watermark(13).element(rec('a', 2), 2);
      expect(h.take()).toEqual(['a [0,10): 1,3,5,2']);
      // wm 14 reaches the cleanup time: the state goes, nothing fires.
      h.watermark(14);
      expect(h.take()).toEqual([]);
      expect(h.keysWithState()).toBe(0);
      // a@6 now: its window is past cleanup and 6 + 5 ≤ 14, so it is late: to the side output with its own timestamp.
      h.element(rec('a', 6), 6);
      expect(h.take()).toEqual([]);
      expect(h.side.get('late')).toEqual([{ value: rec('a', 6), timestamp: 6 }]);
      expect(h.operator.lateRecordsDropped).toBe(0);
    });

    it('a late element is side-output only when all its windows are late (sliding)', async () => {
      const late = new OutputTag<Rec>('late');
      const spec = specOf(SlidingEventTimeWindows.of(10, 5), (s) => s.sideOutputLateData(late).apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      h.watermark(9);
      // ts 8: windows [5,15) (open) and [0,10) (late: cleanup 9 ≤ 9) → counted in [5,15) only.
      // ts 3: windows [0,10) and [−5,5), both late → side output.
      h.element(rec('a', 8), 8).element(rec('a', 3), 3).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual(['a [5,15): 8']);
      expect(h.side.get('late')).toEqual([{ value: rec('a', 3), timestamp: 3 }]);
    });

    it('without a side output late elements are dropped and counted', async () => {
      const h = await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.apply(describeWindow))).open();
      h.watermark(20).element(rec('a', 1), 1).element(rec('a', 19), 19).element(rec('a', 25), 25).watermark(Number.POSITIVE_INFINITY);
      // [0,10) and [10,20) are past cleanup at wm 20 → 1 and 19 dropped; 25 fires in [20,30).
      expect(h.take()).toEqual(['a [20,30): 25']);
      expect(h.operator.lateRecordsDropped).toBe(2);
    });
  });

  describe('sliding event-time windows', () => {
    it('each element lands in size/slide windows; each window fires at its own maxTimestamp', async () => {
      const h = await new WindowHarness(specOf(SlidingEventTimeWindows.of(10, 5), (s) => s.apply(describeWindow))).open();
      // 1 → [0,10), [−5,5); 6 → [5,15), [0,10); 12 → [10,20), [5,15).
      // Timers in time order: [−5,5)@4, [0,10)@9, [5,15)@14, [10,20)@19.
      h.element(rec('a', 1), 1).element(rec('a', 6), 6).element(rec('a', 12), 12).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual(['a [-5,5): 1', 'a [0,10): 1,6', 'a [5,15): 6,12', 'a [10,20): 12']);
    });
  });

  describe('session windows', () => {
    it('a late event bridging two sessions merges them into one (within the bound)', async () => {
      const h = await new WindowHarness(specOf(EventTimeSessionWindows.withGap(10), (s) => s.apply(describeWindow))).open();
      // a@1 → [1,11); a@15 → [15,25) (wm 4 with bound 10); a@8 → [8,18) overlaps both → one session [1,25).
      // The merged contents keep the state window of [1,11): 1, then 15 merged in, then 8 added.
      feedWithBound(h, [['a', 1, 1], ['a', 15, 15], ['a', 8, 8]], 10);
      h.watermark(24);
      expect(h.take()).toEqual(['a [1,25): 1,15,8']);
      expect(h.keysWithState()).toBe(0);
    });

    it('with allowed lateness, a late event merges a fired session with the next, which then fires whole', async () => {
      const h = await new WindowHarness(specOf(EventTimeSessionWindows.withGap(10), (s) => s.allowedLateness(10).apply(describeWindow))).open();
      // [1,11) fires at wm 12; it stays until 10 + 10 = 20. a@8 (8 + 10 > 12: not late) → [8,18) bridges
      // [1,11) and [15,25) into [1,25), which fires at wm 24.
      h.element(rec('a', 1), 1).element(rec('a', 15), 15).watermark(12);
      expect(h.take()).toEqual(['a [1,11): 1']);
      h.element(rec('a', 8), 8).watermark(24);
      expect(h.take()).toEqual(['a [1,25): 1,15,8']);
      // Cleanup at 24 + 10 = 34 removes the window and the merging window set.
      h.watermark(34);
      expect(h.keysWithState()).toBe(0);
      expect(h.timerService!.pending()).toEqual({ event: 0, processing: 0 });
    });

    it('sessions of different keys and gaps stay apart; a dynamic gap comes from each element', async () => {
      const spec = specOf(EventTimeSessionWindows.withDynamicGap<Rec>((r) => (r.key === 'a' ? 5 : 20)), (s) => s.apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      // a: gap 5: 0 → [0,5), 4 → [4,9) merges → [0,9); 10 → [10,15) (9 < 10: apart).
      // b: gap 20: 0 → [0,20), 10 → [10,30) merges → [0,30).
      for (const [key, ts] of [['a', 0], ['b', 0], ['a', 4], ['a', 10], ['b', 10]] as const) h.element(rec(key, ts), ts);
      h.watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual(['a [0,9): 0,4', 'a [10,15): 10', 'b [0,30): 0,10']);
    });

    it('touching sessions merge (end == next start)', async () => {
      const h = await new WindowHarness(specOf(EventTimeSessionWindows.withGap(5), (s) => s.apply(describeWindow))).open();
      // [0,5) and [5,10) touch: Flink's intersects() is start ≤ other.end && end ≥ other.start.
      h.element(rec('a', 0), 0).element(rec('a', 5), 5).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual(['a [0,10): 0,5']);
    });
  });

  describe('global and count windows', () => {
    it('countWindow(3): fires and purges every 3 elements per key; a partial window never fires', async () => {
      const spec = specOf(GlobalWindows.create(), (s) => countWindowsOf(s, 'countWindow', 3, undefined).apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      for (let v = 1; v <= 7; v++) h.element(rec(v % 2 === 0 ? 'b' : 'a', v));
      h.watermark(Number.POSITIVE_INFINITY).finish();
      // a: 1,3,5 | 7 (partial); b: 2,4,6. The records carry the global window's maxTimestamp.
      expect(h.takeWithTimestamps()).toEqual([
        { value: 'a global: 1,3,5', timestamp: MAX_TIMESTAMP },
        { value: 'b global: 2,4,6', timestamp: MAX_TIMESTAMP },
      ]);
    });

    it('countWindow(3, 2): every 2 elements, the last 3', async () => {
      const spec = specOf(GlobalWindows.create(), (s) => countWindowsOf(s, 'countWindow', 3, 2).apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      for (let v = 1; v <= 7; v++) h.element(rec('a', v));
      // Fires after 2, 4, 6 elements; CountEvictor(3) keeps the last 3 before the function: [1,2], [2,3,4], [4,5,6].
      expect(h.take()).toEqual(['a global: 1,2', 'a global: 2,3,4', 'a global: 4,5,6']);
    });
  });

  describe('processing-time windows', () => {
    it('tumbling: fire when the clock passes maxTimestamp; the rest fires at the end of input', async () => {
      const h = await new WindowHarness(specOf(TumblingProcessingTimeWindows.of(10), (s) => s.apply(describeWindow)), { processingTime: 1 }).open();
      h.element(rec('a', 1)).processingTime(5).element(rec('a', 2)).element(rec('b', 3));
      h.processingTime(9);
      // Clock 9 = maxTimestamp of [0,10): a then b (timer order).
      expect(h.takeWithTimestamps()).toEqual([
        { value: 'a [0,10): 1,2', timestamp: 9 },
        { value: 'b [0,10): 3', timestamp: 9 },
      ]);
      h.processingTime(12).element(rec('a', 4)).finish();
      expect(h.take()).toEqual(['a [10,20): 4']);
      expect(h.keysWithState()).toBe(0);
    });

    it('sliding: windows by the clock at arrival', async () => {
      const h = await new WindowHarness(specOf(SlidingProcessingTimeWindows.of(10, 5), (s) => s.apply(describeWindow)), { processingTime: 7 }).open();
      // At clock 7: [5,15) and [0,10); at clock 11: [10,20) and [5,15).
      h.element(rec('a', 1)).processingTime(9);
      expect(h.take()).toEqual(['a [0,10): 1']);
      h.processingTime(11).element(rec('a', 2)).processingTime(30);
      expect(h.take()).toEqual(['a [5,15): 1,2', 'a [10,20): 2']);
    });

    it('sessions: merge while the gap is not over', async () => {
      const h = await new WindowHarness(specOf(ProcessingTimeSessionWindows.withGap(10), (s) => s.apply(describeWindow)), { processingTime: 0 }).open();
      // 0 → [0,10); 6 → [6,16) merges → [0,16), fires at 15; 20 → [20,30).
      h.element(rec('a', 1)).processingTime(6).element(rec('a', 2)).processingTime(15);
      expect(h.take()).toEqual(['a [0,16): 1,2']);
      h.processingTime(20).element(rec('a', 3)).finish();
      expect(h.take()).toEqual(['a [20,30): 3']);
    });
  });
});
