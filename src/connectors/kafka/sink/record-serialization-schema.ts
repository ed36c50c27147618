/**
 * How the Kafka sink turns an element into a Kafka record (Flink's
 * `KafkaRecordSerializationSchema`): the topic (fixed or chosen per
 * element), the value, optionally the key, headers and partition. The
 * record's timestamp is the element's event-time timestamp when it has one,
 * so event time survives a trip through Kafka.
 */
import { FlinktsError } from '../../../api/errors.js';
import { toBuffer, type SerializationSchema } from './serialization-schemas.js';

/** A record for Kafka, as the sink sends it. */
export interface KafkaProducerRecord {
  readonly topic: string;
  readonly value: Buffer | null;
  readonly key?: Buffer | null;
  readonly headers?: Readonly<Record<string, string | Buffer>>;
  /** A fixed partition; otherwise the key's hash chooses (murmur2, as the Java client), or round robin without a key. */
  readonly partition?: number;
  /** Epoch milliseconds; the broker's time when absent. */
  readonly timestamp?: number;
}

/** What the serializer knows besides the element. */
export interface KafkaSinkContext {
  /** The element's event-time timestamp, if it has one. */
  readonly timestamp: number | undefined;
}

/** Turns an element into a Kafka record. */
export interface KafkaRecordSerializationSchema<T> {
  serialize(element: T, context: KafkaSinkContext): KafkaProducerRecord;
  /** The topic every record goes to, when it is fixed (checked when the writer starts). */
  readonly fixedTopic?: string;
}

/** Builds a {@link KafkaRecordSerializationSchema} (Flink's builder). */
export class KafkaRecordSerializationSchemaBuilder<T> {
  private topic: string | undefined;
  private topicSelector: ((element: T) => string) | undefined;
  private valueSchema: SerializationSchema<T> | undefined;
  private keySchema: SerializationSchema<T> | undefined;
  private headers: ((element: T) => Readonly<Record<string, string | Buffer>>) | undefined;
  private partitioner: ((element: T, topic: string) => number | undefined) | undefined;

  /** Every record goes to `topic`. */
  setTopic(topic: string): this {
    checkTopicName('setTopic', topic);
    this.topic = topic;
    return this;
  }

  /** The topic of each record is `selector(element)` (topics are checked when first written to). */
  setTopicSelector(selector: (element: T) => string): this {
    if (typeof selector !== 'function') throw usage('setTopicSelector(selector): expected a function of the element');
    this.topicSelector = selector;
    return this;
  }

  /** The record's value (required). */
  setValueSerializationSchema(schema: SerializationSchema<T>): this {
    this.valueSchema = checkSchema('setValueSerializationSchema', schema);
    return this;
  }

  /** The record's key (none when unset: records are spread over partitions). */
  setKeySerializationSchema(schema: SerializationSchema<T>): this {
    this.keySchema = checkSchema('setKeySerializationSchema', schema);
    return this;
  }

  /** Headers of each record. */
  setHeaders(headers: (element: T) => Readonly<Record<string, string | Buffer>>): this {
    if (typeof headers !== 'function') throw usage('setHeaders(fn): expected a function of the element returning the headers');
    this.headers = headers;
    return this;
  }

  /** The partition of each record (`undefined`: the key's hash, or round robin without a key). */
  setPartitioner(partitioner: (element: T, topic: string) => number | undefined): this {
    if (typeof partitioner !== 'function') throw usage('setPartitioner(fn): expected a function of the element and the topic');
    this.partitioner = partitioner;
    return this;
  }

  build(): KafkaRecordSerializationSchema<T> {
    if ((this.topic === undefined) === (this.topicSelector === undefined)) {
      throw usage('KafkaRecordSerializationSchema: set exactly one of setTopic(topic) and setTopicSelector(fn)');
    }
    if (this.valueSchema === undefined) throw usage('KafkaRecordSerializationSchema: setValueSerializationSchema(schema) is required');
    const { topic, topicSelector, valueSchema, keySchema, headers, partitioner } = this;
    return {
      ...(topic !== undefined && { fixedTopic: topic }),
      serialize(element: T, context: KafkaSinkContext): KafkaProducerRecord {
        const target = topic ?? topicSelector!(element);
        if (typeof target !== 'string' || target.length === 0) {
          throw new FlinktsError('USAGE', `KafkaSink: the topic selector returned ${JSON.stringify(target)} instead of a topic name`);
        }
        const partition = partitioner?.(element, target);
        return {
          topic: target,
          value: toBuffer(valueSchema.serialize(element)),
          ...(keySchema !== undefined && { key: toBuffer(keySchema.serialize(element)) }),
          ...(headers !== undefined && { headers: headers(element) }),
          ...(partition !== undefined && { partition }),
          ...(context.timestamp !== undefined && Number.isFinite(context.timestamp) && { timestamp: context.timestamp }),
        };
      },
    };
  }
}

/** Flink's `KafkaRecordSerializationSchema.builder()`. */
export const KafkaRecordSerializationSchema = {
  builder<T>(): KafkaRecordSerializationSchemaBuilder<T> {
    return new KafkaRecordSerializationSchemaBuilder<T>();
  },
} as const;

/** Kafka's rule for topic names: 1–249 characters of [a-zA-Z0-9._-]. */
export function checkTopicName(call: string, topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || !/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) {
    throw usage(`${call}: ${JSON.stringify(topic)} is not a valid Kafka topic name (1-249 characters of letters, digits, '.', '_', '-')`);
  }
}

function checkSchema<T>(call: string, schema: SerializationSchema<T>): SerializationSchema<T> {
  if (typeof schema?.serialize !== 'function') throw usage(`${call}(schema): expected an object with serialize(element)`);
  return schema;
}

function usage(message: string): FlinktsError {
  return new FlinktsError('USAGE', message);
}
