import { describe, expect, it } from 'vitest';
import { NexmarkGenerator, lastBase0AuctionId, lastBase0PersonId } from '../../../../src/connectors/nexmark/generator.js';
import { DEFAULT_NEXMARK_CONFIG, type AuctionEvent, type BidEvent, type NexmarkConfig, type NexmarkEvent, type PersonEvent } from '../../../../src/connectors/nexmark/model.js';
import { nexmarkStrings } from '../../../../src/connectors/nexmark/strings.js';

function generator(overrides: Partial<NexmarkConfig> = {}): NexmarkGenerator {
  return new NexmarkGenerator({ ...DEFAULT_NEXMARK_CONFIG, ...overrides });
}

function stream(count: number, overrides: Partial<NexmarkConfig> = {}): NexmarkEvent[] {
  const g = generator({ events: count, ...overrides });
  return Array.from({ length: count }, (_, position) => g.eventAt(position));
}

const EPOCHS = 2000;
const EVENTS = 50 * EPOCHS;
const events = stream(EVENTS);
const persons = events.filter((e): e is PersonEvent => e.type === 'person');
const auctions = events.filter((e): e is AuctionEvent => e.type === 'auction');
const bids = events.filter((e): e is BidEvent => e.type === 'bid');
/** Event number of each bid (out-of-order group 1: number = position). */
const bidNumbers = events.flatMap((e, n) => (e.type === 'bid' ? [n] : []));
const auctionNumbers = events.flatMap((e, n) => (e.type === 'auction' ? [n] : []));

describe('NexmarkGenerator: determinism', () => {
  it('derives event n from the configuration and n alone, in any order and from any instance', () => {
    const fresh = generator();
    const sample = [0, 1, 3, 4, 49, 50, 51, 777, 99_999, 12_345];
    for (const n of [...sample].reverse()) expect(fresh.event(n)).toEqual(events[n]);
    expect(generator().eventAt(12_345)).toEqual(generator().eventAt(12_345));
  });

  it('gives other events for another seed, the same ids and times', () => {
    const other = stream(200, { seed: 1 });
    const same = stream(200);
    expect(other).not.toEqual(same);
    expect(other.map((e) => [e.type, e.dateTime, 'id' in e ? e.id : undefined])).toEqual(same.map((e) => [e.type, e.dateTime, 'id' in e ? e.id : undefined]));
    expect(stream(200, { seed: 1 })).toEqual(other);
  });
});

describe('NexmarkGenerator: the event model', () => {
  it('mixes the types exactly 1 : 3 : 46 in every 50 events', () => {
    expect(persons).toHaveLength(EPOCHS);
    expect(auctions).toHaveLength(3 * EPOCHS);
    expect(bids).toHaveLength(46 * EPOCHS);
    for (let n = 0; n < 100; n++) {
      const r = n % 50;
      expect(events[n]!.type).toBe(r < 1 ? 'person' : r < 4 ? 'auction' : 'bid');
    }
  });

  it('numbers people and auctions densely from 1000, in order', () => {
    expect(persons.map((p) => p.id)).toEqual(Array.from({ length: EPOCHS }, (_, i) => 1000 + i));
    expect(auctions.map((a) => a.id)).toEqual(Array.from({ length: 3 * EPOCHS }, (_, i) => 1000 + i));
    expect(lastBase0PersonId(0)).toBe(0);
    expect(lastBase0PersonId(149)).toBe(2);
    expect(lastBase0AuctionId(0)).toBe(-1);
    expect(lastBase0AuctionId(2)).toBe(1);
    expect(lastBase0AuctionId(10)).toBe(2);
    expect(lastBase0AuctionId(50)).toBe(2);
    expect(lastBase0AuctionId(51)).toBe(3);
  });

  it('gives categories 10 to 14 and sellers among the people created so far (plus the lead)', () => {
    const wrong = auctions.filter((auction, i) => {
      const people = lastBase0PersonId(auctionNumbers[i]!) + 1;
      const sellerOk = auction.seller >= 1000 + people - Math.min(people, 1000) && auction.seller < 1000 + people + 10;
      return auction.category < 10 || auction.category > 14 || !sellerOk || auction.reserve <= auction.initialBid;
    });
    expect(wrong).toEqual([]);
    expect(new Set(auctions.map((a) => a.category))).toEqual(new Set([10, 11, 12, 13, 14]));
  });

  it('picks hot sellers 3/4, hot auctions 1/2 and hot bidders 3/4 of the time (default ratios 4, 2, 4)', () => {
    const hotSeller = auctions.filter((a, i) => a.seller === 1000 + Math.floor(lastBase0PersonId(auctionNumbers[i]!) / 100) * 100).length / auctions.length;
    const hotAuction = bids.filter((b, i) => b.auction === 1000 + Math.floor(lastBase0AuctionId(bidNumbers[i]!) / 100) * 100).length / bids.length;
    const hotBidder = bids.filter((b, i) => b.bidder === 1001 + Math.floor(lastBase0PersonId(bidNumbers[i]!) / 100) * 100).length / bids.length;
    // A cold pick hits the hot id now and then (about 1 in 110 for auctions, 1 in 1000 for people).
    expect(hotSeller).toBeGreaterThan(0.73);
    expect(hotSeller).toBeLessThan(0.77);
    expect(hotAuction).toBeGreaterThan(0.495);
    expect(hotAuction).toBeLessThan(0.515);
    expect(hotBidder).toBeGreaterThan(0.74);
    expect(hotBidder).toBeLessThan(0.76);
  });

  it('follows the hot ratios it is given (ratio 1: never hot)', () => {
    const cold = stream(5000, { hotAuctionRatio: 1, hotBiddersRatio: 1 }).filter((e): e is BidEvent => e.type === 'bid');
    const hot = cold.filter((b) => b.auction % 100 === 0 && b.bidder % 100 === 1).length / cold.length;
    expect(hot).toBeLessThan(0.05);
  });

  it('keeps cold bids on the in-flight auctions and active people, plus a lead of 10 ids, and adds 1000 to bidders once', () => {
    const outside = bids.filter((bid, i) => {
      const n = bidNumbers[i]!;
      const lastAuction = lastBase0AuctionId(n);
      const people = lastBase0PersonId(n) + 1;
      const auctionOk = bid.auction - 1000 >= Math.max(lastAuction - 100, 0) && bid.auction - 1000 <= lastAuction + 10;
      const bidderOk = bid.bidder - 1000 >= people - Math.min(people, 1000) && bid.bidder - 1000 < people + 10;
      return !auctionOk || !bidderOk;
    });
    expect(outside).toEqual([]);
    // The hot bidder of the first batch exists from event 50 on; no bidder is 2000 too high (the double offset).
    expect(Math.max(...bids.map((b) => b.bidder))).toBeLessThan(1000 + EPOCHS + 10);
  });

  it('draws prices log-uniformly from 100 to 10^8 (half below 10^5)', () => {
    const prices = [...bids.map((b) => b.price), ...auctions.map((a) => a.initialBid)];
    expect(prices.filter((p) => !Number.isInteger(p) || p < 100 || p > 100_000_000)).toEqual([]);
    expect(Math.min(...prices)).toBeLessThan(110);
    expect(Math.max(...prices)).toBeGreaterThan(90_000_000);
    const below = prices.filter((p) => p < 100_000).length / prices.length;
    expect(Math.abs(below - 0.5)).toBeLessThan(0.01);
    const belowThousand = prices.filter((p) => p < 1000).length / prices.length;
    expect(Math.abs(belowThousand - 1 / 6)).toBeLessThan(0.01);
  });

  it('sends half of the bids through the four hot channels, each with one URL', () => {
    const hot = bids.filter((b) => ['Google', 'Facebook', 'Baidu', 'Apple'].includes(b.channel));
    expect(Math.abs(hot.length / bids.length - 0.5)).toBeLessThan(0.01);
    const urls = new Map<string, Set<string>>();
    for (const bid of bids) urls.set(bid.channel, (urls.get(bid.channel) ?? new Set()).add(bid.url));
    for (const set of urls.values()) expect(set.size).toBe(1);
    const hotSet = new Set(hot);
    const malformed = bids.filter((bid) => {
      if (!/^https:\/\/www\.nexmark\.com\/[a-z_]+\/[a-z_]+\/[a-z_]+\/item\.htm\?query=1(&channel_id=\d+)?$/.test(bid.url)) return true;
      if (hotSet.has(bid)) return bid.url.includes('&channel_id=');
      const id = /^channel-(\d+)$/.exec(bid.channel)?.[1];
      if (id === undefined || Number(id) >= 10_000) return true;
      return bid.url.includes('&channel_id=') && !bid.url.endsWith(`&channel_id=${id}`);
    });
    expect(malformed).toEqual([]);
    const strings = nexmarkStrings(0, 1000);
    const withId = strings.urls.slice(4).filter((url) => url.includes('&channel_id=')).length / 10_000;
    expect(withId).toBeGreaterThan(0.88);
    expect(withId).toBeLessThan(0.92);
  });

  it('pads events with extra to the average sizes, within ± 20 %', () => {
    const check = (config: Partial<NexmarkConfig>, count: number): void => {
      const all = stream(count, config);
      const sizes = { person: [] as number[], auction: [] as number[], bid: [] as number[] };
      expect(all.filter((e) => !/^[a-z]*$/.test(e.extra))).toEqual([]);
      for (const e of all) {
        if (e.type === 'person') sizes.person.push(8 + e.name.length + e.emailAddress.length + e.creditCard.length + e.city.length + e.state.length + e.extra.length);
        else if (e.type === 'auction') sizes.auction.push(8 + e.itemName.length + e.description.length + 40 + e.extra.length);
        else sizes.bid.push(32 + e.extra.length);
      }
      const average = { person: config.avgPersonByteSize ?? 200, auction: config.avgAuctionByteSize ?? 500, bid: config.avgBidByteSize ?? 100 };
      for (const type of ['person', 'auction', 'bid'] as const) {
        const avg = average[type];
        expect(Math.min(...sizes[type])).toBeGreaterThanOrEqual(0.8 * avg);
        expect(Math.max(...sizes[type])).toBeLessThanOrEqual(1.2 * avg);
        const mean = sizes[type].reduce((a, b) => a + b, 0) / sizes[type].length;
        expect(Math.abs(mean - avg) / avg).toBeLessThan(0.02);
      }
    };
    check({}, 50_000);
    check({ avgPersonByteSize: 1000, avgAuctionByteSize: 3000, avgBidByteSize: 400 }, 20_000);
  });

  it('fills people with names, e-mail addresses, credit cards, cities and states of the model', () => {
    const wrong = persons.filter(
      (p) =>
        !/^[A-Z][a-z]+ [A-Z][a-z]+$/.test(p.name) ||
        !/^[a-z ]*@[a-z ]*\.com$/.test(p.emailAddress) ||
        !/^\d{4} \d{4} \d{4} \d{4}$/.test(p.creditCard) ||
        !['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'].includes(p.state),
    );
    expect(wrong).toEqual([]);
    expect(new Set(persons.map((p) => p.state)).size).toBe(6);
    expect(new Set(persons.map((p) => p.city)).size).toBe(10);
  });
});

describe('NexmarkGenerator: event time', () => {
  it('stamps event n with baseTime + floor(n * 1000 / rate)', () => {
    expect(events.filter((e, n) => e.dateTime !== DEFAULT_NEXMARK_CONFIG.baseTime + Math.floor(n / 100))).toEqual([]);
    const slow = generator({ rate: 3, baseTime: 1000 });
    expect([0, 1, 2, 3, 4, 299].map((n) => slow.event(n).dateTime)).toEqual([1000, 1333, 1666, 2000, 2333, 100_666]);
    expect(generator({ rate: 1 }).event(10).dateTime).toBe(DEFAULT_NEXMARK_CONFIG.baseTime + 10_000);
  });

  it('lets auctions expire within twice the time in which 100 more auctions open', () => {
    const rate = 1000;
    const g = generator({ rate });
    const horizonMs = (n: number): number => g.timestamp(n + Math.floor((100 * 50) / 3)) - g.timestamp(n);
    let total = 0;
    for (const n of auctionNumbers.slice(0, 3000)) {
      const auction = g.event(n) as AuctionEvent;
      const length = auction.expires - auction.dateTime;
      expect(length).toBeGreaterThanOrEqual(1);
      expect(length).toBeLessThanOrEqual(2 * horizonMs(n));
      total += length;
    }
    // Average about the horizon (1 666 events at 1 000/s ≈ 1.67 s).
    expect(Math.abs(total / 3000 / 1666 - 1)).toBeLessThan(0.05);
  });
});

describe('NexmarkGenerator: out-of-order groups', () => {
  it('permutes every complete group of N positions as base + (n * 953) % N and leaves a trailing partial group in order', () => {
    const g = generator({ events: 95, outOfOrderGroupSize: 10 });
    for (let p = 0; p < 90; p++) expect(g.eventNumber(p)).toBe(p - (p % 10) + ((p * 953) % 10));
    for (let p = 90; p < 95; p++) expect(g.eventNumber(p)).toBe(p);
    for (let base = 0; base < 90; base += 10) {
      const group = Array.from({ length: 10 }, (_, k) => g.eventNumber(base + k)).sort((a, b) => a - b);
      expect(group).toEqual(Array.from({ length: 10 }, (_, k) => base + k));
    }
    expect(g.eventAt(1)).toEqual(g.event(3)); // 953 % 10 = 3
    expect(generator().eventNumber(123)).toBe(123);
  });

  it('yields the same multiset of events as the in-order stream, with event times out of order', () => {
    const ordered = stream(1003, { rate: 1000 });
    const shuffled = stream(1003, { rate: 1000, outOfOrderGroupSize: 50 });
    expect(shuffled).not.toEqual(ordered);
    const key = (e: NexmarkEvent): string => JSON.stringify(e);
    expect(shuffled.map(key).sort()).toEqual(ordered.map(key).sort());
    const outOfOrder = shuffled.some((e, i) => i > 0 && e.dateTime < shuffled[i - 1]!.dateTime);
    expect(outOfOrder).toBe(true);
    expect(stream(40_000, { outOfOrderGroupSize: 7 }).filter((e) => e.type === 'person').map((e) => (e as PersonEvent).id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 800 }, (_, i) => 1000 + i),
    );
  });

  it('permutes unbounded streams everywhere', () => {
    const g = generator({ events: undefined, outOfOrderGroupSize: 4 });
    expect(g.eventNumber(1_000_001)).toBe(1_000_000 + ((1_000_001 * 953) % 4));
  });
});
