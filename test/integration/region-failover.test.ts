/**
 * RELIABILITY R4: full vs region failover. In an embarrassingly parallel
 * pipeline at parallelism 3 (one worker per subtask), a planned failure in
 * subtask 1 restarts every task under `full` and only subtask 1's region (its
 * three tasks) under `region`, while subtasks 0 and 2 run on. In both, every
 * operator subtask counts exactly its share of the sequence (operator state
 * restored from the latest checkpoint), computed without the engine.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { evenSplit, markerLines } from '../support/fault-truth.js';
import { GATE_AT } from '../fixtures/jobs/region-failover.js';
import { JOBS, expectFinished, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();
const COUNT = 150_000;
const PARALLELISM = 3;

describe.each(['full', 'region'] as const)('R4: %s failover', (strategy) => {
  it('restarts what the strategy says and counts every record exactly once per operator', async () => {
    const markers = workDir();
    mkdirSync(markers, { recursive: true });
    const result = await runJob({
      job: join(JOBS, 'region-failover.ts'),
      args: ['--count', String(COUNT), '--checkpoints', workDir(), '--markers', markers, '--fail-subtask', '1'],
      parallelism: PARALLELISM,
      dynamicProperties: [`jobmanager.execution.failover-strategy=${strategy}`, `taskmanager.numberOfTaskSlots=${PARALLELISM}`],
    });
    expectFinished(result);
    expect(result.restartHistory?.map((r) => r.cause)).toEqual([expect.stringMatching(/^planned failure of a 1 at \d+/)]);
    // Full: every task restarted (no count recorded); region: subtask 1's three tasks (source and a, b, discard).
    expect(result.restartHistory?.[0]?.restartedTasks).toBe(strategy === 'full' ? undefined : 3);

    const expected = evenSplit(COUNT, PARALLELISM).map(String);
    for (const name of ['a', 'b']) {
      expect(Array.from({ length: PARALLELISM }, (_, i) => markerLines(markers, `${name}-${i}`)[0])).toEqual(expected);
    }
    // Who opened in which attempt: attempt 1 everywhere under full, only in subtask 1 under region.
    const opened = markerLines(markers, 'events').filter((line) => line.startsWith('open ')).sort();
    const restartedSubtasks = strategy === 'full' ? [0, 1, 2] : [1];
    const expectedOpens = ['a', 'b'].flatMap((name) => [
      ...[0, 1, 2].map((i) => `open ${name} attempt 0 subtask ${i}`),
      ...restartedSubtasks.map((i) => `open ${name} attempt 1 subtask ${i}`),
    ]);
    expect(opened).toEqual(expectedOpens.sort());
    // The failed subtask resumed from the checkpoint taken while it held its GATE_AT-th record (the rest of
    // that record's source batch got through too): its state, not a fresh start.
    const restored = markerLines(markers, 'events').filter((line) => line.startsWith('restore a attempt 1 subtask 1 '));
    expect(restored).toHaveLength(1);
    expect(Number(restored[0]!.split(' ').pop())).toBeGreaterThanOrEqual(GATE_AT);
  });
});
