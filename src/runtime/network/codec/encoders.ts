/**
 * Generated encoders: for a shape that is written often, a function that
 * reads the object's fields by name (monomorphic property loads, where a
 * generic loop does keyed loads) and writes numbers and short ASCII strings
 * inline with the write position in a local variable, calling the generic
 * writer for anything else.
 * @module
 */

import { FIXASCII_MAX, MAX_CACHED_ENCODERS, T_FIXASCII, T_FLOAT64, T_INT32, T_FIXINT_LIMIT } from './format.js';
import type { NativeStrings } from './node-buffer.js';
import type { ShapeEncoder } from './shape-tree.js';

/** The writer's state, shared with the generated encoders. */
export interface EncoderState {
  /** The buffer being filled. */
  target: Uint8Array;
  /** A DataView of {@link target}. */
  view: DataView;
  /** Native string operations on {@link target}. */
  native: NativeStrings;
  /** Write position. */
  pos: number;
  /** Length of {@link target}. */
  end: number;
}

/** What an encoder needs from the writer. */
export interface EncoderContext {
  /** The writer's state. */
  state: EncoderState;
  /** Writes any value at `state.pos`. */
  write: (v: unknown, depth: number) => void;
  /** Writes a string at `state.pos`. */
  string: (s: string) => void;
  /** Throws the does-not-fit signal. */
  overflow: () => never;
}

/** Generated source writing field `key`. */
function fieldSource(key: string): string {
  return `
    v = o[${JSON.stringify(key)}];
    if (typeof v === 'number') {
      if (p + 9 > e) overflow();
      if ((v | 0) === v && (v !== 0 || 1 / v > 0)) {
        if (v >>> 0 < ${T_FIXINT_LIMIT}) t[p++] = v;
        else { t[p] = ${T_INT32}; dv.setInt32(p + 1, v, true); p += 5; }
      } else { t[p] = ${T_FLOAT64}; dv.setFloat64(p + 1, v, true); p += 9; }
    } else if (typeof v === 'string') {
      n = v.length;
      if (n <= ${FIXASCII_MAX} && p + 1 + n <= e) {
        t[p] = ${T_FIXASCII} + n;
        for (i = 0, all = 0; i < n; i++) { c = v.charCodeAt(i); all |= c; t[p + 1 + i] = c; }
        if (all < 0x80) p += 1 + n;
        else { W.pos = p; string(v); p = W.pos; }
      } else { W.pos = p; string(v); p = W.pos; }
    } else { W.pos = p; write(v, depth); p = W.pos; }`;
}

/** Encoders by key list (JSON), shared by the writers of a thread (a task has a writer per output channel), bounded. */
const cache = new Map<string, ShapeEncoder>();

/** The encoder for objects with `keys`, generated once per thread; undefined when code generation is disabled. */
export function encoderFor(keys: readonly string[], context: EncoderContext): ShapeEncoder | undefined {
  const id = JSON.stringify(keys);
  let encoder = cache.get(id);
  if (encoder === undefined) {
    encoder = makeEncoder(keys, context);
    if (encoder === undefined) return undefined;
    if (cache.size >= MAX_CACHED_ENCODERS) cache.delete(cache.keys().next().value as string);
    cache.set(id, encoder);
  }
  return encoder;
}

/**
 * An encoder for objects with `keys`, or undefined when code generation is
 * disabled. The source contains no record content except key names, each
 * embedded as a JSON string literal (JSON.stringify escapes quotes,
 * backslashes, control characters and lone surrogates, so a key cannot end
 * the literal). `o["__proto__"]` reads an own `__proto__` property: own
 * properties shadow the accessor of Object.prototype.
 */
export function makeEncoder(keys: readonly string[], context: EncoderContext): ShapeEncoder | undefined {
  const source = `'use strict';
  return function (o, depth) {
    const t = W.target, dv = W.view, e = W.end;
    let p = W.pos, v, n, i, c, all;
    ${keys.map(fieldSource).join('')}
    W.pos = p;
  };`;
  try {
    const make = new Function('W', 'write', 'string', 'overflow', source) as (
      W: EncoderState,
      write: EncoderContext['write'],
      string: EncoderContext['string'],
      overflow: EncoderContext['overflow'],
    ) => ShapeEncoder;
    return make(context.state, context.write, context.string, context.overflow);
  } catch {
    return undefined;
  }
}
