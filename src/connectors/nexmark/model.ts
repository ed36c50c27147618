/**
 * The Nexmark event model (an online auction): people register, open
 * auctions and bid. Events flow as flat objects tagged with `type`, the same
 * shape `flinkts nexmark generate --format jsonl` writes one per line.
 * `dateTime` and `expires` are epoch milliseconds.
 */

export interface Person {
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface Auction {
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

export type PersonEvent = Person & { readonly type: 'person' };
export type AuctionEvent = Auction & { readonly type: 'auction' };
export type BidEvent = Bid & { readonly type: 'bid' };
/** One Nexmark event. */
export type NexmarkEvent = PersonEvent | AuctionEvent | BidEvent;

/** The generator's knobs (NEXMARK.md); every field has a default. */
export interface NexmarkConfig {
  /** Number of events; `undefined` for an unbounded stream. */
  readonly events: number | undefined;
  /** Events per second of event time (all source subtasks together). */
  readonly rate: number;
  /** Event time of event 0, epoch ms; default 2026-01-01T00:00:00Z (never the wall clock). */
  readonly baseTime: number;
  readonly seed: number;
  readonly activePeople: number;
  readonly inFlightAuctions: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
  /** Events are permuted within groups of this size (1 = in order). */
  readonly outOfOrderGroupSize: number;
}

export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = {
  events: undefined,
  rate: 100_000,
  baseTime: Date.UTC(2026, 0, 1),
  seed: 0,
  activePeople: 1000,
  inFlightAuctions: 100,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  outOfOrderGroupSize: 1,
};
