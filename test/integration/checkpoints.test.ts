/**
 * Checkpoints and recovery on the MiniCluster: keyed state stays exactly-once
 * through a planned failure at parallelism 1 and 3, the job restarts from the
 * latest completed checkpoint, and a bounded job ends with a final checkpoint.
 * Expected values are closed forms over the input sequence, not engine output.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { KEYS } from '../fixtures/jobs/checkpointed-count.js';
import { JOBS, expectFinished, readLines, workDirs } from '../support/job-output.js';

const { workDir, outputPath } = workDirs();

/** Per key k: the number of v in 1..count with v % KEYS = k, and their sum. */
function expectedTotals(count: number): Map<number, { n: number; sum: number }> {
  const totals = new Map<number, { n: number; sum: number }>();
  for (let k = 0; k < KEYS; k++) {
    // v = k + KEYS·j (v ≥ 1): an arithmetic series.
    const first = k === 0 ? KEYS : k;
    const n = first > count ? 0 : Math.floor((count - first) / KEYS) + 1;
    totals.set(k, { n, sum: (n * (2 * first + (n - 1) * KEYS)) / 2 });
  }
  return totals;
}

/** The last `key,count,sum` line of each key: the state after the last record. */
function finalTotals(lines: readonly string[]): Map<number, { n: number; sum: number }> {
  const last = new Map<number, { n: number; sum: number }>();
  for (const line of lines) {
    const [key, n, sum] = line.split(',').map(Number) as [number, number, number];
    const seen = last.get(key);
    if (seen === undefined || n > seen.n) last.set(key, { n, sum });
  }
  return last;
}

describe.each([1, 3])('checkpointed keyed state at parallelism %i', (parallelism) => {
  const count = 400_000;

  it('restarts once from the latest checkpoint after a planned failure and counts every record exactly once', async () => {
    const output = outputPath();
    const checkpoints = workDir();
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', String(count), '--checkpoints', checkpoints, '--output', output, '--fail-after-checkpoint', 'true', '--interval', '20'],
      parallelism,
    });
    expectFinished(result);
    expect(result.restarts).toBe(1);
    expect(finalTotals(readLines(output))).toEqual(expectedTotals(count));
  });

  it('without failures ends with a final checkpoint and the same totals', async () => {
    const output = outputPath();
    const checkpoints = workDir();
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', String(count), '--checkpoints', checkpoints, '--output', output, '--interval', '50'],
      parallelism,
    });
    expectFinished(result);
    expect(result.restarts).toBe(0);
    expect(finalTotals(readLines(output))).toEqual(expectedTotals(count));
    // The final checkpoint is retained (num-retained 1): exactly one chk-<n> with its _metadata.
    const [jobDir] = readdirSync(checkpoints);
    const completed = readdirSync(join(checkpoints, jobDir!)).filter((name) => name.startsWith('chk-'));
    expect(completed).toHaveLength(1);
    expect(readdirSync(join(checkpoints, jobDir!, completed[0]!))).toContain('_metadata');
  });
});
