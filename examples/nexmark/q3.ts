// Nexmark q3, local item suggestion: who sells in category 10 from Oregon,
// Idaho or California, and which auctions:
//   SELECT P.name, P.city, P.state, A.id
//   FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
//   WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')
// An unbounded join keyed by person id with state on both sides: auctions wait
// for their seller, the seller is kept for later auctions. Append-only, since
// neither side is ever retracted.
//   npx flinkts run examples/nexmark/q3.ts -- --events 1000000 [--output q3.jsonl]
import {
  KeyedCoProcessFunction,
  ListStateDescriptor,
  ValueStateDescriptor,
  type AuctionEvent,
  type Collector,
  type KeyedCoProcessFunctionContext,
  type ListState,
  type PersonEvent,
  type ValueState,
} from 'flinkts';
import { auctions, nexmarkJob, persons } from './common.js';

const STATES: ReadonlySet<string> = new Set(['OR', 'ID', 'CA']);

interface Seller {
  readonly name: string;
  readonly city: string;
  readonly state: string;
}

/** One result row. */
export interface Q3Row extends Seller {
  readonly id: number;
}

/**
 * Joins people (input 1) with category-10 auctions (input 2) on seller id.
 * Person ids are unique, so the person side holds one value per key: the
 * seller's columns, or `false` for a person of another state (whose auctions
 * then need not be kept); auctions wait in a list until their seller arrives.
 */
class LocalSellers extends KeyedCoProcessFunction<number, PersonEvent, AuctionEvent, Q3Row> {
  private seller!: ValueState<Seller | false>;
  private waiting!: ListState<number>;

  override open(): void {
    this.seller = this.getRuntimeContext().getState(new ValueStateDescriptor<Seller | false>('seller'));
    this.waiting = this.getRuntimeContext().getListState(new ListStateDescriptor<number>('auctions-waiting'));
  }

  processElement1(person: PersonEvent, _ctx: KeyedCoProcessFunctionContext<number>, out: Collector<Q3Row>): void {
    if (!STATES.has(person.state)) {
      this.seller.update(false);
    } else {
      const seller: Seller = { name: person.name, city: person.city, state: person.state };
      this.seller.update(seller);
      for (const id of this.waiting.get()) out.collect({ ...seller, id });
    }
    this.waiting.clear();
  }

  processElement2(auction: AuctionEvent, _ctx: KeyedCoProcessFunctionContext<number>, out: Collector<Q3Row>): void {
    const seller = this.seller.value();
    if (seller === undefined) this.waiting.add(auction.id);
    else if (seller !== false) out.collect({ ...seller, id: auction.id });
  }
}

export default nexmarkJob('q3', (events) =>
  persons(events)
    .connect(auctions(events).filter((auction) => auction.category === 10).name('q3: category 10'))
    .keyBy(
      (person) => person.id,
      (auction) => auction.seller,
    )
    .process(new LocalSellers())
    .name('q3: join sellers'),
);
