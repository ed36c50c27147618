/**
 * Snapshots of heap state tables whose values are all in columns (see
 * value-columns.ts): the sections are built from the typed arrays alone.
 * The live slots of the tables are ordered by key group with a counting
 * sort into reused typed arrays, and each key group's range of them becomes
 * the columns of its section (section-columns.ts) — the same sections the
 * general path writes, so restores do not know which path wrote them.
 */
import { float64Column } from '../checkpoint/section-columns.js';
import { copyForTransfer } from '../checkpoint/transfer-buffers.js';
import { rangeSection, type SectionColumns } from '../checkpoint/state-sections.js';
import type { KeyGroupRange } from './key-grouped-map.js';
import type { StateTable } from './state-table.js';
import type { ValueColumns } from './value-columns.js';

/**
 * The columns of one snapshot, every live slot of every table ordered by key
 * group. Kept between snapshots (the synchronous parts of a thread's
 * snapshots never overlap), so a snapshot allocates nothing per entry.
 */
const scratch = {
  keys: new Float64Array(0),
  keyInts: new Int32Array(0),
  states: new Int32Array(0),
  namespaces: new Int32Array(0),
  fields: [] as Float64Array[],
  fieldInts: [] as Int32Array[],
};

function reserve(entries: number, fieldCount: number): void {
  if (scratch.keys.length < entries) {
    const capacity = Math.max(entries, Math.ceil(scratch.keys.length * 1.5), 1024);
    scratch.keys = new Float64Array(capacity);
    scratch.keyInts = new Int32Array(capacity);
    scratch.states = new Int32Array(capacity);
    scratch.namespaces = new Int32Array(capacity);
    scratch.fields = [];
    scratch.fieldInts = [];
  }
  while (scratch.fields.length < fieldCount) {
    scratch.fields.push(new Float64Array(scratch.keys.length));
    scratch.fieldInts.push(new Int32Array(scratch.keys.length));
  }
}

/**
 * The slots of one table's columns as plain data (the arrays themselves, or
 * copies of their used part): what {@link encodeSlots} reads, here or on
 * another thread.
 */
export interface TableSlots {
  readonly name: string;
  readonly used: number;
  readonly keys: Float64Array;
  readonly groups: Int32Array;
  /** −1 marks a free slot. */
  readonly namespaceIds: Int32Array;
  readonly fields: readonly Float64Array[];
  readonly namespaces: readonly (string | undefined)[];
  readonly namespacesInUse: number;
}

/** The slots of a snapshot's tables, all of one shape (see {@link columnSlots}). */
export interface ColumnSlots {
  readonly tables: readonly TableSlots[];
  /** The values' field names; undefined when the values are numbers. */
  readonly fieldNames: readonly string[] | undefined;
}

/**
 * The slots of `tables` if every value of every table is in its columns and
 * the tables' values have one shape, else undefined. The arrays are the live
 * ones: {@link copySlots} before records flow again.
 */
export function columnSlots(tables: readonly { readonly name: string; readonly table: StateTable }[]): ColumnSlots | undefined {
  if (tables.some(({ table }) => table.columns.outside > 0)) return undefined;
  const withValues = tables.filter(({ table }) => table.columns.used > 0).map(({ name, table }) => ({ name, columns: table.columns }));
  const shapeOf = (c: ValueColumns): string | undefined => (c.columnar ? (c.fieldNames?.join('\u0000') ?? '') : undefined);
  if (!withValues.every(({ columns }) => shapeOf(columns) !== undefined && shapeOf(columns) === shapeOf(withValues[0]!.columns))) return undefined;
  const slots = withValues.map(({ name, columns }) => {
    const { used, keys, groups, namespaceIds, fields, namespaces, namespacesInUse } = columns;
    return { name, used, keys, groups, namespaceIds, fields, namespaces, namespacesInUse };
  });
  return { tables: slots, fieldNames: withValues[0]?.columns.fieldNames };
}

/** A copy of `slots` whose arrays (their used part only) are its own, to move to another thread. */
export function copySlots(slots: ColumnSlots): ColumnSlots {
  const tables = slots.tables.map((t) => ({
    name: t.name,
    used: t.used,
    keys: copyForTransfer(t.keys, t.used),
    groups: copyForTransfer(t.groups, t.used),
    namespaceIds: copyForTransfer(t.namespaceIds, t.used),
    fields: t.fields.map((values) => copyForTransfer(values, t.used)),
    namespaces: [...t.namespaces],
    namespacesInUse: t.namespacesInUse,
  }));
  return { tables, fieldNames: slots.fieldNames === undefined ? undefined : [...slots.fieldNames] };
}

/**
 * Encodes `tables` section by section, in key-group order, if every value
 * of every table is in its columns and the tables' values have one shape;
 * `emit` gets each section's columns (valid until it returns). Returns false,
 * having emitted nothing, when that is not so.
 */
export function encodeColumnSections(
  tables: readonly { readonly name: string; readonly table: StateTable }[],
  range: KeyGroupRange,
  emit: (keyGroup: number, columns: SectionColumns) => void,
): boolean {
  const slots = columnSlots(tables);
  if (slots === undefined) return false;
  encodeSlots(slots, range, emit);
  return true;
}

/**
 * Encodes the live slots of `slots` section by section, in key-group order;
 * `emit` gets each section's columns (valid until it returns).
 *
 * The slots are read in order and each is written to its key group's place
 * (a counting sort): the reads stream through the columns, and the writes
 * go to one place per key group, so nothing waits on memory at random.
 */
export function encodeSlots({ tables: withValues, fieldNames }: ColumnSlots, range: KeyGroupRange, emit: (keyGroup: number, columns: SectionColumns) => void): void {
  if (withValues.length === 0) return;
  // Per table and key group, where its slots go: a group's entries are together, table after table.
  const first = range.start;
  const groupCount = range.end - first + 1;
  const counts = withValues.map((columns) => {
    const perGroup = new Int32Array(groupCount);
    const { namespaceIds, groups, used } = columns;
    for (let slot = 0; slot < used; slot++) if (namespaceIds[slot]! >= 0) perGroup[groups[slot]! - first]!++;
    return perGroup;
  });
  const groupStarts = new Int32Array(groupCount + 1);
  for (let g = 0; g < groupCount; g++) {
    let inGroup = 0;
    for (const perGroup of counts) inGroup += perGroup[g]!;
    groupStarts[g + 1] = groupStarts[g]! + inGroup;
  }
  const total = groupStarts[groupCount]!;
  const fieldCount = fieldNames?.length ?? 1;
  reserve(total, fieldCount);
  const { keys, states, namespaces, fields } = scratch;
  const next = groupStarts.slice(0, groupCount);
  withValues.forEach((columns, t) => {
    const { namespaceIds, groups, used } = columns;
    const tableKeys = columns.keys;
    const tableFields = columns.fields;
    for (let slot = 0; slot < used; slot++) {
      const id = namespaceIds[slot]!;
      if (id < 0) continue;
      const at = next[groups[slot]! - first]!++;
      keys[at] = tableKeys[slot]!;
      states[at] = t;
      namespaces[at] = id;
      for (let f = 0; f < fieldCount; f++) fields[f]![at] = tableFields[f]![slot]!;
    }
  });

  const stateNames = withValues.map(({ name }) => name);
  const only = withValues[0]!;
  const oneNamespace = withValues.length === 1 && only.namespacesInUse === 1 ? only.namespaces.find((n) => n !== undefined) : undefined;
  // Per table, the section's index of each namespace id, valid while its stamp is the section's.
  const local = withValues.map((columns) => ({ index: new Int32Array(columns.namespaces.length), stamp: new Int32Array(columns.namespaces.length) }));
  /** Turns the entries' namespace ids into indexes into the section's list of namespaces (`namespaceList`). */
  let namespaceList: string[] = [];
  const remapNamespaces = (g: number, start: number, end: number): void => {
    for (let at = start; at < end; at++) {
      const t = states[at]!;
      const id = namespaces[at]!;
      const { index, stamp } = local[t]!;
      if (stamp[id] !== g + 1) {
        stamp[id] = g + 1;
        index[id] = namespaceList.push(withValues[t]!.namespaces[id]!) - 1;
      }
      namespaces[at] = index[id]!;
    }
  };
  for (let g = 0; g < groupCount; g++) {
    const start = groupStarts[g]!;
    const end = groupStarts[g + 1]!;
    if (start === end) continue;
    namespaceList = [];
    // One table with one namespace in use: every entry's is that one (no index column).
    if (oneNamespace !== undefined) namespaceList.push(oneNamespace);
    else remapNamespaces(g, start, end);
    const fieldColumns = fields.slice(0, fieldCount).map((values, f) => float64Column(values.subarray(start, end), scratch.fieldInts[f]!.subarray(start, end)));
    const keyColumn = float64Column(keys.subarray(start, end), scratch.keyInts.subarray(start, end));
    const names = { stateNames, stateIndexes: states, namespaces: namespaceList, namespaceIndexes: namespaces };
    emit(first + g, rangeSection(start, end, names, keyColumn, fieldNames === undefined ? fieldColumns[0]! : ['o', fieldNames, fieldColumns]));
  }
}
