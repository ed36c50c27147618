/**
 * Window functions through the window operator: reduce / aggregate alone and
 * with a window function, apply, process with its context (window, time,
 * per-window and global state, side outputs, clear), field aggregations,
 * windowAll, and evictors around the function. Expected outputs are worked
 * out by hand above each expectation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../../../src/api/functions.js';
import { OutputTag } from '../../../../src/api/output-tag.js';
import { ValueStateDescriptor, type AggregateFunction } from '../../../../src/api/state.js';
import { GlobalWindows, TumblingEventTimeWindows } from '../../../../src/api/windowing/assigners.js';
import { CountEvictor, DeltaEvictor, TimeEvictor } from '../../../../src/api/windowing/evictors.js';
import {
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  RichWindowFunction,
  type ProcessAllWindowFunctionContext,
  type ProcessWindowFunctionContext,
} from '../../../../src/api/windowing/functions.js';
import { EventTimeSessionWindows } from '../../../../src/api/windowing/session-windows.js';
import { CountTrigger } from '../../../../src/api/windowing/triggers.js';
import type { TimeWindow, Window } from '../../../../src/api/windowing/windows.js';
import { allSpecOf, BACKENDS, disposeHarnesses, specOf, useBackend, WindowHarness } from './harness.js';
import { rec, windowText, type Rec } from './helpers.js';

const sumV = (a: Rec, b: Rec): Rec => ({ key: a.key, v: a.v + b.v });

/** Average of v: accumulator [sum, count]. */
const average: AggregateFunction<Rec, [number, number], number> = {
  createAccumulator: () => [0, 0],
  add: (r, [sum, count]) => [sum + r.v, count + 1],
  getResult: ([sum, count]) => sum / count,
  merge: ([s1, c1], [s2, c2]) => [s1 + s2, c1 + c2],
};

/** Emits `key window wm=… ts=…: elements` from its context. */
class Describe<IN> extends ProcessWindowFunction<IN, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowFunctionContext<string, TimeWindow>, elements: Iterable<IN>, out: Collector<string>): void {
    const values = [...elements].map((e) => (typeof e === 'object' ? (e as Rec).v : e));
    out.collect(`${key}/${String(ctx.getCurrentKey())} ${windowText(ctx.window())} wm=${ctx.currentWatermark()} ts=${ctx.timestamp()}: ${values.join(',')}`);
  }
}

function feed(h: WindowHarness, events: [string, number, number][]): WindowHarness {
  for (const [key, v, ts] of events) h.element(rec(key, v), ts);
  return h;
}

const EVENTS: [string, number, number][] = [['a', 1, 1], ['b', 10, 2], ['a', 2, 3], ['a', 6, 12], ['b', 20, 15]];

describe.each(BACKENDS)('%s backend', (backend) => {
  beforeEach(() => useBackend(backend));
  afterEach(async () => {
    await disposeHarnesses();
    useBackend('hashmap');
  });

  describe('incremental functions', () => {
    it('reduce(fn): one result per window, stamped with maxTimestamp', async () => {
      const h = feed(await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.reduce(sumV))).open(), EVENTS).watermark(Number.POSITIVE_INFINITY);
      // [0,10): a 1+2, b 10; [10,20): a 6, b 20.
      expect(h.takeWithTimestamps()).toEqual([
        { value: rec('a', 3), timestamp: 9 },
        { value: rec('b', 10), timestamp: 9 },
        { value: rec('a', 6), timestamp: 19 },
        { value: rec('b', 20), timestamp: 19 },
      ]);
    });

    it('reduce(fn, processWindowFunction): the function sees the one reduced value and its context', async () => {
      const h = feed(await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.reduce(sumV, new Describe<Rec>()))).open(), EVENTS);
      h.watermark(10);
      expect(h.take()).toEqual(['a/a [0,10) wm=10 ts=9: 3', 'b/b [0,10) wm=10 ts=9: 10']);
    });

    it('reduce(fn, windowFunction) with a plain function', async () => {
      const spec = specOf(TumblingEventTimeWindows.of(10), (s) =>
        s.reduce(sumV, (key: string, w: Window, input: Iterable<Rec>, out: Collector<string>) => out.collect(`${key}${windowText(w)}=${[...input][0]!.v}`)),
      );
      const h = feed(await new WindowHarness(spec).open(), EVENTS).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual(['a[0,10)=3', 'b[0,10)=10', 'a[10,20)=6', 'b[10,20)=20']);
    });

    it('aggregate(fn) and aggregate(fn, windowFunction)', async () => {
      const alone = feed(await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.aggregate(average))).open(), EVENTS).watermark(Number.POSITIVE_INFINITY);
      // a [0,10): (1 + 2) / 2.
      expect(alone.take()).toEqual([1.5, 10, 6, 20]);
      const withFn = feed(await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.aggregate(average, new Describe<number>()))).open(), EVENTS);
      withFn.watermark(Number.POSITIVE_INFINITY);
      expect(withFn.take()).toEqual([
        'a/a [0,10) wm=Infinity ts=9: 1.5',
        'b/b [0,10) wm=Infinity ts=9: 10',
        'a/a [10,20) wm=Infinity ts=19: 6',
        'b/b [10,20) wm=Infinity ts=19: 20',
      ]);
    });

    it('aggregate merges accumulators when sessions merge', async () => {
      const h = await new WindowHarness(specOf(EventTimeSessionWindows.withGap(5), (s) => s.aggregate(average))).open();
      // 0 → [0,5), 10 → [10,15), 4 → [4,9) joins [0,5): acc (0+4, 2); 7 → [7,12) bridges [0,9) and [10,15): (4 + 10 + 7) / 4.
      feed(h, [['a', 0, 0], ['a', 10, 10], ['a', 4, 4], ['a', 7, 7]]).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual([21 / 4]);
    });

    // Tuples (key, value, seq): sum/min/max keep the other fields of the window's first element; minBy/maxBy return whole elements.
    const tuples: [string, number, number][] = [['a', 5, 0], ['a', 2, 1], ['a', 7, 2], ['a', 2, 3]];
    const fieldCases: [string, (s: any) => any, unknown][] = [
      ['sum(1)', (s) => s.sum(1), ['a', 16, 0]],
      ['min(1)', (s) => s.min(1), ['a', 2, 0]],
      ['max(1)', (s) => s.max(1), ['a', 7, 0]],
      ['minBy(1): the first of equals', (s) => s.minBy(1), ['a', 2, 1]],
      ['minBy(1, false): the last of equals', (s) => s.minBy(1, false), ['a', 2, 3]],
      ['maxBy(1)', (s) => s.maxBy(1), ['a', 7, 2]],
    ];
    it.each(fieldCases)('%s on a window', async (_name, apply, expected) => {
      const h = await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), apply), { key: (t: [string]) => t[0] }).open();
      for (const t of tuples) h.element(t, 1);
      h.watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual([expected]);
    });

    it('sum on an object field; a missing field fails naming the aggregation and the record', async () => {
      const h = await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.sum('v'))).open();
      feed(h, [['a', 1, 1], ['a', 2, 2]]).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual([rec('a', 3)]);
      const g = await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.sum('v'))).open();
      g.element(rec('b', 1), 20);
      expect(() => g.element({ key: 'b', w: 1 }, 21)).toThrow('sum("v"): the field is missing in record {"key":"b","w":1}');
    });
  });

  class Counting extends RichWindowFunction<Rec, string, string, TimeWindow> {
    opened = false;

    override open(): void {
      this.opened = true;
    }

    apply(key: string, window: TimeWindow, input: Iterable<Rec>, out: Collector<string>): void {
      out.collect(`${key} ${windowText(window)} opened=${this.opened} n=${[...input].length}`);
    }
  }

  /** Counts firings per window (window state) and per key (global state); reports in a side output; clears its window state. */
  class Stateful extends ProcessWindowFunction<Rec, string, string, TimeWindow> {
    static readonly cleared: string[] = [];
    private readonly firings = new ValueStateDescriptor<number>('firings');
    private readonly total = new ValueStateDescriptor<number>('total');

    process(key: string, ctx: ProcessWindowFunctionContext<string, TimeWindow>, elements: Iterable<Rec>, out: Collector<string>): void {
      const firings = ctx.windowState().getState(this.firings);
      firings.update((firings.value() ?? 0) + 1);
      const total = ctx.globalState().getState(this.total);
      total.update((total.value() ?? 0) + 1);
      out.collect(`${key} ${windowText(ctx.window())} firing ${firings.value()} of window, ${total.value()} of key: ${[...elements].map((e) => e.v).join(',')}`);
      ctx.output(SIDE, `${key}:${firings.value()}`);
    }

    override clear(ctx: ProcessWindowFunctionContext<string, TimeWindow>): void {
      Stateful.cleared.push(`${String(ctx.getCurrentKey())} ${windowText(ctx.window())} had ${ctx.windowState().getState(this.firings).value()}`);
      ctx.windowState().getState(this.firings).clear();
    }
  }
  const SIDE = new OutputTag<string>('firings');

  describe('apply and process', () => {
    it('apply(RichWindowFunction): opened before use, sees every element', async () => {
      const h = feed(await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.apply(new Counting()))).open(), EVENTS).watermark(9);
      expect(h.take()).toEqual(['a [0,10) opened=true n=2', 'b [0,10) opened=true n=1']);
    });

    it('process: per-window state lives until cleanup (late firings see it), global state across windows, side outputs, clear()', async () => {
      Stateful.cleared.length = 0;
      const h = await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.allowedLateness(10).process(new Stateful()))).open();
      // [0,10) fires at wm 9, again for the late a@5; [10,20) fires at wm 19; cleanups at 19 and 29.
      h.element(rec('a', 1), 1).watermark(9).element(rec('a', 5), 5).element(rec('a', 12), 12).watermark(19).watermark(29);
      expect(h.take()).toEqual([
        'a [0,10) firing 1 of window, 1 of key: 1',
        'a [0,10) firing 2 of window, 2 of key: 1,5',
        'a [10,20) firing 1 of window, 3 of key: 12',
      ]);
      expect(h.side.get('firings')).toEqual([
        { value: 'a:1', timestamp: 9 },
        { value: 'a:2', timestamp: 9 },
        { value: 'a:1', timestamp: 19 },
      ]);
      expect(Stateful.cleared).toEqual(['a [0,10) had 2', 'a [10,20) had 1']);
      // Only the global state of the key is left.
      expect(h.entriesOf('firings')).toBe(0);
      expect(h.entriesOf('total')).toBe(1);
    });

    it('per-window state is refused with merging windows, naming the operator', async () => {
      const h = await new WindowHarness(specOf(EventTimeSessionWindows.withGap(10), (s) => s.process(new Stateful()))).open();
      h.element(rec('a', 1), 1);
      expect(() => h.watermark(Number.POSITIVE_INFINITY)).toThrow('Window(test): per-window state (windowState()) is not available with merging (session) windows');
    });
  });

  class AllDescribe extends ProcessAllWindowFunction<Rec, string, TimeWindow> {
    process(ctx: ProcessAllWindowFunctionContext<TimeWindow>, elements: Iterable<Rec>, out: Collector<string>): void {
      out.collect(`${windowText(ctx.window())}: ${[...elements].map((e) => `${e.key}${e.v}`).join(',')}`);
    }
  }

  describe('windowAll', () => {
    it('ProcessAllWindowFunction and AllWindowFunction get no key; all elements share one window', async () => {
      const h = feed(await new WindowHarness(allSpecOf(TumblingEventTimeWindows.of(10), (s) => s.process(new AllDescribe())), { key: () => 0 }).open(), EVENTS);
      h.watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual(['[0,10): a1,b10,a2', '[10,20): a6,b20']);
      const spec = allSpecOf(TumblingEventTimeWindows.of(10), (s) => s.apply((w: Window, values: Iterable<Rec>, out: Collector<number>) => out.collect([...values].length)));
      const g = feed(await new WindowHarness(spec, { key: () => 0 }).open(), EVENTS).watermark(Number.POSITIVE_INFINITY);
      expect(g.take()).toEqual([3, 2]);
    });
  });

  describe('evictors around the function', () => {
    it('TimeEvictor before a reduce: the reduce runs over what is left', async () => {
      const spec = specOf(TumblingEventTimeWindows.of(100), (s) => s.evictor(TimeEvictor.of(10)).reduce(sumV));
      // Max timestamp 30, cutoff 20: elements at 5 and 20 go; 25 and 30 stay → 3 + 4.
      const h = feed(await new WindowHarness(spec).open(), [['a', 1, 5], ['a', 2, 20], ['a', 3, 25], ['a', 4, 30]]).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual([rec('a', 7)]);
    });

    it('CountEvictor after the function with a count trigger: each firing sees everything so far, then keeps the last 2', async () => {
      const spec = specOf(GlobalWindows.create(), (s) => s.trigger(CountTrigger.of(2)).evictor(CountEvictor.of(2, true)).apply((k: string, w: Window, input: Iterable<Rec>, out: Collector<string>) => out.collect([...input].map((r) => r.v).join(','))));
      const h = await new WindowHarness(spec).open();
      for (let v = 1; v <= 6; v++) h.element(rec('a', v));
      // After 2: sees 1,2 keeps 1,2; after 4: sees 1,2,3,4 keeps 3,4; after 6: sees 3,4,5,6.
      expect(h.take()).toEqual(['1,2', '1,2,3,4', '3,4,5,6']);
    });

    it('DeltaEvictor before an aggregate', async () => {
      const spec = specOf(TumblingEventTimeWindows.of(100), (s) => s.evictor(DeltaEvictor.of<Rec>(5, (a, b) => Math.abs(a.v - b.v))).aggregate(average));
      // Last element 10: deltas 9, 6, 2, 0 → 1 and 4 go (≥ 5); average of 8 and 10.
      const h = feed(await new WindowHarness(spec).open(), [['a', 1, 1], ['a', 4, 2], ['a', 8, 3], ['a', 10, 4]]).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual([9]);
    });

    it('an evictor works with merging windows', async () => {
      const spec = specOf(EventTimeSessionWindows.withGap(10), (s) => s.evictor(CountEvictor.of(2)).reduce(sumV));
      // 1, 5, 9 form one session [1,19); the evictor keeps the last two: 5 + 9.
      const h = feed(await new WindowHarness(spec).open(), [['a', 1, 1], ['a', 9, 9], ['a', 5, 5]]).watermark(Number.POSITIVE_INFINITY);
      expect(h.take()).toEqual([rec('a', 14)]);
    });
  });
});
