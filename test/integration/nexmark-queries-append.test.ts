/**
 * The append-only Nexmark queries (examples/nexmark/qN.ts) on the MiniCluster
 * at parallelism 1 and 3, each compared with its batch implementation in
 * test/support/nexmark-batch.ts over the same 200 000 generated events: the
 * same multiset of rows, floating-point columns to 1e-9 relative.
 *
 * The events run at 1 000 per second of event time (200 s: 20 tumbling and
 * 100 sliding windows, sessions that break), except for q14, whose labels
 * depend on the hour of day: it gets a second set of 200 000 events at 2 per
 * second (about 28 hours).
 *
 * q12 groups by processing time, so which window a bid lands in depends on the
 * clock: its test checks the total count per bidder over all windows and that
 * every window is an aligned 10 s span, not the rows themselves.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { NexmarkEvent } from 'flinkts';
import * as batch from '../support/nexmark-batch.js';
import { expectSameRows, generateEvents, runQuery } from '../support/nexmark.js';

const EVENTS = 200_000;
const RATE = 1000;
const HOURLY_RATE = 2;

type Rows = Record<string, unknown>[];

let events: NexmarkEvent[] = [];
let hourlyEvents: NexmarkEvent[] = [];
beforeAll(() => {
  events = generateEvents(EVENTS, { rate: RATE });
  hourlyEvents = generateEvents(EVENTS, { rate: HOURLY_RATE });
});

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

/** The queries compared row for row: name, batch implementation, the fewest rows that make the comparison meaningful. */
const ROW_QUERIES: [string, (events: readonly NexmarkEvent[]) => Rows, number][] = [
  ['q0', batch.q0, 100_000],
  ['q1', batch.q1, 100_000],
  ['q2', batch.q2, 10],
  ['q3', batch.q3, 10],
  ['q5', batch.q5, 100],
  ['q7', batch.q7, 20],
  ['q8', batch.q8, 10],
  ['q11', batch.q11, 1000],
  ['q20', batch.q20, 1000],
  ['q21', batch.q21, 10_000],
  ['q22', batch.q22, 100_000],
];

const run = async (query: string, parallelism: number, rate = RATE): Promise<Rows> => (await runQuery(query, EVENTS, parallelism, ['--rate', String(rate)])) as Rows;

describe('the generated events', () => {
  it('cover what the queries need', () => {
    expect(events).toHaveLength(EVENTS);
    const span = events.at(-1)!.dateTime - events[0]!.dateTime;
    expect(span).toBeGreaterThan(150_000);
    // q14 sees every hour of the day.
    expect(new Set(hourlyEvents.map((e) => new Date(e.dateTime).getUTCHours())).size).toBe(24);
    // q7: the SQL's inclusive BETWEEN (a bid on a window's end also meets that window's maximum) gives the same rows here.
    expectSameRows(batch.q7(events, true), batch.q7(events, false));
  });
});

describe.each([1, 3])('at parallelism %i', (parallelism) => {
  it.each(ROW_QUERIES)('%s equals its batch implementation', async (query, compute, fewest) => {
    const want = expected(query, () => compute(events));
    expect(want.length).toBeGreaterThanOrEqual(fewest);
    expectSameRows(await run(query, parallelism), want);
  });

  it('q14 equals its batch implementation, over every hour of the day', async () => {
    const want = expected('q14', () => batch.q14(hourlyEvents));
    expect(new Set(want.map((row) => row.bidTimeType))).toEqual(new Set(['dayTime', 'nightTime', 'otherTime']));
    expectSameRows(await run('q14', parallelism, HOURLY_RATE), want);
  });

  it('q12 counts every bid of each bidder once, in aligned 10 s processing-time windows', async () => {
    const rows = await run('q12', parallelism);
    for (const row of rows) {
      expect((row.endtime as number) - (row.starttime as number)).toBe(10_000);
      expect((row.starttime as number) % 10_000).toBe(0);
    }
    const totals = new Map<unknown, number>();
    for (const row of rows) totals.set(row.bidder, (totals.get(row.bidder) ?? 0) + (row.bidCount as number));
    expectSameRows(
      [...totals].map(([bidder, bidCount]) => ({ bidder, bidCount })),
      expected('q12', () => batch.q12Totals(events)),
    );
  });
});
