/**
 * Object factories of the reader: one function per shape that reads the
 * values of an object of that shape and builds it with one object literal,
 * so every object of a shape gets its final hidden class at once.
 *
 * A generated factory decodes the common tags (small ints, int32, float64,
 * ASCII strings shorter than 16 KiB) inline with the read position in a local variable and
 * calls the generic reader for anything else: no call per field, which is
 * most of the cost of decoding small records.
 * @module
 */

import { MAX_CACHED_FACTORIES, T_ASCII, T_FIXASCII, T_FIXINT_LIMIT, T_FLOAT64, T_INT32, T_NULL } from './format.js';
import type { NativeStrings } from './node-buffer.js';

/** Builds one object of a shape, reading its values in key order. */
export type Factory = () => Record<string, unknown>;

/** The reader's state, shared with the generated factories. */
export interface DecoderState {
  /** The buffer being read. */
  src: Uint8Array;
  /** A DataView of {@link src}. */
  view: DataView;
  /** Native string operations on {@link src}. */
  native: NativeStrings;
  /** Read position. */
  pos: number;
  /** Length of {@link src}. */
  end: number;
  /** Factories of the shapes defined so far in this buffer, by id. */
  shapes: Factory[];
}

/** What a factory needs from the reader. */
export interface FactoryContext {
  /** The reader's state. */
  state: DecoderState;
  /** Reads any value at `state.pos`. */
  read: () => unknown;
  /** The ASCII string of `n` (< 128) chars at `p`. */
  ascii: (p: number, n: number) => string;
}

/** Factories by the bytes of their shape definition; shared by the readers of a thread, bounded. */
const cache = new Map<string, Factory>();

/** The cached factory for a definition, or undefined. */
export function cachedFactory(definition: string): Factory | undefined {
  return cache.get(definition);
}

/** Caches a factory, evicting the oldest one when the cache is full. */
export function cacheFactory(definition: string, factory: Factory): void {
  if (cache.size >= MAX_CACHED_FACTORIES) cache.delete(cache.keys().next().value as string);
  cache.set(definition, factory);
}

/** Generated source reading field `i` into `v<i>`. */
function fieldSource(i: number): string {
  return `
    t = b[p];
    if (t < ${T_FIXINT_LIMIT}) { v${i} = t; p++; }
    else if (t === ${T_FLOAT64}) { v${i} = dv.getFloat64(p + 1, true); p += 9; }
    else if (t === ${T_INT32}) { v${i} = dv.getInt32(p + 1, true); p += 5; }
    else if (t < ${T_NULL} && t >= ${T_FIXASCII}) { v${i} = ascii(p + 1, t - ${T_FIXASCII}); p += t - ${T_FIXASCII - 1}; }
    else if (t === ${T_ASCII} && (n = b[p + 1]) < 0x80) { v${i} = ascii(p + 2, n); p += 2 + n; }
    else if (t === ${T_ASCII} && (c = b[p + 2]) < 0x80) { n = (n & 0x7f) | (c << 7); v${i} = S.native.latin1Slice(p + 3, p + 3 + n); p += 3 + n; }
    else { S.pos = p; v${i} = read(); p = S.pos; }`;
}

/**
 * A factory for objects with `keys`.
 *
 * The generated source contains no record content except key names, each
 * embedded as a JSON string literal (JSON.stringify escapes quotes,
 * backslashes, control characters and lone surrogates, so a key cannot end
 * the literal). `__proto__` is written as a computed key, the only form that
 * makes it an own property instead of setting the prototype. When code
 * generation is disabled (`--disallow-code-generation-from-strings`) a loop
 * does the same work, more slowly.
 */
export function makeFactory(keys: readonly string[], context: FactoryContext): Factory {
  const fields = keys.map((k, i) => `${k === '__proto__' ? '["__proto__"]' : JSON.stringify(k)}: v${i}`);
  const locals = keys.map((_, i) => `, v${i}`).join('');
  const source = `'use strict';
  return function () {
    const b = S.src, dv = S.view;
    let p = S.pos, t, n, c${locals};
    ${keys.map((_, i) => fieldSource(i)).join('')}
    S.pos = p;
    return { ${fields.join(', ')} };
  };`;
  try {
    const make = new Function('S', 'read', 'ascii', source) as (
      S: DecoderState,
      read: FactoryContext['read'],
      ascii: FactoryContext['ascii'],
    ) => Factory;
    return make(context.state, context.read, context.ascii);
  } catch {
    const read = context.read;
    return () => {
      const o: Record<string, unknown> = {};
      for (const k of keys) defineField(o, k, read());
      return o;
    };
  }
}

/** `o[key] = value` that also works for `__proto__`. */
export function defineField(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}
