// Helpers of the Kafka sink tests: topics with unique names, a reader that consumes a topic as an
// application would (read_committed or read_uncommitted), a SinkWriterContext for driving a
// writer and committer directly, without a job, and writers in a process that kills itself.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import type { Admin, Kafka } from 'kafkajs';
import type { KafkaCommittable, SinkWriterContext, SinkWriteContext } from 'flinkts';

const { Kafka: KafkaClient, logLevel } = kafkajs;
const root = fileURLToPath(new URL('../..', import.meta.url));

/** A kafkajs client for test-side reading and administration. */
export function testClient(bootstrap: string): Kafka {
  return new KafkaClient({ brokers: [bootstrap], clientId: 'flinkts-test', logLevel: logLevel.NOTHING, retry: { retries: 3 } });
}

/** Creates a topic with a unique name starting with `prefix`. */
export async function createTopic(admin: Admin, prefix: string, partitions = 1): Promise<string> {
  const topic = `${prefix}-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
  return topic;
}

/** A record as a consumer read it. */
export interface ReadRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number;
  readonly headers: Record<string, string>;
}

/**
 * Reads `topic` from the beginning, as a consumer would. With `count`,
 * returns once that many records are readable plus `settleMs` (so that
 * duplicates beyond it would show); otherwise after `idleMs` without a new
 * record. Gives up at `timeoutMs` and returns what it has.
 *
 * `readCommitted` returns what a read_committed consumer reads: records
 * below the last stable offset, without those of aborted transactions. The
 * reader fetches everything with plain Fetch requests (transaction markers
 * included) and applies the markers itself, because kafkajs' consumer gets
 * this wrong: its filter (consumer/filterAbortedMessages.js) lets records of
 * aborted transactions through when two of them interleave in a partition,
 * and it never hands a batch of only markers to `eachBatch`.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: { readCommitted: boolean; count?: number; settleMs?: number; idleMs?: number; timeoutMs?: number },
): Promise<ReadRecord[]> {
  const { readCommitted, count, settleMs = 500, idleMs = 1_500, timeoutMs = 30_000 } = options;
  const cluster = await openInternalCluster(kafka);
  const admin = kafka.admin();
  await admin.connect();
  const fetched: { partition: number; message: RawMessage }[] = [];
  let visible: ReadRecord[] = [];
  try {
    await cluster.addTargetTopic(topic);
    const partitions = cluster.findTopicPartitionMetadata(topic);
    const next = new Map(partitions.map((p) => [p.partitionId, 0]));
    const started = Date.now();
    let lastArrival = started;
    let reachedAt: number | undefined;
    for (;;) {
      for (const { partitionId, leader } of partitions) {
        const broker = await cluster.findBroker({ nodeId: leader });
        const response = await broker.fetch({
          replicaId: -1,
          isolationLevel: 0,
          maxWaitTime: 50,
          minBytes: 1,
          maxBytes: 10_485_760,
          topics: [{ topic, partitions: [{ partition: partitionId, fetchOffset: String(next.get(partitionId)), maxBytes: 10_485_760 }] }],
        });
        for (const message of response.responses[0]?.partitions[0]?.messages ?? []) {
          const offset = Number(message.offset);
          if (offset < next.get(partitionId)!) continue;
          fetched.push({ partition: partitionId, message });
          next.set(partitionId, offset + 1);
          lastArrival = Date.now();
        }
      }
      visible = readCommitted ? committedView(fetched, await lastStableOffsets(admin, topic)) : uncommittedView(fetched);
      const now = Date.now();
      if (now - started > timeoutMs) break;
      if (count !== undefined) {
        if (visible.length >= count) reachedAt ??= now;
        if (reachedAt !== undefined && now - reachedAt >= settleMs) break;
      } else if (now - lastArrival >= idleMs) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await Promise.allSettled([cluster.disconnect(), admin.disconnect()]);
  }
  return visible;
}

/** The part of kafkajs' internal cluster the reader uses (kafkajs has no public fetch). */
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  findBroker(request: { nodeId: number }): Promise<{
    fetch(request: object): Promise<{ responses: { partitions: { messages: RawMessage[] }[] }[] }>;
  }>;
}

async function openInternalCluster(kafka: Kafka, isolationLevel = 1): Promise<InternalCluster> {
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')!;
  const create = (kafka as unknown as Record<symbol, (options: object) => InternalCluster>)[key]!;
  const cluster = create({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, isolationLevel });
  await cluster.connect();
  return cluster;
}

function uncommittedView(fetched: readonly { partition: number; message: RawMessage }[]): ReadRecord[] {
  return sortRecords(fetched.filter((f) => !f.message.isControlRecord).map((f) => toRecord(f.partition, f.message)));
}

/**
 * The records a read_committed consumer reads: below the last stable offset,
 * non-transactional or of a committed transaction. A producer's records
 * belong to the transaction its next marker ends (type 1 commits, 0 aborts).
 */
function committedView(fetched: readonly { partition: number; message: RawMessage }[], stable: readonly number[]): ReadRecord[] {
  const out: ReadRecord[] = [];
  const pending = new Map<string, ReadRecord[]>();
  const ordered = [...fetched].sort((a, b) => a.partition - b.partition || Number(a.message.offset) - Number(b.message.offset));
  for (const { partition, message } of ordered) {
    const key = `${partition}/${message.batchContext.producerId}`;
    if (message.isControlRecord) {
      const committed = message.key !== null && message.key.length >= 4 && message.key.readInt16BE(2) === 1;
      if (committed) out.push(...(pending.get(key) ?? []));
      pending.delete(key);
    } else if (message.batchContext.inTransaction) {
      pending.set(key, [...(pending.get(key) ?? []), toRecord(partition, message)]);
    } else {
      out.push(toRecord(partition, message));
    }
  }
  return sortRecords(out.filter((r) => r.offset < (stable[r.partition] ?? 0)));
}

function sortRecords(records: ReadRecord[]): ReadRecord[] {
  return records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

interface RawMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  readonly isControlRecord: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}

function toRecord(partition: number, message: RawMessage): ReadRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
  return {
    partition,
    offset: Number(message.offset),
    key: message.key === null ? null : message.key.toString(),
    value: message.value === null ? null : message.value.toString(),
    timestamp: Number(message.timestamp),
    headers,
  };
}

/** The log end offset (high watermark: what read_uncommitted consumers may read up to) per partition. */
export async function logEndOffsets(kafka: Kafka, topic: string): Promise<number[]> {
  const cluster = await openInternalCluster(kafka, 0);
  try {
    await cluster.addTargetTopic(topic);
    const partitions = cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId }));
    const [answer] = await cluster.fetchTopicsOffset([{ topic, partitions, fromBeginning: false }]);
    return (answer?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await cluster.disconnect();
  }
}

/** The last stable offset (what read_committed consumers may read up to) per partition. */
export async function lastStableOffsets(admin: Admin, topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.offset));
}

/** Counters of a writer or committer run outside a job. */
export class TestMetrics {
  readonly counters = new Map<string, number>();

  counter(name: string): { inc(n?: number): void; getCount(): number } {
    if (!this.counters.has(name)) this.counters.set(name, 0);
    return { inc: (n = 1) => void this.counters.set(name, this.counters.get(name)! + n), getCount: () => this.counters.get(name)! };
  }

  get(name: string): number {
    return this.counters.get(name) ?? 0;
  }
}

/** A SinkWriterContext for subtask `subtaskIndex` of `parallelism`, optionally restoring. */
export function writerContext(
  options: { subtaskIndex?: number; parallelism?: number; restoredCheckpointId?: number; restoredState?: unknown[]; metrics?: TestMetrics } = {},
): SinkWriterContext {
  return {
    subtaskIndex: options.subtaskIndex ?? 0,
    parallelism: options.parallelism ?? 1,
    operatorName: 'Kafka sink',
    operatorId: 'kafka-sink-test',
    attemptNumber: 0,
    restoredCheckpointId: options.restoredCheckpointId,
    restoredState: options.restoredState ?? [],
    checkpointingEnabled: true,
    metricGroup: options.metrics ?? new TestMetrics(),
  };
}

/** The write context of a record with event-time `timestamp`. */
export function at(timestamp?: number): SinkWriteContext {
  return { timestamp: () => timestamp, currentWatermark: () => Number.NEGATIVE_INFINITY };
}

/** One step of a crashing writer: records for a subtask's writer, or its barrier of checkpoint `prepareCommit`. */
export interface CrashPlanStep {
  readonly subtask: number;
  readonly write?: readonly string[];
  readonly prepareCommit?: number;
}

/** What the crashed writers sealed before they died. */
export interface Crashed {
  readonly sealed: { subtask: number; checkpointId: number; committables: KafkaCommittable[]; state: unknown[] }[];
  /** The writer states of checkpoint `id`, as the checkpoint would hold them. */
  states(id: number): unknown[];
}

/**
 * Runs exactly-once writers in a child process that follows `plan`, waits
 * until everything written is acknowledged (in open transactions too), and
 * SIGKILLs itself: a subtask process dying with its transactions as they are.
 */
export async function crashingWriters(
  bootstrap: string,
  options: { topic: string; prefix: string; parallelism: number; plan: readonly CrashPlanStep[] },
): Promise<Crashed> {
  const script = `
    import { KafkaSink, KafkaRecordSerializationSchema, StringSerializationSchema, DeliveryGuarantee } from 'flinkts';
    const cfg = JSON.parse(process.argv[1]);
    const counts = new Map();
    const metricGroup = { counter: (n) => { if (!counts.has(n)) counts.set(n, 0); return { inc: (k = 1) => counts.set(n, counts.get(n) + k), getCount: () => counts.get(n) }; } };
    const sink = KafkaSink.builder().setBootstrapServers(cfg.bootstrap)
      .setRecordSerializer(KafkaRecordSerializationSchema.builder().setTopic(cfg.topic).setValueSerializationSchema(new StringSerializationSchema()).build())
      .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).setTransactionalIdPrefix(cfg.prefix).build();
    const writers = [];
    for (let s = 0; s < cfg.parallelism; s++) {
      writers.push(await sink.createWriter({ subtaskIndex: s, parallelism: cfg.parallelism, operatorName: 'Kafka sink', operatorId: 'k', attemptNumber: 0,
        restoredCheckpointId: undefined, restoredState: [], checkpointingEnabled: true, metricGroup }));
    }
    const ctx = { timestamp: () => undefined, currentWatermark: () => 0 };
    const sealed = [];
    let written = 0;
    for (const step of cfg.plan) {
      const w = writers[step.subtask];
      for (const v of step.write ?? []) { await w.write(v, ctx); written++; }
      if (step.prepareCommit !== undefined) {
        const committables = await w.prepareCommit(step.prepareCommit);
        sealed.push({ subtask: step.subtask, checkpointId: step.prepareCommit, committables, state: w.snapshotState(step.prepareCommit) });
      }
    }
    while ((counts.get('numRecordsSend') ?? 0) < written) await new Promise((r) => setTimeout(r, 20));
    process.stdout.write(JSON.stringify(sealed) + '\\n', () => process.kill(process.pid, 'SIGKILL'));
  `;
  const config = JSON.stringify({ bootstrap, ...options });
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, config], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  if (signal !== 'SIGKILL') throw new Error(`the crashing writer did not crash as planned (signal ${signal}):\n${stderr}`);
  const sealed = JSON.parse(stdout.trim()) as Crashed['sealed'];
  return { sealed, states: (id) => sealed.filter((s) => s.checkpointId === id).flatMap((s) => s.state) };
}
