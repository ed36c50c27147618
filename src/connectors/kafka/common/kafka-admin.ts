/**
 * The metadata and offset requests the Kafka connectors make besides
 * producing and consuming: which partitions a topic has, which topics exist,
 * the earliest / latest / by-timestamp offsets of partitions, and a group's
 * committed offsets (read and write).
 *
 * Two requests kafkajs 2.2 has no public call for go through its internal
 * cluster object (reached by the documented-private `createCluster` symbol of
 * a `Kafka` instance; kafkajs 2.2.4 is pinned and is the last release):
 * - latest offsets at the consumer's isolation level (`admin.fetchTopicOffsets`
 *   always asks read_committed, i.e. the last stable offset), and
 * - committing a group's offsets without joining the group (generation -1,
 *   as Kafka's Java consumer does with `assign()`); `admin.setOffsets` joins
 *   the group, which would collide between parallel readers.
 */
import kafkajs, { type Admin, type Kafka, type KafkaConfig } from 'kafkajs';
import { FlinktsError } from '../../../api/errors.js';
import { kafkaError, missingTopic } from './kafka-errors.js';

const { Kafka: KafkaClient } = kafkajs;

/** Where to start or stop in a partition. */
export type OffsetSpec = 'earliest' | 'latest' | { readonly timestamp: number };

/** A topic partition and an offset. */
export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** The part of kafkajs' internal Cluster used here. */
interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  fetchTopicsOffset(
    topics: { topic: string; partitions: { partition: number }[]; fromBeginning?: boolean; fromTimestamp?: number }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  findGroupCoordinator(request: { groupId: string }): Promise<{
    offsetCommit(request: {
      groupId: string;
      groupGenerationId: number;
      memberId: string;
      topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
    }): Promise<{ responses: { topic: string; partitions: { partition: number; errorCode: number }[] }[] }>;
  }>;
}

/** kafkajs isolation levels (protocol values). */
const ISOLATION = { read_uncommitted: 0, read_committed: 1 } as const;

/** A connected admin session against one cluster; close it when done. */
export class KafkaAdminSession {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private cluster: InternalCluster | undefined;

  private constructor(
    config: KafkaConfig,
    readonly bootstrap: string,
    private readonly isolation: keyof typeof ISOLATION,
  ) {
    this.kafka = new KafkaClient(config);
    this.admin = this.kafka.admin();
  }

  /** Connects (kafkajs retries as configured); an unreachable cluster is a CONNECTOR error naming `bootstrap`. */
  static async connect(config: KafkaConfig, isolation: keyof typeof ISOLATION = 'read_committed'): Promise<KafkaAdminSession> {
    const session = new KafkaAdminSession(config, config.brokers.toString(), isolation);
    try {
      await session.admin.connect();
    } catch (error) {
      await session.close();
      throw kafkaError(error, session.bootstrap, 'connecting');
    }
    return session;
  }

  /** The partition numbers of each topic, ascending; a missing topic is a CONNECTOR error naming it. */
  async partitionsOf(topics: readonly string[]): Promise<Map<string, number[]>> {
    const result = new Map<string, number[]>();
    if (topics.length === 0) return result;
    // Asking for the whole list first tells a missing topic apart from an unreachable broker.
    const existing = new Set(await this.listTopics());
    for (const topic of topics) if (!existing.has(topic)) throw missingTopic(topic, this.bootstrap);
    try {
      const metadata = await this.admin.fetchTopicMetadata({ topics: [...topics] });
      for (const t of metadata.topics) result.set(t.name, t.partitions.map((p) => p.partitionId).sort((a, b) => a - b));
    } catch (error) {
      throw kafkaError(error, this.bootstrap, `reading the partitions of ${topics.join(', ')}`, topics.length === 1 ? topics[0] : undefined);
    }
    return result;
  }

  /** Every topic of the cluster, internal ones (`__…`) left out. */
  async listTopics(): Promise<string[]> {
    try {
      return (await this.admin.listTopics()).filter((t) => !t.startsWith('__'));
    } catch (error) {
      throw kafkaError(error, this.bootstrap, 'listing topics');
    }
  }

  /** Creates a topic; true if it was created, false if it existed. */
  async createTopic(topic: string, numPartitions: number, replicationFactor: number): Promise<boolean> {
    try {
      return await this.admin.createTopics({ topics: [{ topic, numPartitions, replicationFactor }], waitForLeaders: true });
    } catch (error) {
      throw kafkaError(error, this.bootstrap, `creating topic '${topic}'`);
    }
  }

  /**
   * The offset `spec` gives in each partition of `topic`: earliest, latest (at
   * this session's isolation level), or the first record at or after a
   * timestamp (latest when there is none).
   */
  async offsetsFor(topic: string, partitions: readonly number[], spec: OffsetSpec): Promise<Map<number, number>> {
    const result = new Map<number, number>();
    if (partitions.length === 0) return result;
    try {
      const cluster = await this.internalCluster();
      await cluster.addTargetTopic(topic);
      const request = partitions.map((partition) => ({ partition }));
      const query = async (extra: { fromBeginning?: boolean; fromTimestamp?: number }): Promise<Map<number, number>> => {
        const [answer] = await cluster.fetchTopicsOffset([{ topic, partitions: request, ...extra }]);
        return new Map((answer?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      };
      if (spec === 'earliest' || spec === 'latest') return await query({ fromBeginning: spec === 'earliest' });
      const byTime = await query({ fromTimestamp: spec.timestamp });
      const latest = [...byTime.values()].some((o) => o < 0) ? await query({ fromBeginning: false }) : new Map<number, number>();
      for (const [partition, offset] of byTime) result.set(partition, offset >= 0 ? offset : latest.get(partition)!);
      return result;
    } catch (error) {
      throw kafkaError(error, this.bootstrap, `reading the offsets of topic '${topic}'`, topic);
    }
  }

  /** The offsets `groupId` committed in `topic`; partitions without one are left out. */
  async committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
    try {
      const [answer] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
      const result = new Map<number, number>();
      for (const p of answer?.partitions ?? []) if (Number(p.offset) >= 0) result.set(p.partition, Number(p.offset));
      return result;
    } catch (error) {
      throw kafkaError(error, this.bootstrap, `reading the offsets group '${groupId}' committed in topic '${topic}'`, topic);
    }
  }

  /**
   * Commits `offsets` (the next offset to read, per partition) for `groupId`
   * without joining the group; Kafka accepts that while the group has no members.
   */
  async commitOffsets(groupId: string, offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: String(o.offset) }]);
    try {
      const cluster = await this.internalCluster();
      const coordinator = await cluster.findGroupCoordinator({ groupId });
      const answer = await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
      const failed = answer.responses.flatMap((r) => r.partitions.filter((p) => p.errorCode !== 0).map((p) => `${r.topic}/${p.partition} (error ${p.errorCode})`));
      if (failed.length > 0) throw new Error(`the broker refused the offsets of ${failed.join(', ')}`);
    } catch (error) {
      throw kafkaError(error, this.bootstrap, `committing the offsets of group '${groupId}'`);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.disconnect(), this.cluster?.disconnect()]);
  }

  private async internalCluster(): Promise<InternalCluster> {
    if (this.cluster !== undefined) return this.cluster;
    const key = Object.getOwnPropertySymbols(this.kafka).find((s) => s.description === 'private:Kafka:createCluster');
    if (key === undefined) throw new FlinktsError('INTERNAL', 'this kafkajs version has no internal createCluster; flinkts needs kafkajs 2.2.x');
    const create = (this.kafka as unknown as Record<symbol, (options: object) => InternalCluster>)[key]!;
    const cluster = create({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, isolationLevel: ISOLATION[this.isolation] });
    await cluster.connect();
    this.cluster = cluster;
    return cluster;
  }
}
