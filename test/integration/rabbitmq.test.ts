/**
 * The RabbitMQ connector against the local broker, end to end through jobs
 * (test/fixtures/jobs/rabbitmq-queue.ts, rabbitmq-sink.ts): RMQSource
 * exactly-once and at-least-once through a planned failure, without
 * checkpointing, Q2 (refused exactly-once settings), B1 (each bad record
 * policy), bad input (missing queue, wrong password, unreachable port), and
 * RMQSink (N messages read back in order, publish options). Every queue is
 * unique to its test and deleted afterwards. The expected outputs are the
 * published sequence numbers, computed here without the engine.
 *
 * Q1 (killed between a completed checkpoint and its acknowledgement) is in
 * rabbitmq-q1.test.ts; the reader's acknowledgement and buffering in
 * rabbitmq-reader.test.ts.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runJob, type RunResult } from 'flinkts/client';
import { JOBS, expectFinished, workDirs } from '../support/job-output.js';
import { markerLines } from '../support/fault-truth.js';
import { TestBroker, committedLines, committedSeqs, range, seqMessages } from '../support/rabbitmq.js';
import { describeWithRabbitMq, rabbitMq, rabbitMqUrl } from '../support/services.js';

const { workDir } = workDirs();
const QUEUE_JOB = join(JOBS, 'rabbitmq-queue.ts');
const SINK_JOB = join(JOBS, 'rabbitmq-sink.ts');
const N = 3000;

/** The sum of a named counter over the job's vertices. */
function counter(result: RunResult, name: string): number {
  return result.vertices.reduce((sum, v) => sum + (v.counters[name] ?? 0), 0);
}

describeWithRabbitMq('RabbitMQ connector (local broker)', () => {
  const broker = new TestBroker();
  beforeAll(() => broker.open());
  afterAll(() => broker.close());

  async function runQueueJob(queue: string, extra: readonly string[]): Promise<{ result: RunResult; output: string; dir: string }> {
    const dir = workDir();
    const output = join(dir, 'out');
    const result = await runJob({ job: QUEUE_JOB, args: ['--uri', rabbitMqUrl, '--queue', queue, '--output', output, '--markers', dir, ...extra] });
    return { result, output, dir };
  }

  it('exactly-once source: through a planned failure every message is in the output exactly once, and all are acknowledged', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, seqMessages(N));
    const { result, output, dir } = await runQueueJob(queue, ['--checkpoints', workDir(), '--fail-at', '2000']);
    expectFinished(result);
    expect(markerLines(dir, 'faults')).toEqual(['fault attempt 0']);
    expect(result.restarts).toBe(1);
    expect(committedSeqs(output)).toEqual(range(1, N));
    // Every message, the end marker included, was acknowledged: nothing went back to the queue at close.
    expect(await broker.count(queue)).toBe(0);
  });

  it('at-least-once source (no correlation ids): every message at least once through a planned failure', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, seqMessages(N, { correlationIds: false }));
    const { result, output, dir } = await runQueueJob(queue, ['--checkpoints', workDir(), '--correlation', 'false', '--fail-at', '2000']);
    expectFinished(result);
    expect(markerLines(dir, 'faults')).toEqual(['fault attempt 0']);
    const seqs = committedSeqs(output);
    expect([...new Set(seqs)]).toEqual(range(1, N));
    expect(seqs.length).toBeGreaterThanOrEqual(N);
    expect(counter(result, 'numRecordsDeduplicated')).toBe(0);
    expect(await broker.count(queue)).toBe(0);
  });

  it('without checkpointing: messages are acknowledged as they are emitted, each once in a run without failures', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, seqMessages(N, { correlationIds: false }));
    const { result, output } = await runQueueJob(queue, ['--correlation', 'false']);
    expectFinished(result);
    expect(committedSeqs(output)).toEqual(range(1, N));
    expect(await broker.count(queue)).toBe(0);
  });

  {
    // The job loader names the job file before the source's own message.
    const prefix = (queue: string): string => `${QUEUE_JOB}: RMQSource '${queue}' (operator 'Source: rabbitmq'): exactly-once needs checkpointing in EXACTLY_ONCE mode, correlation ids and parallelism 1, but `;
    const cases: { name: string; args: string[]; failed: string }[] = [
      { name: 'EXACTLY_ONCE asked for without correlation ids', args: ['--checkpoints', 'CHK', '--guarantee', 'EXACTLY_ONCE', '--correlation', 'false'], failed: 'usesCorrelationId is false' },
      { name: 'correlation ids at parallelism 2', args: ['--checkpoints', 'CHK', '--source-parallelism', '2'], failed: 'its parallelism is 2' },
      { name: 'correlation ids without checkpointing', args: [], failed: 'checkpointing is disabled' },
      {
        name: 'all three at once',
        args: ['--guarantee', 'EXACTLY_ONCE', '--correlation', 'false', '--source-parallelism', '3'],
        failed: 'checkpointing is disabled, usesCorrelationId is false, its parallelism is 3',
      },
    ];
    for (const { name, args, failed } of cases) {
      it(`Q2: ${name} is refused when the job is built, naming the condition`, async () => {
        const queue = await broker.queue();
        await broker.publish(queue, seqMessages(10));
        const dir = workDir();
        const run = runJob({ job: QUEUE_JOB, args: ['--uri', rabbitMqUrl, '--queue', queue, '--output', join(dir, 'out'), ...args.map((a) => (a === 'CHK' ? dir : a))] });
        await expect(run).rejects.toMatchObject({ code: 'CONFIG', message: prefix(queue) + failed });
        // Nothing was consumed.
        expect(await broker.count(queue)).toBe(11);
      });
    }
  }

  it('B1 fail: the job fails naming the queue and delivery tag of the malformed message', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, seqMessages(500, { malformed: (seq) => seq === 137 }));
    // No checkpoint completes (so nothing is ever acknowledged); the prefetch lets the reader get past message 137.
    const { result, output } = await runQueueJob(queue, ['--checkpoints', workDir(), '--policy', 'fail', '--interval', '600000', '--prefetch', '1000']);
    expect(result.status).toBe('FAILED');
    expect(result.error?.code).toBe('BAD_RECORD');
    // The job restarted (3 times, fixed delay) and failed on the same record each time; the error of the
    // last attempt names it. Nothing was ever acknowledged, so every attempt got the messages in queue
    // order on a new channel: message 137 is delivery tag 137.
    expect(result.restarts).toBe(3);
    expect(result.error?.message).toMatch(/^cannot deserialize the record at queue \S+ delivery tag 137: /);
    expect(result.error?.message).toContain(`queue ${queue} delivery tag 137`);
    expect(committedSeqs(output)).toEqual([]);
    expect(await broker.waitForCount(queue, 501)).toBe(501);
  });

  it('B1 skip: output is exactly the valid messages, skipped == injected', async () => {
    const queue = await broker.queue();
    const malformed = (seq: number): boolean => seq % 100 === 37;
    await broker.publish(queue, seqMessages(N, { malformed }));
    const { result, output } = await runQueueJob(queue, ['--checkpoints', workDir(), '--policy', 'skip']);
    expectFinished(result);
    expect(committedSeqs(output)).toEqual(range(1, N).filter((s) => !malformed(s)));
    expect(counter(result, 'numRecordsSkipped')).toBe(N / 100);
    expect(await broker.count(queue)).toBe(0);
  });

  it('B1 dead-letter: exactly the raw bytes of the malformed messages, with queue, delivery tag and correlation id', async () => {
    const queue = await broker.queue();
    const malformed = (seq: number): boolean => seq % 100 === 37;
    await broker.publish(queue, seqMessages(N, { malformed }));
    const deadLetters = join(workDir(), 'dead');
    const { result, output } = await runQueueJob(queue, ['--checkpoints', workDir(), '--policy', 'dead-letter', '--dead-letters', deadLetters]);
    expectFinished(result);
    expect(result.restarts).toBe(0);
    expect(committedSeqs(output)).toEqual(range(1, N).filter((s) => !malformed(s)));
    expect(counter(result, 'numRecordsDeadLettered')).toBe(N / 100);
    const letters = committedLines(deadLetters).map((line) => JSON.parse(line) as { raw: string; provenance: Record<string, unknown>; error: string });
    const expected = range(1, N)
      .filter(malformed)
      // One consumer, no failure: the n-th message of the queue is delivery tag n.
      .map((seq) => ({ raw: Buffer.from(`{"seq": ${seq}`).toString('base64'), provenance: { queue, deliveryTag: seq, correlationId: `id-${seq}` } }));
    expect(letters.map(({ raw, provenance }) => ({ raw, provenance })).sort((a, b) => (a.provenance.deliveryTag as number) - (b.provenance.deliveryTag as number))).toEqual(expected);
    for (const letter of letters) expect(letter.error).toMatch(/JSON/);
  });

  it('a queue that does not exist fails the job with a CONNECTOR error naming it', async () => {
    const queue = broker.missingQueue();
    const { result } = await runQueueJob(queue, ['--checkpoints', workDir()]);
    expect(result.status).toBe('FAILED');
    expect(result.error?.code).toBe('CONNECTOR');
    expect(result.error?.message).toBe(`RMQSource '${queue}' (subtask 0): queue '${queue}' does not exist in virtual host '/' at ${rabbitMq.address}`);
    // It was not created on the way.
    expect(await broker.exists(queue)).toBe(false);
  });

  it('a wrong password fails the job naming the user and the broker', async () => {
    const queue = await broker.queue();
    const dir = workDir();
    const uri = rabbitMqUrl.replace('guest:guest@', 'guest:wrong@');
    const result = await runJob({ job: QUEUE_JOB, args: ['--uri', uri, '--queue', queue, '--output', join(dir, 'out'), '--checkpoints', dir] });
    expect(result.status).toBe('FAILED');
    expect(result.error?.message).toBe(`RMQSource '${queue}' (subtask 0): RabbitMQ at ${rabbitMq.address} refused the login of user 'guest' (wrong user name or password)`);
  });

  it('RMQSink: N records arrive on the queue exactly once and in order, confirmed by the broker', async () => {
    const queue = await broker.queue();
    const count = 5000;
    const result = await runJob({ job: SINK_JOB, args: ['--uri', rabbitMqUrl, '--queue', queue, '--count', String(count), '--checkpoints', workDir()] });
    expectFinished(result);
    // The job finished only after the final checkpoint, which waited for every confirm: all are there now.
    expect(await broker.count(queue)).toBe(count);
    const bodies = (await broker.takeAll(queue)).map((m) => m.content.toString());
    expect(bodies).toEqual(range(1, count).map(String));
  });

  it('RMQSink with publish options: exchange, routing key and properties per record', async () => {
    const [exchange, even, odd] = [await broker.exchange(), await broker.queue(), await broker.queue()];
    await broker.bind(even, exchange, 'even');
    await broker.bind(odd, exchange, 'odd');
    const count = 200;
    const result = await runJob({ job: SINK_JOB, args: ['--uri', rabbitMqUrl, '--exchange', exchange, '--count', String(count)] });
    expectFinished(result);
    for (const [queue, parity] of [[even, 0], [odd, 1]] as const) {
      const messages = await broker.takeAll(queue);
      const seqs = range(1, count).filter((n) => n % 2 === parity);
      expect(messages.map((m) => m.content.toString())).toEqual(seqs.map(String));
      expect(messages.map((m) => m.properties.correlationId)).toEqual(seqs.map((n) => `c-${n}`));
      expect(messages.map((m) => (m.properties.headers as Record<string, unknown>).seq)).toEqual(seqs);
      expect(messages.every((m) => m.fields.exchange === exchange)).toBe(true);
    }
  });

  it('RMQSink to a queue that does not exist fails the job naming the queue', async () => {
    const queue = broker.missingQueue();
    const result = await runJob({ job: SINK_JOB, args: ['--uri', rabbitMqUrl, '--queue', queue, '--count', '10'] });
    expect(result.status).toBe('FAILED');
    expect(result.error?.message).toBe(`RMQSink '${queue}' (subtask 0): queue '${queue}' does not exist in virtual host '/' at ${rabbitMq.address}`);
  });
});

