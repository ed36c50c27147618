/**
 * Value and key serializers of the Kafka sink (Flink's
 * `SerializationSchema`): turn an element into the bytes of a Kafka record's
 * key or value. Strings are written as UTF-8.
 */

/** Turns an element into bytes (or a string, written as UTF-8; `null` for a tombstone or no key). */
export interface SerializationSchema<T> {
  serialize(element: T): Uint8Array | string | null;
}

/** Writes a string element (or any element, via `String(element)`) as UTF-8: Flink's `SimpleStringSchema`. */
export class StringSerializationSchema<T = string> implements SerializationSchema<T> {
  serialize(element: T): string {
    return typeof element === 'string' ? element : String(element);
  }
}

/** Writes an element as JSON text: Flink's `JsonSerializationSchema`. */
export class JsonSerializationSchema<T> implements SerializationSchema<T> {
  /** @param replacer passed to `JSON.stringify`, e.g. to write bigints or dates your way. */
  constructor(private readonly replacer?: (key: string, value: unknown) => unknown) {}

  serialize(element: T): string {
    const text = JSON.stringify(element, this.replacer);
    // JSON.stringify(undefined) and of a function give undefined: there is no JSON text to write.
    if (text === undefined) throw new TypeError(`JsonSerializationSchema: ${typeof element} has no JSON form`);
    return text;
  }
}

/** A serialization schema written as a plain function. */
export function serializationSchema<T>(serialize: (element: T) => Uint8Array | string | null): SerializationSchema<T> {
  return { serialize };
}

/** `serialize`'s result as a Buffer (kafkajs sends Buffers; strings become UTF-8). */
export function toBuffer(value: Uint8Array | string | null): Buffer | null {
  if (value === null) return null;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
