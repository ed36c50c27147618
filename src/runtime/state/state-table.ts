/**
 * The table of one heap state: key → namespace → value, by key group, with
 * the values that fit kept in columns (see value-columns.ts).
 */
import { canonicalKey, KeyGroupedMap, type KeyedEntry } from './key-grouped-map.js';
import { NamespaceMap } from './namespace-map.js';
import { ValueColumns } from './value-columns.js';

export class StateTable extends KeyGroupedMap<NamespaceMap<unknown>> {
  readonly columns = new ValueColumns();

  /** Adds an entry without values for `key` (which has none); a restore passes what it knows (see {@link KeyGroupedMap.insert}). */
  insertKey(key: unknown, canonical = canonicalKey(key), keyGroup = this.keyGroupOf(key)): KeyedEntry<NamespaceMap<unknown>> {
    return this.insert(key, undefined as unknown as NamespaceMap<unknown>, canonical, keyGroup);
  }

  /** A key's entry is its namespace map itself: one object per key, and one pointer less to follow per access. */
  protected override newEntry(key: unknown, keyGroup: number, _value: NamespaceMap<unknown>, slot: number): KeyedEntry<NamespaceMap<unknown>> {
    return new NamespaceMap(this.columns, key, keyGroup, slot);
  }

  /**
   * Keeps every value an object from now on (states whose code changes stored
   * values in place: time-to-live stamps); values already in columns move out.
   */
  keepObjects(): void {
    this.columns.disable();
    for (const entry of this.entries()) entry.value.leaveColumns();
  }
}
