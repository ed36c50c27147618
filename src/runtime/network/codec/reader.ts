/**
 * The record reader: {@link BufferReader} decodes the entries of one network
 * buffer written by a BufferBuilder (format.ts). Like the writer it keeps its
 * state in one module-level object while decoding (shared with the generated
 * factories of factories.ts); decoding runs no user code, so there is no
 * re-entrancy to guard against.
 * @module
 */

import { FlinktsError } from '../../../api/errors.js';
import { SHORT_ASCII_MAX, shortAscii } from './ascii.js';
import {
  cacheFactory,
  cachedFactory,
  defineField,
  makeFactory,
  type DecoderState,
  type Factory,
  type FactoryContext,
} from './factories.js';
import {
  ENTRY_EVENT,
  ENTRY_RECORD,
  H_EVENT,
  H_RECORD,
  H_RECORD_TS,
  T_ARRAY,
  T_ASCII,
  T_BIGINT64,
  T_BIGINT_HEX,
  T_BYTES,
  T_DATE,
  T_DICT,
  T_FALSE,
  T_FIXASCII,
  T_FIXINT_LIMIT,
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

/** UTF-8 strings up to this many bytes are decoded by a JS loop; longer ones natively (measured). */
const JS_UTF8_MAX = 24;

/** The active decoder state: one object, shared with the generated factories. */
const S: DecoderState = {
  src: new Uint8Array(0),
  view: new DataView(new ArrayBuffer(0)),
  native: nativeStringsOf(new Uint8Array(0)),
  pos: 0,
  end: 0,
  shapes: [],
};
/** Id of the reader whose buffer the state holds (0: none). Ids rather than a reference: no reader is kept alive. */
let activeId = 0;
let lastId = 0;

const fromCharCode = String.fromCharCode;

function corrupt(what: string): never {
  throw new FlinktsError('SERIALIZATION', `corrupt network buffer: ${what} at offset ${S.pos}`);
}

function readVarint(): number {
  let b = S.src[S.pos++];
  if (b < 0x80) return b;
  let n = b & 0x7f;
  // Multiplication, not shifts: a 5-byte varint may exceed int32.
  for (let scale = 0x80, i = 1; i < 5; i++, scale *= 0x80) {
    b = S.src[S.pos++];
    n += (b & 0x7f) * scale;
    if (b < 0x80) return n;
  }
  return corrupt('varint too long');
}

/** A length read from the buffer, at most the bytes left (each unit takes ≥ 1 byte): a corrupt length cannot allocate much. */
function readLength(): number {
  const n = readVarint();
  if (n > S.end - S.pos) corrupt(`length ${n} beyond the end`);
  return n;
}

function readValue(): unknown {
  const t = S.src[S.pos++];
  if (t < T_FIXINT_LIMIT) return t;
  if (t >= T_SHAPE_INLINE) {
    const make = S.shapes[t - T_SHAPE_INLINE];
    if (make === undefined) corrupt(`undefined shape ${t - T_SHAPE_INLINE}`);
    return make();
  }
  if (t < T_NULL) return readAscii(t - T_FIXASCII);
  switch (t) {
    case T_INT32: {
      const v = S.view.getInt32(S.pos, true);
      S.pos += 4;
      return v;
    }
    case T_FLOAT64: {
      const v = S.view.getFloat64(S.pos, true);
      S.pos += 8;
      return v;
    }
    case T_NULL:
      return null;
    case T_UNDEFINED:
      return undefined;
    case T_FALSE:
      return false;
    case T_TRUE:
      return true;
    case T_ASCII:
      return readAscii(readLength());
    case T_UTF8: {
      const n = readLength();
      return n <= JS_UTF8_MAX ? readUtf8JS(n) : S.native.utf8Slice(S.pos, (S.pos += n));
    }
    case T_WTF8:
      return readUtf8JS(readLength());
    case T_ARRAY:
      return readArray(readLength());
    case T_SHAPE_DEF:
      return readShapeDefinition();
    case T_SHAPE_REF: {
      const id = readVarint();
      const make = S.shapes[id];
      if (make === undefined) corrupt(`undefined shape ${id}`);
      return make();
    }
    default:
      return readRareValue(t);
  }
}

function readRareValue(t: number): unknown {
  switch (t) {
    case T_DICT: {
      const n = readLength();
      const o: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const k = readValue();
        if (typeof k !== 'string') corrupt('object key is not a string');
        defineField(o, k, readValue());
      }
      return o;
    }
    case T_MAP: {
      const n = readLength();
      const m = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) m.set(readValue(), readValue());
      return m;
    }
    case T_SET: {
      const n = readLength();
      const s = new Set<unknown>();
      for (let i = 0; i < n; i++) s.add(readValue());
      return s;
    }
    case T_DATE: {
      const d = new Date(S.view.getFloat64(S.pos, true));
      S.pos += 8;
      return d;
    }
    case T_BYTES: {
      const n = readLength();
      // A copy: the network buffer is recycled once read.
      return Buffer.from(S.src.subarray(S.pos, (S.pos += n)));
    }
    case T_BIGINT64: {
      const v = S.view.getBigInt64(S.pos, true);
      S.pos += 8;
      return v;
    }
    case T_BIGINT_HEX: {
      const s = readValue();
      if (typeof s !== 'string' || !/^-?[0-9a-f]+$/.test(s)) corrupt('bad bigint');
      return s.charCodeAt(0) === 0x2d ? -BigInt(`0x${s.slice(1)}`) : BigInt(`0x${s}`);
    }
    default:
      return corrupt(`unknown tag ${String(t)}`);
  }
}

/** The ASCII string of `n` chars at `p` (the caller advances the position). */
function asciiAt(p: number, n: number): string {
  return n <= SHORT_ASCII_MAX ? shortAscii(S.src, p, n) : S.native.latin1Slice(p, p + n);
}

const FACTORY_CONTEXT: FactoryContext = { state: S, read: readValue, ascii: asciiAt };

function readAscii(n: number): string {
  const p = S.pos;
  S.pos = p + n;
  if (n <= SHORT_ASCII_MAX) return shortAscii(S.src, p, n);
  if (S.pos > S.end) corrupt('string beyond the end');
  return S.native.latin1Slice(p, S.pos);
}

/** UTF-8 and WTF-8 (a lone surrogate's 3-byte form decodes to that code unit). */
function readUtf8JS(n: number): string {
  const stop = S.pos + n;
  if (stop > S.end) corrupt('string beyond the end');
  const units: number[] = [];
  let s = '';
  while (S.pos < stop) {
    const b = S.src[S.pos++];
    if (b < 0x80) {
      units.push(b);
    } else if (b < 0xe0) {
      units.push(((b & 0x1f) << 6) | (S.src[S.pos++] & 0x3f));
    } else if (b < 0xf0) {
      units.push(((b & 0x0f) << 12) | ((S.src[S.pos++] & 0x3f) << 6) | (S.src[S.pos++] & 0x3f));
    } else {
      const c =
        (((b & 0x07) << 18) | ((S.src[S.pos++] & 0x3f) << 12) | ((S.src[S.pos++] & 0x3f) << 6) | (S.src[S.pos++] & 0x3f)) - 0x10000;
      units.push(0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff));
    }
    if (units.length >= 4096) {
      s += fromCharCode(...units);
      units.length = 0;
    }
  }
  return s + fromCharCode(...units);
}

/** One array element: the common tags inline (as generated factories do), anything else through readValue. */
function readElement(): unknown {
  const b = S.src;
  const p = S.pos;
  const t = b[p];
  if (t < T_FIXINT_LIMIT) {
    S.pos = p + 1;
    return t;
  }
  if (t < T_NULL && t >= T_FIXASCII) {
    const n = t - T_FIXASCII;
    S.pos = p + 1 + n;
    return asciiAt(p + 1, n);
  }
  return readValue();
}

function readArray(n: number): unknown[] {
  // Literals for short arrays (tuples): packed and exactly sized.
  switch (n) {
    case 0:
      return [];
    case 1:
      return [readElement()];
    case 2: {
      const a = readElement();
      return [a, readElement()];
    }
    case 3: {
      const a = readElement();
      const b = readElement();
      return [a, b, readElement()];
    }
    default: {
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = readElement();
      return a;
    }
  }
}

function skipKey(): void {
  const t = S.src[S.pos++];
  if (t >= T_FIXASCII && t < T_NULL) S.pos += t - T_FIXASCII;
  else if (t === T_ASCII || t === T_UTF8 || t === T_WTF8) {
    const n = readVarint(); // not `S.pos += readVarint()`: that adds to the position read before the varint
    S.pos += n;
  }
  else corrupt('shape key is not a string');
}

/** A shape definition, then the first object of it. */
function readShapeDefinition(): unknown {
  const defStart = S.pos;
  const n = readLength();
  for (let i = 0; i < n; i++) skipKey();
  if (S.pos > S.end) corrupt('shape definition beyond the end');
  // The definition's bytes identify the key list: no key strings are decoded when the factory is cached.
  const definition = S.native.latin1Slice(defStart, S.pos);
  let make = cachedFactory(definition);
  if (make === undefined) {
    const valuesStart = S.pos;
    S.pos = defStart;
    readVarint();
    const keys = new Array<string>(n);
    for (let i = 0; i < n; i++) keys[i] = readValue() as string;
    S.pos = valuesStart;
    make = makeFactory(keys, FACTORY_CONTEXT);
    cacheFactory(definition, make);
  }
  S.shapes.push(make);
  return make();
}

/** Reads the entries of one network buffer, in order. One reader per input channel (or one reused). */
export class BufferReader {
  private readonly id = ++lastId;
  /** The record read by the last next() that returned ENTRY_RECORD. */
  value: unknown = undefined;
  /** Its timestamp. */
  timestamp: number | undefined = undefined;
  /** The kind of the event read by the last next() that returned ENTRY_EVENT. */
  eventKind = 0;
  /** Its first payload number. */
  eventA = 0;
  /** Its second payload number. */
  eventB = 0;
  private bytes: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.bytes.buffer);
  private native: NativeStrings = nativeStringsOf(this.bytes);
  private pos = 0;
  private readonly shapes: Factory[] = [];

  /** Starts reading `bytes` (exactly the written part). */
  begin(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.native = nativeStringsOf(bytes);
    this.pos = 0;
    this.shapes.length = 0;
    this.value = undefined;
    if (activeId === this.id) activeId = 0;
  }

  /** Whether another entry follows. */
  hasNext(): boolean {
    return this.pos < this.bytes.length;
  }

  /** Decodes the next entry: ENTRY_RECORD (then `value`, `timestamp` are set) or ENTRY_EVENT (then `eventKind`, `eventA`, `eventB`). */
  next(): number {
    if (activeId !== this.id) this.activate();
    const p = this.pos;
    if (p >= S.end) throw new FlinktsError('SERIALIZATION', 'network buffer has no more entries');
    let kind: number;
    try {
      const h = S.src[p];
      if (h === H_RECORD) {
        S.pos = p + 1;
        this.timestamp = undefined;
        this.value = readValue();
        kind = ENTRY_RECORD;
      } else if (h === H_RECORD_TS) {
        this.timestamp = S.view.getFloat64(p + 1, true);
        S.pos = p + 9;
        this.value = readValue();
        kind = ENTRY_RECORD;
      } else if (h === H_EVENT) {
        this.eventKind = S.src[p + 1];
        this.eventA = S.view.getFloat64(p + 2, true);
        this.eventB = S.view.getFloat64(p + 10, true);
        S.pos = p + 18;
        this.value = undefined;
        kind = ENTRY_EVENT;
      } else {
        S.pos = p;
        return corrupt(`unknown entry header ${h}`);
      }
    } catch (e) {
      // Reads past the end surface as RangeErrors from DataView / Buffer.
      if (e instanceof FlinktsError) throw e;
      throw new FlinktsError('SERIALIZATION', `corrupt network buffer near offset ${S.pos}: ${String(e)}`, { cause: e });
    }
    if (S.pos > S.end) corrupt('entry runs beyond the end');
    this.pos = S.pos;
    return kind;
  }

  private activate(): void {
    activeId = this.id;
    S.src = this.bytes;
    S.view = this.view;
    S.native = this.native;
    S.end = this.bytes.length;
    S.shapes = this.shapes;
  }
}
