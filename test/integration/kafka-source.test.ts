/**
 * KafkaSource against the local Kafka broker (scripts/kafka-broker.mjs; the
 * vitest global setup starts it). Every test writes its own topic with a
 * plain kafkajs producer and compares what the source read with what was
 * produced, record by record:
 * - starting offsets earliest / latest / timestamp / committed / given, and
 *   bounded stopping offsets, on the reader itself;
 * - jobs: string, JSON and key+value(+headers) deserializers; B1 with 1 %
 *   malformed JSON under each policy; per-partition watermarks (partitions
 *   far apart in event time lose no record to lateness); exactly-once
 *   keyed counts through a failure after a checkpoint, and through a
 *   restore from a checkpoint at another parallelism;
 * - read_committed with two interleaved aborted transactions (which
 *   kafkajs' own consumer leaks): exactly the committed records, in order;
 * - bad input: unreachable brokers, a missing topic, SASL against a
 *   PLAINTEXT listener, all naming the resource.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs, { type Admin, type Message, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FlinktsError,
  KafkaSource,
  KafkaValueDeserializer,
  OffsetsInitializer,
  type InputStatus,
  type KafkaPartitionSplit,
  type SourceReader,
} from 'flinkts';
import { runJob, type RunResult } from 'flinkts/client';
import { MAX_BUFFERED_RECORDS } from '../../src/connectors/kafka/source/kafka-source-reader.js';
import { describeWithKafka, kafkaBootstrap } from '../support/services.js';
import { JOBS, expectFinished, readLines, workDirs } from '../support/job-output.js';
import { lastPerKey, markerLines } from '../support/fault-truth.js';

const { Kafka, logLevel } = kafkajs;
const { workDir, outputPath } = workDirs();
const JOB = join(JOBS, 'kafka-source.ts');

let admin: Admin;
let producer: Producer;
const topics: string[] = [];

/** A new topic with `partitions` partitions. */
async function createTopic(partitions: number): Promise<string> {
  const topic = `flinkts-source-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  topics.push(topic);
  return topic;
}

async function produce(topic: string, messages: (Message & { partition: number })[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 5000) await producer.send({ topic, messages: messages.slice(i, i + 5000) });
}

/** `count` records per partition; value = `v-<p>-<i>` unless `value` says otherwise. */
function records(partitions: number, count: number, value = (p: number, i: number): string => `v-${p}-${i}`): (Message & { partition: number })[] {
  return Array.from({ length: partitions * count }, (_, n) => {
    const [p, i] = [n % partitions, Math.floor(n / partitions)];
    return { partition: p, key: `k-${p}-${i}`, value: value(p, i) };
  });
}

/** Flink's KafkaSourceEnumerator.getSplitOwner, with Java's String.hashCode, written out independently. */
function flinkSplitOwner(topic: string, partition: number, readers: number): number {
  let hash = 0;
  for (const ch of topic) hash = (hash * 31 + ch.charCodeAt(0)) % 2 ** 32;
  const javaInt = (x: number): number => (x >= 2 ** 31 ? x - 2 ** 32 : x);
  const times31 = Number(BigInt.asIntN(32, BigInt(javaInt(hash)) * 31n));
  return (((times31 & 0x7fffffff) % readers) + partition) % readers;
}

interface ReadResult {
  values: unknown[];
  timestamps: (number | undefined)[];
  reader: SourceReader<unknown>;
}

/** Runs a reader of a bounded source until END_OF_INPUT (at most 20 s). */
async function readAll(source: KafkaSource<unknown>, context: { subtask?: number; parallelism?: number; restored?: unknown[]; attempt?: number } = {}): Promise<ReadResult> {
  const reader = source.createReader({
    subtaskIndex: context.subtask ?? 0,
    parallelism: context.parallelism ?? 1,
    operatorName: 'kafka',
    attemptNumber: context.attempt ?? 0,
    ...(context.restored !== undefined && { restoredSplits: context.restored }),
  });
  await reader.start?.();
  return { ...(await drain(reader, () => false)), reader };
}

async function drain(reader: SourceReader<unknown>, done: (values: unknown[]) => boolean): Promise<{ values: unknown[]; timestamps: (number | undefined)[] }> {
  const values: unknown[] = [];
  const timestamps: (number | undefined)[] = [];
  const output = { collect: (v: unknown, ts?: number) => (values.push(v), timestamps.push(ts)), collectSide: () => undefined, emitWatermark: () => undefined, markIdle: () => undefined };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status: InputStatus = reader.pollNext(output);
    if (status === 'END_OF_INPUT' || done(values)) return { values, timestamps };
    if (Date.now() > deadline) throw new Error(`the reader did not end within 20 s (read ${values.length})`);
    if (status === 'NOTHING_AVAILABLE') await Promise.race([reader.isAvailable?.(), new Promise((r) => setTimeout(r, 100))]);
  }
}

function stringSource(topic: string) {
  return KafkaSource.builder<string>().setBootstrapServers(kafkaBootstrap).setTopics(topic).setValueOnlyDeserializer(KafkaValueDeserializer.string());
}

/** Parsed JSON output lines of the copy job, sorted by partition and offset. */
function rows(path: string): { p: number; o: number; key: string | null; value: unknown; ts: number }[] {
  return readLines(path)
    .map((line) => JSON.parse(line) as { p: number; o: number; key: string | null; value: unknown; ts: number })
    .sort((a, b) => a.p - b.p || a.o - b.o);
}

function copyJob(topic: string, output: string, extra: string[] = [], parallelism = 2): Promise<RunResult> {
  return runJob({ job: JOB, parallelism, args: ['--bootstrap', kafkaBootstrap, '--topic', topic, '--mode', 'copy', '--output', output, ...extra] });
}

describeWithKafka('KafkaSource', () => {
  const kafka = new Kafka({ brokers: [kafkaBootstrap], logLevel: logLevel.NOTHING });
  beforeAll(async () => {
    admin = kafka.admin();
    producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
  });
  afterAll(async () => {
    await admin?.deleteTopics({ topics }).catch(() => undefined);
    await Promise.allSettled([admin?.disconnect(), producer?.disconnect()]);
  });

  it('reads from the earliest offsets to the latest ones, every record once (job, parallelism 2)', async () => {
    const topic = await createTopic(3);
    const produced = records(3, 400);
    await produce(topic, produced);
    const output = outputPath();
    expectFinished(await copyJob(topic, output));
    const expected = [0, 1, 2].flatMap((p) => Array.from({ length: 400 }, (_, i) => ({ p, o: i, key: `k-${p}-${i}`, value: `v-${p}-${i}` })));
    expect(rows(output).map(({ p, o, key, value }) => ({ p, o, key, value }))).toEqual(expected);
  });

  it('starts at the latest offsets: only records produced after the reader started', async () => {
    const topic = await createTopic(2);
    await produce(topic, records(2, 10));
    const source = stringSource(topic)
      .setStartingOffsets(OffsetsInitializer.latest())
      .setBounded(OffsetsInitializer.offsets([0, 1].map((partition) => ({ topic, partition, offset: 15 }))))
      .build();
    const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'kafka' });
    await reader.start?.();
    await produce(topic, records(2, 5, (p, i) => `new-${p}-${i}`));
    const { values } = await drain(reader, () => false);
    await reader.close?.();
    expect([...values].sort()).toEqual(records(2, 5, (p, i) => `new-${p}-${i}`).map((m) => m.value).sort());
  });

  it('starts at a timestamp: the first record at or after it in each partition', async () => {
    const topic = await createTopic(2);
    // Partition 0 at 1000..1099 ms, partition 1 at 2000..2099 ms.
    await produce(topic, [0, 1].flatMap((p) => Array.from({ length: 100 }, (_, i) => ({ partition: p, value: `${p}:${i}`, timestamp: String(1000 * (p + 1) + i) }))));
    const { values, timestamps, reader } = await readAll(stringSource(topic).setStartingOffsets(OffsetsInitializer.timestamp(1050)).setBounded(OffsetsInitializer.latest()).build());
    await reader.close?.();
    const expected = [...Array.from({ length: 50 }, (_, i) => `0:${i + 50}`), ...Array.from({ length: 100 }, (_, i) => `1:${i}`)];
    expect([...values].sort()).toEqual(expected.sort());
    // Without a timestamp assigner, a record's timestamp is the Kafka record's.
    expect(timestamps.every((ts, i) => ts === Number((values[i] as string).startsWith('0:') ? 1000 : 2000) + Number((values[i] as string).split(':')[1]))).toBe(true);
  });

  it('starts at the committed offsets of the group, with the reset strategy where there are none', async () => {
    const topic = await createTopic(2);
    await produce(topic, records(2, 30));
    const group = `g-${randomUUID().slice(0, 8)}`;
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '20' }] });
    const source = (reset: 'earliest' | 'none') =>
      stringSource(topic).setGroupId(group).setStartingOffsets(OffsetsInitializer.committedOffsets(reset)).setBounded(OffsetsInitializer.latest()).build();
    const { values, reader } = await readAll(source('earliest'));
    await reader.close?.();
    const expected = [...Array.from({ length: 10 }, (_, i) => `v-0-${i + 20}`), ...Array.from({ length: 30 }, (_, i) => `v-1-${i}`)];
    expect([...values].sort()).toEqual(expected.sort());
    // NONE: partition 1 has no committed offset.
    const strict = source('none').createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'kafka' });
    await expect(strict.start!()).rejects.toThrow(new RegExp(`group '${group}' has no committed offset for topic '${topic}' partition 1`));
    await strict.close?.();
  });

  it('reads exactly the given offset range (offsets to start, offsets to stop)', async () => {
    const topic = await createTopic(2);
    await produce(topic, records(2, 40));
    const { values, reader } = await readAll(
      stringSource(topic)
        .setStartingOffsets(OffsetsInitializer.offsets([{ topic, partition: 0, offset: 5 }, { topic, partition: 1, offset: 30 }]))
        .setBounded(OffsetsInitializer.offsets([{ topic, partition: 0, offset: 20 }, { topic, partition: 1, offset: 32 }]))
        .build(),
    );
    await reader.close?.();
    expect([...values].sort()).toEqual([...Array.from({ length: 15 }, (_, i) => `v-0-${i + 5}`), 'v-1-30', 'v-1-31'].sort());
  });

  it('deserializes key, value, headers, topic, partition, offset and timestamp; and JSON values', async () => {
    const topic = await createTopic(2);
    const produced = [0, 1].flatMap((p) =>
      Array.from({ length: 20 }, (_, i) => ({ partition: p, key: `key-${p}-${i}`, value: JSON.stringify({ p, i }), timestamp: String(5000 + i), headers: { h: `x${i}` } })),
    );
    await produce(topic, produced);
    const record = outputPath();
    expectFinished(await copyJob(topic, record, ['--format', 'record']));
    const expected = [0, 1].flatMap((p) =>
      Array.from({ length: 20 }, (_, i) => ({ p, o: i, key: `key-${p}-${i}`, value: { topic, value: JSON.stringify({ p, i }), headers: { h: `x${i}` } }, ts: 5000 + i })),
    );
    expect(rows(record)).toEqual(expected);
    const json = outputPath();
    expectFinished(await copyJob(topic, json, ['--format', 'json']));
    expect(rows(json).map((r) => r.value)).toEqual([0, 1].flatMap((p) => Array.from({ length: 20 }, (_, i) => ({ p, i }))));
  });

  describe('B1: 1 % malformed JSON records', () => {
    const PARTITIONS = 2;
    const PER_PARTITION = 500;
    /** Every 100th record of each partition (offsets 37, 137, …) is not JSON. */
    const malformed = (i: number): boolean => i % 100 === 37;
    let topic: string;
    const valid: { p: number; o: number; value: unknown }[] = [];
    const bad: { raw: string; provenance: { topic: string; partition: number; offset: number } }[] = [];

    beforeAll(async () => {
      topic = await createTopic(PARTITIONS);
      const messages = [];
      for (let p = 0; p < PARTITIONS; p++) {
        for (let i = 0; i < PER_PARTITION; i++) {
          const value = malformed(i) ? `{"p": ${p}, "i": ${i}` : JSON.stringify({ p, i });
          messages.push({ partition: p, value });
          if (malformed(i)) bad.push({ raw: Buffer.from(value).toString('base64'), provenance: { topic, partition: p, offset: i } });
          else valid.push({ p, o: i, value: { p, i } });
        }
      }
      await produce(topic, messages);
    });

    it('fail: the job fails with a BAD_RECORD error naming topic, partition and offset', async () => {
      const result = await copyJob(topic, outputPath(), ['--format', 'json', '--policy', 'fail'], 1);
      expect(result.status).toBe('FAILED');
      const match = new RegExp(`cannot deserialize the record at topic ${topic} partition (\\d) offset (\\d+)`).exec(result.error?.message ?? '');
      expect(match, result.error?.message).not.toBeNull();
      expect(bad.map((b) => `${b.provenance.partition}/${b.provenance.offset}`)).toContain(`${match![1]}/${match![2]}`);
    });

    it('skip: the output is exactly the valid records and numRecordsSkipped counts the malformed ones', async () => {
      const output = outputPath();
      const result = await copyJob(topic, output, ['--format', 'json', '--policy', 'skip']);
      expectFinished(result);
      expect(rows(output).map(({ p, o, value }) => ({ p, o, value }))).toEqual(valid);
      const source = result.vertices.find((v) => v.counters.numRecordsSkipped !== undefined);
      expect(source?.counters.numRecordsSkipped).toBe(bad.length);
      expect(bad.length).toBe(PARTITIONS * 5);
    });

    it('dead-letter: exactly the raw bytes of the malformed records with their provenance, beside the valid records', async () => {
      const [output, deadLetters] = [outputPath(), outputPath()];
      const result = await copyJob(topic, output, ['--format', 'json', '--policy', 'dead-letter', '--dead-letters', deadLetters]);
      expectFinished(result);
      expect(rows(output).map(({ p, o, value }) => ({ p, o, value }))).toEqual(valid);
      const letters = readLines(deadLetters).map((line) => JSON.parse(line) as (typeof bad)[number]);
      const order = (a: (typeof bad)[number], b: (typeof bad)[number]) => a.provenance.partition - b.provenance.partition || a.provenance.offset - b.provenance.offset;
      expect(letters.sort(order)).toEqual([...bad].sort(order));
    });
  });

  it('per-partition watermarks: partitions far apart in event time lose no record to lateness', async () => {
    const topic = await createTopic(2);
    // Event time = the value. Partition 0 is 100 s ahead of partition 1; each is in order. With one watermark
    // for both, partition 0's records would make all of partition 1's late; per partition, none is.
    const count = 2000;
    const base = [100_000, 0];
    await produce(topic, [0, 1].flatMap((p) => Array.from({ length: count }, (_, i) => ({ partition: p, value: String(base[p]! + i * 10) }))));
    const [output, late] = [outputPath(), outputPath()];
    const result = await runJob({
      job: JOB,
      parallelism: 1,
      args: ['--bootstrap', kafkaBootstrap, '--topic', topic, '--mode', 'windows', '--window', '1000', '--output', output, '--late', late],
    });
    expectFinished(result);
    // 100 records of 10 ms each per 1 s window: 20 windows per partition.
    const expected = [0, 1].flatMap((p) => Array.from({ length: 20 }, (_, w) => `${p},${base[p]! + w * 1000},100`));
    expect(readLines(output).sort()).toEqual(expected.sort());
    expect(readLines(late)).toEqual([]);
  });

  it('unbounded: periodic per-partition watermarks fire windows while the job runs; an empty partition goes idle', async () => {
    const topic = await createTopic(3);
    // Partitions 0 and 1 reach event time 2990 ms; partition 2 stays empty and must not hold event time back.
    await produce(topic, [0, 1].flatMap((p) => Array.from({ length: 300 }, (_, i) => ({ partition: p, value: String(i * 10) }))));
    const output = join(workDir(), 'windows');
    const abort = new AbortController();
    const job = runJob({
      job: JOB,
      parallelism: 2,
      signal: abort.signal,
      args: ['--bootstrap', kafkaBootstrap, '--topic', topic, '--mode', 'live', '--stop', 'none', '--window', '1000', '--idle', '300', '--output', output],
    });
    // The watermark 2989 closes [0, 1000) and [1000, 2000) of both partitions, never [2000, 3000).
    const expected = ['0,0,100', '0,1000,100', '1,0,100', '1,1000,100'];
    const lines = (): string[] => (existsSync(output) ? readLines(output) : []);
    const deadline = Date.now() + 30_000;
    // Partitions 0 and 1 stay active (a record at event time 2990 every 100 ms, in the open window [2000, 3000)):
    // only partition 2 may go idle. Were all three idle at once (a machine too busy to run the periodic step
    // within the idle timeout after the last record), no watermark would reach the windows, as in Flink.
    while (lines().length < expected.length && Date.now() < deadline) {
      await produce(topic, [0, 1].map((p) => ({ partition: p, value: '2990' })));
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    abort.abort();
    const result = await job;
    expect(result.error?.message).toBeUndefined();
    expect(result.status).toBe('CANCELED');
    expect(lines().sort()).toEqual(expected);
  });

  describe('exactly-once into keyed state', () => {
    const PARTITIONS = 4;
    const PER_PARTITION = 20_000;
    /** Per partition p: count and Σ 1..PER_PARTITION of its sequence numbers, in order. */
    const truth = (from: number, to: number) =>
      new Map(Array.from({ length: PARTITIONS }, (_, p) => [p, { n: to - from + 1, sum: ((from + to) * (to - from + 1)) / 2, rest: ['0'] }]));
    let topic: string;

    beforeAll(async () => {
      topic = await createTopic(PARTITIONS);
      await produce(topic, records(PARTITIONS, PER_PARTITION, (_p, i) => String(i + 1)));
    });

    it('a failure after a checkpoint: the restored reader resumes at the checkpointed offsets (parallelism 2)', async () => {
      const [output, markers] = [outputPath(), workDir()];
      const result = await runJob({
        job: JOB,
        parallelism: 2,
        args: ['--bootstrap', kafkaBootstrap, '--topic', topic, '--mode', 'counts', '--output', output, '--checkpoints', workDir(),
          '--interval', '50', '--fault', 'true', '--gate', '3000', '--markers', markers, '--restart', 'true'],
      });
      expectFinished(result);
      expect(result.restarts).toBe(1);
      expect(markerLines(markers, 'faults')).toEqual(['fault attempt 0 subtask 0 after 3000']);
      // Count, sum and order per partition as one uninterrupted read: nothing lost, nothing twice.
      expect(lastPerKey(readLines(output))).toEqual(truth(1, PER_PARTITION));
    });

    it('a restore from a checkpoint at another parallelism reads exactly the rest (2 → 3)', async () => {
      const checkpoints = workDir();
      const half = PER_PARTITION / 2;
      const stops = JSON.stringify(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: half })));
      const first = await runJob({
        job: JOB,
        parallelism: 2,
        args: ['--bootstrap', kafkaBootstrap, '--topic', topic, '--mode', 'counts', '--output', outputPath(), '--checkpoints', checkpoints, '--interval', '600000', '--stop', `offsets:${stops}`],
      });
      expectFinished(first);
      const completed = readdirSync(join(checkpoints, first.jobId)).filter((name) => /^chk-\d+$/.test(name));
      expect(completed).toHaveLength(1);
      const output = outputPath();
      const second = await runJob({
        job: JOB,
        parallelism: 3,
        fromSavepoint: join(checkpoints, first.jobId, completed[0]!),
        args: ['--bootstrap', kafkaBootstrap, '--topic', topic, '--mode', 'counts', '--output', output, '--checkpoints', workDir(), '--interval', '600000'],
      });
      expectFinished(second);
      // The keyed state came back with the offsets: the second run continues the counts at half + 1.
      expect(lastPerKey(readLines(output))).toEqual(truth(1, PER_PARTITION));
      expect(Math.min(...readLines(output).map((line) => Number(line.split(',')[1])))).toBe(half + 1);
    });
  });

  it('a restored reader resumes at exactly the snapshot offsets, and offsets are committed to the group on checkpoint completion', async () => {
    const topic = await createTopic(3);
    await produce(topic, records(3, 50));
    const group = `g-${randomUUID().slice(0, 8)}`;
    const build = () => stringSource(topic).setGroupId(group).setBounded(OffsetsInitializer.latest()).build();
    const first = build().createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'kafka' });
    await first.start?.();
    const { values: firstValues } = await drain(first, (values) => values.length >= 70);
    const snapshot = first.snapshotState!(7) as KafkaPartitionSplit[];
    first.notifyCheckpointComplete?.(7);
    await first.close?.();
    expect(snapshot.reduce((n, s) => n + s.nextOffset, 0)).toBe(firstValues.length);
    const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    expect(committed[0]!.partitions.map((p) => [p.partition, Number(p.offset)]).sort()).toEqual(snapshot.map((s) => [s.partition, s.nextOffset]).sort());
    // Restored at parallelism 2: the two readers share the splits and read exactly the rest.
    const rest = await Promise.all([0, 1].map((subtask) => readAll(build(), { subtask, parallelism: 2, restored: subtask === 0 ? snapshot.slice(0, 2) : snapshot.slice(2), attempt: 1 })));
    await Promise.all(rest.map((r) => r.reader.close?.()));
    expect([...firstValues, ...rest.flatMap((r) => r.values)].sort()).toEqual(records(3, 50).map((m) => m.value).sort());
  });

  it('discovers a partition added while it runs and reads it from the earliest offset (parallelism 2)', async () => {
    const topic = await createTopic(1);
    const source = stringSource(topic).setPartitionDiscoveryInterval(200).build();
    // The reader that owns partition 1 of this topic (Flink's assignment), and the other one.
    const owner = flinkSplitOwner(topic, 1, 2);
    const reader = source.createReader({ subtaskIndex: owner, parallelism: 2, operatorName: 'kafka' });
    await reader.start?.();
    await admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] });
    await produce(topic, [{ partition: 1, value: 'late-1' }, { partition: 1, value: 'late-2' }]);
    const { values } = await drain(reader, (v) => v.includes('late-2'));
    await reader.close?.();
    expect(values.filter((v) => String(v).startsWith('late-'))).toEqual(['late-1', 'late-2']);
  });

  it('transactions: read_committed skips aborted records; a bounded read ends on trailing transaction markers', async () => {
    const topic = await createTopic(1);
    const transactional = kafka.producer({ transactionalId: `flinkts-source-test-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    await transactional.connect();
    for (const [batch, commit] of [['a', true], ['b', false], ['c', true]] as const) {
      const txn = await transactional.transaction();
      await txn.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `${batch}${i}` })) });
      await (commit ? txn.commit() : txn.abort());
    }
    await transactional.disconnect();
    // 15 records and 3 markers: the last offset is a commit marker. Wait until the last stable offset covers it.
    for (let i = 0; i < 50 && Number((await admin.fetchTopicOffsets(topic))[0]!.offset) < 18; i++) await new Promise((r) => setTimeout(r, 100));
    const read = async (isolation: string) => {
      const { values, reader } = await readAll(stringSource(topic).setProperty('isolation.level', isolation).setBounded(OffsetsInitializer.latest()).build());
      await reader.close?.();
      return values;
    };
    expect(await read('read_committed')).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'c0', 'c1', 'c2', 'c3', 'c4']);
    expect(await read('read_uncommitted')).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4', 'c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('read_committed drops both of two interleaved aborted transactions (kafkajs alone leaks one), keeps offset order and exact positions', async () => {
    const topic = await createTopic(1);
    const tid = (name: string) => `flinkts-source-test-${name}-${randomUUID()}`;
    const [a, b, c] = [tid('a'), tid('b'), tid('c')].map((transactionalId) => kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 }));
    await Promise.all([a!.connect(), b!.connect(), c!.connect()]);
    /** What was produced, in offset order, with the fate of its transaction ('plain' = not transactional). */
    const log: { value: string; offset: number; txn: string }[] = [];
    const fate = new Map<string, 'commit' | 'abort' | 'plain'>([['plain', 'plain']]);
    const send = async (sender: { send: Producer['send'] }, txn: string, value: string) => {
      const [meta] = await sender.send({ topic, messages: [{ partition: 0, value }] });
      log.push({ value, offset: Number(meta!.baseOffset), txn });
    };
    const cPre = await c!.transaction();
    for (let i = 0; i < 3; i++) await send(cPre, 'c-pre', `c-pre-${i}`);
    await cPre.commit();
    fate.set('c-pre', 'commit');
    // A starts first and is aborted last; B starts inside A and is aborted first: the broker lists B's abort before A's.
    const txA = await a!.transaction();
    await send(txA, 'a', 'a-0');
    await send(txA, 'a', 'a-1');
    const txB = await b!.transaction();
    await send(txB, 'b', 'b-0');
    const cMid = await c!.transaction();
    await send(cMid, 'c-mid', 'c-mid-0');
    await send(txA, 'a', 'a-2');
    await send(txB, 'b', 'b-1');
    await send(producer, 'plain', 'plain-0');
    await send(cMid, 'c-mid', 'c-mid-1');
    await send(txB, 'b', 'b-2');
    await txB.abort();
    fate.set('b', 'abort');
    await send(txA, 'a', 'a-3');
    await send(cMid, 'c-mid', 'c-mid-2');
    await cMid.commit();
    fate.set('c-mid', 'commit');
    await send(txA, 'a', 'a-4');
    await txA.abort();
    fate.set('a', 'abort');
    const cPost = await c!.transaction();
    for (let i = 0; i < 3; i++) await send(cPost, 'c-post', `c-post-${i}`);
    await cPost.commit();
    fate.set('c-post', 'commit');
    await Promise.all([a!.disconnect(), b!.disconnect(), c!.disconnect()]);
    // Every record plus one marker per transaction (5); wait until the end offset covers the last marker.
    const end = log.length + 5;
    for (let i = 0; i < 50 && Number((await admin.fetchTopicOffsets(topic))[0]!.offset) < end; i++) await new Promise((r) => setTimeout(r, 100));
    const committedFrom = (from: number) => log.filter((r) => r.offset >= from && fate.get(r.txn) !== 'abort').map((r) => r.value);
    expect(committedFrom(0)).toEqual(['c-pre-0', 'c-pre-1', 'c-pre-2', 'c-mid-0', 'plain-0', 'c-mid-1', 'c-mid-2', 'c-post-0', 'c-post-1', 'c-post-2']);

    const source = stringSource(topic).setProperty('isolation.level', 'read_committed').setBounded(OffsetsInitializer.latest()).build();
    const all = await readAll(source);
    const [split] = all.reader.snapshotState!(1) as KafkaPartitionSplit[];
    await all.reader.close?.();
    expect(all.values).toEqual(committedFrom(0));
    // The position advanced past the aborted records and the trailing commit marker: a restore repeats nothing.
    expect(split!.nextOffset).toBe(end);

    // Restored inside A's aborted transaction (it began before this offset), at B's first record.
    const from = log.find((r) => r.value === 'b-0')!.offset;
    const restored: KafkaPartitionSplit[] = [{ topic, partition: 0, nextOffset: from, knownPartitions: { [topic]: 1 } }];
    const resumed = await readAll(source, { restored });
    await resumed.reader.close?.();
    expect(resumed.values).toEqual(committedFrom(from));
  });

  it('back-pressure: a reader that is not polled stops fetching at its buffer bound, then reads everything', async () => {
    const topic = await createTopic(1);
    const count = 40_000;
    await produce(topic, Array.from({ length: count }, (_, i) => ({ partition: 0, value: `record-${String(i).padStart(8, '0')}` })));
    // Fetches of at most 64 KiB: the buffer can pass its bound by one fetch (< 4000 records of ~40 bytes).
    const source = stringSource(topic).setBounded(OffsetsInitializer.latest()).setProperty('max.partition.fetch.bytes', 65_536).build();
    const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'kafka' }) as SourceReader<unknown> & { bufferedRecords: number };
    await reader.start?.();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const buffered = reader.bufferedRecords;
    expect(buffered).toBeGreaterThanOrEqual(MAX_BUFFERED_RECORDS);
    expect(buffered).toBeLessThan(MAX_BUFFERED_RECORDS + 4000);
    const { values } = await drain(reader, () => false);
    await reader.close?.();
    expect(values).toEqual(Array.from({ length: count }, (_, i) => `record-${String(i).padStart(8, '0')}`));
  });

  describe('bad input', () => {
    it('unreachable brokers: the job fails after a bounded retry with a CONNECTOR error naming the address', async () => {
      const started = Date.now();
      const result = await runJob({ job: JOB, parallelism: 1, args: ['--bootstrap', '127.0.0.1:1', '--topic', 'anything', '--output', outputPath()] });
      expect(result.status).toBe('FAILED');
      expect(result.error?.message).toMatch(/cannot reach the Kafka brokers at 127\.0\.0\.1:1/);
      expect(Date.now() - started).toBeLessThan(45_000);
    });

    it('a missing topic: the job fails with a CONNECTOR error naming the topic', async () => {
      const topic = `flinkts-missing-${randomUUID().slice(0, 8)}`;
      const result = await copyJob(topic, outputPath(), [], 1);
      expect(result.status).toBe('FAILED');
      expect(result.error?.message).toContain(`Kafka topic '${topic}' does not exist on the brokers at ${kafkaBootstrap}`);
    });

    it('SASL against a PLAINTEXT listener: a CONNECTOR error saying authentication failed at the address', async () => {
      const source = KafkaSource.builder<string>()
        .setBootstrapServers(kafkaBootstrap)
        .setTopics('anything')
        .setValueOnlyDeserializer(KafkaValueDeserializer.string())
        .setProperty('security.protocol', 'SASL_PLAINTEXT')
        .setProperty('sasl.mechanism', 'PLAIN')
        .setProperty('sasl.jaas.config', 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="secret";')
        .build();
      const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'kafka' });
      const error = await Promise.resolve(reader.start!()).then(() => undefined, (e: unknown) => e);
      await reader.close?.();
      expect(error).toBeInstanceOf(FlinktsError);
      expect((error as FlinktsError).code).toBe('CONNECTOR');
      expect((error as FlinktsError).message).toMatch(new RegExp(`authentication with the Kafka brokers at ${kafkaBootstrap.replace(/\./g, '\\.')} failed`));
    });
  });
});
