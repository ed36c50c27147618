/**
 * The encoding of state in snapshot files. A keyed section is the entries of
 * one key group; an operator state file is one object of named lists (one
 * structured-clone MessagePack value). The encoding is the same for every
 * backend, which is what makes a canonical savepoint backend-independent.
 *
 * Keyed sections are written in format 2: the magic `FKS2`, then one
 * MessagePack map of columns (see section-columns.ts) — state names and
 * namespaces once each, the keys and the values as typed columns — so a
 * section of a million counters is a few packed arrays, not a million
 * values. Format 1 sections (one structured-clone MessagePack array of
 * `[stateName, key, namespace, value]` rows) are still read.
 */
import { Packr, RESERVE_START_SPACE, RESET_BUFFER_MODE } from 'msgpackr';
import { fromColumn, listColumn, toColumn, typedArrayColumn, type Column } from './section-columns.js';

/** One keyed state entry: the state's name, the key, the namespace (`''` for none) and the value. */
export type KeyedEntryRecord = readonly [stateName: string, key: unknown, namespace: string, value: unknown];

/** In a delta section, the value of an entry that was removed. */
export const DELETED: unique symbol = Symbol('flinkts.state.deleted');
const DELETED_WIRE = { __flinktsDeleted: 1 } as const;

/** The operator state of one subtask: list name → elements (`broadcast` lists hold `[key, value]` pairs). */
export type OperatorStateLists = Record<string, readonly unknown[]>;

/** The first bytes of a format 2 keyed section ('F' is no MessagePack array, which every format 1 section is). */
const SECTION_MAGIC = Buffer.from('FKS2', 'latin1');

/** Decoded bytes are copies: restored state must not keep a file's bytes alive. */
function packr(): Packr {
  return new Packr({ structuredClone: true, copyBuffers: true });
}

/** The container of a format 2 section: only strings, numbers, arrays and bytes. */
const container = new Packr({ useRecords: false, mapsAsObjects: true });

/**
 * Builds the section of one key group entry by entry. With `listsOfOne`
 * every value given stands for the one-element list `[value]` (timers), so
 * no list is built per entry.
 */
export class KeyGroupSectionBuilder {
  private readonly stateIndex = new Map<string, number>();
  private readonly namespaceIndex = new Map<string, number>();
  /** Per entry, the index of its state and namespace; created when the second distinct one appears. */
  private states: number[] | undefined;
  private namespaces: number[] | undefined;
  private readonly keys: unknown[] = [];
  private readonly values: unknown[] = [];
  /** The last state and namespace added, and their indexes (runs of entries share them). */
  private lastState: string | undefined;
  private lastStateIndex = 0;
  private lastNamespace: string | undefined;
  private lastNamespaceIndex = 0;

  constructor(private readonly listsOfOne = false) {}

  add(stateName: string, key: unknown, namespace: string, value: unknown): void {
    if (stateName !== this.lastState) {
      this.lastStateIndex = indexOf(this.stateIndex, stateName);
      this.lastState = stateName;
      if (this.lastStateIndex > 0) this.states ??= new Array<number>(this.keys.length).fill(0);
    }
    if (namespace !== this.lastNamespace) {
      this.lastNamespaceIndex = indexOf(this.namespaceIndex, namespace);
      this.lastNamespace = namespace;
      if (this.lastNamespaceIndex > 0) this.namespaces ??= new Array<number>(this.keys.length).fill(0);
    }
    this.states?.push(this.lastStateIndex);
    this.namespaces?.push(this.lastNamespaceIndex);
    this.keys.push(key);
    this.values.push(value);
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * The encoded section. A `transient` one is only valid until the next
   * encoding (of any section): it lies in the encoder's own buffer, which
   * is reused, so a snapshot that writes each section at once allocates
   * nothing per section.
   */
  finish(transient = false): Buffer {
    return packSection(
      {
        count: this.keys.length,
        stateNames: [...this.stateIndex.keys()],
        stateIndexes: this.states === undefined ? undefined : toColumn(this.states),
        namespaces: [...this.namespaceIndex.keys()],
        namespaceIndexes: this.namespaces === undefined ? undefined : toColumn(this.namespaces),
        keys: toColumn(this.keys),
        values: this.listsOfOne ? listColumn(this.values) : toColumn(this.values, (value) => (value === DELETED ? DELETED_WIRE : value)),
      },
      transient,
    );
  }
}

/**
 * A section given as its columns (for writers that build them directly):
 * the state names and namespaces, each entry's index into them (a column of
 * integers; left out when there is one name), and the key and value columns.
 */
export interface SectionColumns {
  readonly count: number;
  readonly stateNames: readonly string[];
  readonly stateIndexes?: Column | undefined;
  readonly namespaces: readonly string[];
  readonly namespaceIndexes?: Column | undefined;
  readonly keys: Column;
  readonly values: Column;
}

/**
 * The section of entries `start`–`end` of columns ordered by key group: the
 * entries' indexes into `stateNames` and `namespaces` are taken from
 * `stateIndexes` and `namespaceIndexes` (and left out for a list of one).
 */
export function rangeSection(
  start: number,
  end: number,
  names: { readonly stateNames: readonly string[]; readonly stateIndexes: Int32Array; readonly namespaces: readonly string[]; readonly namespaceIndexes: Int32Array },
  keys: Column,
  values: Column,
): SectionColumns {
  return {
    count: end - start,
    stateNames: names.stateNames,
    stateIndexes: names.stateNames.length > 1 ? typedArrayColumn(names.stateIndexes.subarray(start, end)) : undefined,
    namespaces: names.namespaces,
    namespaceIndexes: names.namespaces.length > 1 ? typedArrayColumn(names.namespaceIndexes.subarray(start, end)) : undefined,
    keys,
    values,
  };
}

/** Encodes a section from its columns; `transient`: see {@link KeyGroupSectionBuilder.finish}. */
export function packSection(columns: SectionColumns, transient = false): Buffer {
  const body = {
    n: columns.count,
    s: columns.stateNames,
    ...(columns.stateIndexes !== undefined && { si: columns.stateIndexes }),
    ns: columns.namespaces,
    ...(columns.namespaceIndexes !== undefined && { ni: columns.namespaceIndexes }),
    k: columns.keys,
    v: columns.values,
  };
  // The magic goes into space reserved before the map: no copy of the whole section to prepend it.
  const bytes = container.pack(body, RESERVE_START_SPACE | SECTION_MAGIC.length | (transient ? RESET_BUFFER_MODE : 0));
  bytes.set(SECTION_MAGIC, 0);
  return bytes;
}

function indexOf(dictionary: Map<string, number>, name: string): number {
  let index = dictionary.get(name);
  if (index === undefined) dictionary.set(name, (index = dictionary.size));
  return index;
}

/** Encodes the entries of one key group. */
export function encodeKeyGroupSection(entries: Iterable<KeyedEntryRecord>): Buffer {
  const builder = new KeyGroupSectionBuilder();
  for (const [name, key, namespace, value] of entries) builder.add(name, key, namespace, value);
  return builder.finish();
}

/** A decoded section: its entries, in order; `DELETED` marks removed ones. */
export interface DecodedSection {
  readonly size: number;
  /** All entries are in one namespace (so a full section has each key at most once per state). */
  readonly singleNamespace: boolean;
  forEach(visit: (stateName: string, key: unknown, namespace: string, value: unknown) => void): void;
}

/**
 * Decodes a section written by {@link encodeKeyGroupSection} (or format 1).
 * Throws a TypeError on a malformed section; visiting the entries decodes
 * nothing more, so an error a visitor throws is the visitor's. Nothing it
 * returns refers to `bytes`: the caller may reuse them at once.
 */
export function decodeSection(bytes: Uint8Array): DecodedSection {
  if (!isFormat2(bytes)) {
    const rows = decodeFormat1(bytes);
    return { size: rows.length, singleNamespace: new Set(rows.map((row) => row[2])).size <= 1, forEach: (visit) => rows.forEach(([name, key, namespace, value]) => visit(name, key, namespace, value)) };
  }
  const body = container.unpack(bytes.subarray(SECTION_MAGIC.length)) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null) throw new TypeError('a keyed state section is not a map of columns');
  const count = body.n;
  if (!Number.isSafeInteger(count) || (count as number) < 0) throw new TypeError('a keyed state section does not say how many entries it has');
  const n = count as number;
  if (n === 0) return { size: 0, singleNamespace: true, forEach: () => undefined };
  const names = dictionary(body.s, 'state names');
  const namespaces = dictionary(body.ns, 'namespaces');
  const stateOf = indexes(body.si, n, names, 'state');
  const namespaceOf = indexes(body.ni, n, namespaces, 'namespace');
  const keys = fromColumn(body.k, n);
  const values = fromColumn(body.v, n, (value) => (isDeletedWire(value) ? DELETED : value));
  return {
    size: n,
    singleNamespace: namespaces.length === 1,
    forEach: (visit) => {
      for (let i = 0; i < n; i++) visit(names[stateOf(i)]!, keys[i], namespaces[namespaceOf(i)]!, values[i]);
    },
  };
}

/** Decodes a section into rows (see {@link decodeSection}). */
export function decodeKeyGroupSection(bytes: Uint8Array): KeyedEntryRecord[] {
  const out: KeyedEntryRecord[] = [];
  decodeSection(bytes).forEach((name, key, namespace, value) => out.push([name, key, namespace, value]));
  return out;
}

function isFormat2(bytes: Uint8Array): boolean {
  return bytes.length >= SECTION_MAGIC.length && SECTION_MAGIC.every((b, i) => bytes[i] === b);
}

function dictionary(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) throw new TypeError(`a keyed state section lists no ${what}`);
  return value as string[];
}

/** Entry → index into `dictionary`: from a column, or 0 for all when the dictionary has one entry. */
function indexes(column: unknown, count: number, dictionary: readonly string[], what: string): (entry: number) => number {
  if (column === undefined) {
    if (dictionary.length !== 1) throw new TypeError(`a keyed state section with ${dictionary.length} ${what}s has no ${what} column`);
    return () => 0;
  }
  const values = fromColumn(column, count);
  for (const v of values) {
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= dictionary.length) throw new TypeError(`a keyed state section refers to ${what} ${String(v)} of ${dictionary.length}`);
  }
  return (entry) => values[entry] as number;
}

function decodeFormat1(bytes: Uint8Array): KeyedEntryRecord[] {
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
