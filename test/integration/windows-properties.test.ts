/**
 * Property-based: random keyed event streams with bounded disorder through
 * real jobs (test/fixtures/jobs/windows-random.ts) at parallelism 1 and 4;
 * tumbling and sliding window sums equal a batch computation done here
 * (group by key and window start, floor(ts / size) · size for tumbling).
 * Real jobs cost about half a second each, so a few runs per case.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { JOBS, readLines, sorted, tempDir } from '../support/job-output.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

type Event = [key: string, value: number, ts: number];

/** Events whose timestamps are at most `bound` behind the largest before them. */
const stream = (bound: number) =>
  fc
    .tuple(
      fc.integer({ min: -500, max: 500 }),
      fc.array(fc.tuple(fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5', 'k6'), fc.integer({ min: -20, max: 20 }), fc.integer({ min: 0, max: 9 }), fc.nat({ max: bound })), {
        minLength: 1,
        maxLength: 300,
      }),
    )
    .map(([origin, raw]) => {
      let base = origin;
      return raw.map(([key, v, step, jitter]): Event => {
        base += step;
        return [key, v, base - jitter];
      });
    });

function batch(events: Event[], startsOf: (ts: number) => number[]): string[] {
  const sums = new Map<string, number>();
  for (const [key, v, ts] of events) for (const start of startsOf(ts)) sums.set(`${key}@${start}`, (sums.get(`${key}@${start}`) ?? 0) + v);
  return sorted([...sums].map(([k, v]) => `${k}=${v}`));
}

const BOUND = 12;
const RUNS = 3;

describe.each([1, 4])('window sums at parallelism %i equal a batch computation', (parallelism) => {
  async function run(events: Event[], args: string[]): Promise<string[]> {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const input = join(dir, 'events.json');
    writeFileSync(input, JSON.stringify(events));
    const output = join(dir, 'out');
    const result = await runJob({ job: join(JOBS, 'windows-random.ts'), args: ['--input', input, '--bound', String(BOUND), '--output', output, ...args], parallelism });
    expect(result.error?.message).toBeUndefined();
    return sorted(readLines(output));
  }

  it('tumbling', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), stream(BOUND), async (size, events) => {
        expect(await run(events, ['--mode', 'tumbling', '--size', String(size)])).toEqual(batch(events, (ts) => [Math.floor(ts / size) * size]));
      }),
      { numRuns: RUNS },
    );
  });

  it('sliding', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 3 }), stream(BOUND), async (slide, factor, events) => {
        const size = slide * factor;
        const starts = (ts: number): number[] => {
          const result: number[] = [];
          for (let start = Math.floor(ts / slide) * slide; start > ts - size; start -= slide) result.push(start);
          return result;
        };
        expect(await run(events, ['--mode', 'sliding', '--size', String(size), '--slide', String(slide)])).toEqual(batch(events, starts));
      }),
      { numRuns: RUNS },
    );
  });
});
