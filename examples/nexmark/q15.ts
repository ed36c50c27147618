// Nexmark q15, bidding statistics per day: how many bids, distinct bidders
// and distinct auctions, overall and per price rank:
//   SELECT DATE_FORMAT(dateTime, 'yyyy-MM-dd') AS `day`,
//          count(*) AS total_bids,
//          count(*) FILTER (WHERE price < 10000) AS rank1_bids,
//          count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
//          count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
//          count(DISTINCT bidder) AS total_bidders,
//          count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
//          ... (rank2_bidders, rank3_bidders likewise),
//          count(DISTINCT auction) AS total_auctions,
//          ... (rank1_auctions, rank2_auctions, rank3_auctions likewise)
//   FROM bid GROUP BY DATE_FORMAT(dateTime, 'yyyy-MM-dd')
// An unbounded group aggregation: every bid updates its day's row, emitted
// in Flink's changelog form (`+I`, then `-U`/`+U` per bid; see changelog.ts).
// Days are UTC.
//   npx flinkts run examples/nexmark/q15.ts -- --events 1000000 [--output q15.jsonl]
import { bidCountColumns, BidCountsFunction, emptyBidCounts, formatDay, type BidCountColumns, type BidCounts } from './bid-statistics.js';
import { bids, nexmarkJob } from './common.js';

/** One row of the result table (key: `day`). */
export interface Q15Row extends BidCountColumns {
  readonly day: string;
}

/** Per day (the key): the bid counts. */
class DailyBidCounts extends BidCountsFunction<string, BidCounts, Q15Row> {
  protected createAccumulator(): BidCounts {
    return emptyBidCounts();
  }

  protected result(acc: BidCounts, day: string): Q15Row {
    return { day, ...bidCountColumns(acc) };
  }
}

export default nexmarkJob('q15', (events) =>
  bids(events)
    .keyBy((bid) => formatDay(bid.dateTime))
    .process(new DailyBidCounts())
    .name('q15: bid counts per day'),
);
