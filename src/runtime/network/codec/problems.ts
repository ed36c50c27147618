/**
 * Turning a failed encode into a SERIALIZATION error that names the field.
 *
 * The writer does not track the path of the value it is writing (that would
 * cost on every record); when it fails it throws a {@link CodecFault}, and
 * the record is walked again here, slowly and with paths, applying the same
 * rules, to find the first offending field.
 * @module
 */

import { FlinktsError } from '../../../api/errors.js';
import { MAX_DEPTH } from './format.js';

/** A value the writer cannot encode; the path is added by {@link serializationError}. Not an Error: no stack to capture. */
export class CodecFault {
  /** What is wrong, e.g. "is a function". */
  readonly reason: string;

  constructor(reason: string) {
    this.reason = reason;
  }
}

const HINT =
  'records crossing a network exchange must be data: numbers, strings, booleans, null, undefined, bigint, ' +
  'arrays, plain objects, Date, Uint8Array, Map and Set';

/**
 * Objects the writer rejects (it would otherwise write them as plain objects
 * of their own enumerable properties and silently lose their content).
 */
export function unsupportedKind(v: object): string | null {
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (v instanceof ArrayBuffer) return 'ArrayBuffer';
  if (typeof SharedArrayBuffer === 'function' && v instanceof SharedArrayBuffer) return 'SharedArrayBuffer';
  if (v instanceof WeakMap) return 'WeakMap';
  if (v instanceof WeakSet) return 'WeakSet';
  if (v instanceof Promise) return 'Promise';
  return null;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function keyPath(path: string, key: string): string {
  if (IDENTIFIER.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function where(path: string): string {
  return path === '' ? 'record value' : `record field '${path}'`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The problem with a record as a message naming the field, or null if none is found. */
export function findProblem(value: unknown): string | null {
  return find(value, '', 0);
}

function find(v: unknown, path: string, depth: number): string | null {
  const type = typeof v;
  if (type === 'function' || type === 'symbol') return `${where(path)} is a ${type}, which cannot be serialised`;
  if (type !== 'object' || v === null) return null;
  if (depth >= MAX_DEPTH) {
    return `${where(path)} is nested deeper than ${MAX_DEPTH} levels (is the record cyclic?)`;
  }
  const o = v as Record<string, unknown>;
  const child = (key: string, childPath: string): string | null => {
    let x: unknown;
    try {
      x = o[key];
    } catch (e) {
      return `${where(childPath)} could not be read: ${messageOf(e)}`;
    }
    return find(x, childPath, depth + 1);
  };
  // The writer's classification, in the writer's order (encoder.ts).
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = find(v[i], `${path}[${i}]`, depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  if (o.constructor === Object) {
    for (const k in o) {
      const p = child(k, keyPath(path, k));
      if (p !== null) return p;
    }
    return null;
  }
  if (v instanceof Date || v instanceof Uint8Array) return null;
  if (v instanceof Map) {
    let i = 0;
    for (const [k, x] of v) {
      const p =
        find(k, `${path}.keys()[${i}]`, depth + 1) ??
        find(x, typeof k === 'string' || typeof k === 'number' ? `${path}.get(${JSON.stringify(k)})` : `${path}.values()[${i}]`, depth + 1);
      if (p !== null) return p;
      i++;
    }
    return null;
  }
  if (v instanceof Set) {
    let i = 0;
    for (const x of v) {
      const p = find(x, `${path}.values()[${i++}]`, depth + 1);
      if (p !== null) return p;
    }
    return null;
  }
  const kind = unsupportedKind(o);
  if (kind !== null) return `${where(path)} is a ${kind}, which cannot be serialised`;
  for (const k of Object.keys(o)) {
    const p = child(k, keyPath(path, k));
    if (p !== null) return p;
  }
  return null;
}

/** The SERIALIZATION error for an encode of `value` that threw `cause`. */
export function serializationError(cause: unknown, value: unknown): FlinktsError {
  if (cause instanceof FlinktsError) return cause;
  let found: string | null;
  try {
    found = findProblem(value);
  } catch (e) {
    found = `record could not be inspected: ${messageOf(e)}`;
  }
  const fault = cause instanceof CodecFault;
  const message = found ?? (fault ? `record ${cause.reason}` : `record could not be serialised: ${messageOf(cause)}`);
  return new FlinktsError('SERIALIZATION', message, { hint: HINT, cause: fault ? undefined : cause });
}
