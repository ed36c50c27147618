/**
 * The byte format of network buffers: entry headers, value tags and limits,
 * shared by the writer ({@link BufferBuilder}) and the reader
 * ({@link BufferReader}).
 *
 * A buffer is a sequence of entries, each starting with one header byte:
 *
 * | header | then |
 * |---|---|
 * | `0x00` record | value |
 * | `0x01` record with timestamp | float64 timestamp, value |
 * | `0x02` event | kind (u8), float64 a, float64 b |
 *
 * A value is one tag byte, sometimes followed by a payload. Numbers are
 * little-endian; lengths and ids are unsigned LEB128 varints (a writer may pad
 * them with `0x80` continuation bytes, so a string header can be reserved
 * before its UTF-8 length is known):
 *
 * | tag | value | payload |
 * |---|---|---|
 * | `0x00`–`0x3f` | integer 0..63 | — |
 * | `0x40`–`0x5f` | ASCII string of 0..31 chars | the chars |
 * | `0x60` null, `0x61` undefined, `0x62` false, `0x63` true | | — |
 * | `0x64` | int32 | 4 bytes |
 * | `0x65` | float64 (also -0, NaN, ±Infinity) | 8 bytes |
 * | `0x66` | ASCII string | varint length, chars |
 * | `0x67` | UTF-8 string | varint byte length, bytes |
 * | `0x68` | string with lone surrogates | varint byte length, WTF-8 bytes (a lone surrogate as its 3-byte form) |
 * | `0x69` | array | varint length, values |
 * | `0x6a` | object without a shape | varint count, (key string, value) pairs |
 * | `0x6b` | Map | varint count, (key, value) pairs |
 * | `0x6c` | Set | varint count, values |
 * | `0x6d` | Date | float64 epoch ms |
 * | `0x6e` | bytes (Uint8Array, decoded as Buffer) | varint length, bytes |
 * | `0x6f` | bigint within int64 | 8 bytes |
 * | `0x70` | larger bigint | an ASCII string value: hex digits, `-` prefix when negative |
 * | `0x71` | shape definition, then an object of it | varint key count, key strings, values |
 * | `0x72` | object of shape id ≥ 128 | varint shape id, values |
 * | `0x80`–`0xff` | object of shape id 0..127 | values in the shape's key order |
 *
 * A shape is the ordered key list of a plain object. Shape ids are local to
 * one buffer: a shape is defined (`0x71`) at its first use in a buffer and
 * referred to by id afterwards, so every buffer decodes on its own. Ids count
 * the definitions of the buffer in order, from 0.
 * @module
 */

/** Entry header: a record without timestamp. */
export const H_RECORD = 0x00;
/** Entry header: a record with a float64 timestamp. */
export const H_RECORD_TS = 0x01;
/** Entry header: an event. */
export const H_EVENT = 0x02;

/** Integers 0..63 are the tag byte itself. */
export const T_FIXINT_LIMIT = 0x40;
/** ASCII strings of 0..31 chars: tag = `T_FIXASCII + length`. */
export const T_FIXASCII = 0x40;
/** Longest string written with a {@link T_FIXASCII} tag. */
export const FIXASCII_MAX = 31;
/** `null`. */
export const T_NULL = 0x60;
/** `undefined`. */
export const T_UNDEFINED = 0x61;
/** `false`. */
export const T_FALSE = 0x62;
/** `true`. */
export const T_TRUE = 0x63;
/** int32. */
export const T_INT32 = 0x64;
/** float64. */
export const T_FLOAT64 = 0x65;
/** ASCII string with a varint length. */
export const T_ASCII = 0x66;
/** UTF-8 string with a varint byte length. */
export const T_UTF8 = 0x67;
/** WTF-8 string (contains lone surrogates) with a varint byte length. */
export const T_WTF8 = 0x68;
/** Array. */
export const T_ARRAY = 0x69;
/** Object written key by key (too many keys, or the shape table is full). */
export const T_DICT = 0x6a;
/** Map. */
export const T_MAP = 0x6b;
/** Set. */
export const T_SET = 0x6c;
/** Date. */
export const T_DATE = 0x6d;
/** Bytes. */
export const T_BYTES = 0x6e;
/** bigint that fits in int64. */
export const T_BIGINT64 = 0x6f;
/** bigint written as hex digits. */
export const T_BIGINT_HEX = 0x70;
/** Shape definition followed by the object's values. */
export const T_SHAPE_DEF = 0x71;
/** Object of a shape whose id does not fit in the tag byte. */
export const T_SHAPE_REF = 0x72;
/** Objects of shape ids 0..127: tag = `T_SHAPE_INLINE + id`. */
export const T_SHAPE_INLINE = 0x80;
/** Number of shape ids that fit in the tag byte. */
export const SHAPE_INLINE_IDS = 128;

/** Containers may nest this deep (the record itself is level 0); deeper is an error (or a cycle). */
export const MAX_DEPTH = 64;
/** Objects with more keys are written key by key ({@link T_DICT}): a shape per dictionary-like object would flood the shape tree. */
export const MAX_SHAPE_KEYS = 64;
/** Shape-tree nodes per writer; objects needing more are written key by key. Bounds memory when keys are data (e.g. ids). */
export const MAX_SHAPE_NODES = 4096;
/** A shape gets a generated encoder when this many objects of it have been written. */
export const ENCODER_THRESHOLD = 8;
/** Generated encoders per writer; shapes beyond are written by a generic loop. */
export const MAX_SHAPE_ENCODERS = 256;
/** Generated encoders cached per thread, shared by its writers. */
export const MAX_CACHED_ENCODERS = 1024;
/** Object factories cached by readers (all readers of a thread share the cache). */
export const MAX_CACHED_FACTORIES = 1024;
/** Bytes an event entry takes. */
export const EVENT_SIZE = 18;

/** {@link BufferReader.next} result: a record (`value`, `timestamp` are set). */
export const ENTRY_RECORD = 0;
/** {@link BufferReader.next} result: an event (`eventKind`, `eventA`, `eventB` are set). */
export const ENTRY_EVENT = 1;
