/**
 * How the RabbitMQ connector turns message bodies into records and back
 * (Flink's `DeserializationSchema` / `RMQDeserializationSchema` and
 * `SerializationSchema`): string (UTF-8), JSON, or a function of your own.
 *
 * A deserializer that throws makes the message a bad record, handled by the
 * source's `BadRecordPolicy`; the built-in string and JSON deserializers throw
 * on invalid UTF-8 and malformed JSON. `isEndOfStream` (as in Flink) ends the
 * source when it returns true for a deserialized value; that value is not
 * emitted, and its message is acknowledged with the others.
 */
import type { MessageProperties } from 'amqplib';
import { FlinktsError } from '../../api/errors.js';

/** One message as the source received it. */
export interface RMQMessage {
  readonly body: Buffer;
  /** The AMQP properties: `correlationId`, `messageId`, `headers`, `contentType`, `timestamp`, ... */
  readonly properties: MessageProperties;
  readonly queue: string;
  readonly deliveryTag: number;
  /** Whether the broker delivered the message before (to this or another consumer). */
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routingKey: string;
}

/** Turns a message into a record. */
export interface RMQDeserializationSchema<T> {
  /** The record of one message; throwing makes it a bad record. */
  deserialize(message: RMQMessage): T;
  /** Whether `value` marks the end of the stream (the source then ends; `value` is not emitted). */
  isEndOfStream?(value: T): boolean;
}

/** Options of the built-in deserializers. */
export interface DeserializerOptions<T> {
  /** Ends the source at the first value for which it returns true (Flink's `isEndOfStream`). */
  readonly isEndOfStream?: (value: T) => boolean;
}

/** A message body decoder that refuses invalid UTF-8 rather than replacing it. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(body: Uint8Array): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw new Error('the body is not valid UTF-8');
  }
}

function withEnd<T>(deserialize: (message: RMQMessage) => T, options: DeserializerOptions<T> | undefined): RMQDeserializationSchema<T> {
  const isEndOfStream = options?.isEndOfStream;
  if (isEndOfStream !== undefined && typeof isEndOfStream !== 'function') throw new FlinktsError('USAGE', 'RMQDeserializationSchema: isEndOfStream must be a function');
  return isEndOfStream === undefined ? { deserialize } : { deserialize, isEndOfStream };
}

/** The built-in deserializers. */
export const RMQDeserializationSchema = {
  /** The body as a UTF-8 string (Flink's `SimpleStringSchema`); invalid UTF-8 is a bad record. */
  string(options?: DeserializerOptions<string>): RMQDeserializationSchema<string> {
    return withEnd((message) => decodeUtf8(message.body), options);
  },
  /** The body parsed as JSON (UTF-8); malformed JSON is a bad record. */
  json<T = unknown>(options?: DeserializerOptions<T>): RMQDeserializationSchema<T> {
    return withEnd((message) => JSON.parse(decodeUtf8(message.body)) as T, options);
  },
  /** Your own function of the body (and the whole message). */
  of<T>(fn: (body: Buffer, message: RMQMessage) => T, options?: DeserializerOptions<T>): RMQDeserializationSchema<T> {
    if (typeof fn !== 'function') throw new FlinktsError('USAGE', 'RMQDeserializationSchema.of(fn): expected a function (body, message) => record');
    return withEnd((message) => fn(message.body, message), options);
  },
} as const;

/** A deserializer, or a function of the body as shorthand for `RMQDeserializationSchema.of(fn)`. */
export type RMQDeserializer<T> = RMQDeserializationSchema<T> | ((body: Buffer, message: RMQMessage) => T);

/** The schema behind an {@link RMQDeserializer}. */
export function toDeserializationSchema<T>(deserializer: RMQDeserializer<T>, who: string): RMQDeserializationSchema<T> {
  if (typeof deserializer === 'function') return RMQDeserializationSchema.of(deserializer);
  if (typeof deserializer !== 'object' || deserializer === null || typeof deserializer.deserialize !== 'function') {
    throw new FlinktsError('USAGE', `${who}: expected a deserializer (RMQDeserializationSchema.string(), .json(), .of(fn)) or a function (body, message) => record`);
  }
  return deserializer;
}

/** Turns a record into a message body. */
export interface RMQSerializationSchema<T> {
  serialize(value: T): Uint8Array | string;
}

/** The built-in serializers. */
export const RMQSerializationSchema = {
  /** `String(value)` as UTF-8 (Flink's `SimpleStringSchema`). */
  string<T = string>(): RMQSerializationSchema<T> {
    return { serialize: (value) => String(value) };
  },
  /** `JSON.stringify(value)` as UTF-8. */
  json<T = unknown>(): RMQSerializationSchema<T> {
    return {
      serialize: (value) => {
        const text = JSON.stringify(value);
        if (text === undefined) throw new FlinktsError('SERIALIZATION', `RMQSerializationSchema.json(): ${String(value)} has no JSON form`);
        return text;
      },
    };
  },
  /** Your own function. */
  of<T>(fn: (value: T) => Uint8Array | string): RMQSerializationSchema<T> {
    if (typeof fn !== 'function') throw new FlinktsError('USAGE', 'RMQSerializationSchema.of(fn): expected a function value => bytes or string');
    return { serialize: fn };
  },
} as const;

/** A serializer, or a function as shorthand for `RMQSerializationSchema.of(fn)`. */
export type RMQSerializer<T> = RMQSerializationSchema<T> | ((value: T) => Uint8Array | string);

/** The schema behind an {@link RMQSerializer}. */
export function toSerializationSchema<T>(serializer: RMQSerializer<T>, who: string): RMQSerializationSchema<T> {
  if (typeof serializer === 'function') return RMQSerializationSchema.of(serializer);
  if (typeof serializer !== 'object' || serializer === null || typeof serializer.serialize !== 'function') {
    throw new FlinktsError('USAGE', `${who}: expected a serializer (RMQSerializationSchema.string(), .json(), .of(fn)) or a function value => bytes or string`);
  }
  return serializer;
}

/** The bytes of a serialized value. */
export function toBuffer(serialized: Uint8Array | string): Buffer {
  if (typeof serialized === 'string') return Buffer.from(serialized, 'utf8');
  return Buffer.isBuffer(serialized) ? serialized : Buffer.from(serialized.buffer, serialized.byteOffset, serialized.byteLength);
}
