/**
 * The Kafka sink's writers and committer against the real local broker,
 * driven directly (without a job): what a `read_committed` consumer sees and
 * when, for each delivery guarantee; lingering transactions of killed
 * writers aborted on start and on restore, also at a lower parallelism and
 * across skipped barriers (RELIABILITY K3); a sealed transaction committed
 * by a new process from its committable, and again (idempotent); an expired
 * transaction as a hard error and a metric (K1); and the bad-input errors.
 * A "crash" is a child process that SIGKILLs itself, leaving its
 * transactions as they were on the broker.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import {
  DeliveryGuarantee,
  FlinktsError,
  JsonSerializationSchema,
  KafkaRecordSerializationSchema,
  KafkaSink,
  StringSerializationSchema,
  type KafkaCommittable,
  type SinkWriter,
} from 'flinkts';
import { describeWithKafka, kafkaBootstrap } from '../support/services.js';
import { at, crashingWriters, createTopic, lastStableOffsets, readTopic, testClient, TestMetrics, writerContext } from '../support/kafka-sink-support.js';

describeWithKafka('KafkaSink against a real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  const open: { close?(): void | Promise<void> }[] = [];

  beforeAll(async () => {
    kafka = testClient(kafkaBootstrap);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const resource of open) await resource.close?.();
    await admin?.disconnect();
  });

  function stringSink(topic: string, guarantee: DeliveryGuarantee, prefix?: string, properties: Record<string, string> = {}): KafkaSink<string> {
    const builder = KafkaSink.builder<string>()
      .setBootstrapServers(kafkaBootstrap)
      .setRecordSerializer(KafkaRecordSerializationSchema.builder<string>().setTopic(topic).setValueSerializationSchema(new StringSerializationSchema()).build())
      .setDeliveryGuarantee(guarantee);
    if (prefix !== undefined) builder.setTransactionalIdPrefix(prefix);
    for (const [key, value] of Object.entries(properties)) builder.setProperty(key, value);
    return builder.build();
  }

  async function writer(sink: KafkaSink<string>, context = writerContext()): Promise<SinkWriter<string, KafkaCommittable>> {
    const w = await sink.createWriter(context);
    open.push(w);
    return w;
  }

  async function writeAll(w: SinkWriter<string, KafkaCommittable>, values: readonly string[]): Promise<void> {
    for (const value of values) await w.write(value, at());
  }

  const values = (records: readonly { value: string | null }[]): (string | null)[] => records.map((r) => r.value);
  const prefixFor = (name: string): string => `${name}-${randomUUID().slice(0, 8)}`;

  it('EXACTLY_ONCE: records become visible to read_committed readers only when the committer commits, once however often it commits', async () => {
    const topic = await createTopic(admin, 'eo-visible');
    const prefix = prefixFor('eo-visible');
    const sink = stringSink(topic, DeliveryGuarantee.EXACTLY_ONCE, prefix);
    const metrics = new TestMetrics();
    const w = await writer(sink, writerContext({ metrics }));
    await writeAll(w, ['a', 'b', 'c']);
    const committables = await w.prepareCommit(1);
    expect(committables.map((c) => c.transactionalId)).toEqual([`${prefix}-0-1`]);

    expect(values(await readTopic(kafka, topic, { readCommitted: false, count: 3 }))).toEqual(['a', 'b', 'c']);
    expect(await readTopic(kafka, topic, { readCommitted: true, idleMs: 1_500 })).toEqual([]);
    expect(await lastStableOffsets(admin, topic)).toEqual([0]);

    const committer = sink.createCommitter(writerContext({ metrics }));
    open.push(committer);
    await committer.commit(committables);
    expect(values(await readTopic(kafka, topic, { readCommitted: true, count: 3, settleMs: 1_000 }))).toEqual(['a', 'b', 'c']);
    await committer.commit(committables);
    expect(values(await readTopic(kafka, topic, { readCommitted: true, count: 3, settleMs: 1_000 }))).toEqual(['a', 'b', 'c']);
    expect(metrics.get('numTransactionsCommitted')).toBe(2);
    expect(metrics.get('numRecordsSend')).toBe(3);
  });

  it('EXACTLY_ONCE: records written after a barrier go into the next transaction, committed on its own, in order', async () => {
    const topic = await createTopic(admin, 'eo-barrier');
    const prefix = prefixFor('eo-barrier');
    const sink = stringSink(topic, DeliveryGuarantee.EXACTLY_ONCE, prefix);
    const w = await writer(sink);
    await writeAll(w, ['a', 'b']);
    const first = w.prepareCommit(1);
    await writeAll(w, ['c']);
    const second = w.prepareCommit(2);
    // The third transaction stays empty: no committable.
    const third = w.prepareCommit(3);
    const [c1, c2, c3] = await Promise.all([first, second, third]);
    expect(c2.map((c) => c.transactionalId)).toEqual([`${prefix}-0-2`]);
    expect(c3).toEqual([]);
    const committer = sink.createCommitter(writerContext());
    open.push(committer);
    await committer.commit(c1);
    expect(values(await readTopic(kafka, topic, { readCommitted: true, idleMs: 1_500 }))).toEqual(['a', 'b']);
    await committer.commit(c2);
    const read = await readTopic(kafka, topic, { readCommitted: true, count: 3, settleMs: 1_000 });
    expect(values(read)).toEqual(['a', 'b', 'c']);
    expect(read.map((r) => r.offset)).toEqual([...read.map((r) => r.offset)].sort((x, y) => x - y));
  });

  it('a transaction sealed by a process that was then killed is committed from its committable; restoring aborts what it left open', async () => {
    const topic = await createTopic(admin, 'eo-recover');
    const prefix = prefixFor('eo-recover');
    const crashed = await crashingWriters(kafkaBootstrap, {
      topic,
      prefix,
      parallelism: 1,
      plan: [{ subtask: 0, write: ['a', 'b', 'c'] }, { subtask: 0, prepareCommit: 1 }, { subtask: 0, write: ['d', 'e'] }],
    });
    // Nothing committed yet, and the open transaction holds read_committed readers back.
    expect(await readTopic(kafka, topic, { readCommitted: true, idleMs: 1_500 })).toEqual([]);
    const sealed = crashed.sealed.filter((s) => s.checkpointId === 1).flatMap((s) => s.committables);
    expect(sealed).toHaveLength(1);

    // What the sink operator does on restore: commit the checkpoint's committables, then start the writer.
    const sink = stringSink(topic, DeliveryGuarantee.EXACTLY_ONCE, prefix);
    const metrics = new TestMetrics();
    const committer = sink.createCommitter(writerContext({ metrics }));
    open.push(committer);
    await committer.commit(sealed);
    await committer.commit(sealed);
    await writer(sink, writerContext({ metrics, restoredCheckpointId: 1, restoredState: crashed.states(1) }));
    expect(metrics.get('numLingeringTransactionsAborted')).toBeGreaterThanOrEqual(1);
    await expectReadersProgress(topic);
    expect(values(await readTopic(kafka, topic, { readCommitted: true, count: 3, settleMs: 1_000 }))).toEqual(['a', 'b', 'c']);
  });

  it('a fresh start with the prefix of a killed run aborts its open transactions before writing', async () => {
    const topic = await createTopic(admin, 'eo-fresh');
    const prefix = prefixFor('eo-fresh');
    await crashingWriters(kafkaBootstrap, { topic, prefix, parallelism: 1, plan: [{ subtask: 0, write: ['lost-1', 'lost-2'] }] });
    expect(await lastStableOffsets(admin, topic)).toEqual([0]);
    const sink = stringSink(topic, DeliveryGuarantee.EXACTLY_ONCE, prefix);
    const w = await writer(sink);
    await expectReadersProgress(topic);
    await writeAll(w, ['kept']);
    const committer = sink.createCommitter(writerContext());
    open.push(committer);
    await committer.commit(await w.prepareCommit(1));
    expect(values(await readTopic(kafka, topic, { readCommitted: true, count: 1, settleMs: 1_000 }))).toEqual(['kept']);
  });

  it('K3: transactions of a failed snapshot and open ones are aborted on restore at a lower parallelism; the output is the checkpointed set', async () => {
    const topic = await createTopic(admin, 'eo-k3', 2);
    const prefix = prefixFor('eo-k3');
    const crashed = await crashingWriters(kafkaBootstrap, {
      topic,
      prefix,
      parallelism: 2,
      plan: [
        { subtask: 0, write: ['s0-a', 's0-b'] },
        { subtask: 1, write: ['s1-a'] },
        { subtask: 0, prepareCommit: 1 },
        { subtask: 1, prepareCommit: 1 },
        { subtask: 0, write: ['s0-c'] },
        { subtask: 1, write: ['s1-b', 's1-c'] },
        // Checkpoint 2 is snapshotted by both writers but never completes (its asynchronous part failed).
        { subtask: 0, prepareCommit: 2 },
        { subtask: 1, prepareCommit: 2 },
        { subtask: 0, write: ['s0-d'] },
        { subtask: 1, write: ['s1-d'] },
      ],
    });
    const checkpointed = crashed.sealed.filter((s) => s.checkpointId === 1).flatMap((s) => s.committables);
    expect(checkpointed).toHaveLength(2);

    const sink = stringSink(topic, DeliveryGuarantee.EXACTLY_ONCE, prefix);
    const metrics = new TestMetrics();
    const committer = sink.createCommitter(writerContext({ metrics }));
    open.push(committer);
    await committer.commit(checkpointed);
    const restored = await writer(sink, writerContext({ metrics, parallelism: 1, restoredCheckpointId: 1, restoredState: crashed.states(1) }));
    // Both old subtasks had transactions 2 (sealed) and 3 (open), and maybe 4 initialised ahead.
    expect(metrics.get('numLingeringTransactionsAborted')).toBeGreaterThanOrEqual(4);
    await expectReadersProgress(topic);
    const read = await readTopic(kafka, topic, { readCommitted: true, count: 3, settleMs: 1_000 });
    expect(values(read).sort()).toEqual(['s0-a', 's0-b', 's1-a']);

    await writeAll(restored, ['after']);
    await committer.commit(await restored.prepareCommit(2));
    const after = await readTopic(kafka, topic, { readCommitted: true, count: 4, settleMs: 1_000 });
    expect(values(after).sort()).toEqual(['after', 's0-a', 's0-b', 's1-a']);
  });

  it('K3: a writer that skipped barriers leaves no gap in its transactional ids, so a restore finds and aborts its later transactions', async () => {
    const topic = await createTopic(admin, 'eo-gap');
    const prefix = prefixFor('eo-gap');
    const crashed = await crashingWriters(kafkaBootstrap, {
      topic,
      prefix,
      parallelism: 1,
      plan: [
        { subtask: 0, write: ['a'] },
        { subtask: 0, prepareCommit: 1 },
        { subtask: 0, write: ['b'] },
        // Checkpoints 2 and 3 were aborted before their barriers reached this writer.
        { subtask: 0, prepareCommit: 4 },
        { subtask: 0, write: ['c'] },
      ],
    });
    const sink = stringSink(topic, DeliveryGuarantee.EXACTLY_ONCE, prefix);
    const committer = sink.createCommitter(writerContext());
    open.push(committer);
    await committer.commit(crashed.sealed.filter((s) => s.checkpointId === 1).flatMap((s) => s.committables));
    const metrics = new TestMetrics();
    await writer(sink, writerContext({ metrics, restoredCheckpointId: 1, restoredState: crashed.states(1) }));
    // 2 (b, sealed by checkpoint 4), 3 and 4 (filled in), 5 (c, open), maybe 6 (initialised ahead).
    // Without the filled-in ids the probe would stop at 3 and leave 5 open.
    expect(metrics.get('numLingeringTransactionsAborted')).toBeGreaterThanOrEqual(4);
    await expectReadersProgress(topic);
    expect(values(await readTopic(kafka, topic, { readCommitted: true, count: 1, settleMs: 1_000 }))).toEqual(['a']);
  });

  it('K1: committing a transaction the broker aborted because it timed out is a hard error and counts in numTransactionsExpired', async () => {
    const topic = await createTopic(admin, 'eo-expired');
    const prefix = prefixFor('eo-expired');
    const sink = stringSink(topic, DeliveryGuarantee.EXACTLY_ONCE, prefix, { 'transaction.timeout.ms': '1000' });
    const metrics = new TestMetrics();
    const w = await writer(sink, writerContext({ metrics }));
    await writeAll(w, ['x', 'y']);
    const committables = await w.prepareCommit(1);
    // The broker aborts expired transactions on its cleanup pass (every 10 s by default): the abort
    // marker moves the last stable offset past the two records.
    await expectReadersProgress(topic, 40_000);
    const committer = sink.createCommitter(writerContext({ metrics }));
    open.push(committer);
    const error = await committer.commit(committables).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('CONFIG');
    expect((error as FlinktsError).message).toContain(`transaction '${prefix}-0-1'`);
    expect((error as FlinktsError).message).toContain('transaction.timeout.ms (1000 ms)');
    expect(metrics.get('numTransactionsExpired')).toBe(1);
    expect(metrics.get('numTransactionsCommitted')).toBe(0);
    expect(await readTopic(kafka, topic, { readCommitted: true, idleMs: 1_000 })).toEqual([]);
  }, 90_000);

  it('AT_LEAST_ONCE: prepareCommit resolves only when every record written before it is acknowledged', async () => {
    const topic = await createTopic(admin, 'alo', 3);
    const sink = stringSink(topic, DeliveryGuarantee.AT_LEAST_ONCE);
    const metrics = new TestMetrics();
    const w = await writer(sink, writerContext({ metrics }));
    const sent = Array.from({ length: 5_000 }, (_, i) => `v${i}`);
    await writeAll(w, sent);
    expect(await w.prepareCommit(1)).toEqual([]);
    // Acknowledged means in the log: no waiting needed.
    const offsets = await lastStableOffsets(admin, topic);
    expect(offsets.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(metrics.get('numRecordsSend')).toBe(5_000);
    expect(values(await readTopic(kafka, topic, { readCommitted: true, count: 5_000 })).sort()).toEqual([...sent].sort());
  });

  it('NONE: prepareCommit does not wait; close delivers what is still queued', async () => {
    const topic = await createTopic(admin, 'none');
    const sink = stringSink(topic, DeliveryGuarantee.NONE);
    const w = await sink.createWriter(writerContext());
    const sent = Array.from({ length: 2_000 }, (_, i) => `n${i}`);
    await writeAll(w, sent);
    expect(await w.prepareCommit(1)).toEqual([]);
    await w.close?.();
    expect(values(await readTopic(kafka, topic, { readCommitted: false, count: 2_000 }))).toEqual(sent);
  });

  it('writes keys, JSON values, headers and the event-time timestamp to the topic a selector picks', async () => {
    const even = await createTopic(admin, 'sel-even');
    const odd = await createTopic(admin, 'sel-odd');
    interface Order {
      id: number;
      item: string;
    }
    const sink = KafkaSink.builder<Order>()
      .setBootstrapServers(kafkaBootstrap)
      .setRecordSerializer(
        KafkaRecordSerializationSchema.builder<Order>()
          .setTopicSelector((o) => (o.id % 2 === 0 ? even : odd))
          .setValueSerializationSchema(new JsonSerializationSchema<Order>())
          .setKeySerializationSchema({ serialize: (o) => `k${o.id}` })
          .setHeaders((o) => ({ item: o.item }))
          .build(),
      )
      .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
      .build();
    const w = await sink.createWriter(writerContext());
    open.push(w);
    for (let id = 1; id <= 4; id++) await w.write({ id, item: `item-${id}` }, at(1_700_000_000_000 + id));
    await w.prepareCommit(1);
    const read = await readTopic(kafka, even, { readCommitted: true, count: 2 });
    expect(read.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers }))).toEqual([
      { key: 'k2', value: '{"id":2,"item":"item-2"}', timestamp: 1_700_000_000_002, headers: { item: 'item-2' } },
      { key: 'k4', value: '{"id":4,"item":"item-4"}', timestamp: 1_700_000_000_004, headers: { item: 'item-4' } },
    ]);
    expect(values(await readTopic(kafka, odd, { readCommitted: true, count: 2 }))).toEqual(['{"id":1,"item":"item-1"}', '{"id":3,"item":"item-3"}']);
  });

  it('a topic that does not exist is a CONNECTOR error naming it, unless the sink may create it', async () => {
    const missing = `missing-${randomUUID().slice(0, 8)}`;
    const error = await stringSink(missing, DeliveryGuarantee.AT_LEAST_ONCE)
      .createWriter(writerContext())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('CONNECTOR');
    expect((error as FlinktsError).message).toContain(`'${missing}' does not exist`);
    expect((await admin.listTopics()).includes(missing)).toBe(false);

    const sink = KafkaSink.builder<string>()
      .setBootstrapServers(kafkaBootstrap)
      .setRecordSerializer(KafkaRecordSerializationSchema.builder<string>().setTopic(missing).setValueSerializationSchema(new StringSerializationSchema()).build())
      .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
      .setCreateTopicIfMissing(true, { numPartitions: 2 })
      .build();
    const w = await sink.createWriter(writerContext());
    open.push(w);
    await w.write('created', at());
    await w.prepareCommit(1);
    const metadata = await admin.fetchTopicMetadata({ topics: [missing] });
    expect(metadata.topics[0]!.partitions).toHaveLength(2);
    expect(values(await readTopic(kafka, missing, { readCommitted: true, count: 1 }))).toEqual(['created']);
  });

  it('a missing topic chosen by a selector fails the checkpoint with a CONNECTOR error naming it', async () => {
    const missing = `missing-sel-${randomUUID().slice(0, 8)}`;
    const sink = KafkaSink.builder<string>()
      .setBootstrapServers(kafkaBootstrap)
      .setRecordSerializer(KafkaRecordSerializationSchema.builder<string>().setTopicSelector(() => missing).setValueSerializationSchema(new StringSerializationSchema()).build())
      .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
      .build();
    const w = await sink.createWriter(writerContext());
    open.push(w);
    await w.write('x', at());
    await expect(w.prepareCommit(1)).rejects.toThrow(`Kafka topic '${missing}' does not exist`);
  });

  it('an unreachable broker fails after a bounded retry with a CONNECTOR error naming the address', async () => {
    const sink = KafkaSink.builder<string>()
      .setBootstrapServers('127.0.0.1:1')
      .setRecordSerializer(KafkaRecordSerializationSchema.builder<string>().setTopic('t').setValueSerializationSchema(new StringSerializationSchema()).build())
      .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
      .setTransactionalIdPrefix('unreachable')
      .setProperty('retries', 1)
      .setProperty('retry.backoff.ms', 100)
      .build();
    const started = Date.now();
    const error = await Promise.resolve(sink.createWriter(writerContext())).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('CONNECTOR');
    expect((error as FlinktsError).message).toContain('127.0.0.1:1');
  });

  it('a transaction timeout above the broker maximum fails the writer at start with a CONFIG error', async () => {
    const topic = await createTopic(admin, 'eo-max');
    const sink = stringSink(topic, DeliveryGuarantee.EXACTLY_ONCE, prefixFor('eo-max'), { 'transaction.timeout.ms': '900001' });
    await expect(Promise.resolve(sink.createWriter(writerContext()))).rejects.toThrow(
      'transaction.timeout.ms (900001 ms) exceeds the broker maximum transaction.max.timeout.ms (900000 ms)',
    );
  });

  /**
   * Waits until, in every partition, the last stable offset is past every
   * record in the log (read_uncommitted view): no open transaction holds
   * read_committed readers back.
   */
  async function expectReadersProgress(topic: string, timeoutMs = 10_000): Promise<void> {
    const records = await readTopic(kafka, topic, { readCommitted: false, idleMs: 800 });
    const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
    const past = Array.from({ length: partitions }, (_, p) => Math.max(-1, ...records.filter((r) => r.partition === p).map((r) => r.offset)) + 1);
    const deadline = Date.now() + timeoutMs;
    let stable = await lastStableOffsets(admin, topic);
    while (stable.some((offset, p) => offset < past[p]!) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      stable = await lastStableOffsets(admin, topic);
    }
    expect(stable.map((offset, p) => offset >= past[p]!)).toEqual(past.map(() => true));
  }
});
