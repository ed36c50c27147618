/**
 * Joins on the MiniCluster at parallelism 1 and 4: interval joins with every
 * bound combination on out-of-order input, and window join / flat join /
 * coGroup over tumbling event-time windows. Expected results are computed
 * here as batch joins over the fixtures' inputs, without the engine.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { BOUND as INTERVAL_BOUND, LEFT as IL, LOWER, RIGHT as IR, UPPER } from '../fixtures/jobs/joins-interval.js';
import { LEFT as WL, RIGHT as WR, SIZE } from '../fixtures/jobs/joins-window.js';
import { JOBS, readLines, sorted, expectFinished, workDirs } from '../support/job-output.js';

const { outputPath } = workDirs();

async function run(job: string, args: string[], parallelism: number): Promise<string[]> {
  const output = outputPath();
  expectFinished(await runJob({ job: join(JOBS, job), args: [...args, '--output', output], parallelism }));
  return readLines(output);
}

/** The interval join as a nested loop. */
function batchIntervalJoin(combo: string): string[] {
  const lowerOk = combo.startsWith('[') ? (d: number) => d >= -LOWER : (d: number) => d > -LOWER;
  const upperOk = combo.endsWith(']') ? (d: number) => d <= UPPER : (d: number) => d < UPPER;
  const lines: string[] = [];
  for (const l of IL) {
    for (const r of IR) {
      const d = r.ts - l.ts;
      if (l.key === r.key && lowerOk(d) && upperOk(d)) lines.push(`${combo}|${l.id}|${r.id}|${Math.max(l.ts, r.ts)}|${l.ts},${r.ts}`);
    }
  }
  return lines;
}

const windowOf = (ts: number): number => Math.floor(ts / SIZE);

describe('the join inputs', () => {
  it('are out of order within the bound, and the bounds matter', () => {
    expect(IL.some((e, i) => i > 0 && e.ts < IL[i - 1]!.ts)).toBe(true);
    expect(Math.max(...IL.map((e, i) => Math.max(...IL.slice(0, i + 1).map((p) => p.ts)) - e.ts))).toBeLessThanOrEqual(INTERVAL_BOUND);
    // Each combination joins a different set of pairs.
    const sizes = ['[]', '(]', '[)', '()'].map((c) => batchIntervalJoin(c).length);
    expect(new Set(sizes).size).toBe(4);
  });
});

describe.each([1, 4])('at parallelism %i', (parallelism) => {
  it('interval join, every combination of inclusive and exclusive bounds', async () => {
    const lines = await run('joins-interval.ts', [], parallelism);
    const expected = ['[]', '(]', '[)', '()'].flatMap(batchIntervalJoin);
    expect(expected.length).toBeGreaterThan(100);
    expect(sorted(lines)).toEqual(sorted(expected));
  });

  it('window join over tumbling windows equals the batch join per key and window', async () => {
    const lines = await run('joins-window.ts', ['--mode', 'join'], parallelism);
    const expected = WL.flatMap((l) => WR.filter((r) => r.key === l.key && windowOf(r.ts) === windowOf(l.ts)).map((r) => `${l.id}+${r.id}`));
    expect(expected.length).toBeGreaterThan(50);
    expect(sorted(lines)).toEqual(sorted(expected));
  });

  it('window join with a FlatJoinFunction', async () => {
    const lines = await run('joins-window.ts', ['--mode', 'flatjoin'], parallelism);
    const expected = WL.flatMap((l) =>
      WR.filter((r) => r.key === l.key && windowOf(r.ts) === windowOf(l.ts) && (l.value + r.value) % 5 !== 0).map((r) => `${l.id}+${r.id}`),
    );
    expect(sorted(lines)).toEqual(sorted(expected));
  });

  it('coGroup over tumbling windows: one call per key and window, either side may be empty', async () => {
    const lines = await run('joins-window.ts', ['--mode', 'cogroup'], parallelism);
    const groups = new Map<string, { key: string; left: string[]; right: string[] }>();
    const group = (key: string, ts: number) => {
      const id = `${key}|${windowOf(ts)}`;
      const g = groups.get(id) ?? { key, left: [], right: [] };
      groups.set(id, g);
      return g;
    };
    for (const l of WL) group(l.key, l.ts).left.push(l.id);
    for (const r of WR) group(r.key, r.ts).right.push(r.id);
    const expected = [...groups.values()].map((g) => `${g.key}|${g.left.sort().join(',')}|${g.right.sort().join(',')}`);
    expect(expected.some((l) => l.includes('||') || l.endsWith('|'))).toBe(true);
    expect(sorted(lines)).toEqual(sorted(expected));
  });
});
