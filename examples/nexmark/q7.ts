// Nexmark q7, highest bid: the bids whose price is the highest of their
// 10-second tumbling window:
//   SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra
//   FROM bid B JOIN (SELECT MAX(price) AS maxprice, window_end AS dateTime
//                    FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
//                    GROUP BY window_start, window_end) B1
//   ON B.price = B1.maxprice
//   WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime
// Here a bid is compared with its own window's maximum only. Flink's BETWEEN
// includes both ends, so there a bid exactly on a window boundary is also
// compared with the previous window's maximum; the test checks that both
// readings give the same rows on its data (such a tie needs two equal prices
// among values up to 10^8).
// The maximum is taken with a fan-out, as Beam's version does: each of FANOUT
// partial windows keeps the bids at its own maximum, then one window per
// window end merges them, so the work on every bid runs in parallel.
//   npx flinkts run examples/nexmark/q7.ts -- --events 1000000 [--output q7.jsonl]
import { Time, TumblingEventTimeWindows, type AggregateFunction, type BidEvent, type Collector, type TimeWindow } from 'flinkts';
import { bids, nexmarkJob } from './common.js';

const WINDOW = Time.seconds(10);
const FANOUT = 32;

/** The highest price seen in a window and the bids at that price. */
interface Highest {
  readonly price: number;
  readonly bids: BidEvent[];
}

/** Keeps the bids at the highest price. */
function keepHighest(acc: Highest, bid: BidEvent): Highest {
  if (bid.price > acc.price) return { price: bid.price, bids: [bid] };
  if (bid.price === acc.price) acc.bids.push(bid);
  return acc;
}

/** Merges two sets of bids at their highest price. */
function mergeHighest(a: Highest, b: Highest): Highest {
  if (a.price !== b.price) return a.price > b.price ? a : b;
  return { price: a.price, bids: [...a.bids, ...b.bids] };
}

const HIGHEST: AggregateFunction<BidEvent, Highest, Highest> = {
  createAccumulator: () => ({ price: Number.NEGATIVE_INFINITY, bids: [] }),
  add: (bid, acc) => keepHighest(acc, bid),
  getResult: (acc) => acc,
  merge: mergeHighest,
};

/** The partial result of one fan-out key, tagged with its window. */
interface Partial extends Highest {
  readonly end: number;
}

export default nexmarkJob('q7', (events) =>
  bids(events)
    .keyBy((bid) => bid.dateTime % FANOUT)
    .window(TumblingEventTimeWindows.of(WINDOW))
    .aggregate(HIGHEST, (_key: number, window: TimeWindow, results: Iterable<Highest>, out: Collector<Partial>) => {
      for (const highest of results) out.collect({ ...highest, end: window.getEnd() });
    })
    .name('q7: highest bids per fan-out key')
    .keyBy((partial) => partial.end)
    .window(TumblingEventTimeWindows.of(WINDOW))
    .reduce((a, b) => ({ ...mergeHighest(a, b), end: a.end }))
    .name('q7: highest bids per window')
    .flatMap((highest: Partial, out: Collector<object>) => {
      for (const { auction, bidder, price, dateTime, extra } of highest.bids) out.collect({ auction, bidder, price, dateTime, extra });
    })
    .name('q7: the bids'),
);
