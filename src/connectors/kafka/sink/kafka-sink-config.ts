/**
 * The settings of a Kafka sink: the client settings shared with the source
 * (common/kafka-config.ts: client id, timeouts, retries, security, kafkajs
 * logging) plus the producer properties below (Java client names, as in
 * Flink), checked when they are set so that a typo fails at once with the
 * list of known ones.
 */
import type { KafkaConfig } from 'kafkajs';
import { FlinktsError } from '../../../api/errors.js';
import { checkProperty, choiceProperty, integerProperty, kafkaClientConfig } from '../common/kafka-config.js';
import type { TopicCreation } from './kafka-client.js';
import type { KafkaRecordSerializationSchema } from './record-serialization-schema.js';

/** Delivery guarantees of the Kafka sink (Flink's `DeliveryGuarantee`). */
export const DeliveryGuarantee = {
  /** Fire and forget: records may be lost on failure (and duplicated). */
  NONE: 'NONE',
  /** Every record written before a checkpoint is acknowledged before it completes; duplicates after a restore. */
  AT_LEAST_ONCE: 'AT_LEAST_ONCE',
  /** A Kafka transaction per checkpoint, committed when it completes; `read_committed` readers see each record once. */
  EXACTLY_ONCE: 'EXACTLY_ONCE',
} as const;
/** One of {@link DeliveryGuarantee}'s values. */
export type DeliveryGuarantee = (typeof DeliveryGuarantee)[keyof typeof DeliveryGuarantee];

/** The sink-only property keys (besides the client keys of common/kafka-config.ts), with what each sets. */
export const KAFKA_SINK_PROPERTIES: Readonly<Record<string, string>> = {
  'transaction.timeout.ms': 'how long the broker keeps a transaction open before aborting it (EXACTLY_ONCE; default 60000)',
  'acks': 'acknowledgements per send under NONE: 0, 1 or all (default 1; AT_LEAST_ONCE and EXACTLY_ONCE always use all)',
  'max.request.size': 'upper bound of the record bytes sent in one request (default 1048576)',
  'batch.records': 'upper bound of the records sent in one request (default 1000: kafkajs encodes larger requests ever slower per record)',
  'buffer.records': 'records accepted and not yet acknowledged before the sink applies back-pressure (default 20000)',
  'compression.type': 'none or gzip (default none; kafkajs has no other codec built in)',
};

/** Resolved producer settings. */
export interface KafkaSinkProperties {
  /** Transaction timeout the broker enforces (EXACTLY_ONCE). */
  readonly transactionTimeoutMs: number;
  /** Acknowledgements per send under NONE: -1 (all in-sync replicas), 1 (leader) or 0. */
  readonly acks: -1 | 0 | 1;
  /** Upper bound of the record bytes sent in one request. */
  readonly maxRequestBytes: number;
  /** Upper bound of the records sent in one request. */
  readonly maxBatchRecords: number;
  /** Records accepted and not yet acknowledged before `write` applies back-pressure. */
  readonly maxBufferedRecords: number;
  readonly compression: 'none' | 'gzip';
  /** Retries of a request before the sink fails (the client's `retries`). */
  readonly retries: number;
  /** The kafkajs client configuration (brokers, client id, timeouts, retry, security, logging). */
  readonly client: KafkaConfig;
}

/** Checks one `setProperty` key and value; returns them as strings. */
export function checkSinkProperty(key: unknown, value: unknown): [string, string] {
  if (key === 'transactional.id') {
    throw new FlinktsError('USAGE', 'KafkaSink.setProperty: transactional.id is chosen by the sink; use setTransactionalIdPrefix(prefix) instead');
  }
  const entry = checkProperty(key, value, Object.keys(KAFKA_SINK_PROPERTIES), 'KafkaSink.setProperty');
  // Resolve it alone, so that a bad value fails where it is set.
  resolveProperties(['127.0.0.1:9092'], new Map([entry]));
  return entry;
}

/** Resolves the properties set on the builder (USAGE errors name a bad value). */
export function resolveProperties(brokers: readonly string[], properties: ReadonlyMap<string, string>): KafkaSinkProperties {
  const where = 'KafkaSink.setProperty';
  const transactionTimeoutMs = integerProperty(properties, 'transaction.timeout.ms', 60_000, where);
  if (transactionTimeoutMs === 0) throw new FlinktsError('USAGE', `${where}: property 'transaction.timeout.ms' must be positive`);
  const acks = choiceProperty(properties, 'acks', ['0', '1', 'all', '-1'] as const, '1', where);
  const maxRequestBytes = integerProperty(properties, 'max.request.size', 1_048_576, where);
  const maxBufferedRecords = integerProperty(properties, 'buffer.records', 20_000, where);
  const maxBatchRecords = integerProperty(properties, 'batch.records', 1_000, where);
  if (maxRequestBytes === 0 || maxBufferedRecords === 0 || maxBatchRecords === 0) {
    throw new FlinktsError('USAGE', `${where}: max.request.size, buffer.records and batch.records must be positive`);
  }
  const client = kafkaClientConfig(brokers, properties, 'flinkts-kafka-sink', where);
  return {
    transactionTimeoutMs,
    acks: acks === 'all' || acks === '-1' ? -1 : (Number(acks) as 0 | 1),
    maxRequestBytes,
    maxBatchRecords,
    maxBufferedRecords,
    compression: choiceProperty(properties, 'compression.type', ['none', 'gzip'] as const, 'none', where),
    retries: client.retry?.retries ?? 5,
    client,
  };
}

/** What a Kafka sink's writers and committers are built from (the built sink's settings). */
export interface KafkaSinkSettings<T> {
  readonly brokers: readonly string[];
  readonly serializer: KafkaRecordSerializationSchema<T>;
  readonly guarantee: DeliveryGuarantee;
  /** Required for EXACTLY_ONCE (checked when the job is built). */
  readonly transactionalIdPrefix: string | undefined;
  readonly properties: KafkaSinkProperties;
  /** Create missing topics with these settings; undefined: a missing topic is an error. */
  readonly topicCreation: TopicCreation | undefined;
}
