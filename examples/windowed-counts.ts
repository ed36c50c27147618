// Event time and windows: clicks per user in 10-second tumbling windows,
// with out-of-order clicks up to 2 s, 5 s of allowed lateness (late clicks
// update their window), and clicks later than that on a side output.
//   npx flinkts run examples/windowed-counts.ts
import {
  defineJob,
  OutputTag,
  ProcessWindowFunction,
  Time,
  TumblingEventTimeWindows,
  Watermark,
  WatermarkStrategy,
  type Collector,
  type ProcessWindowFunctionContext,
  type TimeWindow,
  type WatermarkGenerator,
  type WatermarkOutput,
} from 'flinkts';

interface Click {
  user: string;
  ts: number;
}

const LATE = new OutputTag<Click>('late-clicks');
const BOUND_MS = 2000;

// (user, event time in seconds) in arrival order. With a watermark of
// max time − 2 s after every click: ana@8 is out of order but its window
// has only just fired, so it fires again (lateness); bo@3 and bo@5 arrive
// after [0 s, 10 s) was cleaned up (watermark past 15 s): side output.
const CLICKS: [string, number][] = [
  ['ana', 1], ['bo', 2], ['ana', 4], ['ana', 9], ['bo', 12], ['ana', 8],
  ['ana', 15], ['bo', 19], ['ana', 23], ['bo', 3], ['ana', 31], ['bo', 5],
];

/** Punctuated watermarks (one after every click), so the output does not depend on timing. */
class EveryClick implements WatermarkGenerator<Click> {
  private max = Number.NEGATIVE_INFINITY;

  onEvent(_click: Click, timestamp: number, output: WatermarkOutput): void {
    this.max = Math.max(this.max, timestamp);
    output.emitWatermark(new Watermark(this.max - BOUND_MS - 1));
  }

  onPeriodicEmit(): void {}
}

class CountClicks extends ProcessWindowFunction<Click, string, string, TimeWindow> {
  process(user: string, ctx: ProcessWindowFunctionContext<string, TimeWindow>, clicks: Iterable<Click>, out: Collector<string>): void {
    const window = ctx.window();
    out.collect(`${user}: ${[...clicks].length} clicks in [${window.getStart() / 1000} s, ${window.getEnd() / 1000} s)`);
  }
}

export default defineJob((env) => {
  const counts = env
    .fromCollection(CLICKS.map(([user, seconds]): Click => ({ user, ts: seconds * 1000 })))
    .assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator(() => new EveryClick()).withTimestampAssigner((click) => click.ts))
    .keyBy((click) => click.user)
    .window(TumblingEventTimeWindows.of(Time.seconds(10)))
    .allowedLateness(Time.seconds(5))
    .sideOutputLateData(LATE)
    .process(new CountClicks());
  counts.print();
  counts.getSideOutput(LATE).map((click) => `too late: ${click.user}@${click.ts / 1000} s`).printToErr();
});
