/**
 * The sections of an embedded backend's snapshot files, read from a
 * consistent view of its store: every entry (a full file) or the entries
 * the change log names after an epoch (a delta). Plain functions of the view
 * and of what the states are, so they run on the task's thread or on the
 * encoding thread (see `snapshot-thread.ts`) alike.
 */
import { FlinktsError } from '../../../api/errors.js';
import { DELETED, encodeKeyGroupSection, type KeyedEntryRecord } from '../../checkpoint/state-sections.js';
import type { KeyGroupRange } from '../key-grouped-map.js';
import { forEachChange, type StoreSnapshot } from './embedded-store.js';
import { entryRows, keyAndNamespace, recordOf, type Row } from './entry-records.js';
import { groupPrefix, parseRowKey, prefixRange } from './key-codec.js';
import type { RegisteredState } from './state-registry.js';

/** What a snapshot needs to know of a state. */
export interface SnapshotState extends Pick<RegisteredState, 'id' | 'name' | 'kind'> {
  /** With `cleanupFullSnapshot`: entries older than this are left out. */
  readonly expiresAfterMs?: number;
}

/** Where and how the sections are read. */
export interface SectionsSource {
  readonly view: StoreSnapshot;
  readonly states: ReadonlyMap<number, SnapshotState>;
  readonly keyGroupRange: KeyGroupRange;
  /** Processing time of the snapshot, for expiry. */
  readonly now: number;
  /** Called every few thousand rows: a task's thread lets records through (and may stop the snapshot by throwing). */
  readonly pause?: () => Promise<void>;
}

/** The sections, in key-group order, the entries in them, and whether they are every entry (not a delta). */
export interface Sections {
  readonly sections: [number, Uint8Array][];
  readonly entries: number;
  readonly full: boolean;
}

/** Rows between two pauses. */
const ROWS_PER_SLICE = 4096;

/** Every entry of the view, by key group. */
export async function fullSections(source: SectionsSource): Promise<Sections> {
  const { view, keyGroupRange } = source;
  const sections: [number, Uint8Array][] = [];
  const paused = pauser(source);
  let entries = 0;
  for (let keyGroup = keyGroupRange.start; keyGroup <= keyGroupRange.end; keyGroup++) {
    const records: KeyedEntryRecord[] = [];
    let current: { state: SnapshotState; rows: Row[]; entryEnd: number } | undefined;
    const emit = (): void => {
      if (current === undefined) return;
      const record = recordOf(current.state, current.rows, expiry(current.state, source.now));
      if (record !== undefined) records.push(record);
      current = undefined;
    };
    const { start, end } = prefixRange(groupPrefix(keyGroup));
    for (const row of view.range(start, end)) {
      const parsed = parseRowKey(row.key);
      const state = stateOf(source, parsed.stateId);
      // A map's entry rows follow its own row and share its key as a prefix.
      const isMapEntryRow = state.kind === 'map' && parsed.entryEnd < row.key.length;
      if (isMapEntryRow && current !== undefined && current.state === state && row.key.subarray(0, current.entryEnd).equals(current.rows[0]!.key)) {
        current.rows.push(row);
      } else if (!isMapEntryRow) {
        emit();
        current = { state, rows: [row], entryEnd: parsed.entryEnd };
      }
      const pause = paused();
      if (pause !== undefined) await pause;
    }
    emit();
    if (records.length > 0) {
      sections.push([keyGroup, encodeKeyGroupSection(records)]);
      entries += records.length;
    }
  }
  return { sections, entries, full: true };
}

/**
 * The entries changed after `afterEpoch`: the change-log records of later
 * epochs are read, their changes ordered by key group (a counting sort of
 * their places in the records), and each changed entry is read once from
 * the view (removed ones become `DELETED`). When more distinct entries
 * changed than `fullAbove` (the rows of the store: most of the state was
 * removed, as when every window fired), every entry is written instead — the
 * smaller file, and the quicker one.
 */
export async function deltaSections(source: SectionsSource, afterEpoch: number, fullAbove = Number.POSITIVE_INFINITY): Promise<Sections> {
  const { start: first, end: last } = source.keyGroupRange;
  const records: Buffer[] = [];
  // Per change: its record, and where its key starts (the lengths are in the record).
  let changeRecord: Int32Array = new Int32Array(1024);
  let offsets: Int32Array = new Int32Array(1024);
  const perGroup = new Int32Array(last - first + 2);
  let changes = 0;
  for (const { record } of source.view.changeRecords(afterEpoch)) {
    const index = records.push(record) - 1;
    forEachChange(record, (keyStart) => {
      if (changes === offsets.length) {
        changeRecord = grown(changeRecord);
        offsets = grown(offsets);
      }
      const keyGroup = record.readUInt16BE(keyStart);
      if (keyGroup < first || keyGroup > last) throw new FlinktsError('INTERNAL', `the embedded store logged a change in key group ${keyGroup}, outside its key groups ${first}-${last}`);
      changeRecord[changes] = index;
      offsets[changes++] = keyStart;
      perGroup[keyGroup - first + 1]!++;
    });
  }
  for (let g = 1; g < perGroup.length; g++) perGroup[g]! += perGroup[g - 1]!;
  const order = new Int32Array(changes);
  const next = perGroup.slice(0, -1);
  for (let c = 0; c < changes; c++) order[next[records[changeRecord[c]!]!.readUInt16BE(offsets[c]!) - first]!++] = c;

  const keyOf = (change: number): string => {
    const record = records[changeRecord[change]!]!;
    const keyStart = offsets[change]!;
    return record.toString('latin1', keyStart, keyStart + record.readUInt32BE(keyStart - 4));
  };
  if (changes > fullAbove) {
    let distinct = 0;
    for (let g = 0; g < perGroup.length - 1; g++) {
      const seen = new Set<string>();
      for (let i = perGroup[g]!; i < perGroup[g + 1]!; i++) seen.add(keyOf(order[i]!));
      distinct += seen.size;
    }
    if (distinct > fullAbove) return fullSections(source);
  }

  const sections: [number, Uint8Array][] = [];
  const paused = pauser(source);
  let entries = 0;
  for (let g = 0; g < perGroup.length - 1; g++) {
    const groupRecords: KeyedEntryRecord[] = [];
    // An entry changed in several flushes is written once.
    const seen = new Set<string>();
    for (let i = perGroup[g]!; i < perGroup[g + 1]!; i++) {
      const change = order[i]!;
      const record = records[changeRecord[change]!]!;
      const keyStart = offsets[change]!;
      const keyEnd = keyStart + record.readUInt32BE(keyStart - 4);
      const id = keyOf(change);
      if (seen.has(id)) continue;
      seen.add(id);
      const key = record.subarray(keyStart, keyEnd);
      const state = stateOf(source, parseRowKey(key).stateId);
      const found = recordOf(state, entryRows(state, key, source.view), expiry(state, source.now));
      groupRecords.push(found ?? deletedRecord(state, key, record.subarray(keyEnd + 4, keyEnd + 4 + record.readUInt32BE(keyEnd))));
      const pause = paused();
      if (pause !== undefined) await pause;
    }
    if (groupRecords.length > 0) {
      sections.push([first + g, encodeKeyGroupSection(groupRecords)]);
      entries += groupRecords.length;
    }
  }
  return { sections, entries, full: false };
}

/** A function to call per row: it pauses every {@link ROWS_PER_SLICE} rows when the source asks for pauses. */
function pauser({ pause }: SectionsSource): () => Promise<void> | undefined {
  if (pause === undefined) return () => undefined;
  let rows = 0;
  return () => {
    if (++rows < ROWS_PER_SLICE) return undefined;
    rows = 0;
    return pause();
  };
}

function stateOf(source: SectionsSource, id: number): SnapshotState {
  const state = source.states.get(id);
  if (state === undefined) throw new FlinktsError('INTERNAL', `the embedded store holds rows of unknown state id ${id}`);
  return state;
}

/** With `cleanupFullSnapshot`, expired entries are left out of snapshots. */
function expiry(state: SnapshotState, now: number): { ttl: { ttlMs: number }; now: number } | undefined {
  return state.expiresAfterMs === undefined ? undefined : { ttl: { ttlMs: state.expiresAfterMs }, now };
}

/** The `DELETED` entry of a removed (or emptied) state entry; the logged row header gives keys the row key cannot. */
function deletedRecord(state: SnapshotState, rowKey: Buffer, header: Buffer): KeyedEntryRecord {
  const { key, namespace } = keyAndNamespace({ key: rowKey, value: header });
  return [state.name, key, namespace, DELETED];
}

/** A copy of `array` with twice the room. */
function grown(array: Int32Array): Int32Array {
  const copy = new Int32Array(array.length * 2);
  copy.set(array);
  return copy;
}
