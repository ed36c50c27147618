/**
 * Heap state of one operator subtask, organised by key group so it can be
 * snapshotted and redistributed per group. Keys are compared by value:
 * primitives as they are, arrays and objects by a canonical string.
 *
 * Lookups go through one index (a single hash lookup per record); each entry
 * also belongs to the list of its key group, which is what snapshots and
 * rescaling walk. The key group is computed once, when a key is first seen.
 */
import { assignToKeyGroup } from '../../graph/key-groups.js';

/** An inclusive range of key groups. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/** The state of one key. */
export interface KeyedEntry<V> {
  readonly key: unknown;
  readonly keyGroup: number;
  value: V;
  /** @internal its position in its key group's list. */
  slot: number;
}

/** A map from key to value, partitioned by key group. */
export class KeyGroupedMap<V> {
  private readonly index = new Map<unknown, KeyedEntry<V>>();
  /** The entries of each key group, unordered (a removal moves the last one into the gap). */
  private readonly groups: KeyedEntry<V>[][];
  /** Entries that became empty since the last sweep. */
  private emptied = 0;
  /** Entries that are empty right now (not counted in `size`). */
  private emptyNow = 0;

  constructor(
    private readonly range: KeyGroupRange,
    private readonly maxParallelism: number,
  ) {
    this.groups = Array.from({ length: range.end - range.start + 1 }, () => []);
  }

  /** The key group of `key`. */
  keyGroupOf(key: unknown): number {
    return assignToKeyGroup(key, this.maxParallelism);
  }

  /** The entry of `key`, if it has state. */
  entry(key: unknown): KeyedEntry<V> | undefined {
    return this.index.get(canonicalKey(key));
  }

  /** The entry of a key given in canonical form (see {@link canonicalKey}). */
  entryOfCanonical(canonical: unknown): KeyedEntry<V> | undefined {
    return this.index.get(canonical);
  }

  /** All entries (any key group). */
  entries(): IterableIterator<KeyedEntry<V>> {
    return this.index.values();
  }

  /**
   * Adds state for a key that has none; throws if the key belongs to another
   * subtask. A restore passes what it knows already: the canonical key and
   * the key group of the section the entry came from.
   */
  insert(key: unknown, value: V, canonical = canonicalKey(key), keyGroup = assignToKeyGroup(key, this.maxParallelism)): KeyedEntry<V> {
    const group = this.groups[keyGroup - this.range.start];
    if (group === undefined) {
      throw new RangeError(`key group ${keyGroup} of key ${String(key)} is outside this subtask's range ${this.range.start}-${this.range.end}`);
    }
    const entry = this.newEntry(key, keyGroup, value, group.length);
    this.index.set(canonical, entry);
    group.push(entry);
    return entry;
  }

  /** The entry of a new key (a table may use its values as entries themselves). */
  protected newEntry(key: unknown, keyGroup: number, value: V, slot: number): KeyedEntry<V> {
    return { key, keyGroup, value, slot };
  }

  get(key: unknown): V | undefined {
    return this.entry(key)?.value;
  }

  set(key: unknown, value: V): void {
    const entry = this.entry(key);
    if (entry === undefined) this.insert(key, value);
    else entry.value = value;
  }

  /**
   * Notes that an entry's value became empty (e.g. a key's last window was
   * cleared). Empty entries are dropped in batches, once they are as many as
   * half the live ones (at least 1 024): a key that comes back soon — the next
   * window of the same key — reuses its entry instead of being re-indexed.
   */
  releaseEmpty(isEmpty: (value: V) => boolean): void {
    this.emptyNow++;
    if (++this.emptied <= Math.max(1024, this.index.size >> 1)) return;
    this.emptied = 0;
    this.emptyNow = 0;
    for (const [canonical, entry] of this.index) {
      if (!isEmpty(entry.value)) continue;
      this.index.delete(canonical);
      this.removeFromGroup(entry);
    }
  }

  /** An entry released as empty gets a value again. */
  reclaim(): void {
    this.emptyNow--;
  }

  /** Removes the state of `key`. */
  delete(key: unknown): void {
    const canonical = canonicalKey(key);
    const entry = this.index.get(canonical);
    if (entry === undefined) return;
    this.index.delete(canonical);
    this.removeFromGroup(entry);
  }

  private removeFromGroup(entry: KeyedEntry<V>): void {
    const group = this.groups[entry.keyGroup - this.range.start]!;
    const last = group.pop()!;
    if (last === entry) return;
    group[entry.slot] = last;
    last.slot = entry.slot;
  }

  /** The entries of one key group (for snapshots: not to be changed, nor the table while it is walked). */
  group(keyGroup: number): readonly KeyedEntry<V>[] {
    return this.groups[keyGroup - this.range.start]!;
  }

  /** Keys with state (released empty entries not counted). */
  get size(): number {
    return this.index.size - this.emptyNow;
  }
}

/** Primitives stand for themselves; composite keys become a canonical string. */
export function canonicalKey(key: unknown): unknown {
  if (typeof key !== 'object' || key === null) return key;
  return `\u0000${canonicalJson(key)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return `D${value.getTime()}`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'u';
  return JSON.stringify(value);
}
