/**
 * How the built-in sinks (`print`, `writeAsText`) turn a record into text, and
 * how connectors describe an I/O failure in one line.
 *
 * Records print the way a Flink user expects to read them: tuples (arrays) as
 * `(hello,3)`, scalars as themselves, and everything else as JSON, so the
 * output of `print()` can be compared with Flink's and parsed back.
 */
import { inspect } from 'node:util';

/**
 * The text of one record.
 *
 * - strings as they are; numbers, booleans and bigints via `String`;
 * - arrays (tuples) as Flink prints tuples, `(hello,3)`, elements formatted
 *   with this same function;
 * - `Date` as its ISO string (an invalid date as `Invalid Date`);
 * - `null` / `undefined` as `null` / `undefined`;
 * - objects whose class defines its own `toString` (errors, URLs, user
 *   classes) through it, as Flink prints a POJO through `toString()`;
 * - other objects as JSON, with bigints as decimal strings, `Map`s as objects
 *   and `Set`s as arrays. A cyclic object falls back to `util.inspect`.
 */
export function formatRecord(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
    case 'symbol':
      return String(value);
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    case 'object':
      return formatObject(value);
  }
}

function formatObject(value: object | null): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `(${value.map(formatRecord).join(',')})`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (hasOwnToString(value)) return String(value);
  try {
    return JSON.stringify(value, jsonReplacer) ?? String(value);
  } catch {
    // Cycles make JSON.stringify throw; printing must never fail a job.
    return inspect(value, { depth: 4, breakLength: Infinity });
  }
}

/** Whether the object's class overrides `Object.prototype.toString` (a user class, an Error, a URL...). */
function hasOwnToString(value: object): boolean {
  if (value instanceof Map || value instanceof Set) return false;
  const toString = (value as { toString?: unknown }).toString;
  return typeof toString === 'function' && toString !== Object.prototype.toString;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), v]));
  if (value instanceof Set) return [...value];
  return value;
}

/** What the network error codes mean, in the words of a one-line message. */
const NET_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'temporary failure in name resolution',
  EPIPE: 'broken pipe',
};

/**
 * One line describing why an I/O call failed, e.g. `no such file or directory
 * (ENOENT)`, for messages that already name the path or host:port themselves
 * (Node's own messages repeat the path and the syscall).
 */
export function describeIoError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string') {
    // Network errors read "connect ECONNREFUSED 127.0.0.1:9", or nothing at all for the
    // AggregateError of a dual-stack connect: the code says it best.
    const known = NET_CODES[code];
    if (known !== undefined) return `${known} (${code})`;
    // "ENOENT: no such file or directory, open '/x'" -> "no such file or directory (ENOENT)"
    const match = /^[A-Z0-9_]+: ([^,]+)/.exec(error.message);
    if (match?.[1] !== undefined) return `${match[1]} (${code})`;
    return error.message.length > 0 ? `${error.message} (${code})` : code;
  }
  return error.message;
}
