/**
 * Timers in snapshots: every live timer of an operator subtask's timer
 * services as keyed state `timers/<service index>/<domain>`, one entry
 * `[key, namespace, [timestamp]]` per timer, by key group (a restore adds up
 * entries of the same key and namespace, so they need no grouping here).
 *
 * The encoding runs in the synchronous part of every checkpoint, for as many
 * timers as there are open windows (a million in a job with a million keys),
 * so it works on flat lists: the timers are gathered once into reused
 * columns, ordered by key group with a counting sort (stable: registration
 * order is kept within a group), and encoded one section at a time, each
 * going to the file as soon as it is encoded.
 */
import { assignToKeyGroup } from '../../graph/key-groups.js';
import type { KeyedStateHandle, StateFileReader } from '../checkpoint/metadata.js';
import { readSection } from '../checkpoint/state-dump.js';
import { float64Column, toColumn, typedArrayColumn } from '../checkpoint/section-columns.js';
import { rangeSection, type SectionColumns } from '../checkpoint/state-sections.js';
import { copyForTransfer } from '../checkpoint/transfer-buffers.js';
import type { KeyGroupRange } from '../state/key-grouped-map.js';
import type { HeapTimerService } from './timer-service.js';

const TIMERS_STATE = 'timers';

/** The state name of the timers of one service and domain. */
export function timerStateName(serviceIndex: number, domain: 'event' | 'processing'): string {
  return `${TIMERS_STATE}/${serviceIndex}/${domain}`;
}

/** A growable column of numbers, kept between snapshots. */
class Scratch<A extends Int32Array | Float64Array> {
  array: A;
  constructor(private readonly create: (length: number) => A) {
    this.array = create(0);
  }
  /** Room for `count` numbers (the contents are kept when it grows). */
  reserve(count: number): A {
    if (this.array.length < count) {
      const grown = this.create(Math.max(count, this.array.length * 2, 1024));
      grown.set(this.array);
      this.array = grown;
    }
    return this.array;
  }
}

/**
 * The columns of one snapshot's timers, gathered in visiting order and then
 * ordered by key group. Kept between snapshots (the synchronous parts of a
 * thread's snapshots never overlap), so a snapshot allocates no per-timer
 * lists; the references to keys are dropped after each use.
 */
const scratch = {
  keys: [] as unknown[],
  sortedKeys: [] as unknown[],
  numberKeys: new Scratch((n) => new Float64Array(n)),
  groups: new Scratch((n) => new Int32Array(n)),
  timestamps: new Scratch((n) => new Float64Array(n)),
  namespaces: new Scratch((n) => new Int32Array(n)),
  states: new Scratch((n) => new Int32Array(n)),
  sortedIntKeys: new Scratch((n) => new Int32Array(n)),
  sortedNumberKeys: new Scratch((n) => new Float64Array(n)),
  sortedTimestamps: new Scratch((n) => new Float64Array(n)),
  sortedNamespaces: new Scratch((n) => new Int32Array(n)),
  sortedStates: new Scratch((n) => new Int32Array(n)),
};

/**
 * The live timers of a snapshot as columns, in visiting order: one entry per
 * timer, its key, timestamp, and indexes into the lists of state names and
 * namespaces. Plain data: it may be encoded on another thread (copied with
 * {@link copyTimerColumns} when the keys are numbers).
 */
export interface TimerColumns {
  readonly count: number;
  readonly stateNames: readonly string[];
  readonly namespaces: readonly string[];
  readonly timestamps: Float64Array;
  readonly namespaceIndexes: Int32Array;
  readonly stateIndexes: Int32Array;
  /** The keys, when every one is a number; else undefined, and `keyList` holds them. */
  readonly numberKeys: Float64Array | undefined;
  readonly keyList?: readonly unknown[];
}

/**
 * Gathers the live timers of `services` into the reused columns; they are
 * valid until the next gathering, and {@link releaseTimerKeys} must follow
 * their use (it drops the references to keys that are not numbers).
 */
export function gatherTimers(services: readonly HeapTimerService[]): TimerColumns {
  const stateNames: string[] = [];
  const namespaceIndex = new Map<string, number>();
  const { keys } = scratch;
  let count = 0;
  let numeric = true;
  let lastNamespace: string | undefined;
  let lastNamespaceIndex = 0;
  services.forEach((service, index) => {
    const states = { event: -1, processing: -1 };
    service.forEachTimestamp((domain, timestamp, bucketKeys, bucketNamespaces, live) => {
      const state = states[domain] >= 0 ? states[domain] : (states[domain] = stateNames.push(timerStateName(index, domain)) - 1);
      const end = count + bucketKeys.length;
      const numberKeys = scratch.numberKeys.reserve(end);
      const timestamps = scratch.timestamps.reserve(end);
      const namespaces = scratch.namespaces.reserve(end);
      const stateIndexes = scratch.states.reserve(end);
      for (let i = 0; i < bucketKeys.length; i++) {
        if (live !== undefined && !live(i)) continue;
        const key = bucketKeys[i];
        const namespace = bucketNamespaces[i]!;
        if (namespace !== lastNamespace) {
          lastNamespace = namespace;
          lastNamespaceIndex = namespaceIndex.get(namespace) ?? namespaceIndex.size;
          if (lastNamespaceIndex === namespaceIndex.size) namespaceIndex.set(namespace, lastNamespaceIndex);
        }
        timestamps[count] = timestamp;
        namespaces[count] = lastNamespaceIndex;
        stateIndexes[count] = state;
        if (numeric && typeof key === 'number') numberKeys[count] = key;
        else if (numeric) {
          // The first key that is not a number: the keys go to the list from here on.
          numeric = false;
          for (let k = 0; k < count; k++) keys[k] = numberKeys[k];
          keys[count] = key;
        } else keys[count] = key;
        count++;
      }
    });
  });
  return {
    count,
    stateNames,
    namespaces: [...namespaceIndex.keys()],
    timestamps: scratch.timestamps.array,
    namespaceIndexes: scratch.namespaces.array,
    stateIndexes: scratch.states.array,
    numberKeys: numeric ? scratch.numberKeys.array : undefined,
    ...(numeric ? {} : { keyList: keys }),
  };
}

/** Drops the references the reused columns hold to the keys of `timers` (see {@link gatherTimers}). */
export function releaseTimerKeys(timers: TimerColumns): void {
  scratch.keys.fill(undefined, 0, timers.count);
  scratch.sortedKeys.fill(undefined, 0, timers.count);
}

/** A copy of gathered timers whose keys are numbers, with arrays of its own, to move to another thread. */
export function copyTimerColumns(timers: TimerColumns & { readonly numberKeys: Float64Array }): TimerColumns & { readonly numberKeys: Float64Array } {
  const { count } = timers;
  return {
    count,
    stateNames: timers.stateNames,
    namespaces: timers.namespaces,
    timestamps: copyForTransfer(timers.timestamps, count),
    namespaceIndexes: copyForTransfer(timers.namespaceIndexes, count),
    stateIndexes: copyForTransfer(timers.stateIndexes, count),
    numberKeys: copyForTransfer(timers.numberKeys, count),
  };
}

/** The key groups a subtask's timers belong to. */
export interface KeyGroupsOf {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
}

/**
 * Encodes gathered timers by key group, in ascending key-group order; `emit`
 * gets the columns of each non-empty section (valid until it returns).
 * Sections share one list of state names and one of namespaces (those of all
 * the timers).
 */
export function encodeTimerColumns(timers: TimerColumns, { maxParallelism, keyGroupRange }: KeyGroupsOf, emit: (keyGroup: number, columns: SectionColumns) => void): void {
  const { count, numberKeys } = timers;
  if (count === 0) return;
  const first = keyGroupRange.start;
  const groupCount = keyGroupRange.end - first + 1;
  const starts = new Int32Array(groupCount + 1);
  const groups = scratch.groups.reserve(count);
  const keyAt = numberKeys === undefined ? (i: number) => timers.keyList![i] : (i: number) => numberKeys[i]!;
  for (let i = 0; i < count; i++) {
    const key = keyAt(i);
    const group = assignToKeyGroup(key, maxParallelism) - first;
    if (group < 0 || group >= groupCount) throw new RangeError(`a timer's key ${String(key)} is outside this subtask's key groups ${first}-${keyGroupRange.end}`);
    groups[i] = group;
    starts[group + 1]!++;
  }
  // Counting sort by key group (stable: visiting order is kept within a group).
  for (let slot = 1; slot < starts.length; slot++) starts[slot]! += starts[slot - 1]!;
  const next = starts.slice(0, -1);
  const { timestamps, namespaceIndexes, stateIndexes } = timers;
  const { sortedKeys } = scratch;
  const sortedNumberKeys = scratch.sortedNumberKeys.reserve(numberKeys !== undefined ? count : 0);
  const sortedIntKeys = scratch.sortedIntKeys.reserve(numberKeys !== undefined ? count : 0);
  const sortedTimestamps = scratch.sortedTimestamps.reserve(count);
  const sortedNamespaces = scratch.sortedNamespaces.reserve(count);
  const sortedStates = scratch.sortedStates.reserve(count);
  for (let i = 0; i < count; i++) {
    const at = next[groups[i]!]!++;
    if (numberKeys !== undefined) sortedNumberKeys[at] = numberKeys[i]!;
    else sortedKeys[at] = timers.keyList![i];
    sortedTimestamps[at] = timestamps[i]!;
    sortedNamespaces[at] = namespaceIndexes[i]!;
    sortedStates[at] = stateIndexes[i]!;
  }
  const names = { stateNames: timers.stateNames, stateIndexes: sortedStates, namespaces: timers.namespaces, namespaceIndexes: sortedNamespaces };
  for (let slot = 0; slot < groupCount; slot++) {
    const start = starts[slot]!;
    const end = starts[slot + 1]!;
    if (start === end) continue;
    const keyColumn = numberKeys !== undefined ? float64Column(sortedNumberKeys.subarray(start, end), sortedIntKeys.subarray(start, end)) : toColumn(sortedKeys.slice(start, end));
    // Each value is the list [timestamp].
    emit(first + slot, rangeSection(start, end, names, keyColumn, ['l', typedArrayColumn(sortedTimestamps.subarray(start, end))]));
  }
}

/** The state names a timer handle lists for `serviceCount` services. */
export function timerStates(serviceCount: number): { name: string; kind: 'list' }[] {
  return Array.from({ length: serviceCount }, (_, i) => [timerStateName(i, 'event'), timerStateName(i, 'processing')])
    .flat()
    .map((name) => ({ name, kind: 'list' as const }));
}

/** Restored timers by state name (`timers/<service index>/<domain>`). */
export type RestoredTimers = ReadonlyMap<string, readonly { key: unknown; namespace: string; timestamps: readonly number[] }[]>;

/** Reads the timers of the key groups in `range` from timer handles. */
export async function readRestoredTimers(handles: readonly KeyedStateHandle[], range: KeyGroupRange, reader: StateFileReader): Promise<RestoredTimers> {
  const byState = new Map<string, { key: unknown; namespace: string; timestamps: number[] }[]>();
  for (const handle of handles) {
    for (const file of handle.files) {
      for (const [keyGroup] of file.sections) {
        if (keyGroup < range.start || keyGroup > range.end) continue;
        const section = await readSection(reader, file, keyGroup);
        section?.forEach((name, key, namespace, value) => {
          const list = byState.get(name) ?? [];
          list.push({ key, namespace, timestamps: value as number[] });
          byState.set(name, list);
        });
      }
    }
  }
  return byState;
}

/** Registers restored timers with the timer service that is `index`-th of its operator. */
export function restoreTimersInto(service: HeapTimerService, index: number, restored: RestoredTimers): void {
  for (const domain of ['event', 'processing'] as const) {
    for (const { key, namespace, timestamps } of restored.get(timerStateName(index, domain)) ?? []) {
      for (const timestamp of timestamps) service.restoreTimer(domain, key, namespace, timestamp);
    }
  }
}
