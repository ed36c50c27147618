// The window benchmark as a flinkts job: generate {key, ts} → event time
// (monotonous timestamps) → keyBy(key) → tumbling event-time windows →
// count per key and window → discard. Each parallel source subtask generates
// its share of the records at the same event-time pace (ts advances one ms
// every `rate` records of the whole job), so windows close at the same time
// whatever the parallelism; bench/windows.js runs the same aggregation as a
// hand-written loop.
import { AbstractRichFunction, defineJob, DiscardingSink, TumblingEventTimeWindows, WatermarkStrategy, type AggregateFunction, type Collector, type TimeWindow } from 'flinkts';

export interface Tick {
  key: number;
  ts: number;
}

export interface WindowCount {
  key: number;
  start: number;
  end: number;
  count: number;
}

const BASE = 1_767_225_600_000;

/** Turns the i-th number of a source subtask into an event; the event time is per subtask. */
class Generate extends AbstractRichFunction {
  private n = 0;
  private perMs = 1;

  constructor(
    private readonly keys: number,
    private readonly rate: number,
  ) {
    super();
  }

  override open(): void {
    this.perMs = this.rate / this.getRuntimeContext().getNumberOfParallelSubtasks();
  }

  map(i: number): Tick {
    return { key: i % this.keys, ts: BASE + Math.floor(this.n++ / this.perMs) };
  }
}

const count: AggregateFunction<Tick, number, number> = {
  createAccumulator: () => 0,
  add: (_tick, acc) => acc + 1,
  getResult: (acc) => acc,
  merge: (a, b) => a + b,
};

export default defineJob((env, params) => {
  const records = params.getInt('records');
  const keys = params.getInt('keys', 100_000);
  const rate = params.getInt('rate', 100);
  const windowMs = params.getInt('window', 10_000);
  env
    .fromSequence(0, records - 1)
    .map(new Generate(keys, rate))
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Tick>().withTimestampAssigner((t) => t.ts))
    .keyBy((t) => t.key)
    .window(TumblingEventTimeWindows.of(windowMs))
    .aggregate(count, (key: number, window: TimeWindow, counts: Iterable<number>, out: Collector<WindowCount>) => {
      for (const c of counts) out.collect({ key, start: window.getStart(), end: window.getEnd(), count: c });
    })
    .addSink(new DiscardingSink());
});
