// What every Nexmark query job shares: the generator flags (--events N --rate R
// --base-time T --seed S ...), --parallelism P and --output FILE.
//   npx flinkts run examples/nexmark/q5.ts -- --events 1000000 --output q5.jsonl
// Without --output the results go to a DiscardingSink, so benchmarks measure
// the engine rather than printing. With it, every result object is one JSON
// line: one file at parallelism 1, a directory of files (one per subtask) otherwise.
import {
  defineJob,
  DiscardingSink,
  nexmarkEvents,
  type AggregateFunction,
  type AuctionEvent,
  type BidEvent,
  type DataStream,
  type JobDefinition,
  type NexmarkEvent,
  type PersonEvent,
  type ParameterTool,
  type StreamExecutionEnvironment,
} from 'flinkts';

/**
 * Describes a query over the Nexmark event stream; returns the result rows
 * (generic because `DataStream<T>` is invariant: a stream of a row type is
 * not a `DataStream<object>`).
 */
export type NexmarkQueryBuilder<T extends object = object> = (events: DataStream<NexmarkEvent>, env: StreamExecutionEnvironment, params: ParameterTool) => DataStream<T>;

/**
 * A Nexmark query as a job named `nexmark-<name>`: applies `--parallelism`,
 * creates the events from the generator flags, lets `build` describe the
 * query, and sinks its rows (JSON lines to `--output`, else discarded).
 */
export function nexmarkJob<T extends object>(name: string, build: NexmarkQueryBuilder<T>): JobDefinition {
  return defineJob((env, params) => {
    if (params.has('parallelism')) env.setParallelism(params.getInt('parallelism'));
    env.execute(`nexmark-${name}`);
    const rows = build(nexmarkEvents(env, params), env, params);
    const output = params.has('output') ? params.getRequired('output') : undefined;
    if (output === undefined) rows.addSink(new DiscardingSink<T>()).name('DiscardingSink');
    else rows.writeAsText(output, 'OVERWRITE').name(`JSON lines: ${output}`);
  });
}

/** The bids of the event stream. */
export function bids(events: DataStream<NexmarkEvent>): DataStream<BidEvent> {
  return events.filter((event) => event.type === 'bid').name('Filter bids') as DataStream<NexmarkEvent> as DataStream<BidEvent>;
}

/** The auctions of the event stream. */
export function auctions(events: DataStream<NexmarkEvent>): DataStream<AuctionEvent> {
  return events.filter((event) => event.type === 'auction').name('Filter auctions') as DataStream<NexmarkEvent> as DataStream<AuctionEvent>;
}

/** The people of the event stream. */
export function persons(events: DataStream<NexmarkEvent>): DataStream<PersonEvent> {
  return events.filter((event) => event.type === 'person').name('Filter persons') as DataStream<NexmarkEvent> as DataStream<PersonEvent>;
}

/** `0.908 * price` (dollars to euros) as the double nearest to the exact decimal, as Flink's DECIMAL(23, 3) would hold it. */
export function toEuros(price: number): number {
  return (price * 908) / 1000;
}

/** The start of the tumbling window of `size` ms holding `timestamp` (windows aligned to the epoch, as TumblingEventTimeWindows). */
export function windowStart(timestamp: number, size: number): number {
  return timestamp - (((timestamp % size) + size) % size);
}

/** `count(*)` as an incremental window aggregate. */
export const COUNT: AggregateFunction<unknown, number, number> = {
  createAccumulator: () => 0,
  add: (_value, count) => count + 1,
  getResult: (count) => count,
  merge: (a, b) => a + b,
};
