/**
 * The kafkajs client of a Kafka sink, and the checks it makes against the
 * broker when a writer starts: the broker is reachable (a bounded retry,
 * then a CONNECTOR error naming the address), the topics exist (or are
 * created when the sink is configured to), and the transaction timeout is
 * within the broker's maximum.
 */
import kafkajs from 'kafkajs';
import type { Admin, Kafka, RetryOptions } from 'kafkajs';
import { FlinktsError } from '../../../api/errors.js';
import { isAuthFailure, kafkaError } from '../common/kafka-errors.js';
import type { KafkaSinkProperties } from './kafka-sink-config.js';

/** What to do with a topic that does not exist. */
export interface TopicCreation {
  /** Partitions of a created topic (the broker's `num.partitions` when -1). */
  readonly numPartitions: number;
  /** Replication factor of a created topic (the broker's `default.replication.factor` when -1). */
  readonly replicationFactor: number;
}

/** The retry settings of every kafkajs call of the sink (the client's `retries` and `retry.backoff.ms`). */
export function retryOptions(properties: KafkaSinkProperties): RetryOptions {
  return { maxRetryTime: 5_000, ...properties.client.retry };
}

/** A kafkajs client for the sink's brokers and client properties. */
export function createKafkaClient(properties: KafkaSinkProperties): Kafka {
  return new kafkajs.Kafka(properties.client);
}

/**
 * Wraps a kafkajs failure of `action` into a CONNECTOR error naming the
 * brokers; authentication failures say so (a FlinktsError passes through).
 */
export function connectorError(action: string, brokers: readonly string[], error: unknown): FlinktsError {
  if (error instanceof FlinktsError) return error;
  if (isAuthFailure(error)) return kafkaError(error, brokers.join(','), action);
  return new FlinktsError('CONNECTOR', `KafkaSink: ${action} failed at ${brokers.join(',')}: ${describe(error)}`, { cause: error, retriable: true });
}

/** Connects an admin client; a broker that stays unreachable through the retries is a CONNECTOR error naming it. */
export async function connectAdmin(kafka: Kafka, brokers: readonly string[]): Promise<Admin> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw kafkaError(error, brokers.join(','), 'connecting the Kafka sink');
  }
  return admin;
}

/**
 * Checks that each topic exists; creates a missing one when `create` is
 * given, otherwise throws a CONNECTOR error naming it.
 */
export async function ensureTopics(admin: Admin, topics: readonly string[], create: TopicCreation | undefined, brokers: readonly string[]): Promise<void> {
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } catch (error) {
    throw connectorError('listing topics', brokers, error);
  }
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return;
  if (create === undefined) {
    throw new FlinktsError('CONNECTOR', `Kafka topic '${missing[0]}' does not exist on the brokers at ${brokers.join(',')}`, {
      hint: 'create it first, or let the sink create it: KafkaSink.builder().setCreateTopicIfMissing(true)',
    });
  }
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: create.numPartitions, replicationFactor: create.replicationFactor })),
    });
  } catch (error) {
    // Another subtask may have created it meanwhile.
    if (protocolErrorType(error) !== 'TOPIC_ALREADY_EXISTS') throw connectorError(`creating topic '${missing.join("', '")}'`, brokers, error);
  }
}

/**
 * The broker's `transaction.max.timeout.ms` (the largest transaction
 * timeout it accepts), read with DescribeConfigs from one broker; undefined
 * when the broker does not say.
 */
export async function brokerMaxTransactionTimeoutMs(admin: Admin, brokers: readonly string[]): Promise<number | undefined> {
  try {
    const cluster = await admin.describeCluster();
    const nodeId = cluster.brokers[0]?.nodeId ?? cluster.controller;
    if (nodeId === null || nodeId === undefined) return undefined;
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.BROKER, name: String(nodeId), configNames: ['transaction.max.timeout.ms'] }],
    });
    const entry = described.resources[0]?.configEntries.find((e) => e.configName === 'transaction.max.timeout.ms');
    const value = Number(entry?.configValue);
    return Number.isFinite(value) && value > 0 ? value : undefined;
  } catch (error) {
    throw connectorError('reading the broker configuration (transaction.max.timeout.ms)', brokers, error);
  }
}

/** The Kafka protocol error type (e.g. `INVALID_TXN_STATE`) of a kafkajs error or of one of its causes. */
export function protocolErrorType(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  // kafkajs wraps the last attempt's error ("Connection error: connect ECONNREFUSED ...") as the cause.
  return cause instanceof Error && cause.message !== error.message ? `${error.message} (${cause.message})` : error.message;
}

/** Checks each topic once, when a writer first sends to it (topics chosen per element are not known in advance). */
export class TopicGuard {
  private readonly known = new Set<string>();

  constructor(
    private readonly admin: Admin,
    private readonly create: TopicCreation | undefined,
    private readonly brokers: readonly string[],
  ) {}

  /** Resolves when every topic in `topics` exists (created if configured); rejects naming a missing one. */
  async ensure(topics: Iterable<string>): Promise<void> {
    const unknown = [...topics].filter((topic) => !this.known.has(topic));
    if (unknown.length === 0) return;
    await ensureTopics(this.admin, unknown, this.create, this.brokers);
    for (const topic of unknown) this.known.add(topic);
  }
}
