/**
 * Checkpoints and recovery on the MiniCluster: keyed state stays exactly-once
 * through a planned failure at parallelism 1 and 3, with either keyed state
 * backend (`-D state.backend.type`), the job restarts from the latest
 * completed checkpoint, and a bounded job ends with a final checkpoint that
 * names its backend. Expected values are closed forms over the input
 * sequence, not engine output.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { decodeMetadata } from '../../src/runtime/checkpoint/metadata-format.js';
import { KEYS } from '../fixtures/jobs/checkpointed-count.js';
import { JOBS, expectFinished, readLines, workDirs } from '../support/job-output.js';

const { workDir, outputPath } = workDirs();

/** `-D` options for a backend, with the embedded stores under `tmp` (empty again once the job ended). */
function backendProperties(backend: string, tmp: string): string[] {
  return [`state.backend.type=${backend}`, `io.tmp.dirs=${tmp}`];
}

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

describe.each([
  ['hashmap', 1],
  ['hashmap', 3],
  ['embedded', 1],
  ['embedded', 3],
])('checkpointed keyed state, %s backend, at parallelism %i', (backend, parallelism) => {
  const count = 400_000;

  it('restarts once from the latest checkpoint after a planned failure and counts every record exactly once', async () => {
    const output = outputPath();
    const checkpoints = workDir();
    const tmp = workDir();
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', String(count), '--checkpoints', checkpoints, '--output', output, '--fail-after-checkpoint', 'true', '--interval', '20'],
      parallelism,
      dynamicProperties: backendProperties(backend, tmp),
    });
    expectFinished(result);
    expect(result.restarts).toBe(1);
    expect(finalTotals(readLines(output))).toEqual(expectedTotals(count));
    // The failed attempt's stores went with its tasks, the last attempt's when they finished.
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('without failures ends with a final checkpoint and the same totals', async () => {
    const output = outputPath();
    const checkpoints = workDir();
    const tmp = workDir();
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', String(count), '--checkpoints', checkpoints, '--output', output, '--interval', '50'],
      parallelism,
      dynamicProperties: backendProperties(backend, tmp),
    });
    expectFinished(result);
    // No restart (the history names the cause of any).
    expect(result.restartHistory).toEqual([]);
    expect(finalTotals(readLines(output))).toEqual(expectedTotals(count));
    // The final checkpoint is retained (num-retained 1): exactly one chk-<n> with its _metadata, naming the backend.
    const [jobDir] = readdirSync(checkpoints);
    const completed = readdirSync(join(checkpoints, jobDir!)).filter((name) => name.startsWith('chk-'));
    expect(completed).toHaveLength(1);
    const metadataFile = join(checkpoints, jobDir!, completed[0]!, '_metadata');
    expect(decodeMetadata(readFileSync(metadataFile), metadataFile).backend).toBe(backend);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('restore claim modes', () => {
  /** Runs the count job to its end and returns the directory of its retained final checkpoint. */
  async function finalCheckpoint(checkpoints: string): Promise<string> {
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', '20000', '--checkpoints', checkpoints, '--output', outputPath(), '--interval', '50'],
    });
    expectFinished(result);
    const jobDir = join(checkpoints, result.jobId);
    const [chk] = readdirSync(jobDir).filter((name) => name.startsWith('chk-'));
    return join(jobDir, chk!);
  }

  it.each([
    ['no_claim', true],
    ['claim', false],
  ] as const)('%s: the snapshot a job started from still exists after its first checkpoint: %s', async (claimMode, kept) => {
    const restoredFrom = await finalCheckpoint(workDir());
    const output = outputPath();
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', '20000', '--checkpoints', workDir(), '--output', output, '--interval', '50'],
      fromSavepoint: restoredFrom,
      claimMode,
    });
    expectFinished(result);
    // The sources had read everything: the resumed job emits nothing and ends with its own final checkpoint.
    expect(readLines(output)).toEqual([]);
    expect(existsSync(join(restoredFrom, '_metadata'))).toBe(kept);
  });
});
