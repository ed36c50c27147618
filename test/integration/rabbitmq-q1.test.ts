/**
 * RELIABILITY Q1: the job dies after a checkpoint completed but before its
 * acknowledgement reached RabbitMQ. RabbitMQ then redelivers every message
 * the job had consumed; the exactly-once RMQSource must drop those whose
 * correlation ids are in the restored checkpoint, so the committed output
 * holds each published message exactly once.
 *
 * The test-only hook `FLINKTS_TEST_RMQ_PAUSE_BEFORE_ACK_COMMIT` (see
 * src/connectors/rabbitmq/rmq-source-reader.ts) holds the first
 * acknowledgement of the first attempt right before its `tx.commit` and
 * writes a marker line. Two ways to die there:
 * - the whole `flinkts run` process is SIGKILLed, and the job is run again
 *   with `flinkts run -s <latest retained checkpoint>` (here `runJob` with
 *   `fromSavepoint`, what the command calls);
 * - the broker closes the job's connection (`rabbitmqctl close_connection`,
 *   as when RabbitMQ goes away), the commit fails, and the restart strategy
 *   restores the job from its latest checkpoint in the same process.
 * Both assert: the fault fired exactly once; the output is 1..N exactly once
 * (the truth: what was published); the redeliveries dropped plus the records
 * emitted after the restore make N; at least one was dropped; the queue is
 * empty at the end (everything acknowledged).
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { runJob, type RunResult } from 'flinkts/client';
import { JOBS, expectFinished, workDirs } from '../support/job-output.js';
import { TestBroker, committedSeqs, range, seqMessages } from '../support/rabbitmq.js';
import { describeWithRabbitMq, rabbitMqUrl } from '../support/services.js';

const { workDir } = workDirs();
const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const JOB = join(JOBS, 'rabbitmq-queue.ts');
/** The hook of src/connectors/rabbitmq/rmq-source-reader.ts (PAUSE_BEFORE_ACK_COMMIT_ENV). */
const PAUSE_ENV = 'FLINKTS_TEST_RMQ_PAUSE_BEFORE_ACK_COMMIT';
const N = 3000;
const MARKER = /^paused checkpoint (\d+) deliveries (\d+) ids (\d+) tag (\d+)$/;

afterEach(() => {
  delete process.env[PAUSE_ENV];
});

function jobArgs(queue: string, output: string, checkpoints: string): string[] {
  // A prefetch of 200: the first attempt stalls after 200 unacknowledged messages, so it is still mid-queue when it dies.
  return ['--uri', rabbitMqUrl, '--queue', queue, '--output', output, '--checkpoints', checkpoints, '--interval', '50', '--prefetch', '200'];
}

async function waitForMarker(file: string, timeoutMs = 30_000): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(file)) {
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      if (lines.length > 0) return lines;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no marker in ${file} after ${timeoutMs} ms`);
}

/** The newest `chk-<n>` with a `_metadata` under `<base>/<jobId>/`. */
function latestCheckpoint(base: string): { dir: string; id: number } {
  const found = readdirSync(base).flatMap((job) =>
    readdirSync(join(base, job))
      .map((name) => ({ dir: join(base, job, name), id: Number(/^chk-(\d+)$/.exec(name)?.[1] ?? NaN) }))
      .filter(({ dir, id }) => Number.isInteger(id) && existsSync(join(dir, '_metadata'))),
  );
  if (found.length === 0) throw new Error(`no completed checkpoint under ${base}`);
  return found.reduce((a, b) => (b.id > a.id ? b : a));
}

function counter(result: RunResult, name: string): number {
  return result.vertices.reduce((sum, v) => sum + (v.counters[name] ?? 0), 0);
}

/** Records the source emitted in the last attempt (the source vertex: source, map and sink chained). */
function sourceRecords(result: RunResult): number {
  const source = result.vertices.find((v) => v.name.startsWith('Source: rabbitmq'));
  if (source === undefined) throw new Error(`no source vertex in ${result.vertices.map((v) => v.name).join(', ')}`);
  return source.recordsIn;
}

/** The pid of the RabbitMQ connection named by the source's subtask 0, via rabbitmqctl (undefined if rabbitmqctl cannot run). */
function connectionPid(queue: string): string | undefined {
  const listing = execFileSync('rabbitmqctl', ['list_connections', '-q', 'pid', 'client_properties'], { encoding: 'utf8' });
  const line = listing.split('\n').find((l) => l.includes(`flinkts RMQSource '${queue}' (subtask 0)`));
  return line?.split('\t')[0];
}

function rabbitmqctlWorks(): boolean {
  try {
    execFileSync('rabbitmqctl', ['list_connections', '-q', 'pid'], { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

describeWithRabbitMq('Q1: killed between a completed checkpoint and its acknowledgement', () => {
  const broker = new TestBroker();
  beforeAll(() => broker.open());
  afterAll(() => broker.close());

  it('SIGKILL of flinkts run, then flinkts run -s <latest retained checkpoint>: replays deduplicated, output == truth', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, seqMessages(N));
    const dir = workDir();
    const [output, checkpoints, marker] = [join(dir, 'out'), join(dir, 'chk'), join(dir, 'marker')];

    const child = spawn(process.execPath, [BIN, 'run', JOB, '--', ...jobArgs(queue, output, checkpoints)], {
      env: { ...process.env, CI: '1', [PAUSE_ENV]: marker },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let lines: string[];
    try {
      lines = await waitForMarker(marker);
    } finally {
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    expect(lines).toHaveLength(1);
    const [, pausedAt, deliveries, ids] = MARKER.exec(lines[0]!)!.map(Number);
    expect(ids).toBeGreaterThan(0);
    // Every delivery acknowledged there carried a new id (no bad records, no duplicates yet).
    expect(deliveries).toBe(ids);

    const latest = latestCheckpoint(checkpoints);
    expect(latest.id).toBeGreaterThanOrEqual(pausedAt!);
    const restored = await runJob({ job: JOB, args: jobArgs(queue, output, checkpoints), fromSavepoint: latest.dir });
    expectFinished(restored);
    expect(restored.restarts).toBe(0);

    expect(committedSeqs(output)).toEqual(range(1, N));
    const dropped = counter(restored, 'numRecordsDeduplicated');
    // Nothing was ever acknowledged, so all N came again: those emitted before the checkpoint were dropped, the rest emitted.
    expect(dropped).toBeGreaterThanOrEqual(ids!);
    expect(dropped + sourceRecords(restored)).toBe(N);
    expect(readFileSync(marker, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(await broker.count(queue)).toBe(0);
  });

  it('the broker closes the connection before the commit: the job restores from its checkpoint, replays deduplicated', async (context) => {
    if (!rabbitmqctlWorks()) {
      console.warn('\n!!! SKIPPED: rabbitmqctl cannot run here (it needs the broker host and its Erlang cookie, e.g. as root)\n');
      context.skip();
    }
    const queue = await broker.queue();
    await broker.publish(queue, seqMessages(N));
    const dir = workDir();
    const [output, checkpoints, marker] = [join(dir, 'out'), join(dir, 'chk'), join(dir, 'marker')];
    // Worker threads read the hook from this process's environment; it is active in attempt 0 only.
    process.env[PAUSE_ENV] = marker;
    const run = runJob({ job: JOB, args: jobArgs(queue, output, checkpoints) });
    const lines = await waitForMarker(marker);
    const pid = connectionPid(queue);
    expect(pid).toBeDefined();
    execFileSync('rabbitmqctl', ['close_connection', pid!, 'flinkts Q1 test: broker gone before the ack commit'], { stdio: 'ignore' });
    const result = await run;

    expectFinished(result);
    expect(result.restarts).toBe(1);
    expect(lines).toHaveLength(1);
    const [, , deliveries, ids] = MARKER.exec(lines[0]!)!.map(Number);
    expect(deliveries).toBe(ids);
    expect(committedSeqs(output)).toEqual(range(1, N));
    const dropped = counter(result, 'numRecordsDeduplicated');
    expect(dropped).toBeGreaterThanOrEqual(ids!);
    expect(dropped + sourceRecords(result)).toBe(N);
    expect(readFileSync(marker, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(await broker.count(queue)).toBe(0);
  });
});
