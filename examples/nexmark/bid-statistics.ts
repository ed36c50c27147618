// What the Nexmark bid-statistics reports (q15, q16, q17) share: the day and
// minute of a bid as Flink's DATE_FORMAT prints them (dateTime is a
// TIMESTAMP(3) of the epoch milliseconds, so UTC), the price ranks of the
// SQL's FILTER clauses, and the distinct counts of bidders and auctions,
// overall and per rank, kept in map state as Flink keeps COUNT(DISTINCT)
// in a MapView.
import { MapStateDescriptor, type BidEvent, type MapState } from 'flinkts';
import { GroupAggregateFunction } from './changelog.js';

const MS_PER_DAY = 86_400_000;
const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 1440;

// Bids arrive roughly in time order, so the last day formatted is almost always the next one asked for.
let lastDay = Number.NaN;
let lastDayText = '';

/** `DATE_FORMAT(dateTime, 'yyyy-MM-dd')`: the UTC day of epoch milliseconds. */
export function formatDay(dateTime: number): string {
  const day = Math.floor(dateTime / MS_PER_DAY);
  if (day !== lastDay) {
    lastDay = day;
    lastDayText = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
  }
  return lastDayText;
}

const minuteTexts: string[] = [];

/** `DATE_FORMAT(dateTime, 'HH:mm')`: the UTC hour and minute of epoch milliseconds. */
export function formatMinute(dateTime: number): string {
  const minute = ((Math.floor(dateTime / MS_PER_MINUTE) % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  let text = minuteTexts[minute];
  if (text === undefined) {
    text = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    minuteTexts[minute] = text;
  }
  return text;
}

/** Which FILTER a price meets: 1 for `price < 10000`, 2 for `10000 <= price < 1000000`, 3 for `price >= 1000000`. */
export function priceRank(price: number): 1 | 2 | 3 {
  return price < 10_000 ? 1 : price < 1_000_000 ? 2 : 3;
}

/**
 * Counts indexed `[total, rank1, rank2, rank3]`: of bids, of distinct bidders
 * and of distinct auctions.
 */
export interface BidCounts {
  readonly bids: number[];
  readonly bidders: number[];
  readonly auctions: number[];
}

/** The count columns of q15 and q16, in the SQL's order. */
export interface BidCountColumns {
  readonly totalBids: number;
  readonly rank1Bids: number;
  readonly rank2Bids: number;
  readonly rank3Bids: number;
  readonly totalBidders: number;
  readonly rank1Bidders: number;
  readonly rank2Bidders: number;
  readonly rank3Bidders: number;
  readonly totalAuctions: number;
  readonly rank1Auctions: number;
  readonly rank2Auctions: number;
  readonly rank3Auctions: number;
}

/** Zero counts. */
export function emptyBidCounts(): BidCounts {
  return { bids: [0, 0, 0, 0], bidders: [0, 0, 0, 0], auctions: [0, 0, 0, 0] };
}

/** The count columns of `counts`. */
export function bidCountColumns({ bids, bidders, auctions }: BidCounts): BidCountColumns {
  return {
    totalBids: bids[0]!,
    rank1Bids: bids[1]!,
    rank2Bids: bids[2]!,
    rank3Bids: bids[3]!,
    totalBidders: bidders[0]!,
    rank1Bidders: bidders[1]!,
    rank2Bidders: bidders[2]!,
    rank3Bidders: bidders[3]!,
    totalAuctions: auctions[0]!,
    rank1Auctions: auctions[1]!,
    rank2Auctions: auctions[2]!,
    rank3Auctions: auctions[3]!,
  };
}

/**
 * Counts `value` in `counts` unless already seen (in total and in `rank`);
 * `seen` maps each value of the group to the bit set of the ranks it was seen in.
 */
function countDistinct(seen: MapState<number, number>, value: number, rank: 1 | 2 | 3, counts: number[]): void {
  const ranks = seen.get(value) ?? 0;
  const bit = 1 << rank;
  if ((ranks & bit) !== 0) return;
  if (ranks === 0) counts[0]!++;
  counts[rank]!++;
  seen.put(value, ranks | bit);
}

/**
 * A group aggregation of bids with the counts of q15 and q16: the group's
 * distinct bidders and auctions are keyed map state of this function.
 */
export abstract class BidCountsFunction<K, ACC extends BidCounts, ROW extends object> extends GroupAggregateFunction<K, BidEvent, ACC, ROW> {
  private bidders!: MapState<number, number>;
  private auctions!: MapState<number, number>;

  override open(): void {
    super.open();
    this.bidders = this.getRuntimeContext().getMapState(new MapStateDescriptor<number, number>('distinct-bidders'));
    this.auctions = this.getRuntimeContext().getMapState(new MapStateDescriptor<number, number>('distinct-auctions'));
  }

  protected accumulate(acc: ACC, bid: BidEvent): void {
    const rank = priceRank(bid.price);
    acc.bids[0]!++;
    acc.bids[rank]!++;
    countDistinct(this.bidders, bid.bidder, rank, acc.bidders);
    countDistinct(this.auctions, bid.auction, rank, acc.auctions);
  }
}
