/**
 * The byte layout of keys in the embedded store. A row key is
 *
 *   keyGroup (u16 BE) · stateId (u16 BE) · u32 length · key · u32 length · namespace [· user key]
 *
 * so one key group is one contiguous range (snapshots and rescaling read it
 * with one scan), one state within a key group too, and the rows of one map
 * state entry share the entry's key as a prefix (the user key comes last).
 * Lengths make every component self-delimiting, so no entry key is a prefix
 * of another entry's key.
 *
 * Keys are encoded by value, as `canonicalKey` compares them: a type tag, then
 * the value (numbers as float64 with -0 and NaN normalised, strings as UTF-8
 * or, when not well-formed, UTF-16, composite keys as their canonical JSON).
 * Primitive keys decode from their bytes; a composite key, or one longer than
 * {@link MAX_INLINE_KEY_BYTES} (stored as its SHA-256), does not, so its row
 * value carries the original (see `row-codec.ts`).
 */
import { createHash } from 'node:crypto';
import { canonicalKey } from '../key-grouped-map.js';

/** Longer encoded keys and namespaces are replaced by their SHA-256 (LMDB keys are at most 1 978 bytes). */
export const MAX_INLINE_KEY_BYTES = 400;

const TAG_NUMBER = 1;
const TAG_STRING = 2;
const TAG_TRUE = 3;
const TAG_FALSE = 4;
const TAG_UNDEFINED = 5;
const TAG_NULL = 6;
const TAG_BIGINT = 7;
const TAG_COMPOSITE = 8;
const TAG_HASHED = 9;
const TAG_STRING_UTF16 = 10;

/** A key (or user key, or namespace) encoded for the store. */
export interface EncodedKey {
  readonly bytes: Buffer;
  /** Whether {@link decodeKey} gives the key back from `bytes` (otherwise the row value carries it). */
  readonly decodable: boolean;
  /** A string equal for keys equal by value: the cache's index. */
  readonly id: string;
}

const float = Buffer.alloc(8);

/**
 * A string equal for keys equal by value, different otherwise (the cache's
 * index); cheaper than {@link encodeKey}. Composite keys are their canonical
 * string, which starts with NUL; the others start with a type letter.
 */
export function keyId(key: unknown): string {
  switch (typeof key) {
    case 'number':
      return `n${key === 0 ? 0 : key}`;
    case 'string':
      return `s${key}`;
    case 'boolean':
      return key ? 't' : 'f';
    case 'undefined':
      return 'u';
    case 'bigint':
      return `b${key}`;
    case 'object':
      return key === null ? 'z' : (canonicalKey(key) as string);
    default:
      throw new TypeError(`a ${typeof key} cannot be a key`);
  }
}

/** Encodes a key (or a map state's user key) by value. */
export function encodeKey(key: unknown): EncodedKey {
  switch (typeof key) {
    case 'number': {
      float.writeDoubleBE(key === 0 ? 0 : Number.isNaN(key) ? NaN : key, 0);
      return { bytes: Buffer.concat([TAG_BYTES[TAG_NUMBER]!, float]), decodable: true, id: `n${key === 0 ? 0 : key}` };
    }
    case 'string':
      return inline(encodeString(key), `s${key}`);
    case 'boolean':
      return { bytes: TAG_BYTES[key ? TAG_TRUE : TAG_FALSE]!, decodable: true, id: key ? 't' : 'f' };
    case 'undefined':
      return { bytes: TAG_BYTES[TAG_UNDEFINED]!, decodable: true, id: 'u' };
    case 'bigint':
      return inline(Buffer.concat([TAG_BYTES[TAG_BIGINT]!, Buffer.from(key.toString(), 'latin1')]), `b${key}`);
    case 'object': {
      if (key === null) return { bytes: TAG_BYTES[TAG_NULL]!, decodable: true, id: 'z' };
      const id = canonicalKey(key) as string;
      const bytes = Buffer.concat([TAG_BYTES[TAG_COMPOSITE]!, Buffer.from(id.slice(1), 'utf8')]);
      return bytes.length > MAX_INLINE_KEY_BYTES ? hashed(bytes, id) : { bytes, decodable: false, id };
    }
    default:
      throw new TypeError(`a ${typeof key} cannot be a key`);
  }
}

const TAG_BYTES: Buffer[] = Array.from({ length: 11 }, (_, tag) => Buffer.from([tag]));

function encodeString(value: string): Buffer {
  const wellFormed = (value as string & { isWellFormed(): boolean }).isWellFormed();
  return Buffer.concat([TAG_BYTES[wellFormed ? TAG_STRING : TAG_STRING_UTF16]!, Buffer.from(value, wellFormed ? 'utf8' : 'utf16le')]);
}

function inline(bytes: Buffer, id: string): EncodedKey {
  return bytes.length > MAX_INLINE_KEY_BYTES ? hashed(bytes, id) : { bytes, decodable: true, id };
}

function hashed(bytes: Buffer, id: string): EncodedKey {
  return { bytes: Buffer.concat([TAG_BYTES[TAG_HASHED]!, createHash('sha256').update(bytes).digest()]), decodable: false, id };
}

/** The key encoded in `bytes[start, end)`; `undefined` with `ok: false` when it is not decodable. */
export function decodeKey(bytes: Buffer, start = 0, end = bytes.length): { ok: boolean; key: unknown } {
  const tag = bytes[start];
  switch (tag) {
    case TAG_NUMBER:
      return { ok: true, key: bytes.readDoubleBE(start + 1) };
    case TAG_STRING:
      return { ok: true, key: bytes.toString('utf8', start + 1, end) };
    case TAG_STRING_UTF16:
      return { ok: true, key: bytes.toString('utf16le', start + 1, end) };
    case TAG_TRUE:
      return { ok: true, key: true };
    case TAG_FALSE:
      return { ok: true, key: false };
    case TAG_UNDEFINED:
      return { ok: true, key: undefined };
    case TAG_NULL:
      return { ok: true, key: null };
    case TAG_BIGINT:
      return { ok: true, key: BigInt(bytes.toString('latin1', start + 1, end)) };
    default:
      return { ok: false, key: undefined };
  }
}

/** A namespace encoded for the store: UTF-8 (or UTF-16 when not well-formed), hashed when long. */
export function encodeNamespace(namespace: string): EncodedKey {
  return namespace === '' ? EMPTY_NAMESPACE : inline(encodeString(namespace), namespace);
}

const EMPTY_NAMESPACE: EncodedKey = { bytes: TAG_BYTES[TAG_STRING]!, decodable: true, id: '' };

/** The namespace in `bytes[start, end)`, or `undefined` when it was hashed. */
export function decodeNamespace(bytes: Buffer, start: number, end: number): string | undefined {
  const { ok, key } = decodeKey(bytes, start, end);
  return ok ? (key as string) : undefined;
}

/** The key of a state entry (state, key, namespace); map rows append the user key. */
export function entryKey(keyGroup: number, stateId: number, key: Buffer, namespace: Buffer): Buffer {
  const out = Buffer.allocUnsafe(12 + key.length + namespace.length);
  out.writeUInt16BE(keyGroup, 0);
  out.writeUInt16BE(stateId, 2);
  out.writeUInt32BE(key.length, 4);
  key.copy(out, 8);
  out.writeUInt32BE(namespace.length, 8 + key.length);
  namespace.copy(out, 12 + key.length);
  return out;
}

/** The parts of a row key. */
export interface ParsedRowKey {
  readonly keyGroup: number;
  readonly stateId: number;
  readonly keyStart: number;
  readonly keyEnd: number;
  readonly namespaceStart: number;
  readonly namespaceEnd: number;
  /** Where the entry key ends: a map row's user key starts here (the entry's own row has nothing after it). */
  readonly entryEnd: number;
}

/** Splits a row key into its components (offsets into `row`). */
export function parseRowKey(row: Buffer): ParsedRowKey {
  const keyLength = row.readUInt32BE(4);
  const keyEnd = 8 + keyLength;
  const namespaceLength = row.readUInt32BE(keyEnd);
  const namespaceEnd = keyEnd + 4 + namespaceLength;
  return {
    keyGroup: row.readUInt16BE(0),
    stateId: row.readUInt16BE(2),
    keyStart: 8,
    keyEnd,
    namespaceStart: keyEnd + 4,
    namespaceEnd,
    entryEnd: namespaceEnd,
  };
}

/** The range `[start, end)` of every row whose key starts with `prefix`. */
export function prefixRange(prefix: Buffer): { start: Buffer; end: Buffer } {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return { start: prefix, end: end.subarray(0, i + 1) };
    }
  }
  // All 0xff (cannot happen: prefixes start with a key group < 0xffff): up to the end of the store.
  return { start: prefix, end: Buffer.alloc(prefix.length + 1, 0xff) };
}

/** The prefix of all rows of one key group, or of one state in one key group. */
export function groupPrefix(keyGroup: number, stateId?: number): Buffer {
  const out = Buffer.allocUnsafe(stateId === undefined ? 2 : 4);
  out.writeUInt16BE(keyGroup, 0);
  if (stateId !== undefined) out.writeUInt16BE(stateId, 2);
  return out;
}
