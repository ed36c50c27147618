/**
 * Object factories of the reader: one function per shape that builds the
 * object with an object literal, so every object of a shape gets the same
 * hidden class straight away and no per-key stores on a growing object.
 * @module
 */

import { MAX_CACHED_FACTORIES } from './format.js';

/** Builds one object of a shape, reading its values in key order. */
export type Factory = () => Record<string, unknown>;

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

/**
 * A factory for objects with `keys` whose values come from `read`.
 *
 * The generated source contains no record content except key names, each
 * embedded as a JSON string literal (JSON.stringify escapes quotes,
 * backslashes, control characters and lone surrogates, so a key cannot end
 * the literal). `__proto__` is written as a computed key, the only form that
 * makes it an own property instead of setting the prototype. When code
 * generation is disabled (`--disallow-code-generation-from-strings`) a loop
 * does the same work, more slowly.
 */
export function makeFactory(keys: readonly string[], read: () => unknown): Factory {
  const fields = keys.map((k) => `${k === '__proto__' ? '["__proto__"]' : JSON.stringify(k)}: r()`);
  try {
    const make = new Function('r', `'use strict'; return function () { return { ${fields.join(', ')} }; };`) as (
      r: () => unknown,
    ) => Factory;
    return make(read);
  } catch {
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
