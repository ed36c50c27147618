/**
 * The RMQSource reader and the RMQSink writer driven directly against the
 * local broker, as a task would drive them (start, poll, snapshot, notify,
 * close), checking from the broker's side what each step acknowledged:
 * acknowledgement only when a checkpoint completes (a transaction: nothing
 * before the commit), the prefetch as the bound of what a reader holds,
 * deduplication by correlation id after a restore, acknowledgement on
 * emission without checkpointing, the end-of-stream marker, and errors for
 * an unreachable broker, a refused login, a missing queue or a deleted one.
 * For the sink: publisher confirms (a checkpoint's messages are on the queue
 * when prepareCommit resolves), nacks, unroutable messages, back-pressure.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  collectingOutput,
  RMQConnectionConfig,
  RMQDeserializationSchema,
  RMQSerializationSchema,
  RMQSink,
  RMQSource,
  type RMQReaderState,
  type RMQSourceOptions,
  type SinkWriter,
  type SinkWriterContext,
  type SourceReader,
} from 'flinkts';
import { TestBroker, range, type TestMessage } from '../support/rabbitmq.js';
import { describeWithRabbitMq, rabbitMq, rabbitMqUrl } from '../support/services.js';

/** Counters as the task's metric group keeps them. */
class Counters {
  readonly values = new Map<string, number>();
  counter(name: string): { inc(n?: number): void; getCount(): number } {
    return {
      inc: (n = 1) => void this.values.set(name, (this.values.get(name) ?? 0) + n),
      getCount: () => this.values.get(name) ?? 0,
    };
  }
}

interface ReaderSetup {
  readonly queue: string;
  readonly prefetch?: number;
  readonly usesCorrelationId?: boolean;
  readonly checkpointing?: boolean;
  readonly restored?: readonly unknown[];
  readonly options?: RMQSourceOptions;
  readonly uri?: string;
}

function config(prefetch = 100, uri = rabbitMqUrl): RMQConnectionConfig {
  return RMQConnectionConfig.builder().setUri(uri).setPrefetchCount(prefetch).setConnectRetries(0).build();
}

function reader(setup: ReaderSetup, counters = new Counters()): SourceReader<string> {
  const source = new RMQSource(config(setup.prefetch, setup.uri), setup.queue, setup.usesCorrelationId ?? false, RMQDeserializationSchema.string({ isEndOfStream: (s) => s === 'END' }), setup.options);
  return source.createReader({
    subtaskIndex: 0,
    parallelism: 1,
    operatorName: 'Source: rabbitmq',
    checkpointingEnabled: setup.checkpointing ?? true,
    metricGroup: counters,
    attemptNumber: setup.restored === undefined ? 0 : 1,
    ...(setup.restored !== undefined && { restoredSplits: setup.restored }),
  });
}

/** Polls until `records` holds `count` values (or the input ends); fails after `timeoutMs`. */
async function pollUntil(r: SourceReader<string>, records: string[], count: number, timeoutMs = 5000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = r.pollNext(collectingOutput((v) => records.push(v)));
    if (status === 'END_OF_INPUT' || records.length >= count) return status;
    if (Date.now() > until) throw new Error(`polled ${records.length} of ${count} records in ${timeoutMs} ms`);
    if (status === 'NOTHING_AVAILABLE') await Promise.race([r.isAvailable!(), sleep(50)]);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function numbered(from: number, to: number, ids = false): TestMessage[] {
  return range(from, to).map((n) => (ids ? { body: String(n), correlationId: `id-${n}` } : { body: String(n) }));
}

const WRITER_CONTEXT: SinkWriterContext = {
  subtaskIndex: 0,
  parallelism: 1,
  operatorName: 'Sink: rabbitmq',
  operatorId: 'sink',
  attemptNumber: 0,
  restoredCheckpointId: undefined,
  restoredState: [],
  checkpointingEnabled: true,
  metricGroup: new Counters(),
};

describeWithRabbitMq('RMQSource reader and RMQSink writer (local broker)', () => {
  const broker = new TestBroker();
  beforeAll(() => broker.open());
  afterAll(() => broker.close());

  it('acknowledges only when a checkpoint completes; the prefetch bounds what it holds', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, numbered(1, 300));
    const first = reader({ queue, prefetch: 100 });
    await first.start!();
    const records: string[] = [];
    await pollUntil(first, records, 100);
    await sleep(200);
    // The broker sends no more than the prefetch while nothing is acknowledged.
    expect(await pollUntil(first, records, 101, 300).catch((e: Error) => e.message)).toBe('polled 100 of 101 records in 300 ms');
    expect(records).toEqual(range(1, 100).map(String));
    expect(await broker.count(queue)).toBe(200);
    first.snapshotState!(1);
    // Checkpoint 1 never completes: closing returns all 100 to the queue.
    await first.close!();
    expect(await broker.waitForCount(queue, 300)).toBe(300);

    const second = reader({ queue, prefetch: 100 });
    await second.start!();
    const again: string[] = [];
    await pollUntil(second, again, 100);
    second.snapshotState!(1);
    await second.notifyCheckpointComplete!(1);
    // Acknowledged (committed): the next 100 arrive.
    await pollUntil(second, again, 200);
    expect(again).toEqual(range(1, 200).map(String));
    second.snapshotState!(2);
    await second.close!();
    // 1..100 are gone; 101..200 (checkpoint 2 never completed) are back.
    expect(await broker.waitForCount(queue, 200)).toBe(200);
    expect((await broker.takeAll(queue)).map((m) => m.content.toString())).toEqual(range(101, 300).map(String));
  });

  it('exactly-once: a restored reader drops the redeliveries of ids it emitted and acknowledges them with its next checkpoint', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, numbered(1, 200, true));
    const first = reader({ queue, prefetch: 50, usesCorrelationId: true });
    await first.start!();
    await pollUntil(first, [], 50);
    const state = first.snapshotState!(1) as RMQReaderState[];
    expect(state).toEqual([{ queue, correlationIds: range(1, 50).map((n) => `id-${n}`) }]);
    // The job fails before checkpoint 1's acknowledgement is committed.
    await first.close!();

    const counters = new Counters();
    const second = reader({ queue, prefetch: 50, usesCorrelationId: true, restored: state }, counters);
    await second.start!();
    const records: string[] = [];
    // The 50 redeliveries fill the prefetch and are all dropped.
    const until = Date.now() + 5000;
    while ((counters.values.get('numRecordsDeduplicated') ?? 0) < 50 && Date.now() < until) await pollUntil(second, records, 1, 100).catch(() => undefined);
    expect(counters.values.get('numRecordsDeduplicated')).toBe(50);
    expect(records).toEqual([]);
    // They are acknowledged with the next checkpoint, which lets the next 50 in.
    expect(second.snapshotState!(2)).toEqual([{ queue, correlationIds: range(1, 50).map((n) => `id-${n}`) }]);
    await second.notifyCheckpointComplete!(2);
    await pollUntil(second, records, 50);
    expect(records).toEqual(range(51, 100).map(String));
    expect(second.snapshotState!(3)).toEqual([{ queue, correlationIds: range(51, 100).map((n) => `id-${n}`) }]);
    await second.close!();
    expect(await broker.waitForCount(queue, 150)).toBe(150);
  });

  it('exactly-once: restored ids that are never redelivered are dropped after restoredIdsRetentionMs', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, numbered(1, 10, true));
    const restored = [{ queue, correlationIds: ['id-acked-before-the-failure'] }];
    const r = reader({ queue, usesCorrelationId: true, restored, options: { restoredIdsRetentionMs: 0 } });
    await r.start!();
    await pollUntil(r, [], 10);
    expect(r.snapshotState!(1)).toEqual([{ queue, correlationIds: [...range(1, 10).map((n) => `id-${n}`), 'id-acked-before-the-failure'] }]);
    await r.notifyCheckpointComplete!(1);
    expect(r.snapshotState!(2)).toEqual([{ queue, correlationIds: [] }]);
    await r.close!();
  });

  it('exactly-once: a message without a correlation id is a bad record', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, [{ body: '1', correlationId: 'id-1' }, { body: '2' }]);
    const r = reader({ queue, usesCorrelationId: true });
    await r.start!();
    await expect(pollUntil(r, [], 2)).rejects.toMatchObject({
      code: 'BAD_RECORD',
      message: `cannot deserialize the record at queue ${queue} delivery tag 2: the message has no correlation id, which exactly-once (usesCorrelationId = true) needs`,
    });
    await r.close!();
  });

  it('without checkpointing: each message is acknowledged once emitted; buffered ones return at close', async () => {
    const queue = await broker.queue();
    await broker.publish(queue, numbered(1, 200));
    const r = reader({ queue, prefetch: 50, checkpointing: false });
    await r.start!();
    // One poll once all 50 of the prefetch arrived (each poll acknowledges what it emitted, letting more in).
    expect(await broker.waitForCount(queue, 150)).toBe(150);
    await sleep(200);
    const records: string[] = [];
    expect(r.pollNext(collectingOutput((v) => records.push(v)))).toBe('NOTHING_AVAILABLE');
    expect(records).toEqual(range(1, 50).map(String));
    // 50 acknowledged, so 50 more were delivered and sit in the reader's buffer.
    expect(await broker.waitForCount(queue, 100)).toBe(100);
    await r.close!();
    expect(await broker.waitForCount(queue, 150)).toBe(150);
    expect((await broker.takeAll(queue)).map((m) => m.content.toString())).toEqual(range(51, 200).map(String));
  });

  it('isAvailable resolves when a message arrives; the end marker ends the input and what follows stays queued', async () => {
    const queue = await broker.queue();
    const r = reader({ queue });
    await r.start!();
    expect(r.pollNext(collectingOutput(() => undefined))).toBe('NOTHING_AVAILABLE');
    let woke = false;
    const available = r.isAvailable!().then(() => (woke = true));
    await sleep(100);
    expect(woke).toBe(false);
    await broker.publish(queue, [{ body: 'a' }, { body: 'b' }, { body: 'END' }, { body: 'after' }]);
    await available;
    const records: string[] = [];
    expect(await pollUntil(r, records, 10)).toBe('END_OF_INPUT');
    expect(records).toEqual(['a', 'b']);
    r.snapshotState!(1);
    await r.notifyCheckpointComplete!(1);
    await r.close!();
    expect(await broker.waitForCount(queue, 1)).toBe(1);
    expect((await broker.takeAll(queue)).map((m) => m.content.toString())).toEqual(['after']);
  });

  it('an unreachable broker: a bounded retry, then a CONNECTOR error naming host:port', async () => {
    const cfg = RMQConnectionConfig.builder().setHost('127.0.0.1').setPort(1).setUserName('guest').setPassword('guest').setConnectRetries(2).setNetworkRecoveryInterval(150).build();
    const r = new RMQSource(cfg, 'q', false, RMQDeserializationSchema.string()).createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 's', checkpointingEnabled: true });
    const started = Date.now();
    const error = await Promise.resolve(r.start!()).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string; retriable: boolean },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(error?.code).toBe('CONNECTOR');
    expect(error?.retriable).toBe(true);
    expect(error?.message).toMatch(/^RMQSource 'q' \(subtask 0\): cannot connect to RabbitMQ at 127\.0\.0\.1:1: connection refused \(ECONNREFUSED\) \(3 attempts in \d+\.\d s\)$/);
  });

  it('a refused login and an unknown virtual host fail at once, naming user, virtual host and broker', async () => {
    const queue = await broker.queue();
    const wrong = reader({ queue, uri: rabbitMqUrl.replace('guest:guest@', 'guest:nope@') });
    await expect(wrong.start!()).rejects.toMatchObject({
      code: 'CONNECTOR',
      message: `RMQSource '${queue}' (subtask 0): RabbitMQ at ${rabbitMq.address} refused the login of user 'guest' (wrong user name or password)`,
    });
    const vhost = reader({ queue, uri: `${rabbitMqUrl}/no-such-vhost` });
    await expect(vhost.start!()).rejects.toMatchObject({
      code: 'CONNECTOR',
      message: `RMQSource '${queue}' (subtask 0): RabbitMQ at ${rabbitMq.address} refused virtual host 'no-such-vhost' to user 'guest' (it does not exist or the user has no access)`,
    });
  });

  it('a missing queue is refused without being created, or declared when asked', async () => {
    const queue = broker.missingQueue();
    await expect(reader({ queue }).start!()).rejects.toMatchObject({
      code: 'CONNECTOR',
      message: `RMQSource '${queue}' (subtask 0): queue '${queue}' does not exist in virtual host '/' at ${rabbitMq.address}`,
    });
    expect(await broker.exists(queue)).toBe(false);
    const declaring = reader({ queue, options: { declareQueue: { durable: false } } });
    await declaring.start!();
    expect(await broker.exists(queue)).toBe(true);
    await declaring.close!();
  });

  it('a queue deleted while consumed fails the reader naming it', async () => {
    const queue = await broker.queue();
    const r = reader({ queue });
    await r.start!();
    await broker.deleteQueue(queue);
    await r.isAvailable!();
    expect(() => r.pollNext(collectingOutput(() => undefined))).toThrow(`RMQSource '${queue}' (subtask 0): the broker cancelled the consumer of queue '${queue}' (was the queue deleted?)`);
    await r.close!();
  });

  async function writer(sink: RMQSink<string>): Promise<SinkWriter<string>> {
    return sink.createWriter(WRITER_CONTEXT) as Promise<SinkWriter<string>>;
  }

  const writeContext = { timestamp: () => undefined, currentWatermark: () => Number.MIN_SAFE_INTEGER };

  it('RMQSink: when prepareCommit resolves, every message written before it is on the queue; back-pressure through drain', async () => {
    const queue = await broker.queue();
    const w = await writer(new RMQSink<string>(config(), queue, RMQSerializationSchema.string()));
    const body = 'x'.repeat(2048);
    let paused = 0;
    for (let i = 0; i < 10_000; i++) {
      const pending = w.write(`${i}:${body}`, writeContext);
      if (pending !== undefined) {
        paused++;
        await pending;
      }
    }
    await w.prepareCommit(1);
    expect(await broker.count(queue)).toBe(10_000);
    expect(paused).toBeGreaterThan(0);
    await w.close!();
    const bodies = (await broker.takeAll(queue)).map((m) => m.content.toString());
    expect(bodies).toEqual(range(0, 9999).map((i) => `${i}:${body}`));
  });

  it('RMQSink: a nack fails the checkpoint (and so the task)', async () => {
    const queue = await broker.queue({ durable: false, arguments: { 'x-max-length': 5, 'x-overflow': 'reject-publish' } });
    const w = await writer(new RMQSink<string>(config(), queue, RMQSerializationSchema.string()));
    for (let i = 0; i < 10; i++) await w.write(String(i), writeContext);
    await expect(w.prepareCommit(1)).rejects.toMatchObject({
      code: 'CONNECTOR',
      message: `RMQSink '${queue}' (subtask 0): RabbitMQ did not confirm a message to exchange '', routing key '${queue}': message nacked`,
    });
    expect(() => w.write('more', writeContext)).toThrow('message nacked');
    await w.close!();
  });

  it('RMQSink: an unroutable message (mandatory) fails the checkpoint naming exchange and routing key', async () => {
    const queue = await broker.queue();
    const missing = broker.missingQueue();
    const sink = new RMQSink<string>(config(), queue, RMQSerializationSchema.string(), (v) => (v === 'lost' ? { routingKey: missing } : {}));
    const w = await writer(sink);
    await w.write('kept', writeContext);
    await w.write('lost', writeContext);
    await expect(w.prepareCommit(1)).rejects.toMatchObject({
      code: 'CONNECTOR',
      message: `RMQSink '${queue}' (subtask 0): RabbitMQ returned a message as unroutable (NO_ROUTE): exchange '', routing key '${missing}'`,
    });
    await w.close!();
  });
});
