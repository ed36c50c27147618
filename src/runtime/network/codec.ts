/**
 * The record codec of network exchanges: records and in-band events
 * serialised into fixed-size network buffers, each buffer decodable on its
 * own. See codec/format.ts for the byte format.
 *
 * What travels:
 * - numbers (int32 compactly, everything else, including -0 and NaN, as
 *   float64), strings (UTF-8; lone surrogates survive as WTF-8), booleans,
 *   null, undefined, bigint, arrays (holes read back as undefined), plain
 *   objects, Date, Uint8Array/Buffer (read back as Buffer), Map and Set;
 * - class instances and null-prototype objects as plain objects of their own
 *   enumerable string-keyed properties (the prototype, symbol keys and
 *   non-enumerable properties are not sent);
 * - functions, symbols, typed arrays other than Uint8Array, ArrayBuffer,
 *   WeakMap/WeakSet and Promise are refused with a SERIALIZATION error naming
 *   the field, as is nesting deeper than 64 levels (or a cycle).
 * @module
 */

export { ENTRY_EVENT, ENTRY_RECORD } from './codec/format.js';
export { BufferBuilder } from './codec/writer.js';
export { BufferReader } from './codec/reader.js';
