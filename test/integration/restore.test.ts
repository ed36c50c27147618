/**
 * Restoring a job from the final checkpoint of an earlier run, at
 * parallelism 1 and 3 (RELIABILITY C3, C4) and across rescaling.
 *
 * A finished job keeps its final checkpoint under
 * `<checkpoints dir>/<jobId>/chk-<n>`; the next run starts from it with
 * `runJob({ fromSavepoint })` and reads the part of the growing log
 * (test/fixtures/jobs/fault-restore.ts) the earlier runs did not. Expected
 * values are closed forms over the ranges read, never engine output.
 *
 * C4: a state whose kind changed fails the restore for good: FAILED with
 * STATE_INCOMPATIBLE naming the state, no restart. C3: reordered operators
 * restore by uid; without uids the restore is refused, listing the operator
 * ids it cannot map, unless `allowNonRestoredState` drops that state.
 * Rescaling: p = 2 → 3 → 1 gives the totals of one uninterrupted run.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeJob, runJob, type RunResult } from 'flinkts/client';
import { KEYS } from '../fixtures/jobs/fault-restore.js';
import { KEYS as KIND_KEYS, RESTART_ATTEMPTS } from '../fixtures/jobs/fault-state-kind.js';
import { JOBS, expectFinished, readLines, workDirs } from '../support/job-output.js';
import { lastPerKey, markerLines, nonEmpty, rangeTotals, totalsOf } from '../support/fault-truth.js';

const { workDir, outputPath } = workDirs();

/** The retained final checkpoint of a finished job: `<checkpoints>/<jobId>/chk-<n>`, the only one. */
function finalCheckpoint(checkpoints: string, jobId: string): string {
  const completed = readdirSync(join(checkpoints, jobId)).filter((name) => /^chk-\d+$/.test(name));
  expect(completed).toHaveLength(1);
  return join(checkpoints, jobId, completed[0]!);
}

interface RestoreRun {
  readonly result: RunResult;
  readonly output: string;
  readonly markers: string;
  /** The final checkpoint, when the run finished. */
  readonly checkpoint: string | undefined;
}

interface RestoreOptions {
  readonly order: 'a' | 'b';
  readonly uids: boolean;
  /** The log holds 1..to. */
  readonly to: number;
  readonly parallelism: number;
  readonly from?: string;
  readonly allowNonRestoredState?: boolean;
}

const JOB = join(JOBS, 'fault-restore.ts');

function jobArgs(options: Pick<RestoreOptions, 'order' | 'uids' | 'to'>, dirs: { checkpoints: string; output: string; markers: string }): string[] {
  return ['--order', options.order, '--uids', String(options.uids), '--to', String(options.to), '--checkpoints', dirs.checkpoints, '--output', dirs.output, '--markers', dirs.markers];
}

async function runRestore(options: RestoreOptions): Promise<RestoreRun> {
  const dirs = { checkpoints: workDir(), output: outputPath(), markers: workDir() };
  const result = await runJob({
    job: JOB,
    args: jobArgs(options, dirs),
    parallelism: options.parallelism,
    ...(options.from !== undefined && { fromSavepoint: options.from }),
    ...(options.allowNonRestoredState !== undefined && { allowNonRestoredState: options.allowNonRestoredState }),
  });
  const checkpoint = result.status === 'FINISHED' ? finalCheckpoint(dirs.checkpoints, result.jobId) : undefined;
  return { result, output: dirs.output, markers: dirs.markers, checkpoint };
}

/** The counter's `<count> <union count>` per subtask. */
function counterCounts(run: RestoreRun, parallelism: number): { count: number; union: number }[] {
  return Array.from({ length: parallelism }, (_, i) => {
    const [count, union] = (markerLines(run.markers, `counts-${i}`)[0] ?? 'NaN NaN').split(' ').map(Number);
    return { count: count!, union: union! };
  });
}

/** Keyed totals are those of [from, to], every partition in order, and the counter saw `records` in all. */
function expectTotals(run: RestoreRun, parallelism: number, from: number, to: number, records: number): void {
  const last = lastPerKey(readLines(run.output));
  expect(totalsOf(last)).toEqual(nonEmpty(rangeTotals(from, to, KEYS)));
  for (const { rest } of last.values()) expect(rest).toEqual(['0']);
  const counts = counterCounts(run, parallelism);
  expect(counts.reduce((a, c) => a + c.count, 0)).toBe(records);
  expect(counts.reduce((a, c) => a + c.union, 0)).toBe(records);
}

describe.each([1, 3])('restore at parallelism %i', (parallelism) => {
  it('C4: a state restored as another kind fails with STATE_INCOMPATIBLE naming it, without restarts', async () => {
    const checkpoints = workDir();
    const output = outputPath();
    const args = (kind: string, out: string): string[] => ['--kind', kind, '--count', '10000', '--checkpoints', checkpoints, '--output', out];
    const first = await runJob({ job: join(JOBS, 'fault-state-kind.ts'), args: args('value', output), parallelism });
    expectFinished(first);
    // The first run counted every key's records in ValueState 'x'.
    const counts = new Map([...lastPerKey(readLines(output).map((line) => `${line},0`))].map(([key, { n }]) => [key, n]));
    expect(counts).toEqual(new Map([...rangeTotals(1, 10_000, KIND_KEYS)].map(([key, { n }]) => [key, n])));
    const restored = await runJob({ job: join(JOBS, 'fault-state-kind.ts'), args: args('list', outputPath()), parallelism, fromSavepoint: finalCheckpoint(checkpoints, first.jobId) });
    expect(restored.status).toBe('FAILED');
    expect(restored.error?.code).toBe('STATE_INCOMPATIBLE');
    expect(restored.error?.message).toMatch(/state 'x' was restored as value state and is now requested as list state/);
    // Non-retriable: none of the RESTART_ATTEMPTS restarts the strategy allows was used.
    expect(RESTART_ATTEMPTS).toBeGreaterThan(0);
    expect(restored.restarts).toBe(0);
  });

  it('C3: reordered operators with uid() restore and continue exactly', async () => {
    const first = await runRestore({ order: 'a', uids: true, to: 30_000, parallelism });
    expectFinished(first.result);
    expectTotals(first, parallelism, 1, 30_000, 30_000);
    const second = await runRestore({ order: 'b', uids: true, to: 70_000, parallelism, from: first.checkpoint! });
    expectFinished(second.result);
    expect(second.result.restarts).toBe(0);
    // Totals continue from the restored state; the counter (now after totals) continues its count.
    expectTotals(second, parallelism, 1, 70_000, 70_000);
  });

  it('C3: without uids the reordered job refuses the restore, listing the unmatched operator ids; allowNonRestoredState drops that state', async () => {
    const first = await runRestore({ order: 'a', uids: false, to: 30_000, parallelism });
    expectFinished(first.result);

    // The stateful operators of the first job whose topology-derived ids the reordered job does not have.
    const dirs = { checkpoints: 'unused', output: 'unused', markers: 'unused' };
    const operatorsOf = async (order: 'a' | 'b') =>
      (await describeJob({ job: JOB, args: jobArgs({ order, uids: false, to: 1 }, dirs), parallelism })).jobGraph.vertices.flatMap((v) => v.operators);
    const [before, after] = [await operatorsOf('a'), await operatorsOf('b')];
    const afterIds = new Set(after.map((op) => op.id));
    const unmatched = before.filter((op) => ['Source: growing log', 'counter', 'totals'].includes(op.name) && !afterIds.has(op.id));
    expect(unmatched.map((op) => op.name).sort()).toEqual(['counter', 'totals']);

    const refused = await runRestore({ order: 'b', uids: false, to: 70_000, parallelism, from: first.checkpoint! });
    expect(refused.result.status).toBe('FAILED');
    expect(refused.result.restarts).toBe(0);
    expect(refused.result.error?.code).toBe('STATE_INCOMPATIBLE');
    expect(refused.result.error?.message).toContain(`the state of ${unmatched.length} operator(s) cannot be mapped to the job`);
    for (const op of unmatched) expect(refused.result.error?.message).toContain(op.id);
    // The source kept its id (same position, no inputs): it is not listed.
    const source = before.find((op) => op.name === 'Source: growing log')!;
    expect(afterIds.has(source.id)).toBe(true);
    expect(refused.result.error?.message).not.toContain(source.id);

    // Dropping the unmatched state: the source continues after 30 000, counter and totals start empty.
    const dropped = await runRestore({ order: 'b', uids: false, to: 70_000, parallelism, from: first.checkpoint!, allowNonRestoredState: true });
    expectFinished(dropped.result);
    expectTotals(dropped, parallelism, 30_001, 70_000, 40_000);
  });
});

describe('C1: a restore from a checkpoint with a corrupted keyed state file', () => {
  it('fails with INVALID_SNAPSHOT naming the file and the checksum mismatch, without restarts, whether or not its sections still decode', async () => {
    const checkpoints = workDir();
    const args = (out: string): string[] => ['--kind', 'value', '--count', '2000', '--checkpoints', checkpoints, '--output', out];
    const first = await runJob({ job: join(JOBS, 'fault-state-kind.ts'), args: args(outputPath()), parallelism: 1 });
    expectFinished(first);
    const checkpoint = finalCheckpoint(checkpoints, first.jobId);
    const keyed = readdirSync(checkpoint).filter((name) => name.endsWith('.keyed'));
    expect(keyed.length).toBeGreaterThan(0);
    const path = join(checkpoint, keyed[0]!);
    const original = readFileSync(path);
    // Byte 4 is the first section's map header (it no longer decodes); the last byte is inside a value (it still does).
    for (const at of [4, original.length - 1]) {
      const bytes = Buffer.from(original);
      bytes[at] = bytes[at]! ^ 0x01;
      writeFileSync(path, bytes);
      const restored = await runJob({ job: join(JOBS, 'fault-state-kind.ts'), args: args(outputPath()), parallelism: 1, fromSavepoint: checkpoint });
      expect(restored.status).toBe('FAILED');
      expect(restored.error?.code).toBe('INVALID_SNAPSHOT');
      expect(restored.error?.message).toContain(`${path}: checksum mismatch: the metadata records SHA-256 ${createHash('sha256').update(original).digest('hex')}, the file has ${createHash('sha256').update(bytes).digest('hex')}`);
      expect(restored.restarts).toBe(0);
    }
  });
});

describe('rescaling keyed and split operator list state', () => {
  it('p = 2 → 3 → 1 over a growing log gives the totals of one uninterrupted run', async () => {
    const first = await runRestore({ order: 'a', uids: true, to: 40_000, parallelism: 2 });
    expectFinished(first.result);
    expectTotals(first, 2, 1, 40_000, 40_000);
    const second = await runRestore({ order: 'a', uids: true, to: 90_000, parallelism: 3, from: first.checkpoint! });
    expectFinished(second.result);
    expectTotals(second, 3, 1, 90_000, 90_000);
    const third = await runRestore({ order: 'a', uids: true, to: 120_000, parallelism: 1, from: second.checkpoint! });
    expectFinished(third.result);
    expectTotals(third, 1, 1, 120_000, 120_000);

    const uninterrupted = await runRestore({ order: 'a', uids: true, to: 120_000, parallelism: 3 });
    expectFinished(uninterrupted.result);
    expect(totalsOf(lastPerKey(readLines(third.output)))).toEqual(totalsOf(lastPerKey(readLines(uninterrupted.output))));
    expectTotals(uninterrupted, 3, 1, 120_000, 120_000);
  });
});
