/**
 * Keyed state moves between the `hashmap` and `embedded` backends: a job
 * runs to its end on one backend, and the same job (reading the numbers that
 * follow) starts on the other from the first run's retained final checkpoint,
 * at another parallelism. Value, map and list state and rolling sums go on
 * counting, and count windows still filling when the first run ended fire in
 * the second. The
 * expected lines are computed here from the numbers, without the engine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { decodeMetadata } from '../../src/runtime/checkpoint/metadata-format.js';
import { KEYS } from '../fixtures/jobs/backend-switch.js';
import { JOBS, expectFinished, readLines, sorted, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();

/** What backend-switch.ts writes for the numbers 1..to, split at the end of the first run (`split`). */
function expected(split: number, to: number): { totals: [string[], string[]]; windows: [string[], string[]]; sums: [string[], string[]] } {
  const totals: [string[], string[]] = [[], []];
  const windows: [string[], string[]] = [[], []];
  const sums: [string[], string[]] = [[], []];
  const perKey = new Map<number, { n: number; sum: number; even: number; last: number[]; window: number[] }>();
  for (let v = 1; v <= to; v++) {
    const key = v % KEYS;
    const s = perKey.get(key) ?? { n: 0, sum: 0, even: 0, last: [], window: [] };
    perKey.set(key, s);
    s.n++;
    s.sum += v;
    if (v % 2 === 0) s.even += v;
    s.last = [...s.last, v].slice(-2);
    const run = v <= split ? 0 : 1;
    totals[run].push(`${key},${s.n},${s.sum},${s.even},${s.last.join(';')}`);
    sums[run].push(`${key}=${s.sum}`);
    s.window.push(v);
    if (s.window.length === 4) {
      windows[run].push(`${key}:${s.window.reduce((a, b) => a + b, 0)}`);
      s.window = [];
    }
  }
  return { totals, windows, sums };
}

interface Phase {
  readonly backend: string;
  readonly parallelism: number;
  readonly from: number;
  readonly to: number;
  readonly restoreFrom?: string;
}

/** Runs one phase; returns its output and the directory of its retained final checkpoint. */
async function runPhase(phase: Phase): Promise<{ totals: string[]; windows: string[]; sums: string[]; checkpoint: string }> {
  const dir = workDir();
  const [checkpoints, tmp] = [join(dir, 'checkpoints'), workDir()];
  const result = await runJob({
    job: join(JOBS, 'backend-switch.ts'),
    args: ['--from', String(phase.from), '--to', String(phase.to), '--checkpoints', checkpoints, '--totals', join(dir, 'totals'), '--windows', join(dir, 'windows'), '--sums', join(dir, 'sums')],
    parallelism: phase.parallelism,
    dynamicProperties: [`state.backend.type=${phase.backend}`, `io.tmp.dirs=${tmp}`],
    ...(phase.restoreFrom !== undefined && { fromSavepoint: phase.restoreFrom, allowNonRestoredState: true }),
  });
  expectFinished(result);
  expect(readdirSync(tmp)).toEqual([]);
  const jobDir = join(checkpoints, result.jobId);
  const [chk] = readdirSync(jobDir).filter((name) => name.startsWith('chk-'));
  const checkpoint = join(jobDir, chk!);
  const metadata = decodeMetadata(readFileSync(join(checkpoint, '_metadata')), checkpoint);
  expect(metadata.backend).toBe(phase.backend);
  return { totals: readLines(join(dir, 'totals')), windows: readLines(join(dir, 'windows')), sums: readLines(join(dir, 'sums')), checkpoint };
}

describe.each([
  ['hashmap', 'embedded'],
  ['embedded', 'hashmap'],
])('a final checkpoint of the %s backend restores with the %s backend', (first, second) => {
  it('value, map and list state and rolling sums go on from where they were, and half-filled count windows fire after the restore', async () => {
    const [split, to] = [4003, 8000];
    const want = expected(split, to);
    const one = await runPhase({ backend: first, parallelism: 2, from: 1, to: split });
    expect(sorted(one.totals)).toEqual(sorted(want.totals[0]));
    expect(sorted(one.windows)).toEqual(sorted(want.windows[0]));
    expect(sorted(one.sums)).toEqual(sorted(want.sums[0]));
    const two = await runPhase({ backend: second, parallelism: 3, from: split + 1, to, restoreFrom: one.checkpoint });
    expect(sorted(two.totals)).toEqual(sorted(want.totals[1]));
    expect(sorted(two.windows)).toEqual(sorted(want.windows[1]));
    expect(sorted(two.sums)).toEqual(sorted(want.sums[1]));
  });
});
