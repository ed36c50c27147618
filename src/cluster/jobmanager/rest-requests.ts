/**
 * Reading and checking REST request bodies: a size cap, JSON objects only,
 * no unknown fields, typed values, and target directories that are absolute
 * paths or URIs. Every problem is a 400 ({@link badJobRequestError}) naming
 * the field.
 */
import type { IncomingMessage } from 'node:http';
import { badJobRequestError, type SavepointFormat } from './job-control.js';

/** Longest request value repeated in an error message. */
export const MAX_ECHOED_VALUE = 64;

const SAVEPOINT_FORMATS: Readonly<Record<string, SavepointFormat>> = { CANONICAL: 'canonical', NATIVE: 'native' };

/**
 * The request body, or `too-large`. An oversized body is read to its end and
 * dropped (memory stays bounded; the request timeout bounds the time), so the
 * client is not reset while it is still sending and sees the 413.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolvePromise(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
    // A client that goes away mid-body: nothing will be answered, but the handler must not wait forever.
    req.on('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before sending the whole body'));
    });
  });
}

/** The body as a JSON object; an empty body is `{}`. */
export function parseJsonObject(data: Buffer): Record<string, unknown> {
  const text = data.toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badJobRequestError(`request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badJobRequestError('request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Refuses fields other than `known`. */
export function checkFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw badJobRequestError(`unknown field ${truncate(JSON.stringify(unknown[0]), MAX_ECHOED_VALUE)} in the request body; expected: ${known.join(', ')}`);
  }
}

/** A string field, or `undefined` when absent or null. */
export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badJobRequestError(`${field} must be a string`);
  return value;
}

/** A boolean field, or `undefined` when absent or null. */
export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badJobRequestError(`${field} must be true or false`);
  return value;
}

/** `formatType` (CANONICAL by default, any letter case). */
export function formatOf(body: Record<string, unknown>): SavepointFormat {
  const text = optionalString(body, 'formatType') ?? 'CANONICAL';
  const format = SAVEPOINT_FORMATS[text.toUpperCase()];
  if (format === undefined) throw badJobRequestError(`formatType must be CANONICAL or NATIVE, got '${truncate(text, 20)}'`);
  return format;
}

/** A target directory: an absolute path or a URI (`file:/...`), without NUL. */
export function targetDirectoryOf(body: Record<string, unknown>, field: string): string | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  if (value.includes('\0') || value.length > 4096) throw badJobRequestError(`${field} is not a valid path`);
  if (!value.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(value)) throw badJobRequestError(`${field} must be an absolute path or a URI`);
  return value;
}

/** `text` cut to `max` characters, marked with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
