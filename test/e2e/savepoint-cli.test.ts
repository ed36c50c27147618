/**
 * Stop and resume a job from another terminal, as a user would: `flinkts run`
 * of a long job in the background, `flinkts list` shows it, `savepoint
 * create` while it runs, `stop` with a savepoint, `run -s` from that
 * savepoint at another parallelism, and `savepoint inspect --state` reading
 * the state without a program. Across the stopped run and the resumed one,
 * every line of an uninterrupted run appears exactly once (computed here).
 */
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEYS as DRAIN_KEYS } from '../fixtures/jobs/drain-windows.js';
import { KEYS } from '../fixtures/jobs/resumable-count.js';
import { readLines, sorted } from '../support/job-output.js';
import { BIN, flinkts, ROOT } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'flinkts-e2e-savepoints-'));
const env = { CI: '1', FLINKTS_STATE_DIR: join(dir, 'state'), TZ: 'UTC' };
const JOB = 'test/fixtures/jobs/resumable-count.ts';
const COUNT = 400_000;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lines an uninterrupted run writes: for v = 1..COUNT, `key,count,sum` of key v % KEYS. */
function expectedLines(): string[] {
  const running = new Map<number, { n: number; sum: number }>();
  const lines: string[] = [];
  for (let v = 1; v <= COUNT; v++) {
    const key = v % KEYS;
    const r = running.get(key) ?? { n: 0, sum: 0 };
    r.n++;
    r.sum += v;
    running.set(key, r);
    lines.push(`${key},${r.n},${r.sum}`);
  }
  return lines;
}

async function runningJobId(): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const listed = await flinkts(['list', '--json'], { env });
    if (listed.exitCode === 0) {
      const jobs = (JSON.parse(listed.stdout) as { jobs: { id: string; status: string }[] }).jobs;
      const job = jobs.find((j) => j.status === 'RUNNING');
      if (job !== undefined) return job.id;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const last = await flinkts(['list', '--all'], { env });
  throw new Error(`the job never showed up as RUNNING in flinkts list: ${last.stdout} ${last.stderr}`);
}

describe('stop with a savepoint and resume from another terminal', () => {
  it('lists the job, takes savepoints, stops it, resumes at parallelism 2 and inspects the state', async () => {
    const first = join(dir, 'out-1');
    const second = join(dir, 'out-2');
    const savepoints = join(dir, 'savepoints');
    const run = execa('node', [BIN, 'run', JOB, '--', '--count', String(COUNT), '--rate', '20', '--output', first], { cwd: ROOT, env, reject: false });
    const jobId = await runningJobId();
    expect(jobId).toMatch(/^[0-9a-f]{32}$/);

    const table = await flinkts(['list'], { env });
    expect(table.stdout).toContain(jobId);
    expect(table.stdout).toContain('resumable-count');

    const created = await flinkts(['savepoint', 'create', jobId, savepoints], { env });
    expect(created.exitCode, created.stderr).toBe(0);
    expect(existsSync(join(created.stdout.trim(), '_metadata'))).toBe(true);

    const stopped = await flinkts(['stop', jobId, '--savepoint-path', savepoints], { env });
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    const savepoint = stopped.stdout.trim();
    expect(existsSync(join(savepoint, '_metadata'))).toBe(true);
    const firstRun = await run;
    expect(firstRun.exitCode).toBe(0);
    expect(String(firstRun.stderr)).toContain('FINISHED');
    const before = readLines(first);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(COUNT);

    const resumed = await flinkts(['run', '-s', savepoint, '-p', '2', JOB, '--', '--count', String(COUNT), '--rate', '1000', '--output', second], { env });
    expect(resumed.exitCode).toBe(0);
    // Exactly once across both runs: nothing lost, nothing repeated.
    expect(sorted([...before, ...readLines(second)])).toEqual(sorted(expectedLines()));

    // The savepoint's keyed state, without a program: count per key = the last count the stopped run wrote.
    const inspected = await flinkts(['savepoint', 'inspect', savepoint, '--operator', 'count-and-sum', '--state', 'count'], { env });
    expect(inspected.exitCode, inspected.stderr).toBe(0);
    const counts = new Map<number, number>();
    for (const line of inspected.stdout.split('\n').filter((l) => l !== '')) {
      const entry = JSON.parse(line) as { key: number; value: number };
      counts.set(entry.key, entry.value);
    }
    const lastCounts = new Map<number, number>();
    for (const line of before) {
      const [key, n] = line.split(',').map(Number) as [number, number];
      lastCounts.set(key, Math.max(lastCounts.get(key) ?? 0, n));
    }
    expect(counts).toEqual(lastCounts);
    expect(lastCounts.size).toBe(KEYS);
  }, 120_000);

  it('stop --drain fires every open event-time window before the savepoint', async () => {
    const output = join(dir, 'out-drain');
    const savepoints = join(dir, 'savepoints-drain');
    const run = execa('node', [BIN, 'run', 'test/fixtures/jobs/drain-windows.ts', '--', '--rate', '20', '--output', output], { cwd: ROOT, env, reject: false });
    const jobId = await runningJobId();
    // Let a few windows close by themselves first.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stopped = await flinkts(['stop', jobId, '--drain', '--savepoint-path', savepoints], { env });
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    const savepoint = stopped.stdout.trim();
    const finished = await run;
    expect(finished.exitCode, String(finished.stderr)).toBe(0);
    expect(String(finished.stderr)).toContain('FINISHED');

    // The savepoint holds where the source stopped (its next number) and no window contents: all fired.
    const position = await flinkts(['savepoint', 'inspect', savepoint, '--operator', 'sequence', '--state', 'next'], { env });
    expect(position.exitCode, position.stderr).toBe(0);
    const max = (JSON.parse(position.stdout.trim()) as { value: number }).value - 1;
    expect(max).toBeGreaterThan(1000);
    const operators = await flinkts(['savepoint', 'inspect', savepoint, '--format', 'json'], { env });
    expect(JSON.stringify(JSON.parse(operators.stdout))).not.toContain('"windows"');

    // Every number 1..max the source emitted is in exactly one window of its key: the partial last windows fired too.
    const windows = readLines(output).map((line) => line.split(',').map(Number) as [number, number, number]);
    const expected = new Map<number, [number, number]>();
    for (let v = 1; v <= max; v++) {
      const [count, sum] = expected.get(v % DRAIN_KEYS) ?? [0, 0];
      expected.set(v % DRAIN_KEYS, [count + 1, sum + v]);
    }
    const actual = new Map<number, [number, number]>();
    for (const [key, count, sum] of windows) {
      const [c, s] = actual.get(key) ?? [0, 0];
      actual.set(key, [c + count, s + sum]);
    }
    expect(actual).toEqual(expected);
  }, 60_000);

  it('stop --drain fails with the job when the job fails while draining', async () => {
    const run = execa('node', [BIN, 'run', 'test/fixtures/jobs/drain-windows.ts', '--', '--rate', '20', '--output', join(dir, 'out-drain-fail'), '--fail-on-finish', 'true'], {
      cwd: ROOT,
      env,
      reject: false,
    });
    const jobId = await runningJobId();
    const stopped = await flinkts(['stop', jobId, '--drain', '--savepoint-path', join(dir, 'savepoints-drain-fail')], { env });
    expect(stopped.exitCode).not.toBe(0);
    expect(stopped.stderr).toContain(`stop --drain of job ${jobId} was interrupted: the job ended FAILED`);
    const finished = await run;
    expect(finished.exitCode).not.toBe(0);
    expect(String(finished.stderr)).toContain('planned failure when the input ended');
  }, 60_000);
});
