/**
 * The byte layout of row values in the embedded store. A row value is a
 * header, then a body:
 *
 * - header: one flags byte; with bit 0 the original key follows, with bit 1
 *   the original namespace (each as u32 length · MessagePack) — only when the
 *   row key cannot give them back (composite or hashed keys, hashed namespaces);
 * - body of a value, reducing or aggregating state: the stored value, packed;
 * - body of a list state: its elements packed one after another (appending is
 *   concatenating; see `unpackAll`);
 * - body of a map state's own row: empty, or its TTL stamp (float64 BE); each
 *   of its entries is a row of its own whose body is the packed value (and
 *   whose header carries the original user key when needed).
 *
 * Values are packed with msgpackr's structured cloning, as snapshot sections
 * are, so `Map`, `Set`, `Date`, `bigint` and `undefined` survive. The stored
 * value is the one the heap backend holds (with a TTL, `{ v, t }`, and list
 * elements each `{ v, t }`), which is also what snapshot files hold.
 */
import { Packr } from 'msgpackr';

const packr = new Packr({ structuredClone: true });

const FLAG_KEY = 1;
const FLAG_NAMESPACE = 2;
const NO_HEADER = Buffer.from([0]);

/** Packs one value (a slice of msgpackr's shared buffers; measured: caching such slices keeps little extra alive). */
export function pack(value: unknown): Buffer {
  return packr.pack(value);
}

/** Unpacks one value. */
export function unpack(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}

/** Unpacks the values packed one after another in each of `chunks`, in order. */
export function unpackAll(chunks: readonly Uint8Array[]): unknown[] {
  const out: unknown[] = [];
  for (const chunk of chunks) {
    if (chunk.length === 0) continue;
    const values = packr.unpackMultiple(chunk) as unknown[];
    for (const value of values) out.push(value);
  }
  return out;
}

/** The header of a row that carries `key` and/or `namespace` (pass only what the row key cannot give back). */
export function rowHeader(key: { value: unknown } | undefined, namespace: string | undefined): Buffer {
  if (key === undefined && namespace === undefined) return NO_HEADER;
  const parts: Buffer[] = [Buffer.from([(key === undefined ? 0 : FLAG_KEY) | (namespace === undefined ? 0 : FLAG_NAMESPACE)])];
  for (const present of [key === undefined ? undefined : pack(key.value), namespace === undefined ? undefined : pack(namespace)]) {
    if (present === undefined) continue;
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(present.length, 0);
    parts.push(length, present);
  }
  return Buffer.concat(parts);
}

/** A row value taken apart. */
export interface SplitRow {
  /** The original key, when the row carries it. */
  readonly key?: { value: unknown };
  /** The original namespace, when the row carries it. */
  readonly namespace?: string;
  readonly header: Buffer;
  readonly body: Buffer;
}

/** Splits a row value into header and body. */
export function splitRow(row: Buffer): SplitRow {
  const flags = row[0]!;
  if (flags === 0) return { header: NO_HEADER, body: row.subarray(1) };
  let offset = 1;
  const next = (): unknown => {
    const length = row.readUInt32BE(offset);
    const value = unpack(row.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
    return value;
  };
  const key = (flags & FLAG_KEY) !== 0 ? { value: next() } : undefined;
  const namespace = (flags & FLAG_NAMESPACE) !== 0 ? (next() as string) : undefined;
  return { ...(key && { key }), ...(namespace !== undefined && { namespace }), header: row.subarray(0, offset), body: row.subarray(offset) };
}

/** A row value from its header and body chunks. */
export function assembleRow(header: Buffer, body: readonly Buffer[]): Buffer {
  return Buffer.concat([header, ...body]);
}

/** The body of a map state's own row: its TTL stamp, if any. */
export function mapStampBody(stamp: number | undefined): Buffer[] {
  if (stamp === undefined) return [];
  const out = Buffer.allocUnsafe(8);
  out.writeDoubleBE(stamp, 0);
  return [out];
}

/** The TTL stamp in a map row's body, if any. */
export function readMapStamp(body: Buffer): number | undefined {
  return body.length >= 8 ? body.readDoubleBE(0) : undefined;
}
