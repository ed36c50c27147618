// Nexmark q19, auction top-10 price: the ten highest bids of each auction,
// numbered:
//   SELECT * FROM
//     (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid)
//   WHERE rank_number <= 10
// Per auction the top ten in Flink's changelog form, keyed by (auction,
// rankNumber) as Flink's AppendOnlyTopNFunction emits ROW_NUMBER: a bid
// entering at rank r shifts the rows below it, so every rank from r to the
// end changes (`-U` old row, `+U` new row), and a rank filled for the first
// time is a `+I` (see changelog.ts). Ties: Flink ranks bids of equal price in
// arrival order, which at parallelism > 1 depends on how the source subtasks
// interleave. Here the order is total and the result deterministic: price
// descending, then dateTime ascending (the earlier bid first, as arrival
// order would mostly have it), then bidder ascending, channel, url, extra
// (strings by UTF-16 code units); identical bids take consecutive ranks.
//   npx flinkts run examples/nexmark/q19.ts -- --events 1000000 [--output q19.jsonl]
import { KeyedProcessFunction, ValueStateDescriptor, type BidEvent, type Collector, type KeyedProcessFunctionContext, type ValueState } from 'flinkts';
import type { ChangelogRow, RowKind } from './changelog.js';
import { bids, nexmarkJob } from './common.js';

/** How many bids per auction the result keeps. */
export const TOP_N = 10;

/** A bid's columns as q19 outputs them. */
export interface Q19Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

/** One row of the result table (key: `auction`, `rankNumber`). */
export interface Q19Row extends Q19Bid {
  readonly rankNumber: number;
}

/** Sign of the comparison of two strings or numbers. */
function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether `a` ranks strictly before `b`: price descending, then dateTime, bidder, channel, url, extra ascending. */
export function ranksBefore(a: Q19Bid, b: Q19Bid): boolean {
  const order =
    compare(b.price, a.price) ||
    compare(a.dateTime, b.dateTime) ||
    compare(a.bidder, b.bidder) ||
    compare(a.channel, b.channel) ||
    compare(a.url, b.url) ||
    compare(a.extra, b.extra);
  return order < 0;
}

/** The output row of `bid` at `rankNumber`, built in one go (the hot path emits up to 20 a bid). */
function outputRow(op: RowKind, bid: Q19Bid, rankNumber: number): ChangelogRow<Q19Row> {
  const { auction, bidder, price, channel, url, dateTime, extra } = bid;
  return { op, auction, bidder, price, channel, url, dateTime, extra, rankNumber };
}

/** Keeps the top bids of the key (the auction), best first. */
class TopBids extends KeyedProcessFunction<number, BidEvent, ChangelogRow<Q19Row>> {
  private top!: ValueState<Q19Bid[]>;

  override open(): void {
    this.top = this.getRuntimeContext().getState(new ValueStateDescriptor<Q19Bid[]>('top-bids'));
  }

  processElement(bid: BidEvent, _ctx: KeyedProcessFunctionContext<number>, out: Collector<ChangelogRow<Q19Row>>): void {
    const top = this.top.value() ?? [];
    // Most bids of a busy auction miss a full top list: one comparison of prices tells.
    if (top.length === TOP_N && bid.price < top[TOP_N - 1]!.price) return;
    let position = top.length;
    while (position > 0 && ranksBefore(bid, top[position - 1]!)) position--;
    if (position >= TOP_N) return;
    const row: Q19Bid = {
      auction: bid.auction,
      bidder: bid.bidder,
      price: bid.price,
      channel: bid.channel,
      url: bid.url,
      dateTime: bid.dateTime,
      extra: bid.extra,
    };
    // Ranks position .. end change: the row there before (if any) is retracted, the row there now emitted.
    for (let i = position; i < top.length; i++) {
      out.collect(outputRow('-U', top[i]!, i + 1));
      out.collect(outputRow('+U', i === position ? row : top[i - 1]!, i + 1));
    }
    // A list not yet full grows by one rank: the row that moved there, or the new one.
    if (top.length < TOP_N) out.collect(outputRow('+I', position === top.length ? row : top[top.length - 1]!, top.length + 1));
    top.splice(position, 0, row);
    if (top.length > TOP_N) top.pop();
    this.top.update(top);
  }
}

export default nexmarkJob('q19', (events) =>
  bids(events)
    .keyBy((bid) => bid.auction)
    .process(new TopBids())
    .name('q19: top 10 bids per auction'),
);
