/**
 * The append-only Nexmark queries as straightforward batch computations over
 * the whole event list — filters, group-bys, hash joins, windows as
 * `floor(dateTime / size)` — each next to the Flink SQL it stands for. The
 * query tests compare the jobs' output with these. No engine code, and none
 * of the example jobs' helpers: every expression is written again here.
 * Timestamps are epoch ms; column names are the SQL's in camelCase.
 */
import type { AuctionEvent, BidEvent, NexmarkEvent, PersonEvent } from 'flinkts';

type Row = Record<string, unknown>;

const bidsOf = (events: readonly NexmarkEvent[]): BidEvent[] => events.filter((e): e is BidEvent => e.type === 'bid');
const auctionsOf = (events: readonly NexmarkEvent[]): AuctionEvent[] => events.filter((e): e is AuctionEvent => e.type === 'auction');
const personsOf = (events: readonly NexmarkEvent[]): PersonEvent[] => events.filter((e): e is PersonEvent => e.type === 'person');

/** Appends `value` to the list under `key`. */
function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

// SELECT auction, bidder, price, dateTime, extra FROM bid
export function q0(events: readonly NexmarkEvent[]): Row[] {
  return bidsOf(events).map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra }));
}

// SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid
export function q1(events: readonly NexmarkEvent[]): Row[] {
  return bidsOf(events).map((b) => ({ auction: b.auction, bidder: b.bidder, price: 0.908 * b.price, dateTime: b.dateTime, extra: b.extra }));
}

// SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0
export function q2(events: readonly NexmarkEvent[]): Row[] {
  return bidsOf(events)
    .filter((b) => b.auction % 123 === 0)
    .map((b) => ({ auction: b.auction, price: b.price }));
}

// SELECT P.name, P.city, P.state, A.id
// FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
// WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')
export function q3(events: readonly NexmarkEvent[]): Row[] {
  const people = new Map<number, PersonEvent[]>();
  for (const p of personsOf(events)) if (p.state === 'OR' || p.state === 'ID' || p.state === 'CA') push(people, p.id, p);
  return auctionsOf(events)
    .filter((a) => a.category === 10)
    .flatMap((a) => (people.get(a.seller) ?? []).map((p) => ({ name: p.name, city: p.city, state: p.state, id: a.id })));
}

// SELECT AuctionBids.auction, AuctionBids.num
// FROM (SELECT auction, count(*) AS num, window_start AS starttime, window_end AS endtime
//       FROM TABLE(HOP(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
//       GROUP BY auction, window_start, window_end) AS AuctionBids
// JOIN (SELECT max(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
//       FROM (<the same count per auction and window>) AS CountBids
//       GROUP BY CountBids.starttime, CountBids.endtime) AS MaxBids
// ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
//   AND AuctionBids.num >= MaxBids.maxn
export function q5(events: readonly NexmarkEvent[]): Row[] {
  const SIZE = 10_000;
  const SLIDE = 2_000;
  // window start → auction → count; a bid is in the windows starting at
  // floor(t / slide) * slide - k * slide for k = 0 .. size / slide - 1.
  const counts = new Map<number, Map<number, number>>();
  for (const b of bidsOf(events)) {
    const last = Math.floor(b.dateTime / SLIDE) * SLIDE;
    for (let start = last; start > b.dateTime - SIZE; start -= SLIDE) {
      const perAuction = counts.get(start) ?? new Map<number, number>();
      counts.set(start, perAuction);
      perAuction.set(b.auction, (perAuction.get(b.auction) ?? 0) + 1);
    }
  }
  const rows: Row[] = [];
  for (const perAuction of counts.values()) {
    const maxn = Math.max(...perAuction.values());
    for (const [auction, num] of perAuction) if (num >= maxn) rows.push({ auction, num });
  }
  return rows;
}

// SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra
// FROM bid B JOIN (SELECT MAX(price) AS maxprice, window_end AS dateTime
//                  FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
//                  GROUP BY window_start, window_end) B1
// ON B.price = B1.maxprice
// WHERE B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime
// With `inclusiveEnd` false (the query as the flinkts job defines it), a bid is
// compared with the maximum of its own window [start, end) only; with true,
// as the SQL's BETWEEN reads, with every window whose [start, end] holds it.
export function q7(events: readonly NexmarkEvent[], inclusiveEnd = false): Row[] {
  const SIZE = 10_000;
  const maxPrice = new Map<number, number>();
  const bids = bidsOf(events);
  for (const b of bids) {
    const window = Math.floor(b.dateTime / SIZE);
    maxPrice.set(window, Math.max(maxPrice.get(window) ?? Number.NEGATIVE_INFINITY, b.price));
  }
  const rows: Row[] = [];
  for (const b of bids) {
    const own = Math.floor(b.dateTime / SIZE);
    const windows = inclusiveEnd && b.dateTime % SIZE === 0 ? [own - 1, own] : [own];
    for (const window of windows) {
      if (maxPrice.get(window) === b.price) rows.push({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra });
    }
  }
  return rows;
}

// SELECT P.id, P.name, P.starttime
// FROM (SELECT id, name, window_start AS starttime, window_end AS endtime
//       FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
//       GROUP BY id, name, window_start, window_end) P
// JOIN (SELECT seller, window_start AS starttime, window_end AS endtime
//       FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
//       GROUP BY seller, window_start, window_end) A
// ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime
export function q8(events: readonly NexmarkEvent[]): Row[] {
  const SIZE = 10_000;
  const people = new Map<string, Row>();
  for (const p of personsOf(events)) {
    const stime = Math.floor(p.dateTime / SIZE) * SIZE;
    people.set(JSON.stringify([p.id, p.name, stime]), { id: p.id, name: p.name, stime });
  }
  const sellers = new Set(auctionsOf(events).map((a) => JSON.stringify([a.seller, Math.floor(a.dateTime / SIZE) * SIZE])));
  return [...people.values()].filter((p) => sellers.has(JSON.stringify([p.id, p.stime])));
}

// SELECT B.bidder, count(*) AS bid_count,
//   SESSION_START(B.dateTime, INTERVAL '10' SECOND) AS starttime,
//   SESSION_END(B.dateTime, INTERVAL '10' SECOND) AS endtime
// FROM bid B GROUP BY B.bidder, SESSION(B.dateTime, INTERVAL '10' SECOND)
// A session ends where the next bid of the bidder is more than the gap later
// (bids exactly 10 s apart share a session, as Flink's windows [t, t + gap)
// that touch are merged); endtime = last bid + gap.
export function q11(events: readonly NexmarkEvent[]): Row[] {
  const GAP = 10_000;
  const times = new Map<number, number[]>();
  for (const b of bidsOf(events)) push(times, b.bidder, b.dateTime);
  const rows: Row[] = [];
  for (const [bidder, list] of times) {
    list.sort((a, b) => a - b);
    let start = 0;
    for (let i = 1; i <= list.length; i++) {
      if (i === list.length || list[i]! - list[i - 1]! > GAP) {
        rows.push({ bidder, bidCount: i - start, starttime: list[start]!, endtime: list[i - 1]! + GAP });
        start = i;
      }
    }
  }
  return rows;
}

// SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
// FROM TABLE(TUMBLE(TABLE (SELECT *, PROCTIME() AS p_time FROM bid), DESCRIPTOR(p_time), INTERVAL '10' SECOND))
// GROUP BY bidder, window_start, window_end
// The processing-time windows are not reproducible: this is the sum over all
// windows, `SELECT bidder, count(*) AS bid_count FROM bid GROUP BY bidder`.
export function q12Totals(events: readonly NexmarkEvent[]): Row[] {
  const counts = new Map<number, number>();
  for (const b of bidsOf(events)) counts.set(b.bidder, (counts.get(b.bidder) ?? 0) + 1);
  return [...counts].map(([bidder, bidCount]) => ({ bidder, bidCount }));
}

// SELECT auction, bidder, 0.908 * price AS price,
//   CASE WHEN HOUR(dateTime) >= 8 AND HOUR(dateTime) <= 18 THEN 'dayTime'
//        WHEN HOUR(dateTime) <= 6 OR HOUR(dateTime) >= 20 THEN 'nightTime'
//        ELSE 'otherTime' END AS bidTimeType,
//   dateTime, extra, count_char(extra, 'c') AS c_counts
// FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000
export function q14(events: readonly NexmarkEvent[]): Row[] {
  const timeType = (hour: number): string => (hour >= 8 && hour <= 18 ? 'dayTime' : hour <= 6 || hour >= 20 ? 'nightTime' : 'otherTime');
  return bidsOf(events)
    .filter((b) => 0.908 * b.price > 1_000_000 && 0.908 * b.price < 50_000_000)
    .map((b) => ({
      auction: b.auction,
      bidder: b.bidder,
      price: 0.908 * b.price,
      bidTimeType: timeType(new Date(b.dateTime).getUTCHours()),
      dateTime: b.dateTime,
      extra: b.extra,
      cCounts: [...b.extra].filter((c) => c === 'c').length,
    }));
}

// SELECT auction, bidder, price, channel, url, B.dateTime, B.extra,
//   itemName, description, initialBid, reserve, A.dateTime, expires, seller, category, A.extra
// FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id WHERE A.category = 10
export function q20(events: readonly NexmarkEvent[]): Row[] {
  const byId = new Map<number, AuctionEvent[]>();
  for (const a of auctionsOf(events)) if (a.category === 10) push(byId, a.id, a);
  return bidsOf(events).flatMap((b) =>
    (byId.get(b.auction) ?? []).map((a) => ({
      auction: b.auction,
      bidder: b.bidder,
      price: b.price,
      channel: b.channel,
      url: b.url,
      bidDateTime: b.dateTime,
      bidExtra: b.extra,
      itemName: a.itemName,
      description: a.description,
      initialBid: a.initialBid,
      reserve: a.reserve,
      auctionDateTime: a.dateTime,
      expires: a.expires,
      seller: a.seller,
      category: a.category,
      auctionExtra: a.extra,
    })),
  );
}

// SELECT auction, bidder, price, channel,
//   CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
//        WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
//        ELSE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id
// FROM bid WHERE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) IS NOT NULL
//   OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')
export function q21(events: readonly NexmarkEvent[]): Row[] {
  const named = ['apple', 'google', 'facebook', 'baidu'];
  const rows: Row[] = [];
  for (const b of bidsOf(events)) {
    const extracted = /(&|^)channel_id=([^&]*)/.exec(b.url)?.[2] ?? null;
    const index = named.indexOf(b.channel.toLowerCase());
    if (extracted === null && index < 0) continue;
    rows.push({ auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, channelId: index >= 0 ? String(index) : extracted });
  }
  return rows;
}

// SELECT auction, bidder, price, channel,
//   SPLIT_INDEX(url, '/', 3) AS dir1, SPLIT_INDEX(url, '/', 4) AS dir2, SPLIT_INDEX(url, '/', 5) AS dir3
// FROM bid
// (SPLIT_INDEX is 0-based and NULL past the last part.)
export function q22(events: readonly NexmarkEvent[]): Row[] {
  return bidsOf(events).map((b) => {
    const part = (i: number): string | null => {
      const parts = b.url.split('/');
      return i < parts.length ? parts[i]! : null;
    };
    return { auction: b.auction, bidder: b.bidder, price: b.price, channel: b.channel, dir1: part(3), dir2: part(4), dir3: part(5) };
  });
}
