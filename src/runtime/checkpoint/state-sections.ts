/**
 * The encoding of state in snapshot files: MessagePack (msgpackr with
 * structured cloning, so `Map`, `Set`, `Date`, `bigint`, `undefined` and
 * shared references survive). A keyed section is the entries of one key
 * group; an operator state file is one object of named lists. The encoding
 * is the same for every backend, which is what makes a canonical savepoint
 * backend-independent.
 */
import { Packr } from 'msgpackr';

/** One keyed state entry: the state's name, the key, the namespace (`''` for none) and the value. */
export type KeyedEntryRecord = readonly [stateName: string, key: unknown, namespace: string, value: unknown];

/** In a delta section, the value of an entry that was removed. */
export const DELETED: unique symbol = Symbol('flinkts.state.deleted');
const DELETED_WIRE = { __flinktsDeleted: 1 } as const;

/** The operator state of one subtask: list name → elements (`broadcast` lists hold `[key, value]` pairs). */
export type OperatorStateLists = Record<string, readonly unknown[]>;

function packr(): Packr {
  return new Packr({ structuredClone: true });
}

/** Encodes the entries of one key group. */
export function encodeKeyGroupSection(entries: Iterable<KeyedEntryRecord>): Buffer {
  const rows: unknown[] = [];
  for (const [name, key, namespace, value] of entries) rows.push([name, key, namespace, value === DELETED ? DELETED_WIRE : value]);
  return packr().pack(rows);
}

/** Decodes a section written by {@link encodeKeyGroupSection}; `DELETED` marks removed entries. */
export function decodeKeyGroupSection(bytes: Uint8Array): KeyedEntryRecord[] {
  const rows = packr().unpack(bytes) as unknown;
  if (!Array.isArray(rows)) throw new TypeError('a keyed state section is not a list of entries');
  return rows.map((row: unknown) => {
    if (!Array.isArray(row) || row.length !== 4 || typeof row[0] !== 'string' || typeof row[2] !== 'string') {
      throw new TypeError('a keyed state entry is not [state name, key, namespace, value]');
    }
    const value: unknown = isDeletedWire(row[3]) ? DELETED : row[3];
    return [row[0], row[1], row[2], value] as const;
  });
}

function isDeletedWire(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { __flinktsDeleted?: unknown }).__flinktsDeleted === 1 && Object.keys(value).length === 1;
}

/** Encodes the operator state lists of one subtask. */
export function encodeOperatorState(lists: OperatorStateLists): Buffer {
  return packr().pack(lists);
}

/** Decodes what {@link encodeOperatorState} wrote. */
export function decodeOperatorState(bytes: Uint8Array): OperatorStateLists {
  const lists = packr().unpack(bytes) as unknown;
  if (typeof lists !== 'object' || lists === null || Array.isArray(lists)) throw new TypeError('operator state is not an object of named lists');
  for (const [name, list] of Object.entries(lists)) {
    if (!Array.isArray(list)) throw new TypeError(`operator state '${name}' is not a list`);
  }
  return lists as OperatorStateLists;
}
