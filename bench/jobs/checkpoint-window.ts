// The checkpoint benchmark's window job (bench/checkpoints.js): the sequence
// 0..records-1 → {key: v % keys, value, ts} with a synthetic event time that
// advances one millisecond every `rate` records → keyBy(key) → tumbling
// event-time windows of `window` ms → count and sum per key and window →
// discard. With the defaults (1 M keys, 200 records per ms, 10 s windows)
// every window holds every key twice, so the keyed state is 1 M accumulators
// and 1 M timers from the first window on. Checkpointing and the state
// backend come from `-D` options, so the same file runs with and without
// them. Run at parallelism 1: the event time is derived from the value, so
// it is monotonous only within one source subtask.
import { defineJob, DiscardingSink, TumblingEventTimeWindows, WatermarkStrategy, type AggregateFunction, type Collector, type TimeWindow } from 'flinkts';

export interface Reading {
  key: number;
  value: number;
  ts: number;
}

export interface CountSum {
  count: number;
  sum: number;
}

export interface WindowResult extends CountSum {
  key: number;
  end: number;
}

const BASE = 1_767_225_600_000;

const countSum: AggregateFunction<Reading, CountSum, CountSum> = {
  createAccumulator: () => ({ count: 0, sum: 0 }),
  add: (r, acc) => ({ count: acc.count + 1, sum: acc.sum + r.value }),
  getResult: (acc) => acc,
  merge: (a, b) => ({ count: a.count + b.count, sum: a.sum + b.sum }),
};

export default defineJob((env, params) => {
  const records = params.getInt('records');
  const keys = params.getInt('keys', 1_000_000);
  const rate = params.getInt('rate', 200);
  const windowMs = params.getInt('window', 10_000);
  env
    .fromSequence(0, records - 1)
    .map((v): Reading => ({ key: v % keys, value: v & 1023, ts: BASE + Math.floor(v / rate) }))
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Reading>().withTimestampAssigner((r) => r.ts))
    .keyBy((r) => r.key)
    .window(TumblingEventTimeWindows.of(windowMs))
    .aggregate(countSum, (key: number, window: TimeWindow, results: Iterable<CountSum>, out: Collector<WindowResult>) => {
      for (const r of results) out.collect({ key, end: window.getEnd(), count: r.count, sum: r.sum });
    })
    .addSink(new DiscardingSink());
});
