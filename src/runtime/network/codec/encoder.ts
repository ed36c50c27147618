/**
 * The value encoder behind BufferBuilder: writes one value at a time into the
 * buffer of the active builder, in the format of format.ts.
 *
 * The state lives in one module-level object rather than on a builder, so the
 * recursive write functions (and generated encoders) are plain functions over
 * a handful of fields; a builder installs its buffer and shape table before
 * writing. Running out of space throws the preallocated `OVERFLOW`
 * (encoder-state.ts), caught by the builder, which rolls the record back: one throw per filled
 * buffer instead of a result check after every write.
 * @module
 */

import {
  ENCODER_THRESHOLD,
  MAX_DEPTH,
  MAX_SHAPE_ENCODERS,
  SHAPE_INLINE_IDS,
  T_ARRAY,
  T_BIGINT64,
  T_BIGINT_HEX,
  T_BYTES,
  T_DATE,
  T_DICT,
  T_FALSE,
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
} from './format.js';
import { encoderFor, type EncoderContext } from './encoders.js';
import { nativeStringsOf } from './node-buffer.js';
import { W, overflow, putVarint, varintSize } from './encoder-state.js';
import { writeString } from './encode-strings.js';
import { CodecFault, unsupportedKind } from './problems.js';
import { ShapeNode, ShapeTable } from './shape-tree.js';

let shapes = new ShapeTable();
let root = shapes.root;
let epoch = 0;

/** Makes `table` the shape table written against, in the buffer of `bufferEpoch`. */
export function useShapes(table: ShapeTable, bufferEpoch: number): void {
  shapes = table;
  root = table.root;
  epoch = bufferEpoch;
}

const ENCODER_CONTEXT: EncoderContext = { state: W, write: writeValue, string: writeString, overflow };

/** Writes any value at the position; `depth` is its nesting level (the record is 0). */
export function writeValue(v: unknown, depth: number): void {
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
  if (W.pos >= W.end) overflow();
  W.target[W.pos++] = b;
}

function writeNumber(v: number): void {
  const p = W.pos;
  if (p + 9 > W.end) overflow();
  // -0 passes (v | 0) === v; it stays a float64 so it survives the trip.
  if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
    if (v >>> 0 < 0x40) {
      W.target[p] = v;
      W.pos = p + 1;
    } else {
      W.target[p] = T_INT32;
      W.view.setInt32(p + 1, v, true);
      W.pos = p + 5;
    }
  } else {
    W.target[p] = T_FLOAT64;
    W.view.setFloat64(p + 1, v, true);
    W.pos = p + 9;
  }
}

function writeBigInt(v: bigint): void {
  if (BigInt.asIntN(64, v) === v) {
    if (W.pos + 9 > W.end) overflow();
    W.target[W.pos] = T_BIGINT64;
    W.view.setBigInt64(W.pos + 1, v, true);
    W.pos += 9;
  } else {
    writeByte(T_BIGINT_HEX);
    writeString(v < 0n ? `-${(-v).toString(16)}` : v.toString(16));
  }
}

function writeObject(v: object, depth: number): void {
  if (depth >= MAX_DEPTH) throw new CodecFault(`is nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(v)) writeArray(v, depth + 1);
  // A plain object's for...in sees only its own keys (Object.prototype has no enumerable ones).
  else if ((v as { constructor?: unknown }).constructor === Object) writePlainObject(v as Record<string, unknown>, depth + 1);
  else writeOtherObject(v, depth + 1);
}

function writeArray(a: unknown[], depth: number): void {
  const n = a.length;
  if (W.pos + 6 > W.end) overflow();
  W.target[W.pos++] = T_ARRAY;
  putVarint(n);
  for (let i = 0; i < n; i++) writeValue(a[i], depth);
}

/** Finds the shape with for...in (no allocation once seen), writes its header, then the values. */
function writePlainObject(o: Record<string, unknown>, depth: number): void {
  let node = root;
  for (const k in o) {
    const next = node.lastKey === k ? (node.lastNext as ShapeNode) : shapes.transition(node, k);
    if (next === null) {
      writeDict(o, Object.keys(o), depth);
      return;
    }
    node = next;
  }
  writeShapeHeader(node);
  if (node.encoder !== undefined) {
    node.encoder(o, depth);
    return;
  }
  // The same for...in again: it loads values through the enum cache, faster than keyed loads by name.
  let n = 0;
  for (const k in o) {
    writeValue(o[k], depth);
    n++;
  }
  if (n !== node.length) throw new CodecFault('changed while it was being serialised');
  countUse(node);
}

/** Like writePlainObject for an explicit key list (class instances, null-prototype objects). */
function writeKeyedObject(o: Record<string, unknown>, keys: string[], depth: number): void {
  let node = root;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const next = node.lastKey === k ? (node.lastNext as ShapeNode) : shapes.transition(node, k);
    if (next === null) {
      writeDict(o, keys, depth);
      return;
    }
    node = next;
  }
  writeShapeHeader(node);
  if (node.encoder !== undefined) {
    node.encoder(o, depth);
    return;
  }
  for (let i = 0; i < keys.length; i++) writeValue(o[keys[i]], depth);
  countUse(node);
}

function countUse(node: ShapeNode): void {
  if (++node.uses === ENCODER_THRESHOLD && shapes.encoderCount < MAX_SHAPE_ENCODERS) {
    node.encoder = encoderFor(node.keys(), ENCODER_CONTEXT);
    shapes.encoderCount++;
  }
}

/** A reference to the shape, or its definition at its first use in this buffer. */
function writeShapeHeader(node: ShapeNode): void {
  if (node.epoch === epoch) {
    const id = node.id;
    if (id < SHAPE_INLINE_IDS) {
      writeByte(T_SHAPE_INLINE + id);
    } else {
      if (W.pos + 6 > W.end) overflow();
      W.target[W.pos++] = T_SHAPE_REF;
      putVarint(id);
    }
    return;
  }
  const keyBytes = node.keyBytes ?? encodeKeyList(node);
  if (W.pos + 1 + keyBytes.length > W.end) overflow();
  W.target[W.pos++] = T_SHAPE_DEF;
  W.target.set(keyBytes, W.pos);
  W.pos += keyBytes.length;
  const id = shapes.nextId++;
  shapes.defined[id] = node;
  node.epoch = epoch;
  node.id = id;
}

/** The key list of a shape as written in its definition, by the writer's own string encoder. */
function encodeKeyList(node: ShapeNode): Uint8Array {
  const keys = node.keys();
  let bound = 5;
  for (const k of keys) bound += 6 + 3 * k.length;
  const scratch = new Uint8Array(bound);
  const saved = { ...W };
  W.target = scratch;
  W.view = new DataView(scratch.buffer);
  W.native = nativeStringsOf(scratch);
  W.pos = 0;
  W.end = bound;
  try {
    putVarint(keys.length);
    for (const k of keys) writeString(k);
    node.keyBytes = scratch.slice(0, W.pos);
  } finally {
    Object.assign(W, saved);
  }
  return node.keyBytes;
}

/** An object written key by key: too many keys, or the shape tree is full. */
function writeDict(o: Record<string, unknown>, keys: string[], depth: number): void {
  if (W.pos + 6 > W.end) overflow();
  W.target[W.pos++] = T_DICT;
  putVarint(keys.length);
  for (const k of keys) {
    writeString(k);
    writeValue(o[k], depth);
  }
}

function writeOtherObject(v: object, depth: number): void {
  if (v instanceof Date) {
    if (W.pos + 9 > W.end) overflow();
    W.target[W.pos] = T_DATE;
    W.view.setFloat64(W.pos + 1, v.getTime(), true);
    W.pos += 9;
  } else if (v instanceof Uint8Array) {
    const n = v.length;
    if (W.pos + 1 + varintSize(n) + n > W.end) overflow();
    W.target[W.pos++] = T_BYTES;
    putVarint(n);
    W.target.set(v, W.pos);
    W.pos += n;
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
  if (W.pos + 6 > W.end) overflow();
  W.target[W.pos++] = tag;
  putVarint(size);
}
