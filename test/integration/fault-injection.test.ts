/**
 * Fault injection on the MiniCluster (RELIABILITY R2, R5).
 *
 * R2: one planned failure at each injection point — a record handler, the
 * synchronous and the asynchronous part of a snapshot, the restore itself,
 * `close`, and between the checkpoint acknowledgement and the commit
 * notification — at parallelism 1 and 3 (test/fixtures/jobs/fault-points.ts).
 * Each run must end FINISHED with keyed state (count and sum per key) and
 * operator state (split and union list state) exactly as the closed forms
 * over 1..N give them, every source subtask's values in order, as many
 * restarts as planned failures, each planned failure fired exactly once (the
 * fixture's marker lines), and a checkpoint completed after the last one.
 *
 * R5: a permanently failing job (test/fixtures/jobs/fault-always.ts) under
 * each restart strategy ends FAILED after exactly the restarts its
 * configuration allows, with one attempt more than restarts (no busy loop),
 * and the JobMaster redeploys each restart the configured delay after the
 * failure (±10 %).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runJob, type RunResult } from 'flinkts/client';
import { STRATEGIES, type StrategyName } from '../fixtures/jobs/fault-always.js';
import { GATE_AT, KEYS, type FaultPoint } from '../fixtures/jobs/fault-points.js';
import { JOBS, expectFinished, readLines, workDirs } from '../support/job-output.js';
import { evenSplit, lastPerKey, markerLines, rangeTotals, totalsOf } from '../support/fault-truth.js';

const { workDir, outputPath } = workDirs();

/** The test-only hook of src/runtime/task/chain-state.ts (`FAIL_ASYNC_SNAPSHOT_ENV`); workers inherit it. */
const FAIL_ASYNC_SNAPSHOT_ENV = 'FLINKTS_TEST_FAIL_ASYNC_SNAPSHOT';
afterEach(() => {
  delete process.env[FAIL_ASYNC_SNAPSHOT_ENV];
});

const COUNT = 200_000;
/** Longer than any run here: the final checkpoint is the only one. */
const ONLY_FINAL_CHECKPOINT = 600_000;

interface FaultRun {
  readonly result: RunResult;
  readonly output: string;
  readonly markers: string;
}

async function runFaultPoints(point: FaultPoint, parallelism: number, interval: number): Promise<FaultRun> {
  const output = outputPath();
  const markers = workDir();
  const args = ['--count', String(COUNT), '--checkpoints', workDir(), '--output', output, '--markers', markers, '--fault', point, '--interval', String(interval)];
  const result = await runJob({ job: join(JOBS, 'fault-points.ts'), args, parallelism });
  return { result, output, markers };
}

/** The counter subtasks' `<event> <id> attempt <n> subtask <i>` events (`snapshot`, `complete`), in order. */
function checkpointEvents(markers: string, event: 'snapshot' | 'complete'): { id: number; attempt: number; subtask: number }[] {
  return markerLines(markers, 'events').flatMap((line) => {
    const match = new RegExp(`^${event} (\\d+) attempt (\\d+) subtask (\\d+)$`).exec(line);
    return match === null ? [] : [{ id: Number(match[1]), attempt: Number(match[2]), subtask: Number(match[3]) }];
  });
}

/** Keyed state, per-source order and operator state are exactly what 1..COUNT gives. */
function expectExactState({ output, markers }: FaultRun, parallelism: number): void {
  const last = lastPerKey(readLines(output));
  expect(totalsOf(last)).toEqual(rangeTotals(1, COUNT, KEYS));
  // The fourth field counts values that arrived out of order per source subtask.
  for (const { rest } of last.values()) expect(rest).toEqual(['0']);
  // Each counter subtask saw its share of the sequence exactly once, in split and in union list state.
  const counts = Array.from({ length: parallelism }, (_, i) => markerLines(markers, `counts-${i}`)[0]);
  expect(counts).toEqual(evenSplit(COUNT, parallelism).map((n) => `${n} ${n}`));
}

interface PlannedFault {
  readonly point: FaultPoint;
  /** Marker lines the fixture must have written, as `<point> attempt <n>`. */
  readonly fired: readonly string[];
  /** Job restarts: one per planned failure. */
  readonly restarts: number;
  /** Checkpoint interval (ms). */
  readonly interval: number;
}

const PLANNED: readonly PlannedFault[] = [
  { point: 'record', fired: ['record attempt 0'], restarts: 1, interval: 20 },
  // A throwing snapshotState declines the checkpoint; with 0 tolerable failed checkpoints the job fails over.
  { point: 'sync-snapshot', fired: ['sync-snapshot attempt 0'], restarts: 1, interval: 20 },
  // Fired by the runtime hook, not the fixture: checkpoint 2's file writes reject (checked below).
  { point: 'async-snapshot', fired: [], restarts: 1, interval: 20 },
  // The recovery from the record failure fails once in initializeState; the next attempt succeeds.
  { point: 'restore', fired: ['record attempt 0', 'restore attempt 1'], restarts: 2, interval: 20 },
  // As in Flink, a task whose close throws fails (after the final checkpoint); the job restarts from that
  // checkpoint, whose sources are at their end, and finishes again.
  { point: 'close', fired: ['close attempt 0'], restarts: 1, interval: ONLY_FINAL_CHECKPOINT },
  { point: 'notify', fired: ['notify attempt 0'], restarts: 1, interval: 20 },
];

describe.each([1, 3])('R2: one planned failure per injection point at parallelism %i', (parallelism) => {
  it.each(PLANNED)('$point: restarts $restarts time(s), keyed and operator state exactly once', async ({ point, fired, restarts, interval }) => {
    if (point === 'async-snapshot') process.env[FAIL_ASYNC_SNAPSHOT_ENV] = '2';
    const run = await runFaultPoints(point, parallelism, interval);
    expectFinished(run.result);
    // The planned failures fired, each once, and nothing else failed.
    expect(markerLines(run.markers, 'faults')).toEqual(fired.map((f) => `fault ${f} subtask 0`));
    expect(run.result.restarts).toBe(restarts);
    expectExactState(run, parallelism);

    // Checkpoints completed before the fault and in the attempt that finished; ids only grow, across attempts too.
    const completed = checkpointEvents(run.markers, 'complete');
    expect(completed.some((c) => c.attempt === 0)).toBe(true);
    expect(completed.some((c) => c.attempt === restarts)).toBe(true);
    for (let i = 0; i < parallelism; i++) {
      const ids = completed.filter((c) => c.subtask === i).map((c) => c.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    if (point === 'async-snapshot') {
      // Checkpoint 2's synchronous part ran in attempt 0 but it never completed: the restart came from checkpoint 1.
      expect(checkpointEvents(run.markers, 'snapshot').some((c) => c.id === 2 && c.attempt === 0)).toBe(true);
      expect(new Set(completed.filter((c) => c.attempt === 0).map((c) => c.id))).toEqual(new Set([1]));
      expect(completed.map((c) => c.id)).not.toContain(2);
    }
    expect(GATE_AT).toBeLessThan(Math.min(...evenSplit(COUNT, parallelism)));
  });
});

describe('R2: subtasks that finish while others run, at parallelism 3', () => {
  // Fixed in StreamTask.triggerCheckpoint: a task that closed before the JobMaster learned it finished ignored
  // the next checkpoint's trigger, which then waited for it until the checkpoint timeout (10 min by default).
  it('a close longer than the checkpoint interval does not stall the next checkpoint', async () => {
    const run = await runFaultPoints('slow-close', 3, 20);
    expectFinished(run.result);
    expect(run.result.restarts).toBe(0);
    expect(markerLines(run.markers, 'faults')).toEqual([]);
    expectExactState(run, 3);
    // Subtask 0 went on only after two checkpoints completed once the others had closed (SLOW_CLOSE_MS each).
    expect(new Set(checkpointEvents(run.markers, 'complete').filter((c) => c.subtask === 0).map((c) => c.id)).size).toBeGreaterThanOrEqual(3);
  });

  // A checkpoint taken after some tasks finished carries their final state (CheckpointCoordinator), so a
  // restore gives the finished counter subtasks their counts back instead of empty operator state.
  it('a failure after some subtasks finished restores their operator state', async () => {
    const run = await runFaultPoints('record-after-finish', 3, 20);
    expectFinished(run.result);
    expect(markerLines(run.markers, 'faults')).toEqual(['fault record attempt 0 subtask 0']);
    expect(run.result.restarts).toBe(1);
    expectExactState(run, 3);
  });
});

/** What a strategy's definition allows, for a job that fails within a second of every (re)start. */
interface Budget {
  readonly restarts: number;
  /** The configured delay before each restart, ms. */
  readonly delays: readonly number[];
}

function budgetOf(name: StrategyName): Budget {
  const strategy = STRATEGIES[name];
  switch (strategy.type) {
    case 'none':
      return { restarts: 0, delays: [] };
    case 'fixed-delay':
      // Failure restartAttempts + 1 fails the job.
      return { restarts: strategy.restartAttempts, delays: Array<number>(strategy.restartAttempts).fill(strategy.delayMs) };
    case 'failure-rate':
      // Every failure falls within one interval (the test checks), so failure max + 1 fails the job.
      return { restarts: strategy.maxFailuresPerInterval, delays: Array<number>(strategy.maxFailuresPerInterval).fill(strategy.delayMs) };
    case 'exponential-delay':
      // No reset (each failure comes well within the threshold of the last restart), no jitter: restart n waits
      // min(max, initial × multiplier^n), and the job fails after attemptsBeforeResetBackoff restarts.
      return {
        restarts: strategy.attemptsBeforeResetBackoff,
        delays: Array.from({ length: strategy.attemptsBeforeResetBackoff }, (_, n) =>
          Math.min(strategy.maxBackoffMs, strategy.initialBackoffMs * strategy.backoffMultiplier ** n),
        ),
      };
  }
}

describe.each([1, 3])('R5: a permanently failing job at parallelism %i', (parallelism) => {
  it.each(Object.keys(STRATEGIES) as StrategyName[])('%s: FAILED after its restart budget, each restart after its delay', async (name) => {
    const markers = workDir();
    const budget = budgetOf(name);
    const result = await runJob({ job: join(JOBS, 'fault-always.ts'), args: ['--strategy', name, '--markers', markers], parallelism });

    expect(result.status).toBe('FAILED');
    expect(result.error?.message).toBe('permanent failure after 1000 records');
    expect(result.restarts).toBe(budget.restarts);
    // No busy loop: one attempt more than restarts, each failing once, in order.
    const events = markerLines(markers, 'attempts').map((line) => line.split(' '));
    const attempts = budget.restarts + 1;
    expect(events.map(([event, attempt]) => `${event} ${attempt}`)).toEqual(Array.from({ length: attempts }, (_, a) => [`open ${a}`, `fail ${a}`]).flat());

    // The JobMaster's restart moments: each redeployment the configured delay after the failure, or
    // right after the failed attempt's workers were gone if that took longer (as Flink's scheduler: the delay
    // runs while the tasks are cancelled, never shorter; cancelling took 3–80 ms on 2 busy vCPUs).
    const history = result.restartHistory ?? [];
    expect(history).toHaveLength(budget.restarts);
    for (const [i, restart] of history.entries()) {
      const delay = budget.delays[i]!;
      const due = Math.max(restart.failedAt + delay, restart.cancelledAt!);
      const waited = restart.redeployedAt! - restart.failedAt;
      const cancelled = restart.cancelledAt! - restart.failedAt;
      // Never early; late by at most 10 % of the delay or 50 ms, whichever is more (a timer on an event loop
      // shared with other jobs' JobMasters fired up to 30 ms late on 2 busy vCPUs).
      const why = `restart ${i + 1} after ${waited} ms (cancelled after ${cancelled} ms)`;
      expect(restart.redeployedAt! - due, why).toBeGreaterThanOrEqual(-Math.max(2, delay * 0.1));
      expect(restart.redeployedAt! - due, why).toBeLessThanOrEqual(Math.max(50, delay * 0.1));
      // The moments bracket what the tasks did: attempt i failed before, attempt i + 1 opened after.
      const failed = Number(events[2 * i + 1]![2]);
      const opened = Number(events[2 * i + 2]![2]);
      expect(failed).toBeLessThanOrEqual(restart.failedAt);
      expect(opened).toBeGreaterThanOrEqual(restart.redeployedAt!);
    }
    if (name === 'failure-rate') expect(Number(events.at(-1)![2]) - Number(events[1]![2])).toBeLessThan(STRATEGIES['failure-rate'].failureIntervalMs);
  });
});
