/**
 * The Nexmark event generator (Beam's NexmarkGenerator semantics, see
 * NEXMARK.md): event `n` is a pure function of the configuration and `n`.
 *
 * - Position → event number: positions are the order of the stream; within
 *   every complete group of `outOfOrderGroupSize` positions, position p
 *   carries event number `base + (p * 953) % N` (a permutation, since 953 is
 *   prime and N is not a multiple of it). A trailing incomplete group of a
 *   bounded stream stays in order, so a bounded run holds exactly the event
 *   numbers 0 … events − 1 and ids stay dense.
 * - Event number → everything else: the type (`n % 50`: 1 person, 3
 *   auctions, 46 bids), the ids, the event time
 *   `baseTime + floor(n * 1000 / rate)` (the global timeline, whatever the
 *   parallelism), and the random fields, drawn from a generator seeded with
 *   (seed, n).
 */
import { OUT_OF_ORDER_MULTIPLIER } from './config.js';
import type { AuctionEvent, BidEvent, NexmarkConfig, NexmarkEvent, PersonEvent } from './model.js';
import { eventState, hashSeed, NexmarkRandom } from './random.js';
import { nexmarkStrings, randomExtra, randomWords, CHANNELS_NUMBER, HOT_CHANNELS, type NexmarkStrings } from './strings.js';

/** Proportions of the event types in every 50 events. */
export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const TOTAL_PROPORTION = 50;
/** First ids; ids are dense from here. */
export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;
export const NUM_CATEGORIES = 5;
/** Ids not yet created that random sellers, bidders and auctions may refer to. */
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
/** Hot sellers, bidders and auctions are the first of each batch of this many. */
const HOT_BATCH = 100;
/** Half of the bids come through one of the hot channels. */
const HOT_CHANNELS_RATIO = 2;

const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];

/** The last person id (base 0) created at or before event `n`. */
export function lastBase0PersonId(n: number): number {
  const epoch = Math.floor(n / TOTAL_PROPORTION);
  const offset = Math.min(n % TOTAL_PROPORTION, PERSON_PROPORTION - 1);
  return epoch * PERSON_PROPORTION + offset;
}

/** The last auction id (base 0) created at or before event `n` (−1 before the first). */
export function lastBase0AuctionId(n: number): number {
  let epoch = Math.floor(n / TOTAL_PROPORTION);
  let offset = n % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) {
    epoch -= 1;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) {
    offset = AUCTION_PROPORTION - 1;
  } else {
    offset -= PERSON_PROPORTION;
  }
  return epoch * AUCTION_PROPORTION + offset;
}

/** Generates the events of one configuration; cheap to create, one per reader. */
export class NexmarkGenerator {
  private readonly random = new NexmarkRandom();
  private readonly seedHash: number;
  private readonly strings: NexmarkStrings;
  private readonly groupSize: number;
  /** Positions below this lie in complete out-of-order groups. */
  private readonly permutedLimit: number;
  /** Events until `inFlightAuctions` more auctions exist (Beam's auction-length horizon). */
  private readonly eventsForInFlightAuctions: number;

  constructor(readonly config: NexmarkConfig) {
    this.seedHash = hashSeed(config.seed);
    const maxExtra = Math.ceil(1.2 * Math.max(config.avgPersonByteSize, config.avgAuctionByteSize, config.avgBidByteSize)) + 1;
    this.strings = nexmarkStrings(config.seed, maxExtra);
    this.groupSize = config.outOfOrderGroupSize;
    // Unbounded: every group is complete.
    this.permutedLimit = config.events === undefined ? Number.POSITIVE_INFINITY : config.events - (config.events % this.groupSize);
    this.eventsForInFlightAuctions = Math.floor((config.inFlightAuctions * TOTAL_PROPORTION) / AUCTION_PROPORTION);
  }

  /** The event number at stream position `position` (the out-of-order permutation). */
  eventNumber(position: number): number {
    const size = this.groupSize;
    if (size === 1 || position >= this.permutedLimit) return position;
    const base = position - (position % size);
    return base + ((position % size) * OUT_OF_ORDER_MULTIPLIER) % size;
  }

  /** The event time of event number `n`, epoch ms. */
  timestamp(n: number): number {
    return this.config.baseTime + Math.floor((n * 1000) / this.config.rate);
  }

  /** The event at stream position `position`. */
  eventAt(position: number): NexmarkEvent {
    return this.event(this.eventNumber(position));
  }

  /** Event number `n`. */
  event(n: number): NexmarkEvent {
    this.random.reset(eventState(this.seedHash, n));
    const timestamp = this.timestamp(n);
    const rem = n % TOTAL_PROPORTION;
    if (rem < PERSON_PROPORTION) return this.person(n, timestamp);
    if (rem < PERSON_PROPORTION + AUCTION_PROPORTION) return this.auction(n, timestamp);
    return this.bid(n, timestamp);
  }

  private person(n: number, dateTime: number): PersonEvent {
    const random = this.random;
    const id = lastBase0PersonId(n) + FIRST_PERSON_ID;
    const name = `${FIRST_NAMES[random.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[random.nextInt(LAST_NAMES.length)]}`;
    const emailAddress = `${randomWords(random, this.strings, 7)}@${randomWords(random, this.strings, 5)}.com`;
    const creditCard = `${pad4(random.nextInt(10_000))} ${pad4(random.nextInt(10_000))} ${pad4(random.nextInt(10_000))} ${pad4(random.nextInt(10_000))}`;
    const city = US_CITIES[random.nextInt(US_CITIES.length)]!;
    const state = US_STATES[random.nextInt(US_STATES.length)]!;
    const size = 8 + name.length + emailAddress.length + creditCard.length + city.length + state.length;
    const extra = randomExtra(random, this.strings, size, this.config.avgPersonByteSize);
    return { type: 'person', id, name, emailAddress, creditCard, city, state, dateTime, extra };
  }

  private auction(n: number, dateTime: number): AuctionEvent {
    const random = this.random;
    const id = lastBase0AuctionId(n) + FIRST_AUCTION_ID;
    const seller =
      (random.nextInt(this.config.hotSellersRatio) > 0
        ? Math.floor(lastBase0PersonId(n) / HOT_BATCH) * HOT_BATCH
        : this.randomBase0PersonId(n)) + FIRST_PERSON_ID;
    const category = FIRST_CATEGORY_ID + random.nextInt(NUM_CATEGORIES);
    const initialBid = this.price();
    // Auctions last on average as long as it takes to open `inFlightAuctions` more.
    const horizon = this.timestamp(n + this.eventsForInFlightAuctions) - dateTime;
    const expires = dateTime + 1 + random.nextInt(Math.max(horizon * 2, 1));
    const itemName = randomWords(random, this.strings, 20);
    const description = randomWords(random, this.strings, 100);
    const reserve = initialBid + this.price();
    const size = 8 + itemName.length + description.length + 8 + 8 + 8 + 8 + 8;
    const extra = randomExtra(random, this.strings, size, this.config.avgAuctionByteSize);
    return { type: 'auction', id, itemName, description, initialBid, reserve, dateTime, expires, seller, category, extra };
  }

  private bid(n: number, dateTime: number): BidEvent {
    const random = this.random;
    const config = this.config;
    const auction =
      (random.nextInt(config.hotAuctionRatio) > 0
        ? Math.floor(lastBase0AuctionId(n) / HOT_BATCH) * HOT_BATCH
        : this.randomBase0AuctionId(n)) + FIRST_AUCTION_ID;
    // The hot bidder is the second of its batch, so hot bidders and hot sellers differ.
    // FIRST_PERSON_ID is added once (Flink's port adds it twice).
    const bidder =
      (random.nextInt(config.hotBiddersRatio) > 0
        ? Math.floor(lastBase0PersonId(n) / HOT_BATCH) * HOT_BATCH + 1
        : this.randomBase0PersonId(n)) + FIRST_PERSON_ID;
    const price = this.price();
    const channelIndex = random.nextInt(HOT_CHANNELS_RATIO) > 0 ? random.nextInt(HOT_CHANNELS.length) : HOT_CHANNELS.length + random.nextInt(CHANNELS_NUMBER);
    const channel = this.strings.channels[channelIndex]!;
    const url = this.strings.urls[channelIndex]!;
    const extra = randomExtra(random, this.strings, 8 + 8 + 8 + 8, config.avgBidByteSize);
    return { type: 'bid', auction, bidder, price, channel, url, dateTime, extra };
  }

  /** Log-uniform from 100 to 10^8: `round(10^(U * 6) * 100)`. */
  private price(): number {
    return Math.round(Math.pow(10, this.random.nextDouble() * 6) * 100);
  }

  /** One of the last `activePeople` people, or up to 10 ids not yet created. */
  private randomBase0PersonId(n: number): number {
    const numPeople = lastBase0PersonId(n) + 1;
    const active = Math.min(numPeople, this.config.activePeople);
    return numPeople - active + this.random.nextInt(active + PERSON_ID_LEAD);
  }

  /** One of the last `inFlightAuctions` auctions, or up to 10 ids not yet created. */
  private randomBase0AuctionId(n: number): number {
    const last = lastBase0AuctionId(n);
    const first = Math.max(last - this.config.inFlightAuctions, 0);
    return first + this.random.nextInt(last - first + 1 + AUCTION_ID_LEAD);
  }
}

function pad4(value: number): string {
  return value < 10 ? `000${value}` : value < 100 ? `00${value}` : value < 1000 ? `0${value}` : String(value);
}
