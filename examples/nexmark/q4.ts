// Nexmark q4, average price for a category: per category, the average of
// the winning bids of the auctions, where an auction's winning bid is its
// highest bid placed while it was open:
//   SELECT Q.category, AVG(Q.final)
//   FROM (SELECT MAX(B.price) AS final, A.category
//         FROM auction A, bid B
//         WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
//         GROUP BY A.id, A.category) Q
//   GROUP BY Q.category
// A bid is valid for its auction when A.dateTime <= B.dateTime <= A.expires
// (BETWEEN includes both ends). An auction with no valid bid has no winning
// bid and does not count. Two levels:
// 1. Keyed by auction id, auctions joined with their bids: an auction keeps
//    the highest valid price and closes when the watermark passes its
//    `expires` (event time), emitting its winning bid once; bids that arrive
//    before their auction wait for it until the watermark passes their own
//    time (no auction that began at or before a bid can arrive after that).
// 2. Keyed by category, a group aggregation of the winning bids in Flink's
//    changelog form (`+I`, then `-U`/`+U` per closed auction; see
//    changelog.ts). `avg` is a double (Flink's AVG of a BIGINT truncates).
// Flink's SQL updates an auction's maximum with every bid instead of once
// at the close; the final table is the same, since a bounded run ends with
// the maximum watermark and closes every auction. Bids later than the
// watermark that closed their auction are not counted (the generator's
// streams have none). Columns: `category` and `avg` (the SQL leaves the
// average unnamed; Flink's sink calls the columns id and final).
//   npx flinkts run examples/nexmark/q4.ts -- --events 1000000 [--output q4.jsonl]
import {
  KeyedCoProcessFunction,
  ListStateDescriptor,
  ValueStateDescriptor,
  type AuctionEvent,
  type BidEvent,
  type Collector,
  type KeyedCoProcessFunctionContext,
  type KeyedCoProcessFunctionOnTimerContext,
  type ListState,
  type ValueState,
} from 'flinkts';
import { GroupAggregateFunction } from './changelog.js';
import { auctions, bids, nexmarkJob } from './common.js';

/** One row of the result table (key: `category`). */
export interface Q4Row {
  readonly category: number;
  readonly avg: number;
}

/** The winning bid of a closed auction: the inner query's row. */
export interface WinningBid {
  readonly auction: number;
  readonly category: number;
  readonly final: number;
}

/** An auction seen, open or closed. */
interface AuctionState {
  readonly category: number;
  readonly dateTime: number;
  readonly expires: number;
  /** The highest valid price so far; -Infinity while there is none. */
  final: number;
  /** Once closed: when to forget the auction. */
  forgetAt: number | undefined;
}

/**
 * Keyed by auction id: auctions (input 1) joined with their bids (input 2).
 * After an auction closed, a small closed marker is kept for a while so that
 * the bids still placed on it (the generator bids on the last 100 auctions,
 * open or not) are dropped at once instead of waiting as early bids; it is
 * removed once the auction is as old as the longest auction lifetime seen so
 * far (the generator's auctions stop drawing bids about then). Dropping it
 * earlier or later changes only the cost, never the result.
 */
class WinningBids extends KeyedCoProcessFunction<number, AuctionEvent, BidEvent, WinningBid> {
  private auction!: ValueState<AuctionState>;
  /** Bids whose auction has not arrived yet: [dateTime, price]. */
  private early!: ListState<[number, number]>;
  private longestLifetime = 0;

  override open(): void {
    this.auction = this.getRuntimeContext().getState(new ValueStateDescriptor<AuctionState>('auction'));
    this.early = this.getRuntimeContext().getListState(new ListStateDescriptor<[number, number]>('early-bids'));
  }

  processElement1(auction: AuctionEvent, ctx: KeyedCoProcessFunctionContext<number>): void {
    let final = Number.NEGATIVE_INFINITY;
    for (const [dateTime, price] of this.early.get()) {
      if (dateTime >= auction.dateTime && dateTime <= auction.expires && price > final) final = price;
    }
    this.early.clear();
    this.auction.update({ category: auction.category, dateTime: auction.dateTime, expires: auction.expires, final, forgetAt: undefined });
    this.longestLifetime = Math.max(this.longestLifetime, auction.expires - auction.dateTime);
    ctx.timerService().registerEventTimeTimer(auction.expires);
  }

  processElement2(bid: BidEvent, ctx: KeyedCoProcessFunctionContext<number>): void {
    const auction = this.auction.value();
    if (auction === undefined) {
      this.early.add([bid.dateTime, bid.price]);
      ctx.timerService().registerEventTimeTimer(bid.dateTime);
    } else if (auction.forgetAt === undefined && bid.price > auction.final && bid.dateTime >= auction.dateTime && bid.dateTime <= auction.expires) {
      auction.final = bid.price;
      this.auction.update(auction);
    }
  }

  override onTimer(timestamp: number, ctx: KeyedCoProcessFunctionOnTimerContext<number>, out: Collector<WinningBid>): void {
    const auction = this.auction.value();
    if (auction === undefined) {
      // Early bids at or before the watermark: their auction, if it began by then, would have arrived.
      const waiting = [...this.early.get()].filter(([dateTime]) => dateTime > timestamp);
      this.early.update(waiting);
    } else if (auction.forgetAt === undefined && timestamp >= auction.expires) {
      if (auction.final !== Number.NEGATIVE_INFINITY) out.collect({ auction: ctx.getCurrentKey(), category: auction.category, final: auction.final });
      const forgetAt = auction.dateTime + this.longestLifetime;
      if (forgetAt <= timestamp) {
        this.auction.clear();
      } else {
        auction.forgetAt = forgetAt;
        this.auction.update(auction);
        ctx.timerService().registerEventTimeTimer(forgetAt);
      }
    } else if (auction.forgetAt !== undefined && timestamp >= auction.forgetAt) {
      this.auction.clear();
    }
  }
}

/** Sum and count of the winning bids of a category. */
interface Average {
  sum: number;
  count: number;
}

/** Per category (the key): the average winning bid. */
class CategoryAverage extends GroupAggregateFunction<number, WinningBid, Average, Q4Row> {
  protected createAccumulator(): Average {
    return { sum: 0, count: 0 };
  }

  protected accumulate(acc: Average, winning: WinningBid): void {
    acc.sum += winning.final;
    acc.count++;
  }

  protected result(acc: Average, category: number): Q4Row {
    return { category, avg: acc.sum / acc.count };
  }
}

export default nexmarkJob('q4', (events) =>
  auctions(events)
    .connect(bids(events))
    .keyBy(
      (auction) => auction.id,
      (bid) => bid.auction,
    )
    .process(new WinningBids())
    .name('q4: winning bids of closed auctions')
    .keyBy((winning) => winning.category)
    .process(new CategoryAverage())
    .name('q4: average winning bid per category'),
);
