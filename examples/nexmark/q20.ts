// Nexmark q20, expand bid with auction: the bids on category-10 auctions,
// widened with the auction's columns:
//   SELECT auction, bidder, price, channel, url, B.dateTime, B.extra,
//     itemName, description, initialBid, reserve, A.dateTime, expires, seller, category, A.extra
//   FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id WHERE A.category = 10
// An unbounded join keyed by auction id: bids wait for their auction, the
// auction is kept for later bids. Append-only.
//   npx flinkts run examples/nexmark/q20.ts -- --events 1000000 [--output q20.jsonl]
import {
  KeyedCoProcessFunction,
  ListStateDescriptor,
  ValueStateDescriptor,
  type AuctionEvent,
  type BidEvent,
  type Collector,
  type KeyedCoProcessFunctionContext,
  type ListState,
  type ValueState,
} from 'flinkts';
import { auctions, bids, nexmarkJob } from './common.js';

/** One result row (the SQL's `bid_dateTime`, `bid_extra`, ... in camelCase). */
export interface Q20Row {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly bidDateTime: number;
  readonly bidExtra: string;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly auctionDateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly auctionExtra: string;
}

/** The joined row of a bid and its auction. */
export function widen(bid: BidEvent, auction: AuctionEvent): Q20Row {
  return {
    auction: bid.auction,
    bidder: bid.bidder,
    price: bid.price,
    channel: bid.channel,
    url: bid.url,
    bidDateTime: bid.dateTime,
    bidExtra: bid.extra,
    itemName: auction.itemName,
    description: auction.description,
    initialBid: auction.initialBid,
    reserve: auction.reserve,
    auctionDateTime: auction.dateTime,
    expires: auction.expires,
    seller: auction.seller,
    category: auction.category,
    auctionExtra: auction.extra,
  };
}

/**
 * Joins bids (input 1) with auctions (input 2) on auction id. Auction ids are
 * unique, so the auction side holds one value per key: the auction when it is
 * in category 10, else `false` (its bids are then dropped rather than kept
 * forever, which a join without the key's uniqueness would have to do).
 */
class BidsOfCategory10 extends KeyedCoProcessFunction<number, BidEvent, AuctionEvent, Q20Row> {
  private auction!: ValueState<AuctionEvent | false>;
  private waiting!: ListState<BidEvent>;

  override open(): void {
    this.auction = this.getRuntimeContext().getState(new ValueStateDescriptor<AuctionEvent | false>('auction'));
    this.waiting = this.getRuntimeContext().getListState(new ListStateDescriptor<BidEvent>('bids-waiting'));
  }

  processElement1(bid: BidEvent, _ctx: KeyedCoProcessFunctionContext<number>, out: Collector<Q20Row>): void {
    const auction = this.auction.value();
    if (auction === undefined) this.waiting.add(bid);
    else if (auction !== false) out.collect(widen(bid, auction));
  }

  processElement2(auction: AuctionEvent, _ctx: KeyedCoProcessFunctionContext<number>, out: Collector<Q20Row>): void {
    if (auction.category === 10) {
      this.auction.update(auction);
      for (const bid of this.waiting.get()) out.collect(widen(bid, auction));
    } else {
      this.auction.update(false);
    }
    this.waiting.clear();
  }
}

export default nexmarkJob('q20', (events) =>
  bids(events)
    .connect(auctions(events))
    .keyBy(
      (bid) => bid.auction,
      (auction) => auction.id,
    )
    .process(new BidsOfCategory10())
    .name('q20: join auctions'),
);
