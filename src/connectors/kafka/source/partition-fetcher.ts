/**
 * Fetches a fixed set of partitions from given offsets with kafkajs, which
 * has no manual `assign()` (tulios/kafkajs#373): the fetcher runs a consumer
 * in a consumer group of its own (a fresh, unique group id, never committed
 * to, so the group vanishes when the consumer leaves) with a partition
 * assigner that hands the one member exactly the partitions it was given,
 * and seeks each partition to the position the reader needs every time the
 * consumer (re)joins its group — kafkajs forgets positions when it rejoins or
 * restarts after a crash.
 *
 * Records arrive through `onMessages`; the position after each fetched batch
 * (including batches kafkajs filters out entirely: transaction markers,
 * aborted records) through `onPosition`, so a reader knows when it reached a
 * stopping offset that falls on a marker. The reader pauses and resumes
 * partitions for back-pressure and for partitions it finished.
 *
 * With read_committed (kafkajs' default, the source's `isolation.level`
 * setting) records of aborted transactions are dropped here with
 * {@link filterAbortedTransactions}, because kafkajs' own filter lets some
 * through when aborted transactions interleave (see aborted-transactions.ts);
 * positions still advance past them and past transaction markers.
 *
 * A consumer that keeps crashing (e.g. brokers gone) is given up after a few
 * restarts without progress, and `onError` gets a CONNECTOR error naming the
 * address: a bounded retry, then the job's restart strategy decides.
 */
import { randomUUID } from 'node:crypto';
import kafkajs, { type Consumer, type ConsumerConfig, type KafkaConfig, type KafkaMessage, type PartitionAssigner } from 'kafkajs';
import { kafkaError } from '../common/kafka-errors.js';
import { filterAbortedTransactions } from './aborted-transactions.js';

const { Kafka, AssignerProtocol } = kafkajs;

/** Consumer restarts after crashes without a fetched batch in between before the fetcher gives up. */
const MAX_RESTARTS_WITHOUT_PROGRESS = 3;

/** What a fetcher reports to its reader. */
export interface FetcherListener {
  onMessages(topic: string, partition: number, messages: readonly KafkaMessage[]): void;
  /** Every offset below `nextOffset` of the partition has been fetched (or filtered out). */
  onPosition(topic: string, partition: number, nextOffset: number): void;
  /** Where to fetch a partition from now (asked on every (re)join). */
  positionOf(topic: string, partition: number): number;
  /** Whether the reader wants a partition paused now (asked on every (re)join). */
  isPaused(topic: string, partition: number): boolean;
  onError(error: Error): void;
}

/** The kafkajs consumer settings a source passes through. */
export type FetcherSettings = Pick<ConsumerConfig, 'maxBytesPerPartition' | 'maxBytes' | 'maxWaitTimeInMs' | 'sessionTimeout' | 'heartbeatInterval' | 'readUncommitted'>;

/** Reads the partitions `assignment` (topic → partitions) until closed. */
export class PartitionFetcher {
  private readonly consumer: Consumer;
  /** Records of aborted transactions in the fetched batches (read_committed only). */
  private readonly aborted: WeakSet<object> | undefined;
  private closed = false;
  private restartsWithoutProgress = 0;
  private started: Promise<void> | undefined;

  constructor(
    config: KafkaConfig,
    settings: FetcherSettings,
    private readonly assignment: ReadonlyMap<string, readonly number[]>,
    private readonly listener: FetcherListener,
    /** Names the reader in the internal group id (for operators reading broker logs). */
    groupPrefix: string,
  ) {
    const bootstrap = config.brokers.toString();
    const kafka = new Kafka(config);
    this.aborted = settings.readUncommitted === true ? undefined : filterAbortedTransactions(kafka);
    this.consumer = kafka.consumer({
      ...settings,
      groupId: `${groupPrefix}-${randomUUID()}`,
      partitionAssigners: [fixedAssigner(assignment)],
      allowAutoTopicCreation: false,
      retry: {
        ...(typeof config.retry === 'object' ? config.retry : {}),
        // kafkajs restarts a crashed consumer forever by default: a job would hang on brokers that are gone.
        restartOnFailure: async () => !this.closed && ++this.restartsWithoutProgress <= MAX_RESTARTS_WITHOUT_PROGRESS,
      },
    });
    const { GROUP_JOIN, END_BATCH_PROCESS, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, () => {
      try {
        this.onJoin();
      } catch (error) {
        listener.onError(error as Error);
      }
    });
    this.consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      this.restartsWithoutProgress = 0;
      listener.onPosition(payload.topic, payload.partition, Number(payload.lastOffset) + 1);
    });
    this.consumer.on(CRASH, ({ payload }) => {
      if (payload.restart || this.closed) return;
      const topics = [...assignment.keys()].map((t) => `'${t}'`).join(', ');
      listener.onError(kafkaError(payload.error, bootstrap, `reading topic ${topics}`, assignment.size === 1 ? [...assignment.keys()][0] : undefined));
    });
  }

  /** Joins the private group and starts fetching; rejects when the first join fails for good. */
  start(): Promise<void> {
    this.started ??= (async () => {
      await this.consumer.connect();
      await this.consumer.subscribe({ topics: [...this.assignment.keys()], fromBeginning: true });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          const aborted = this.aborted;
          const messages = aborted === undefined ? batch.messages : batch.messages.filter((m) => !aborted.has(m));
          // The position after the batch (END_BATCH_PROCESS) covers the dropped records too.
          if (messages.length > 0) this.listener.onMessages(batch.topic, batch.partition, messages);
        },
      });
    })();
    return this.started;
  }

  pause(topic: string, partitions: readonly number[]): void {
    if (partitions.length > 0) this.guard(() => this.consumer.pause([{ topic, partitions: [...partitions] }]));
  }

  resume(topic: string, partitions: readonly number[]): void {
    if (partitions.length > 0) this.guard(() => this.consumer.resume([{ topic, partitions: [...partitions] }]));
  }

  /** Leaves the group and disconnects (waits for a fetch in flight, at most `fetch.max.wait.ms`). */
  async close(): Promise<void> {
    this.closed = true;
    await this.started?.catch(() => undefined);
    await this.consumer.disconnect().catch(() => undefined);
  }

  /** (Re)joined: put every partition where the reader is, paused as the reader wants. */
  private onJoin(): void {
    for (const [topic, partitions] of this.assignment) {
      for (const partition of partitions) this.consumer.seek({ topic, partition, offset: String(this.listener.positionOf(topic, partition)) });
      const paused = partitions.filter((p) => this.listener.isPaused(topic, p));
      if (paused.length > 0) this.consumer.pause([{ topic, partitions: paused }]);
    }
  }

  /** pause/resume throw before the consumer runs; GROUP_JOIN re-applies the reader's wishes then. */
  private guard(action: () => void): void {
    try {
      action();
    } catch {
      // Not running yet (or restarting): onJoin pauses what the reader wants paused.
    }
  }
}

/** An assigner that gives the group's member exactly `assignment` (the group only ever has this one member). */
function fixedAssigner(assignment: ReadonlyMap<string, readonly number[]>): PartitionAssigner {
  const name = 'FlinktsFixedAssigner';
  const version = 1;
  return () => ({
    name,
    version,
    async assign({ members }) {
      const wanted = Object.fromEntries([...assignment].map(([topic, partitions]) => [topic, [...partitions]]));
      return members.map((member, i) => ({
        memberId: member.memberId,
        // A stray second member (never expected) gets nothing rather than a duplicate of the partitions.
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version, assignment: i === 0 ? wanted : {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version, topics, userData: Buffer.alloc(0) }) };
    },
  });
}
