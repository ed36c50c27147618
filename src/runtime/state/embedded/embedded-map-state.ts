/**
 * The map state of the embedded backend: one row per map entry (as Flink's
 * RocksDB backend stores map state), so `put`, `get` and `remove` touch one
 * row whatever the map's size, plus the map's own row, which carries its TTL
 * stamp. With a TTL the map expires as a whole, as the heap backend's does
 * (Flink expires map entries one by one).
 *
 * Iteration order is not specified (the heap backend gives insertion order,
 * Flink's RocksDB backend key order). A map whose last entry was removed
 * can leave its own row behind; it counts as absent everywhere (reads,
 * `applyToAllKeys`, snapshots).
 */
import type { MapState, StateTtlConfig } from '../../../api/state.js';
import type { InternalKvState } from '../heap-states.js';
import type { MapEntry } from './entry-cache.js';
import type { EmbeddedStateHost } from './embedded-states.js';
import { keyId } from './key-codec.js';
import { pack, unpack } from './row-codec.js';

/** How a read finds the map: absent, live, or expired but visible this once (read it, then clear it). */
type Status = 'absent' | 'live' | 'stale';

export class EmbeddedMapState<K, V> implements MapState<K, V>, InternalKvState {
  readonly kind = 'map' as const;
  private namespace = '';
  private readonly ttl: StateTtlConfig | undefined;

  constructor(
    readonly name: string,
    ttl: StateTtlConfig | undefined,
    private readonly stateId: number,
    private readonly host: EmbeddedStateHost,
  ) {
    this.ttl = ttl !== undefined && ttl.updateType !== 'Disabled' ? ttl : undefined;
  }

  setCurrentNamespace(namespace: string): void {
    this.namespace = namespace;
  }

  get(key: K): V | undefined {
    const { entry, status } = this.open(false);
    if (status === 'absent') return undefined;
    const value = this.rowValue(entry, key);
    this.finish(entry, status);
    return value === undefined ? undefined : (unpack(value) as V);
  }

  put(key: K, value: V): void {
    const { entry } = this.open(true);
    const ref = this.host.mapRowRef(entry, key);
    this.host.cache.setMapRow(entry, ref.id, { key, rowKey: ref.rowKey, header: ref.header, value: pack(value) });
    if (this.ttl !== undefined) {
      entry.present = true;
      entry.stamp = this.host.clock();
      this.host.cache.markHeaderDirty(entry);
    } else if (entry.present !== true) {
      entry.present = true;
      this.host.cache.markHeaderDirty(entry);
    }
  }

  putAll(entries: Iterable<[K, V]> | Map<K, V>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  remove(key: K): void {
    const { entry, status } = this.open(true);
    if (status === 'absent') return;
    const ref = this.host.mapRowRef(entry, key);
    this.host.cache.setMapRow(entry, ref.id, { key, rowKey: ref.rowKey, header: ref.header, value: undefined });
    if (entry.complete && !hasLiveCachedRow(entry)) {
      // The map is now empty: it goes, as the heap backend drops an emptied map.
      entry.present = false;
      entry.stamp = undefined;
      this.host.cache.markHeaderDirty(entry);
    } else if (this.ttl !== undefined) {
      entry.stamp = this.host.clock();
      this.host.cache.markHeaderDirty(entry);
    }
  }

  contains(key: K): boolean {
    const { entry, status } = this.open(false);
    if (status === 'absent') return false;
    const value = this.rowValue(entry, key);
    this.finish(entry, status);
    return value !== undefined;
  }

  entries(): Iterable<[K, V]> {
    return this.rows().map(([k, v]) => [k as K, unpack(v) as V]);
  }

  keys(): Iterable<K> {
    return this.rows().map(([k]) => k as K);
  }

  values(): Iterable<V> {
    return this.rows().map(([, v]) => unpack(v) as V);
  }

  isEmpty(): boolean {
    const { entry, status } = this.open(false);
    if (status === 'absent') return true;
    let empty = !hasLiveCachedRow(entry);
    if (empty && !entry.complete) {
      for (const [id] of this.host.storedMapRows(entry)) {
        if (!entry.rows.has(id)) {
          empty = false;
          break;
        }
      }
    }
    this.finish(entry, status);
    return empty;
  }

  clear(): void {
    this.host.cache.clearMap(this.entry());
  }

  /** Drops the map of (current key, `namespace`) when expired (incremental cleanup). */
  private sweepOne(namespace: string): void {
    const entry = this.entry(namespace);
    this.host.cache.loadMapHeader(entry);
    if (entry.present === true && entry.stamp !== undefined && this.host.clock() - entry.stamp >= this.ttl!.ttlMs) this.host.cache.clearMap(entry);
  }

  private entry(namespace = this.namespace): MapEntry {
    const host = this.host;
    return host.cache.map(host.entryId(this.stateId, namespace), () => host.entryRef(this.stateId, namespace));
  }

  /** As the heap's `load` of the whole map: TTL checked on the map's own row (only with a TTL). */
  private open(forUpdate: boolean): { entry: MapEntry; status: Status } {
    if (this.ttl !== undefined) this.cleanupSome();
    const entry = this.entry();
    if (this.ttl === undefined) return { entry, status: 'live' };
    this.host.cache.loadMapHeader(entry);
    if (entry.present !== true) return { entry, status: 'absent' };
    const now = this.host.clock();
    if (entry.stamp !== undefined && now - entry.stamp >= this.ttl.ttlMs) {
      if (this.ttl.stateVisibility === 'ReturnExpiredIfNotCleanedUp' && !forUpdate) return { entry, status: 'stale' };
      this.host.cache.clearMap(entry);
      return { entry, status: 'absent' };
    }
    if (this.ttl.updateType === 'OnReadAndWrite') {
      entry.stamp = now;
      this.host.cache.markHeaderDirty(entry);
    }
    return { entry, status: 'live' };
  }

  /** After reading an expired map once: it is cleaned up. */
  private finish(entry: MapEntry, status: Status): void {
    if (status === 'stale') this.host.cache.clearMap(entry);
  }

  /** The packed value of `key`'s row, from the cache or the store. */
  private rowValue(entry: MapEntry, key: unknown): Buffer | undefined {
    const cached = entry.rows.get(keyId(key));
    if (cached !== undefined || entry.complete) return cached?.value;
    const ref = this.host.mapRowRef(entry, key);
    const value = this.host.storedMapRow(ref.rowKey);
    this.host.cache.cacheMapRow(entry, ref.id, { key, rowKey: ref.rowKey, header: ref.header, value });
    return value;
  }

  /** Every live row, the cached ones over the stored ones. */
  private rows(): [unknown, Buffer][] {
    const { entry, status } = this.open(false);
    if (status === 'absent') return [];
    const out: [unknown, Buffer][] = [];
    if (!entry.complete) {
      for (const [id, row] of this.host.storedMapRows(entry)) if (!entry.rows.has(id)) out.push([row.key, row.value!]);
    }
    for (const row of entry.rows.values()) if (row.value !== undefined) out.push([row.key, row.value]);
    this.finish(entry, status);
    return out;
  }

  private cleanupSome(): void {
    const size = this.ttl?.incrementalCleanupSize ?? 0;
    if (size > 0) this.host.sweep(this.stateId, size, (namespace) => this.sweepOne(namespace));
  }
}

function hasLiveCachedRow(entry: MapEntry): boolean {
  for (const row of entry.rows.values()) if (row.value !== undefined) return true;
  return false;
}
