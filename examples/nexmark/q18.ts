// Nexmark q18, last bid: each bidder's latest bid on each auction, a
// deduplication:
//   SELECT auction, bidder, price, channel, url, dateTime, extra
//   FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC) AS rank_number
//         FROM bid)
//   WHERE rank_number <= 1
// Per (bidder, auction) the row with the greatest dateTime, in Flink's
// changelog form (`+I` for the first bid, `-U`/`+U` when a later one replaces
// it; see changelog.ts). Ties: Flink keeps the bid that arrives last among
// those with the greatest dateTime, which at parallelism > 1 depends on how
// the source subtasks interleave. Here the order is total and the result
// deterministic: among bids of equal dateTime the one with the greater
// price wins, then the greater channel, url and extra (strings by UTF-16
// code units); a bid equal in every column changes nothing.
//   npx flinkts run examples/nexmark/q18.ts -- --events 1000000 [--output q18.jsonl]
import { KeyedProcessFunction, ValueStateDescriptor, type BidEvent, type Collector, type KeyedProcessFunctionContext, type ValueState } from 'flinkts';
import { changelogRow, type ChangelogRow } from './changelog.js';
import { bids, nexmarkJob } from './common.js';

/** One row of the result table (key: `bidder`, `auction`). */
export interface Q18Row {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

/** Sign of the comparison of two strings or numbers. */
function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether `bid` comes after `row` in q18's order: dateTime, then price, channel, url, extra. */
export function isLater(bid: Q18Row, row: Q18Row): boolean {
  const order =
    compare(bid.dateTime, row.dateTime) ||
    compare(bid.price, row.price) ||
    compare(bid.channel, row.channel) ||
    compare(bid.url, row.url) ||
    compare(bid.extra, row.extra);
  return order > 0;
}

/** Keeps the latest bid of the key (bidder and auction). */
class LastBid extends KeyedProcessFunction<string, BidEvent, ChangelogRow<Q18Row>> {
  private last!: ValueState<Q18Row>;

  override open(): void {
    this.last = this.getRuntimeContext().getState(new ValueStateDescriptor<Q18Row>('last-bid'));
  }

  processElement(bid: BidEvent, _ctx: KeyedProcessFunctionContext<string>, out: Collector<ChangelogRow<Q18Row>>): void {
    const previous = this.last.value();
    if (previous !== undefined && !isLater(bid, previous)) return;
    const row: Q18Row = {
      auction: bid.auction,
      bidder: bid.bidder,
      price: bid.price,
      channel: bid.channel,
      url: bid.url,
      dateTime: bid.dateTime,
      extra: bid.extra,
    };
    this.last.update(row);
    if (previous === undefined) {
      out.collect(changelogRow('+I', row));
    } else {
      out.collect(changelogRow('-U', previous));
      out.collect(changelogRow('+U', row));
    }
  }
}

export default nexmarkJob('q18', (events) =>
  bids(events)
    .keyBy((bid) => `${bid.bidder}|${bid.auction}`)
    .process(new LastBid())
    .name('q18: last bid per bidder and auction'),
);
