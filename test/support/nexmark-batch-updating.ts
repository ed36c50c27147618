/**
 * The updating Nexmark queries (q4, q15–q19) as straightforward batch
 * computations over the whole event list: each returns the query's final
 * result table (the rows a changelog leaves after it is applied), next to
 * the Flink SQL it stands for. No engine code and none of the example jobs'
 * helpers: every expression is written again here. Timestamps are epoch ms,
 * days and minutes UTC; column names are the SQL's in camelCase; averages are
 * doubles. Where Flink's result depends on arrival order (ties of q18 and
 * q19), the order the jobs document is spelled out again here.
 */
import type { AuctionEvent, BidEvent, NexmarkEvent } from 'flinkts';

type Row = Record<string, unknown>;

const bidsOf = (events: readonly NexmarkEvent[]): BidEvent[] => events.filter((e): e is BidEvent => e.type === 'bid');
const auctionsOf = (events: readonly NexmarkEvent[]): AuctionEvent[] => events.filter((e): e is AuctionEvent => e.type === 'auction');

/** DATE_FORMAT(dateTime, 'yyyy-MM-dd') */
const day = (dateTime: number): string => new Date(dateTime).toISOString().slice(0, 10);
/** DATE_FORMAT(dateTime, 'HH:mm') */
const minute = (dateTime: number): string => new Date(dateTime).toISOString().slice(11, 16);

/** The value of `key` in `map`, created with `create` when missing. */
function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** The columns of a bid as q18 and q19 output them. */
const bidColumns = (b: BidEvent): Row => ({ auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, url: b.url, dateTime: b.dateTime, extra: b.extra });

/** -1, 0, 1 as `a` is less than, equal to or greater than `b`. */
const cmp = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

// SELECT Q.category, AVG(Q.final)
// FROM (SELECT MAX(B.price) AS final, A.category
//       FROM auction A, bid B
//       WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
//       GROUP BY A.id, A.category) Q
// GROUP BY Q.category
// `exclusive` reads BETWEEN without its ends (A.dateTime < B.dateTime < A.expires), to show that the data tell the two apart.
export function q4(events: readonly NexmarkEvent[], exclusive = false): Row[] {
  const byId = new Map(auctionsOf(events).map((a) => [a.id, a]));
  const final = new Map<number, number>();
  for (const b of bidsOf(events)) {
    const a = byId.get(b.auction);
    if (a === undefined || b.dateTime < a.dateTime || b.dateTime > a.expires) continue;
    if (exclusive && (b.dateTime === a.dateTime || b.dateTime === a.expires)) continue;
    final.set(a.id, Math.max(final.get(a.id) ?? -Infinity, b.price));
  }
  const perCategory = new Map<number, { sum: number; count: number }>();
  for (const [id, price] of final) {
    const acc = getOrCreate(perCategory, byId.get(id)!.category, () => ({ sum: 0, count: 0 }));
    acc.sum += price;
    acc.count += 1;
  }
  return [...perCategory].map(([category, { sum, count }]) => ({ category, avg: sum / count }));
}

/** count(*), count(DISTINCT bidder), count(DISTINCT auction), each overall and FILTERed per price rank. */
class BidCounts {
  readonly bids = [0, 0, 0, 0];
  readonly bidders = [new Set<number>(), new Set<number>(), new Set<number>(), new Set<number>()];
  readonly auctions = [new Set<number>(), new Set<number>(), new Set<number>(), new Set<number>()];

  add(b: BidEvent): void {
    // rank1: price < 10000; rank2: 10000 <= price < 1000000; rank3: price >= 1000000
    const rank = b.price < 10000 ? 1 : b.price >= 10000 && b.price < 1000000 ? 2 : 3;
    for (const i of [0, rank]) {
      this.bids[i]! += 1;
      this.bidders[i]!.add(b.bidder);
      this.auctions[i]!.add(b.auction);
    }
  }

  columns(): Row {
    const [totalBids, rank1Bids, rank2Bids, rank3Bids] = this.bids;
    const [totalBidders, rank1Bidders, rank2Bidders, rank3Bidders] = this.bidders.map((s) => s.size);
    const [totalAuctions, rank1Auctions, rank2Auctions, rank3Auctions] = this.auctions.map((s) => s.size);
    return {
      totalBids, rank1Bids, rank2Bids, rank3Bids,
      totalBidders, rank1Bidders, rank2Bidders, rank3Bidders,
      totalAuctions, rank1Auctions, rank2Auctions, rank3Auctions,
    };
  }
}

// SELECT DATE_FORMAT(dateTime, 'yyyy-MM-dd') as `day`,
//        count(*) AS total_bids,
//        count(*) filter (where price < 10000) AS rank1_bids,
//        count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids,
//        count(*) filter (where price >= 1000000) AS rank3_bids,
//        count(distinct bidder) AS total_bidders,
//        count(distinct bidder) filter (where price < 10000) AS rank1_bidders,
//        count(distinct bidder) filter (where price >= 10000 and price < 1000000) AS rank2_bidders,
//        count(distinct bidder) filter (where price >= 1000000) AS rank3_bidders,
//        count(distinct auction) AS total_auctions,
//        count(distinct auction) filter (where price < 10000) AS rank1_auctions,
//        count(distinct auction) filter (where price >= 10000 and price < 1000000) AS rank2_auctions,
//        count(distinct auction) filter (where price >= 1000000) AS rank3_auctions
// FROM bid
// GROUP BY DATE_FORMAT(dateTime, 'yyyy-MM-dd')
export function q15(events: readonly NexmarkEvent[]): Row[] {
  const groups = new Map<string, BidCounts>();
  for (const b of bidsOf(events)) getOrCreate(groups, day(b.dateTime), () => new BidCounts()).add(b);
  return [...groups].map(([d, counts]) => ({ day: d, ...counts.columns() }));
}

// SELECT channel,
//        DATE_FORMAT(dateTime, 'yyyy-MM-dd') as `day`,
//        max(DATE_FORMAT(dateTime, 'HH:mm')) as `minute`,
//        count(*) AS total_bids, ... (the same twelve counts as q15)
// FROM bid
// GROUP BY channel, DATE_FORMAT(dateTime, 'yyyy-MM-dd')
export function q16(events: readonly NexmarkEvent[]): Row[] {
  const groups = new Map<string, { channel: string; day: string; minute: string; counts: BidCounts }>();
  for (const b of bidsOf(events)) {
    const d = day(b.dateTime);
    const group = getOrCreate(groups, JSON.stringify([b.channel, d]), () => ({ channel: b.channel, day: d, minute: '', counts: new BidCounts() }));
    if (minute(b.dateTime) > group.minute) group.minute = minute(b.dateTime);
    group.counts.add(b);
  }
  return [...groups.values()].map((g) => ({ channel: g.channel, day: g.day, minute: g.minute, ...g.counts.columns() }));
}

// SELECT auction,
//        DATE_FORMAT(dateTime, 'yyyy-MM-dd') as `day`,
//        count(*) AS total_bids,
//        count(*) filter (where price < 10000) AS rank1_bids,
//        count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids,
//        count(*) filter (where price >= 1000000) AS rank3_bids,
//        min(price) AS min_price,
//        max(price) AS max_price,
//        avg(price) AS avg_price,
//        sum(price) AS sum_price
// FROM bid
// GROUP BY auction, DATE_FORMAT(dateTime, 'yyyy-MM-dd')
export function q17(events: readonly NexmarkEvent[]): Row[] {
  const groups = new Map<string, { auction: number; day: string; prices: number[] }>();
  for (const b of bidsOf(events)) {
    const d = day(b.dateTime);
    getOrCreate(groups, JSON.stringify([b.auction, d]), () => ({ auction: b.auction, day: d, prices: [] })).prices.push(b.price);
  }
  return [...groups.values()].map(({ auction, day: d, prices }) => {
    const sum = prices.reduce((s, p) => s + p, 0);
    return {
      auction,
      day: d,
      totalBids: prices.length,
      rank1Bids: prices.filter((p) => p < 10000).length,
      rank2Bids: prices.filter((p) => p >= 10000 && p < 1000000).length,
      rank3Bids: prices.filter((p) => p >= 1000000).length,
      minPrice: Math.min(...prices),
      maxPrice: Math.max(...prices),
      avgPrice: sum / prices.length,
      sumPrice: sum,
    };
  });
}

/**
 * q18's order of the bids of one (bidder, auction): dateTime, and for equal
 * dateTime price, channel, url, extra (the job's documented tie-break); the
 * greatest is the last bid.
 */
function q18Order(a: BidEvent, b: BidEvent): number {
  return cmp(a.dateTime, b.dateTime) || cmp(a.price, b.price) || cmp(a.channel, b.channel) || cmp(a.url, b.url) || cmp(a.extra, b.extra);
}

// SELECT auction, bidder, price, channel, url, dateTime, extra
// FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC) AS rank_number
//       FROM bid)
// WHERE rank_number <= 1
export function q18(events: readonly NexmarkEvent[]): Row[] {
  const last = new Map<string, BidEvent>();
  for (const b of bidsOf(events)) {
    const key = JSON.stringify([b.bidder, b.auction]);
    const current = last.get(key);
    if (current === undefined || q18Order(b, current) > 0) last.set(key, b);
  }
  return [...last.values()].map(bidColumns);
}

/** The number of (bidder, auction) whose latest dateTime has more than one bid: where q18's tie-break decides. */
export function q18Ties(events: readonly NexmarkEvent[]): number {
  const latest = new Map<string, { dateTime: number; bids: number }>();
  for (const b of bidsOf(events)) {
    const key = JSON.stringify([b.bidder, b.auction]);
    const current = latest.get(key);
    if (current === undefined || b.dateTime > current.dateTime) latest.set(key, { dateTime: b.dateTime, bids: 1 });
    else if (b.dateTime === current.dateTime) current.bids += 1;
  }
  return [...latest.values()].filter((l) => l.bids > 1).length;
}

/** q19's order: price descending, then dateTime, bidder, channel, url, extra ascending (the job's documented tie-break). */
function q19Order(a: BidEvent, b: BidEvent): number {
  return (
    cmp(b.price, a.price) || cmp(a.dateTime, b.dateTime) || cmp(a.bidder, b.bidder) || cmp(a.channel, b.channel) || cmp(a.url, b.url) || cmp(a.extra, b.extra)
  );
}

// SELECT * FROM
// (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid)
// WHERE rank_number <= 10
export function q19(events: readonly NexmarkEvent[]): Row[] {
  const perAuction = new Map<number, BidEvent[]>();
  for (const b of bidsOf(events)) getOrCreate(perAuction, b.auction, () => []).push(b);
  return [...perAuction.values()].flatMap((list) =>
    list
      .sort(q19Order)
      .slice(0, 10)
      .map((b, i) => ({ ...bidColumns(b), rankNumber: i + 1 })),
  );
}
