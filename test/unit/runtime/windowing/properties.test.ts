/**
 * Property-based tests (fast-check) of the window operator: random keyed
 * event streams with bounded disorder, watermarks as a bounded-out-of-
 * orderness generator emits them, window sums compared with a plain batch
 * computation written here (group by key and window start).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../../../src/api/functions.js';
import { OutputTag } from '../../../../src/api/output-tag.js';
import { SlidingEventTimeWindows, TumblingEventTimeWindows } from '../../../../src/api/windowing/assigners.js';
import { EventTimeSessionWindows } from '../../../../src/api/windowing/session-windows.js';
import type { TimeWindow, Window } from '../../../../src/api/windowing/windows.js';
import { BACKENDS, disposeHarnesses, specOf, useBackend, WindowHarness } from './harness.js';
import { rec, type Rec } from './helpers.js';

interface Event {
  key: string;
  v: number;
  ts: number;
}

/** Events whose timestamps are at most `bound` behind the largest one before them. */
const events = (bound: number) =>
  fc
    .tuple(
      fc.integer({ min: -1000, max: 1000 }),
      fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), v: fc.integer({ min: -50, max: 50 }), step: fc.integer({ min: 0, max: 15 }), jitter: fc.integer({ min: 0, max: bound }) }), {
        maxLength: 120,
      }),
    )
    .map(([origin, raw]) => {
      let base = origin;
      return raw.map(({ key, v, step, jitter }): Event => {
        base += step;
        return { key, v, ts: base - jitter };
      });
    });

const sum = (a: Rec, b: Rec): Rec => ({ key: a.key, v: a.v + b.v });
/** `key@start=sum` per firing. */
const label = (key: string, window: Window, input: Iterable<Rec>, out: Collector<string>) => out.collect(`${key}@${(window as TimeWindow).getStart()}=${[...input][0]!.v}`);

/** Runs the events with watermarks lagging `lag` behind the largest timestamp (as max − lag − 1), then the end-of-input watermark. */
function run(h: WindowHarness, input: Event[], lag: number): string[] {
  let max = Number.NEGATIVE_INFINITY;
  for (const e of input) {
    h.element(rec(e.key, e.v), e.ts);
    if (e.ts > max) {
      max = e.ts;
      h.watermark(max - lag - 1);
    }
  }
  h.watermark(Number.POSITIVE_INFINITY);
  return (h.take() as string[]).sort();
}

/** Batch: sums per key and window start. */
function batch(input: Event[], startsOf: (ts: number) => number[]): string[] {
  const sums = new Map<string, number>();
  for (const e of input) for (const start of startsOf(e.ts)) sums.set(`${e.key}@${start}`, (sums.get(`${e.key}@${start}`) ?? 0) + e.v);
  return [...sums].map(([k, v]) => `${k}=${v}`).sort();
}

/** Runs per property: the embedded backend opens a store per run, so it gets fewer. */
const RUNS_OF = { hashmap: 300, embedded: 100 } as const;

describe.each(BACKENDS)('%s backend', (backend) => {
  const RUNS = RUNS_OF[backend];
  beforeEach(() => useBackend(backend));
  afterEach(async () => {
    await disposeHarnesses();
    useBackend('hashmap');
  });

  describe('window sums equal a batch computation', () => {
    it('tumbling windows (floor(ts / size)), disorder within the bound', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 30 }), events(30), async (size, bound, all) => {
          const input = all.filter((e, i) => all.slice(0, i).every((p) => e.ts >= p.ts - bound));
          const h = await new WindowHarness(specOf(TumblingEventTimeWindows.of(size), (s) => s.reduce(sum, label))).open();
          expect(run(h, input, bound)).toEqual(batch(input, (ts) => [Math.floor(ts / size) * size]));
          expect(h.keysWithState()).toBe(0);
          await h.dispose();
        }),
        { numRuns: RUNS },
      );
    });

    it('sliding windows (every start k·slide in (ts − size, ts])', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 20 }), events(20), async (slide, factor, bound, all) => {
          const size = slide * factor;
          const input = all.filter((e, i) => all.slice(0, i).every((p) => e.ts >= p.ts - bound));
          const h = await new WindowHarness(specOf(SlidingEventTimeWindows.of(size, slide), (s) => s.reduce(sum, label))).open();
          const starts = (ts: number) => {
            const result: number[] = [];
            for (let start = Math.floor(ts / slide) * slide; start > ts - size; start -= slide) result.push(start);
            return result;
          };
          expect(run(h, input, bound)).toEqual(batch(input, starts));
          await h.dispose();
        }),
        { numRuns: RUNS },
      );
    });

    it('session windows (a new session when an event comes after the end of the last)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 20 }), events(20), async (gap, bound, all) => {
          const input = all.filter((e, i) => all.slice(0, i).every((p) => e.ts >= p.ts - bound));
          const h = await new WindowHarness(specOf(EventTimeSessionWindows.withGap(gap), (s) => s.reduce(sum, label))).open();
          // Batch sessions per key: sort by time; a session [start, end) grows while the next event is ≤ end.
          const expected: string[] = [];
          for (const key of new Set(input.map((e) => e.key))) {
            const mine = input.filter((e) => e.key === key).sort((a, b) => a.ts - b.ts);
            let start = mine[0]!.ts;
            let end = start + gap;
            let total = 0;
            for (const e of mine) {
              if (e.ts > end) {
                expected.push(`${key}@${start}=${total}`);
                start = e.ts;
                total = 0;
              }
              end = Math.max(end, e.ts + gap);
              total += e.v;
            }
            expected.push(`${key}@${start}=${total}`);
          }
          // The watermark lags bound + gap so no session fires before every event that could touch it arrived.
          expect(run(h, input, bound + gap)).toEqual(expected.sort());
          await h.dispose();
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe('late data', () => {
    it('with any disorder, every element is counted in its window or sent to the late side output, never both', async () => {
      const late = new OutputTag<Rec>('late');
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 15 }), events(40), async (size, bound, lateness, input) => {
          const spec = specOf(TumblingEventTimeWindows.of(size), (s) => s.allowedLateness(lateness).sideOutputLateData(late).apply((key: string, w: Window, all: Iterable<Rec>, out: Collector<Rec[]>) => out.collect([...all])));
          const h = await new WindowHarness(spec).open();
          let max = Number.NEGATIVE_INFINITY;
          for (const e of input) {
            h.element(rec(e.key, e.v), e.ts);
            if (e.ts > max) {
              max = e.ts;
              h.watermark(max - bound - 1);
            }
          }
          h.watermark(Number.POSITIVE_INFINITY);
          // Late firings repeat a window's earlier elements: the last firing of each window has them all.
          const lastFiring = new Map<string, Rec[]>();
          for (const r of h.takeWithTimestamps()) {
            const elements = r.value as Rec[];
            lastFiring.set(`${elements[0]!.key}@${r.timestamp}`, elements);
          }
          const counted = [...lastFiring.values()].flat().length;
          const sideOutput = h.side.get('late')?.length ?? 0;
          expect(counted + sideOutput).toBe(input.length);
          expect(h.operator.lateRecordsDropped).toBe(0);
          await h.dispose();
        }),
        { numRuns: RUNS },
      );
    });
  });
});
