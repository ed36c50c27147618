/**
 * `writeAsText` through a restart from a checkpoint
 * (test/fixtures/jobs/checkpointed-count.ts: a failure after the first
 * checkpoint, keyed `key,count,sum` per record): the restored attempt cuts the
 * files back to the checkpoint, so every record has exactly one line — for
 * each key the counts 1..n once each — where the files used to keep the failed
 * attempt's lines after the checkpoint and get the replayed ones again.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { KEYS } from '../fixtures/jobs/checkpointed-count.js';
import { lastPerKey, rangeTotals, totalsOf } from '../support/fault-truth.js';
import { JOBS, expectFinished, readLines, workDirs } from '../support/job-output.js';

const { workDir, outputPath } = workDirs();

describe('writeAsText after a restart from a checkpoint', () => {
  it.each([1, 3])('writes each record once at parallelism %i', async (parallelism) => {
    const count = 300_000;
    const output = outputPath();
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', String(count), '--checkpoints', workDir(), '--output', output, '--fail-after-checkpoint', 'true', '--interval', '20'],
      parallelism,
    });
    expectFinished(result);
    expect(result.restarts).toBe(1);
    const lines = readLines(output);
    expect(lines.length).toBe(count);
    // Per key: the counts 1..n, each once (a duplicated line repeats a count).
    const counts = new Map<number, number[]>();
    for (const line of lines) {
      const [key, n] = line.split(',').map(Number) as [number, number];
      (counts.get(key) ?? counts.set(key, []).get(key)!).push(n);
    }
    const expected = rangeTotals(1, count, KEYS);
    for (const [key, { n }] of expected) expect(counts.get(key)!.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(totalsOf(lastPerKey(lines))).toEqual(expected);
  });
});
