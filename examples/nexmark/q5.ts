// Nexmark q5, hot items: for every sliding window of 10 s every 2 s, the
// auction(s) with the most bids, ties included:
//   SELECT AuctionBids.auction, AuctionBids.num
//   FROM (SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
//         FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
//         GROUP BY auction, window_start, window_end) AS AuctionBids
//   JOIN (SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
//         FROM (<the same count per auction and window>) AS CountBids
//         GROUP BY CountBids.starttime, CountBids.endtime) AS MaxBids
//   ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
//     AND AuctionBids.num >= MaxBids.maxn
//   npx flinkts run examples/nexmark/q5.ts -- --events 1000000 [--output q5.jsonl]
import {
  KeyedProcessFunction,
  SlidingEventTimeWindows,
  Time,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessFunctionContext,
  type OnTimerContext,
  type TimeWindow,
  type ValueState,
} from 'flinkts';
import { bids, COUNT, nexmarkJob } from './common.js';

/** The number of bids of one auction in the window ending at `end`. */
interface AuctionCount {
  readonly auction: number;
  readonly num: number;
  readonly end: number;
}

/** The most bids any auction has in one window so far, and the auctions with that many. */
interface Hottest {
  num: number;
  auctions: number[];
}

/**
 * Keyed by window end: keeps the auctions with the highest count of the
 * window, and emits them when the watermark passes the window (the counts
 * arrive stamped with the window's max timestamp, before that watermark).
 */
class HottestAuctions extends KeyedProcessFunction<number, AuctionCount, { auction: number; num: number }> {
  private hottest!: ValueState<Hottest>;

  override open(): void {
    this.hottest = this.getRuntimeContext().getState(new ValueStateDescriptor<Hottest>('hottest'));
  }

  processElement(count: AuctionCount, ctx: KeyedProcessFunctionContext<number>): void {
    const hottest = this.hottest.value();
    if (hottest === undefined) {
      this.hottest.update({ num: count.num, auctions: [count.auction] });
      ctx.timerService().registerEventTimeTimer(count.end - 1);
    } else if (count.num > hottest.num) {
      hottest.num = count.num;
      hottest.auctions = [count.auction];
    } else if (count.num === hottest.num) {
      hottest.auctions.push(count.auction);
    }
  }

  override onTimer(_timestamp: number, _ctx: OnTimerContext<number>, out: Collector<{ auction: number; num: number }>): void {
    const hottest = this.hottest.value()!;
    for (const auction of hottest.auctions) out.collect({ auction, num: hottest.num });
    this.hottest.clear();
  }
}

export default nexmarkJob('q5', (events) =>
  bids(events)
    // Only the auction crosses the exchange (the timestamp travels with it), as Flink's planner projects.
    .map((bid) => bid.auction)
    .name('Project auction')
    .keyBy((auction) => auction)
    .window(SlidingEventTimeWindows.of(Time.seconds(10), Time.seconds(2)))
    .aggregate(COUNT, (auction: number, window: TimeWindow, counts: Iterable<number>, out: Collector<AuctionCount>) => {
      for (const num of counts) out.collect({ auction, num, end: window.getEnd() });
    })
    .name('q5: bids per auction and window')
    .keyBy((count) => count.end)
    .process(new HottestAuctions())
    .name('q5: hottest auctions per window'),
);
