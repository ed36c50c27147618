// Nexmark q17, auction statistics: per auction and day, the bid counts
// (overall and per price rank) and the minimum, maximum, average and sum of
// the prices:
//   SELECT auction,
//          DATE_FORMAT(dateTime, 'yyyy-MM-dd') AS `day`,
//          count(*) AS total_bids,
//          count(*) FILTER (WHERE price < 10000) AS rank1_bids,
//          count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
//          count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
//          min(price) AS min_price, max(price) AS max_price,
//          avg(price) AS avg_price, sum(price) AS sum_price
//   FROM bid GROUP BY auction, DATE_FORMAT(dateTime, 'yyyy-MM-dd')
// An unbounded group aggregation in Flink's changelog form (see
// changelog.ts). avgPrice is a double, sumPrice / totalBids (Flink's AVG of a
// BIGINT would truncate it to a BIGINT). Days are UTC.
//   npx flinkts run examples/nexmark/q17.ts -- --events 1000000 [--output q17.jsonl]
import type { BidEvent } from 'flinkts';
import { formatDay, priceRank } from './bid-statistics.js';
import { GroupAggregateFunction } from './changelog.js';
import { bids, nexmarkJob } from './common.js';

/** One row of the result table (key: `auction`, `day`). */
export interface Q17Row {
  readonly auction: number;
  readonly day: string;
  readonly totalBids: number;
  readonly rank1Bids: number;
  readonly rank2Bids: number;
  readonly rank3Bids: number;
  readonly minPrice: number;
  readonly maxPrice: number;
  readonly avgPrice: number;
  readonly sumPrice: number;
}

interface AuctionDay {
  readonly auction: number;
  readonly day: string;
  /** Indexed [total, rank1, rank2, rank3]. */
  readonly bids: number[];
  minPrice: number;
  maxPrice: number;
  sumPrice: number;
}

/** Per auction and day (the key, `auction|day`): counts and price statistics. */
class AuctionDayStatistics extends GroupAggregateFunction<string, BidEvent, AuctionDay, Q17Row> {
  protected createAccumulator(bid: BidEvent): AuctionDay {
    return { auction: bid.auction, day: formatDay(bid.dateTime), bids: [0, 0, 0, 0], minPrice: Infinity, maxPrice: -Infinity, sumPrice: 0 };
  }

  protected accumulate(acc: AuctionDay, bid: BidEvent): void {
    acc.bids[0]!++;
    acc.bids[priceRank(bid.price)]!++;
    if (bid.price < acc.minPrice) acc.minPrice = bid.price;
    if (bid.price > acc.maxPrice) acc.maxPrice = bid.price;
    acc.sumPrice += bid.price;
  }

  protected result(acc: AuctionDay): Q17Row {
    const [totalBids, rank1Bids, rank2Bids, rank3Bids] = acc.bids as [number, number, number, number];
    const { auction, day, minPrice, maxPrice, sumPrice } = acc;
    return { auction, day, totalBids, rank1Bids, rank2Bids, rank3Bids, minPrice, maxPrice, avgPrice: sumPrice / totalBids, sumPrice };
  }
}

export default nexmarkJob('q17', (events) =>
  bids(events)
    .keyBy((bid) => `${bid.auction}|${formatDay(bid.dateTime)}`)
    .process(new AuctionDayStatistics())
    .name('q17: price statistics per auction and day'),
);
