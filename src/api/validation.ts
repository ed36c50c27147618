/** Argument checks shared by the API calls that take a parallelism. */
import { invalidArgument } from './errors.js';
import type { KeySelector } from './functions.js';

/** A key selector, or the field name / tuple index to key by. */
export type KeySpec<T, K> = KeySelector<T, K> | string | number;

/** The largest max parallelism (number of key groups), as in Flink. */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

/** Throws naming `call(parallelism)` and, when given, what it was called on (e.g. `on 'Map'`). */
export function checkParallelism(call: string, parallelism: number, on?: string): void {
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    invalidArgument(callText(call, parallelism, on), 'the parallelism must be a positive integer');
  }
}

/** Throws naming `call(maxParallelism)` unless it is an integer in [1, 32768]. */
export function checkMaxParallelism(call: string, maxParallelism: number, on?: string): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
    invalidArgument(callText(call, maxParallelism, on), `the max parallelism must be an integer between 1 and ${UPPER_BOUND_MAX_PARALLELISM}`);
  }
}

function callText(call: string, argument: number, on: string | undefined): string {
  return on === undefined ? `${call}(${argument})` : `${call}(${argument}) ${on}`;
}

/** Throws naming `call` unless `fn` is a function or an object with `method`. */
export function checkFunction(call: string, fn: unknown, method: string): void {
  if (typeof fn === 'function') return;
  // Arrays have map/filter/flatMap/reduce methods of their own, but are no user functions.
  if (typeof fn === 'object' && fn !== null && !Array.isArray(fn) && typeof (fn as Record<string, unknown>)[method] === 'function') return;
  const article = /^[aeiou]/.test(method) ? 'an' : 'a';
  invalidArgument(call, `expected a function or an object with ${article} ${method}() method, got ${describe(fn)}`);
}

/** Normalises a key spec (selector, field name or tuple index) into a selector. */
export function toKeySelector<T, K>(call: string, key: KeySpec<T, K>): KeySelector<T, K> {
  if (typeof key === 'string') {
    if (key.length === 0) invalidArgument(call, 'the key field name must not be empty');
    return (value: T) => (value as Record<string, K>)[key] as K;
  }
  if (typeof key === 'number') {
    if (!Number.isInteger(key) || key < 0) invalidArgument(call, `the key tuple index must be a non-negative integer, got ${key}`);
    return (value: T) => (value as unknown as K[])[key] as K;
  }
  checkFunction(call, key, 'getKey');
  return key;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object without it' : typeof value;
}
