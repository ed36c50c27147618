/**
 * The record codec of network exchanges: records (with an optional event-time
 * timestamp) and in-band events serialised into fixed-size network buffers.
 * Every buffer decodes on its own, whatever buffers its reader saw before.
 * The byte format is described in codec/format.ts.
 *
 * What travels, and how it reads back:
 * - numbers: int32 values compactly, everything else (including -0, NaN,
 *   ±Infinity) as float64, so every number reads back identical;
 * - strings: UTF-8. A string with lone surrogates (not valid UTF-16, so not
 *   encodable as UTF-8) is written as WTF-8, each lone surrogate in its
 *   3-byte form, and reads back unchanged rather than with U+FFFD;
 * - booleans, null, undefined, bigint (any size), Date, Map, Set;
 * - arrays (holes read back as undefined; other own properties are dropped);
 * - Uint8Array and Buffer read back as a Buffer (a copy: buffers are recycled);
 * - plain objects, with their own enumerable string keys in order; an own
 *   `__proto__` key stays an own property;
 * - class instances and null-prototype objects read back as plain objects of
 *   their own enumerable string-keyed properties: prototype, methods, getters
 *   on the prototype, symbol keys and non-enumerable properties are not sent.
 *   (An object whose `constructor` is Object is walked with `for...in`, which
 *   also sees enumerable inherited properties: only `Object.create(proto)`
 *   objects have any.)
 *
 * Refused with a SERIALIZATION error naming the field (e.g. `record field
 * 'a.b[2]'`), leaving the buffer as it was: functions, symbols, typed arrays
 * other than Uint8Array, ArrayBuffer, WeakMap, WeakSet, Promise, and nesting
 * deeper than 64 levels (which is also how a cycle shows).
 *
 * Performance notes (bench/codec.js): objects are written by shape (their key
 * list), defined once per buffer and referred to by a one-byte id; shapes
 * written often get a generated encoder, and the reader builds objects with a
 * generated factory per shape (key names are embedded only as JSON string
 * literals, so no record content can inject code).
 * @module
 */

export { ENTRY_EVENT, ENTRY_RECORD } from './codec/format.js';
export { BufferBuilder } from './codec/writer.js';
export { BufferReader } from './codec/reader.js';
