/**
 * The updating Nexmark queries (examples/nexmark/q4, q15–q19) on the
 * MiniCluster at parallelism 1 and 3. Each job writes Flink's changelog
 * (`op` = +I / -U / +U / -D); the test checks that the changelog is
 * well-formed row for row (test/support/nexmark-updating.ts), applies it, and
 * compares the final table with the batch implementation in
 * test/support/nexmark-batch-updating.ts over the same 200 000 events: the
 * same multiset of rows, floating-point averages to 1e-9 relative.
 *
 * Two event sets: one at 1 event per second of event time (200 000 s: three
 * UTC days for the per-day groups of q15–q17; q4's auctions live up to about
 * an hour, so most close while the run goes on and a fifth of the bids come
 * after their auction closed), and one at the default 100 000 per second,
 * where a hundred events share each millisecond: bids of one bidder on one
 * auction tie on dateTime, so q18's tie-break decides, and bids fall on an
 * auction's first and last millisecond, the ends of q4's BETWEEN.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { NexmarkEvent } from 'flinkts';
import * as batch from '../support/nexmark-batch-updating.js';
import { applyChangelog, expectSameRows, generateEvents, runQuery } from '../support/nexmark.js';
import { checkChangelog } from '../support/nexmark-updating.js';

const EVENTS = 200_000;
const DAILY_RATE = 1;
const DENSE_RATE = 100_000;

type Rows = Record<string, unknown>[];

let daily: NexmarkEvent[] = [];
let dense: NexmarkEvent[] = [];
beforeAll(() => {
  daily = generateEvents(EVENTS, { rate: DAILY_RATE });
  dense = generateEvents(EVENTS, { rate: DENSE_RATE });
});

/** An updating query over one event set. */
interface UpdatingQuery {
  /** The query and its event set, as the test names it. */
  readonly name: string;
  readonly query: string;
  /** The unique key of the result table. */
  readonly key: readonly string[];
  readonly compute: (events: readonly NexmarkEvent[]) => Rows;
  readonly rate: number;
  /** The fewest result rows that make the comparison meaningful. */
  readonly fewest: number;
}

const updating = (query: string, key: string[], compute: UpdatingQuery['compute'], rate: number, fewest: number): UpdatingQuery => ({
  name: `${query} at ${rate === DAILY_RATE ? '1 event/s' : '100 000 events/s'}`,
  query,
  key,
  compute,
  rate,
  fewest,
});

const QUERIES: UpdatingQuery[] = [
  updating('q4', ['category'], batch.q4, DAILY_RATE, 5),
  updating('q4', ['category'], batch.q4, DENSE_RATE, 5),
  updating('q15', ['day'], batch.q15, DAILY_RATE, 3),
  updating('q16', ['channel', 'day'], batch.q16, DAILY_RATE, 10_000),
  updating('q17', ['auction', 'day'], batch.q17, DAILY_RATE, 10_000),
  updating('q18', ['bidder', 'auction'], batch.q18, DENSE_RATE, 10_000),
  updating('q19', ['auction', 'rankNumber'], batch.q19, DAILY_RATE, 10_000),
];

/** Each query's batch result, computed once and shared by both parallelisms. */
const expectedCache = new Map<string, Rows>();
function expected(query: string, compute: () => Rows): Rows {
  let rows = expectedCache.get(query);
  if (rows === undefined) {
    rows = compute();
    expectedCache.set(query, rows);
  }
  return rows;
}

const eventsAt = (rate: number): NexmarkEvent[] => (rate === DAILY_RATE ? daily : dense);

describe('the generated events', () => {
  it('cover what the queries need', () => {
    expect(daily).toHaveLength(EVENTS);
    expect(dense).toHaveLength(EVENTS);
    // q15–q17 group by day: the daily set spans three.
    expect(new Set(daily.map((e) => new Date(e.dateTime).toISOString().slice(0, 10))).size).toBe(3);
    // q18: in the dense set the tie-break on equal dateTime decides the last bid of many (bidder, auction).
    expect(batch.q18Ties(dense)).toBeGreaterThan(100);
    // q4: in the dense set bids fall on an auction's first and last millisecond, so BETWEEN's inclusive ends matter.
    expect(batch.q4(dense, true)).not.toEqual(batch.q4(dense));
  });
});

describe.each([1, 3])('at parallelism %i', (parallelism) => {
  it.each(QUERIES)('$name: a well-formed changelog whose final table equals the batch result', async ({ name, query, key, compute, rate, fewest }) => {
    const want = expected(name, () => compute(eventsAt(rate)));
    expect(want.length).toBeGreaterThanOrEqual(fewest);
    const rows = await runQuery(query, EVENTS, parallelism, ['--rate', String(rate)]);
    const counts = checkChangelog(rows, key);
    // Every query updates rows it emitted; none deletes any.
    expect(counts['-U']).toBeGreaterThan(0);
    expect(counts['-D']).toBe(0);
    expectSameRows([...applyChangelog(rows, key).values()], want);
  });
});
