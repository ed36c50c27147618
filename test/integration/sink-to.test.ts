/**
 * `stream.sinkTo(sink)` with a two-phase-commit sink (the fixture's
 * transaction files, committed by renaming): what checkpoints sealed becomes
 * visible exactly once — through a planned failure, at parallelism 1 and 3,
 * and at the end of a bounded job (final checkpoint, or end of input without
 * checkpointing). Connectors refuse a job at build time (`validate`), and a
 * job whose exclusive resource a running job holds is refused. The expected
 * output is the input sequence itself.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { JOBS, expectFinished, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();
const JOB = join(JOBS, 'two-phase-sink.ts');

/** The lines of the committed files, as numbers in ascending order. */
function committed(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('committed-'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line.length > 0).map(Number))
    .sort((a, b) => a - b);
}

function sequence(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

describe('sinkTo with a two-phase-commit sink', () => {
  it.each([1, 3])('commits every record exactly once through a failure after a checkpoint, at parallelism %i', async (parallelism) => {
    const output = workDir();
    const count = 200_000;
    const result = await runJob({
      job: JOB,
      parallelism,
      args: ['--count', String(count), '--interval', '20', '--checkpoints', workDir(), '--output', output, '--fail-after-checkpoint', 'true'],
    });
    expectFinished(result);
    expect(result.restartHistory?.map((r) => r.cause)).toEqual([expect.stringMatching(/^planned failure at \d+/)]);
    expect(committed(output)).toEqual(sequence(count));
  });

  it('commits the restored checkpoint\'s transactions when the commit after a completed checkpoint failed', async () => {
    const output = workDir();
    const count = 100_000;
    const result = await runJob({
      job: JOB,
      parallelism: 2,
      args: ['--count', String(count), '--interval', '20', '--checkpoints', workDir(), '--output', output, '--fail-commit', 'true'],
    });
    expectFinished(result);
    expect(result.restarts).toBe(1);
    expect(committed(output)).toEqual(sequence(count));
  });

  it('commits at the end of input when checkpointing is off', async () => {
    const output = workDir();
    const result = await runJob({ job: JOB, parallelism: 2, args: ['--count', '5000', '--output', output] });
    expectFinished(result);
    expect(committed(output)).toEqual(sequence(5000));
    expect(readdirSync(output).filter((name) => name.startsWith('.txn-'))).toEqual([]);
  });

  it('refuses to build a job whose sink needs checkpointing when it is off, naming the operator', async () => {
    await expect(runJob({ job: JOB, args: ['--count', '10', '--output', workDir(), '--require-checkpointing', 'true'] })).rejects.toThrow(
      /TransactionFileSink: this sink needs checkpointing/,
    );
  });

  it('accepts the same job when the configuration turns checkpointing on', async () => {
    const output = workDir();
    const result = await runJob({
      job: JOB,
      args: ['--count', '1000', '--output', output, '--require-checkpointing', 'true'],
      dynamicProperties: ['execution.checkpointing.interval=50ms', `state.checkpoints.dir=${workDir()}`],
    });
    expectFinished(result);
    expect(committed(output)).toEqual(sequence(1000));
  });

  it('refuses a second job that needs a resource a running job holds', async () => {
    const stateDir = workDir();
    const previous = process.env.FLINKTS_STATE_DIR;
    process.env.FLINKTS_STATE_DIR = stateDir;
    try {
      const controller = new AbortController();
      const args = ['--count', '0', '--output', workDir(), '--resource', 'test-resource:shared'];
      const first = runJob({ job: JOB, args, signal: controller.signal });
      // Wait until the first job holds its claim.
      const claims = join(stateDir, 'claims');
      for (let i = 0; i < 200; i++) {
        try {
          if (readdirSync(claims).length > 0) break;
        } catch {
          // Not created yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await expect(runJob({ job: JOB, args: ['--count', '10', '--output', workDir(), '--resource', 'test-resource:shared'] })).rejects.toThrow(
        /TransactionFileSink: test-resource:shared is in use by the running job/,
      );
      controller.abort();
      expect((await first).status).toBe('CANCELED');
      // Released with the job: the next one runs.
      expectFinished(await runJob({ job: JOB, args: ['--count', '10', '--output', workDir(), '--resource', 'test-resource:shared'] }));
    } finally {
      if (previous === undefined) delete process.env.FLINKTS_STATE_DIR;
      else process.env.FLINKTS_STATE_DIR = previous;
    }
  });
});
