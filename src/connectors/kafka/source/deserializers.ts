/**
 * How a Kafka source turns consumer records into stream records (Flink's
 * `DeserializationSchema` for values and `KafkaRecordDeserializationSchema`
 * for whole records). A deserializer that throws makes the record a bad
 * record (the source's BadRecordPolicy decides); one that returns `null` or
 * `undefined` drops the record, as Flink does.
 */
import { FlinktsError } from '../../../api/errors.js';

/** A record as the Kafka source reads it. */
export interface KafkaConsumerRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The record's timestamp (epoch ms; create time or log-append time, as the topic says). */
  readonly timestamp: number;
  readonly key: Buffer | null;
  /** `null` for a tombstone. */
  readonly value: Buffer | null;
  /** Header values by name; a name that occurs more than once maps to an array. */
  readonly headers: Readonly<Record<string, Buffer | Buffer[] | undefined>>;
}

/** Deserializes the value of a record (`setValueOnlyDeserializer`). */
export interface KafkaValueDeserializer<T> {
  deserialize(value: Buffer, record: KafkaConsumerRecord): T | null | undefined;
}

/** Deserializes a whole record: key, value, headers, topic, partition, offset, timestamp (`setDeserializer`). */
export interface KafkaRecordDeserializationSchema<T> {
  deserialize(record: KafkaConsumerRecord): T | null | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Ready-made value deserializers. */
export const KafkaValueDeserializer = {
  /** The value as UTF-8 text (Flink's `SimpleStringSchema`); invalid UTF-8 is a bad record. */
  string(): KafkaValueDeserializer<string> {
    return { deserialize: (value) => utf8.decode(value) };
  },
  /** The value parsed as JSON (UTF-8); malformed JSON is a bad record. */
  json<T = unknown>(): KafkaValueDeserializer<T> {
    return { deserialize: (value) => JSON.parse(utf8.decode(value)) as T };
  },
  /** A custom function of the value bytes (and the whole record). */
  of<T>(fn: (value: Buffer, record: KafkaConsumerRecord) => T | null | undefined): KafkaValueDeserializer<T> {
    if (typeof fn !== 'function') throw new FlinktsError('USAGE', 'KafkaValueDeserializer.of(fn): expected a function (value, record) => T');
    return { deserialize: fn };
  },
} as const;

/** Ready-made record deserializers. */
export const KafkaRecordDeserializationSchema = {
  /** A custom function of the whole record. */
  of<T>(fn: (record: KafkaConsumerRecord) => T | null | undefined): KafkaRecordDeserializationSchema<T> {
    if (typeof fn !== 'function') throw new FlinktsError('USAGE', 'KafkaRecordDeserializationSchema.of(fn): expected a function (record) => T');
    return { deserialize: fn };
  },
  /** Only the value, through a value deserializer; a record without a value (tombstone) is a bad record. */
  valueOnly<T>(deserializer: KafkaValueDeserializer<T>): KafkaRecordDeserializationSchema<T> {
    checkDeserializer(deserializer, 'KafkaRecordDeserializationSchema.valueOnly');
    return {
      deserialize: (record) => {
        if (record.value === null) throw new Error('the record has no value (a tombstone)');
        return deserializer.deserialize(record.value, record);
      },
    };
  },
} as const;

/** Throws a USAGE error unless `value` has a `deserialize` method. */
export function checkDeserializer(value: unknown, where: string): void {
  if (typeof (value as { deserialize?: unknown } | null)?.deserialize !== 'function') {
    throw new FlinktsError('USAGE', `${where}: expected a deserializer, an object with a deserialize() method (e.g. KafkaValueDeserializer.string())`);
  }
}
