/**
 * End-to-end exactly-once from Kafka to Kafka on the local target
 * (RELIABILITY R1, K2): Kafka → keyed event-time window → Kafka with an
 * EXACTLY_ONCE KafkaSink (test/fixtures/jobs/kafka-exactly-once.ts), run
 * with the CLI as a user would.
 *
 * Faults: the task workers die twice in the first `flinkts run` (the job
 * restarts from its latest checkpoint each time), then the whole process is
 * SIGKILLed and the job is resumed with `flinkts run -s <latest retained
 * checkpoint>` in a new process. While the first process holds the job's
 * transactional id prefix, a second job using it is refused (K2).
 *
 * Pass: what a read_committed consumer reads from the output topic is,
 * as a multiset, exactly the windows a plain batch computation over the
 * input gives (no loss, no duplicate), no transaction is left open, and
 * the faults that fired are the ones planned.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { click } from '../../examples/kafka-exactly-once.js';
import { MS_PER_SEQ } from '../fixtures/jobs/kafka-exactly-once.js';
import { BIN, ROOT } from '../e2e/helpers.js';
import { createTopic, lastStableOffsets, logEndOffsets, readTopic, testClient } from '../support/kafka-sink-support.js';
import { describeWithKafka, kafkaBootstrap } from '../support/services.js';

const JOB = 'test/fixtures/jobs/kafka-exactly-once.ts';
const RECORDS = 90_000;
const KEYS = 5;
const WINDOW_MS = 1_000;
/** One input partition per source subtask: subtask 0, where the faults fire, reads half the input. */
const INPUT_PARTITIONS = 2;
const KILLS = 2;

/** The windows a batch computation gives: `key,windowStart,count,sum` per key and window with records. */
function expectedWindows(): string[] {
  const windows = new Map<string, { count: number; sum: number }>();
  for (let seq = 0; seq < RECORDS; seq++) {
    const start = Math.floor((seq * MS_PER_SEQ) / WINDOW_MS) * WINDOW_MS;
    const id = `k${seq % KEYS},${start}`;
    const w = windows.get(id) ?? { count: 0, sum: 0 };
    w.count++;
    w.sum += seq;
    windows.set(id, w);
  }
  return [...windows].map(([id, w]) => `${id},${w.count},${w.sum}`).sort();
}

describeWithKafka('Kafka → window → Kafka exactly-once through worker deaths and a killed process (R1, K2)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flinkts-kafka-eo-'));
  const env = { CI: '1', FLINKTS_STATE_DIR: join(dir, 'state'), TZ: 'UTC' };
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = testClient(kafkaBootstrap);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  async function produceInput(topic: string): Promise<void> {
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (let from = 0; from < RECORDS; from += 5_000) {
      const messages = Array.from({ length: Math.min(5_000, RECORDS - from) }, (_, i) => {
        const seq = from + i;
        return { partition: seq % INPUT_PARTITIONS, value: `k${seq % KEYS},${seq}` };
      });
      await producer.send({ topic, messages, acks: -1 });
    }
    await producer.disconnect();
  }

  function lines(markers: string, name: string): string[] {
    const path = join(markers, name);
    return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : [];
  }

  async function waitFor(what: string, condition: () => boolean, timeoutMs: number, output: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the run printed:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The retained checkpoint with the highest id: `<checkpoints>/<jobId>/chk-<n>` with its `_metadata`. */
  function latestCheckpoint(checkpoints: string): string {
    const [jobId] = readdirSync(checkpoints);
    const completed = readdirSync(join(checkpoints, jobId!))
      .filter((name) => /^chk-\d+$/.test(name) && existsSync(join(checkpoints, jobId!, name, '_metadata')))
      .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
    expect(completed.length).toBeGreaterThan(0);
    return join(checkpoints, jobId!, completed[0]!);
  }

  it('read_committed output equals the batch truth; faults fired as planned; a second job with the same prefix is refused', async () => {
    const input = await createTopic(admin, 'r1-in', INPUT_PARTITIONS);
    const output = await createTopic(admin, 'r1-out', 2);
    await produceInput(input);
    const prefix = `r1-${randomUUID().slice(0, 8)}`;
    const markers = mkdtempSync(join(dir, 'markers-'));
    const checkpoints = join(dir, 'checkpoints');
    const jobArgs = ['--bootstrap', kafkaBootstrap, '--input', input, '--output', output, '--prefix', prefix, '--checkpoints', checkpoints];
    const faultArgs = ['--markers', markers, '--kills', String(KILLS), '--hold-at', '20000', '--interval', '1000', '--kill-after', '3000', '--window', String(WINDOW_MS), '--rate', '10000'];

    // First process: two worker deaths (restarts), then the test kills it.
    const first = execa('node', [BIN, 'run', JOB, '-p', '2', '--', ...jobArgs, ...faultArgs], { cwd: ROOT, env, reject: false, all: true });
    let printed = '';
    first.all?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    // Killed while it runs: after a checkpoint completed in the attempt after the last worker death,
    // while a transaction holds windows not committed yet.
    await waitFor('both worker deaths and a checkpoint after them', () => lines(markers, 'events').some((l) => /^complete \d+ attempt 2$/.test(l)), 120_000, () => printed);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const [end, stable] = await Promise.all([logEndOffsets(kafka, output), lastStableOffsets(admin, output)]);
      if (end.some((e, p) => e > stable[p]!)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(lines(markers, 'faults')).toEqual(['kill 1 attempt 0', 'kill 2 attempt 1']);
    const events = lines(markers, 'events');
    // A checkpoint completed after each worker death, in the attempt that followed it.
    expect(events.some((l) => /^complete \d+ attempt 1$/.test(l))).toBe(true);
    expect(events.some((l) => /^complete \d+ attempt 2$/.test(l))).toBe(true);

    // K2: the prefix is held by the running job; another job writing transactions under it is refused.
    // (Were it not refused, it would fail on its output topic, which does not exist, and write nothing.)
    expect(first.exitCode, printed).toBeNull();
    const otherArgs = ['--bootstrap', kafkaBootstrap, '--input', input, '--output', `missing-${prefix}`, '--prefix', prefix, '--checkpoints', join(dir, 'other-checkpoints')];
    const second = await execa('node', [BIN, 'run', JOB, '--', ...otherArgs, '--markers', mkdtempSync(join(dir, 'other-markers-'))], {
      cwd: ROOT,
      env,
      reject: false,
      timeout: 60_000,
    });
    expect(second.exitCode, second.stderr).not.toBe(0);
    expect(second.stderr).toContain(`kafka-transactional-id:${kafkaBootstrap}/${prefix} is in use by the running job`);

    first.kill('SIGKILL');
    const killed = await first;
    expect(killed.signal).toBe('SIGKILL');

    // Second process: resume from the latest retained checkpoint, to the end of the input.
    writeFileSync(join(markers, 'resumed'), '');
    const checkpoint = latestCheckpoint(checkpoints);
    const resumed = await execa('node', [BIN, 'run', JOB, '-p', '2', '-s', checkpoint, '--', ...jobArgs, ...faultArgs], {
      cwd: ROOT,
      env,
      reject: false,
      all: true,
      timeout: 120_000,
    });
    expect(resumed.exitCode, `${resumed.all}\nevents: ${lines(markers, 'events').slice(-8).join(' | ')}`).toBe(0);
    // No further worker death: the faults that fired are the planned ones (plus the SIGKILL above).
    expect(lines(markers, 'faults')).toHaveLength(KILLS);

    const truth = expectedWindows();
    const read = await readTopic(kafka, output, { readCommitted: true, count: truth.length, settleMs: 2_000, timeoutMs: 60_000 });
    expect(read.map((r) => r.value).sort()).toEqual(truth);
    // Nothing left open: the last stable offset is past every record of the output topic.
    const all = await readTopic(kafka, output, { readCommitted: false, idleMs: 1_000 });
    // The faults interrupted transactions that held windows: the log has records no reader sees.
    expect(all.length).toBeGreaterThan(truth.length);
    const stable = await lastStableOffsets(admin, output);
    for (let p = 0; p < stable.length; p++) {
      const last = Math.max(-1, ...all.filter((r) => r.partition === p).map((r) => r.offset));
      expect(stable[p]).toBeGreaterThan(last);
    }
  }, 300_000);

  it('examples/kafka-exactly-once.ts publishes clicks, counts them per user and 10 s window exactly once, and prints the counts', async () => {
    const id = randomUUID().slice(0, 8);
    const example = join(ROOT, 'examples/kafka-exactly-once.ts');
    const common = ['--bootstrap', kafkaBootstrap, '--input', `clicks-${id}`, '--output', `click-counts-${id}`, '--prefix', `clicks-${id}`, '--interval', '200'];
    const CLICKS = 2_000;
    // Each run is cut off after 60 s, so that a run that hangs says which one it was.
    const run = async (step: string, args: string[], options: Partial<Parameters<typeof runJob>[0]> = {}) => {
      const result = await runJob({ job: example, args, signal: AbortSignal.timeout(60_000), ...options });
      expect(result.status, `${step}: ${result.error?.message ?? ''}`).toBe('FINISHED');
    };
    await run('publish', [...common, '--publish', String(CLICKS)]);
    await run('count', common, { parallelism: 2 });
    // Worked out from click(i): 7 users, 100 ms apart, so window k (10 s) holds clicks 100k .. 100k + 99.
    const truth = new Map<string, number>();
    for (let i = 0; i < CLICKS; i++) {
      const c = click(i);
      const key = JSON.stringify({ user: c.user, windowStart: Math.floor(c.ts / 10_000) * 10_000 });
      truth.set(key, (truth.get(key) ?? 0) + 1);
    }
    const expected = [...truth].map(([key, clicks]) => JSON.stringify({ ...(JSON.parse(key) as object), clicks })).sort();
    const read = await readTopic(kafka, `click-counts-${id}`, { readCommitted: true, count: expected.length, settleMs: 1_000 });
    expect(read.map((r) => r.value).sort()).toEqual(expected);
    let printed = '';
    await run('print', [...common, '--print'], { onOutput: (stream, data) => void (stream === 'stdout' && (printed += data)) });
    expect(printed.split('\n').filter(Boolean).sort()).toEqual(expected);
  }, 120_000);

  it('the job refuses to build without checkpointing, and warns when transaction.timeout.ms is below the checkpoint interval plus the restart delay', async () => {
    const input = await createTopic(admin, 'eo-checks-in');
    const output = await createTopic(admin, 'eo-checks-out');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: input, messages: Array.from({ length: 10 }, (_, seq) => ({ value: `k${seq % KEYS},${seq}` })) });
    await producer.disconnect();
    const markers = mkdtempSync(join(dir, 'checks-'));
    const args = ['--bootstrap', kafkaBootstrap, '--input', input, '--output', output, '--prefix', `checks-${randomUUID().slice(0, 8)}`, '--checkpoints', join(markers, 'chk'), '--markers', markers];

    const refused = await execa('node', [BIN, 'run', JOB, '--', ...args, '--checkpointing', 'false'], { cwd: ROOT, env, reject: false });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("delivery guarantee EXACTLY_ONCE needs checkpointing");

    // Checkpoints every 5 s and a restart delay of 100 ms (the fixture's), with a 2 s transaction timeout.
    const warned = await execa('node', [BIN, 'run', JOB, '--', ...args, '--interval', '5000', '--transaction-timeout', '2000'], { cwd: ROOT, env, reject: false });
    expect(warned.exitCode, warned.stderr).toBe(0);
    expect(warned.stderr).toContain('transaction.timeout.ms (2000 ms) is below the checkpoint interval plus the restart delay (5100 ms)');
    // Seqs 0..9 at 10 ms each: one window per key, two seqs each.
    const windows = ['k0,0,2,5', 'k1,0,2,7', 'k2,0,2,9', 'k3,0,2,11', 'k4,0,2,13'];
    const read = await readTopic(kafka, output, { readCommitted: true, count: windows.length, settleMs: 500 });
    expect(read.map((r) => r.value).sort()).toEqual(windows);
  }, 120_000);
});
