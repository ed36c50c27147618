/**
 * The record writer: {@link BufferBuilder} fills fixed-size network buffers
 * with records and events in the format of format.ts.
 *
 * The encoder state lives in module variables rather than on `this`, so the
 * recursive write functions are plain functions over a handful of context
 * slots (the layout msgpackr uses); a builder loads its state into them when
 * it becomes the active one. Nothing here is asynchronous, so one encode runs
 * at a time per thread; a getter that starts another encode is refused.
 *
 * Running out of space throws a preallocated sentinel caught by
 * `tryWriteRecord`, which rolls back the record (its bytes and any shape it
 * defined): one throw per filled buffer instead of a check after every write.
 * @module
 */

import { FlinktsError } from '../../../api/errors.js';
import {
  EVENT_SIZE,
  FIXASCII_MAX,
  H_EVENT,
  H_RECORD,
  H_RECORD_TS,
  MAX_DEPTH,
  SHAPE_INLINE_IDS,
  T_ARRAY,
  T_ASCII,
  T_BIGINT64,
  T_BIGINT_HEX,
  T_BYTES,
  T_DATE,
  T_DICT,
  T_FALSE,
  T_FIXASCII,
  T_FLOAT64,
  T_INT32,
  T_MAP,
  T_NULL,
  T_SET,
  T_SHAPE_DEF,
  T_SHAPE_INLINE,
  T_SHAPE_REF,
  T_TRUE,
  T_UNDEFINED,
  T_UTF8,
  T_WTF8,
} from './format.js';
import { nativeStringsOf, type NativeStrings } from './node-buffer.js';
import { CodecFault, serializationError, unsupportedKind } from './problems.js';
import { ShapeNode, ShapeTable } from './shape-tree.js';

/** Strings up to this length are encoded by a charCodeAt loop; longer ones natively (faster from about 40 chars, measured). */
const JS_STRING_MAX = 40;
/** Largest buffer encodeOversized builds. */
const MAX_OVERSIZED = 2 ** 31;

/** Thrown when the record does not fit; preallocated so a full buffer costs no allocation. */
const OVERFLOW = { overflow: true };

// ---- the active encoder state ----
let target: Uint8Array = new Uint8Array(0);
let view: DataView = new DataView(target.buffer);
let native: NativeStrings = nativeStringsOf(target);
let pos = 0;
let end = 0;
let epoch = 0;
let shapes = new ShapeTable();
let root = shapes.root;
let active: BufferBuilder | null = null;
let busy = false;
/** Buffer epochs are unique per thread, so a node's epoch never matches a buffer it was not defined in. */
let epochCounter = 0;

function overflow(): never {
  throw OVERFLOW;
}

function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Writes a varint at `pos`; the caller has checked the space. */
function putVarint(n: number): void {
  while (n >= 0x80) {
    target[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  target[pos++] = n;
}

/** Writes `n` as a varint of exactly `width` bytes at `at` (padded with continuation bytes). */
function putPaddedVarint(at: number, n: number, width: number): void {
  for (let i = 1; i < width; i++) {
    target[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  target[at] = n;
}

function writeValue(v: unknown, depth: number): void {
  if (typeof v === 'number') writeNumber(v);
  else if (typeof v === 'string') writeString(v);
  else if (typeof v === 'object') {
    if (v === null) writeByte(T_NULL);
    else writeObject(v, depth);
  } else if (typeof v === 'boolean') writeByte(v ? T_TRUE : T_FALSE);
  else if (v === undefined) writeByte(T_UNDEFINED);
  else if (typeof v === 'bigint') writeBigInt(v);
  else throw new CodecFault(`contains a ${typeof v}, which cannot be serialised`);
}

function writeByte(b: number): void {
  if (pos >= end) overflow();
  target[pos++] = b;
}

function writeNumber(v: number): void {
  // -0 passes (v | 0) === v; it stays a float64 so it survives the trip.
  if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
    if (v >>> 0 < 0x40) {
      if (pos >= end) overflow();
      target[pos++] = v;
    } else {
      if (pos + 5 > end) overflow();
      target[pos] = T_INT32;
      view.setInt32(pos + 1, v, true);
      pos += 5;
    }
  } else {
    if (pos + 9 > end) overflow();
    target[pos] = T_FLOAT64;
    view.setFloat64(pos + 1, v, true);
    pos += 9;
  }
}

function writeString(s: string): void {
  const len = s.length;
  if (len > JS_STRING_MAX) {
    writeLongString(s);
    return;
  }
  // ASCII fast path. Any other string is longer in UTF-8, so "no room for the ASCII form" is exact.
  let p = pos;
  if (len <= FIXASCII_MAX) {
    if (p + 1 + len > end) overflow();
    target[p++] = T_FIXASCII + len;
  } else {
    if (p + 2 + len > end) overflow();
    target[p++] = T_ASCII;
    target[p++] = len; // a one-byte varint: JS_STRING_MAX < 128
  }
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      writeStringJS(s);
      return;
    }
    target[p++] = c;
  }
  pos = p;
}

function writeLongString(s: string): void {
  const len = s.length;
  const bound = len * 3;
  // Lone surrogates would become U+FFFD natively; the JS path keeps them (WTF-8).
  if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    writeStringJS(s);
    return;
  }
  if (pos + 6 + bound <= end) {
    // Reserve a header for the worst case and pad it: no second pass over the string.
    const width = varintSize(bound);
    const written = native.utf8Write(s, pos + 1 + width, bound);
    target[pos] = written === len ? T_ASCII : T_UTF8;
    putPaddedVarint(pos + 1, written, width);
    pos += 1 + width + written;
    return;
  }
  // Near the end of the buffer: measure exactly, so a string that fits is not refused.
  const bytes = Buffer.byteLength(s, 'utf8');
  if (pos + 1 + varintSize(bytes) + bytes > end) overflow();
  target[pos++] = bytes === len ? T_ASCII : T_UTF8;
  putVarint(bytes);
  pos += native.utf8Write(s, pos, bytes);
}

/** Any string as UTF-8, lone surrogates as their 3-byte form (WTF-8), by a JS loop. */
function writeStringJS(s: string): void {
  const len = s.length;
  let bytes = 0;
  let lone = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if ((c & 0xfc00) === 0xd800 && i + 1 < len && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else {
      if ((c & 0xf800) === 0xd800) lone = true;
      bytes += 3;
    }
  }
  if (pos + 1 + varintSize(bytes) + bytes > end) overflow();
  target[pos++] = lone ? T_WTF8 : bytes === len ? T_ASCII : T_UTF8;
  putVarint(bytes);
  let p = pos;
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      target[p++] = c;
    } else if (c < 0x800) {
      target[p++] = 0xc0 | (c >> 6);
      target[p++] = 0x80 | (c & 0x3f);
    } else {
      if ((c & 0xfc00) === 0xd800 && i + 1 < len) {
        const d = s.charCodeAt(i + 1);
        if ((d & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          target[p++] = 0xf0 | (c >> 18);
          target[p++] = 0x80 | ((c >> 12) & 0x3f);
          target[p++] = 0x80 | ((c >> 6) & 0x3f);
          target[p++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      target[p++] = 0xe0 | (c >> 12);
      target[p++] = 0x80 | ((c >> 6) & 0x3f);
      target[p++] = 0x80 | (c & 0x3f);
    }
  }
  pos = p;
}

function writeBigInt(v: bigint): void {
  if (BigInt.asIntN(64, v) === v) {
    if (pos + 9 > end) overflow();
    target[pos] = T_BIGINT64;
    view.setBigInt64(pos + 1, v, true);
    pos += 9;
  } else {
    writeByte(T_BIGINT_HEX);
    writeString(v < 0n ? `-${(-v).toString(16)}` : v.toString(16));
  }
}

function writeObject(v: object, depth: number): void {
  if (depth >= MAX_DEPTH) throw new CodecFault(`is nested deeper than ${MAX_DEPTH} levels`);
  // A plain object's for...in sees only its own keys (Object.prototype has no enumerable ones).
  if ((v as { constructor?: unknown }).constructor === Object) writePlainObject(v as Record<string, unknown>, depth + 1);
  else if (Array.isArray(v)) writeArray(v, depth + 1);
  else writeOtherObject(v, depth + 1);
}

function writeArray(a: unknown[], depth: number): void {
  const n = a.length;
  if (pos + 6 > end) overflow();
  target[pos++] = T_ARRAY;
  putVarint(n);
  for (let i = 0; i < n; i++) writeValue(a[i], depth);
}

/**
 * Writes the values in key order after a one-byte placeholder, walking the
 * shape tree on the way, and puts the shape header in front at the end
 * (shifting the values when it is longer than one byte: once per shape and
 * buffer).
 */
function writePlainObject(o: Record<string, unknown>, depth: number): void {
  const start = pos;
  if (start >= end) overflow();
  pos = start + 1;
  const firstId = shapes.nextId;
  let node = root;
  for (const k in o) {
    const next = node.lastKey === k ? (node.lastNext as ShapeNode) : shapes.transition(node, k);
    if (next === null) {
      restartAsDict(o, Object.keys(o), depth, start, firstId);
      return;
    }
    node = next;
    writeValue(o[k], depth);
  }
  if (node.epoch === epoch && node.id < SHAPE_INLINE_IDS && node.defPos < start) target[start] = T_SHAPE_INLINE + node.id;
  else finishShape(node, start);
}

/** Like writePlainObject for an explicit key list (class instances, null-prototype objects). */
function writeKeyedObject(o: Record<string, unknown>, keys: string[], depth: number): void {
  const start = pos;
  if (start >= end) overflow();
  pos = start + 1;
  const firstId = shapes.nextId;
  let node = root;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const next = node.lastKey === k ? (node.lastNext as ShapeNode) : shapes.transition(node, k);
    if (next === null) {
      restartAsDict(o, keys, depth, start, firstId);
      return;
    }
    node = next;
    writeValue(o[k], depth);
  }
  if (node.epoch === epoch && node.id < SHAPE_INLINE_IDS && node.defPos < start) target[start] = T_SHAPE_INLINE + node.id;
  else finishShape(node, start);
}

function finishShape(node: ShapeNode, start: number): void {
  let id: number;
  let define: boolean;
  if (node.epoch !== epoch) {
    id = shapes.nextId++;
    shapes.defined[id] = node;
    node.epoch = epoch;
    node.id = id;
    define = true;
  } else {
    id = node.id;
    // Defined later in this buffer than this object starts: only possible when an object contains one of its own
    // shape (the inner one finished first). The reader must meet a definition first, so define it again.
    define = node.defPos >= start;
  }
  let keyBytes: Uint8Array | undefined;
  let headerSize = 1 + varintSize(id);
  if (define) {
    keyBytes = node.keyBytes ?? encodeKeyList(node);
    headerSize += keyBytes.length;
    node.defPos = start;
  } else if (id < SHAPE_INLINE_IDS) {
    target[start] = T_SHAPE_INLINE + id;
    return;
  }
  const shift = headerSize - 1;
  if (pos + shift > end) overflow();
  target.copyWithin(start + headerSize, start + 1, pos);
  pos += shift;
  const valuesEnd = pos;
  pos = start;
  target[pos++] = define ? T_SHAPE_DEF : T_SHAPE_REF;
  putVarint(id);
  if (keyBytes !== undefined) target.set(keyBytes, pos);
  pos = valuesEnd;
}

/** The key list of a shape as written in its definition, with the writer's own string encoder. */
function encodeKeyList(node: ShapeNode): Uint8Array {
  const keys = node.keys();
  let bound = 5;
  for (const k of keys) bound += 6 + 3 * k.length;
  const scratch = new Uint8Array(bound);
  const saved = { target, view, native, pos, end };
  target = scratch;
  view = new DataView(scratch.buffer);
  native = nativeStringsOf(scratch);
  pos = 0;
  end = bound;
  try {
    putVarint(keys.length);
    for (const k of keys) writeString(k);
    node.keyBytes = scratch.slice(0, pos);
  } finally {
    ({ target, view, native, pos, end } = saved);
  }
  return node.keyBytes;
}

/** Rolls back a shaped object that hit a shape limit and writes it key by key. */
function restartAsDict(o: Record<string, unknown>, keys: string[], depth: number, start: number, firstId: number): void {
  pos = start;
  shapes.undefineFrom(firstId);
  if (pos + 6 > end) overflow();
  target[pos++] = T_DICT;
  putVarint(keys.length);
  for (const k of keys) {
    writeString(k);
    writeValue(o[k], depth);
  }
}

function writeOtherObject(v: object, depth: number): void {
  if (v instanceof Date) {
    if (pos + 9 > end) overflow();
    target[pos] = T_DATE;
    view.setFloat64(pos + 1, v.getTime(), true);
    pos += 9;
  } else if (v instanceof Uint8Array) {
    const n = v.length;
    if (pos + 1 + varintSize(n) + n > end) overflow();
    target[pos++] = T_BYTES;
    putVarint(n);
    target.set(v, pos);
    pos += n;
  } else if (v instanceof Map) {
    writeCollectionHeader(T_MAP, v.size);
    let n = 0;
    for (const [k, x] of v) {
      writeValue(k, depth);
      writeValue(x, depth);
      n++;
    }
    if (n !== v.size) throw new CodecFault('changed while it was being serialised');
  } else if (v instanceof Set) {
    writeCollectionHeader(T_SET, v.size);
    let n = 0;
    for (const x of v) {
      writeValue(x, depth);
      n++;
    }
    if (n !== v.size) throw new CodecFault('changed while it was being serialised');
  } else {
    const kind = unsupportedKind(v);
    if (kind !== null) throw new CodecFault(`contains a ${kind}, which cannot be serialised`);
    // Class instances and null-prototype objects: their own enumerable string keys, read back as a plain object.
    writeKeyedObject(v as Record<string, unknown>, Object.keys(v), depth);
  }
}

function writeCollectionHeader(tag: number, size: number): void {
  if (pos + 6 > end) overflow();
  target[pos++] = tag;
  putVarint(size);
}

/**
 * Fills one network buffer with records and events. One builder per output
 * channel: the shape tree it learns is reused for every buffer it fills.
 */
export class BufferBuilder {
  private target: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.target.buffer);
  private native: NativeStrings = nativeStringsOf(this.target);
  private pos = 0;
  private count = 0;
  private epoch = 0;
  private readonly shapes = new ShapeTable();

  /** Starts filling `target` (all its bytes are free). */
  begin(target: Uint8Array): void {
    this.target = target;
    this.view = new DataView(target.buffer, target.byteOffset, target.byteLength);
    this.native = nativeStringsOf(target);
    this.pos = 0;
    this.count = 0;
    this.epoch = ++epochCounter;
    this.shapes.nextId = 0;
    this.shapes.defined.length = 0;
    if (active === this) active = null;
  }

  /**
   * Appends a record; returns false and leaves the buffer unchanged when it
   * does not fit in the remaining space (bytes after {@link size} are scratch
   * and may have been overwritten). Throws a SERIALIZATION error naming the
   * field for values that cannot be encoded, also leaving the buffer as it was.
   */
  tryWriteRecord(value: unknown, timestamp: number | undefined): boolean {
    if (busy) throw new FlinktsError('SERIALIZATION', 'a record was serialised while another one was (from a getter?)');
    if (timestamp !== undefined && typeof timestamp !== 'number') {
      throw new FlinktsError('SERIALIZATION', `record timestamp must be a number or undefined, got ${typeof timestamp}`);
    }
    if (active !== this) this.activate();
    const start = this.pos;
    const firstId = shapes.nextId;
    pos = start;
    busy = true;
    try {
      if (timestamp === undefined) {
        if (pos >= end) overflow();
        target[pos++] = H_RECORD;
      } else {
        if (pos + 9 > end) overflow();
        target[pos] = H_RECORD_TS;
        view.setFloat64(pos + 1, timestamp, true);
        pos += 9;
      }
      writeValue(value, 0);
    } catch (e) {
      busy = false;
      pos = start;
      shapes.undefineFrom(firstId);
      if (e === OVERFLOW) return false;
      throw serializationError(e, value);
    }
    busy = false;
    this.pos = pos;
    this.count++;
    return true;
  }

  /** Appends an event (kind 0..255, two float64 payload numbers); false when it does not fit. */
  tryWriteEvent(kind: number, a: number, b: number): boolean {
    if (!Number.isInteger(kind) || kind < 0 || kind > 255 || typeof a !== 'number' || typeof b !== 'number') {
      throw new FlinktsError('SERIALIZATION', `invalid event (kind ${String(kind)}, payload ${String(a)}, ${String(b)})`);
    }
    const p = this.pos;
    if (p + EVENT_SIZE > this.target.length) return false;
    this.target[p] = H_EVENT;
    this.target[p + 1] = kind;
    this.view.setFloat64(p + 2, a, true);
    this.view.setFloat64(p + 10, b, true);
    this.pos = p + EVENT_SIZE;
    return true;
  }

  /** Bytes written since begin(). */
  get size(): number {
    return this.pos;
  }

  /** Number of records written since begin(). */
  get recordCount(): number {
    return this.count;
  }

  /** One record that does not fit into an empty segment, encoded alone into a new exactly-sized buffer readable by BufferReader. */
  static encodeOversized(value: unknown, timestamp: number | undefined): Uint8Array {
    oversized ??= new BufferBuilder();
    for (let size = 1 << 16; ; size = Math.min(size * 4, MAX_OVERSIZED)) {
      oversized.begin(new Uint8Array(size));
      if (oversized.tryWriteRecord(value, timestamp)) return oversized.target.slice(0, oversized.pos);
      if (size >= MAX_OVERSIZED) {
        throw new FlinktsError('SERIALIZATION', `record is larger than ${MAX_OVERSIZED} bytes when serialised`);
      }
    }
  }

  private activate(): void {
    active = this;
    target = this.target;
    view = this.view;
    native = this.native;
    end = this.target.length;
    epoch = this.epoch;
    shapes = this.shapes;
    root = this.shapes.root;
  }
}

let oversized: BufferBuilder | undefined;
