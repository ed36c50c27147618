/**
 * The write-back cache of the embedded backend: the state entries used last,
 * as bytes (every read unpacks a fresh copy, as Flink's RocksDB backend does),
 * and every entry changed since the last flush. Operators access state
 * synchronously, one record at a time; the cache turns their writes into one
 * write transaction per flush instead of one per access.
 *
 * Bounds: at most `maxEntries` entries and `maxBytes` bytes (values plus a
 * fixed estimate per entry). When a record starts (`evictIfNeeded`, called by
 * the backend when the current key changes) and the cache is over either
 * bound, every dirty entry is written in one transaction and the least
 * recently used entries (approximately: a second chance for entries used since
 * the last pass) are dropped down to 80 % of the bounds. Entries are
 * never dropped in the middle of a record (the state objects hold them while
 * they work), but a record that changes `maxEntries` entries has them written
 * at once. Snapshots flush too (their synchronous part).
 *
 * Cache entries are the unit of state: (state, key, namespace). A list entry
 * may hold only elements appended since the last flush, on top of a stored
 * list that was never read (`baseLoaded: false`), so `add` never reads the
 * store. A map entry holds some or all of its rows (`complete`).
 */
import type { EmbeddedStore, StoreWriter } from './embedded-store.js';
import { assembleRow, mapStampBody, readMapStamp, splitRow } from './row-codec.js';

/** A rough per-entry cost beyond its value bytes (objects, the index, the key). */
const ENTRY_OVERHEAD = 160;
const ROW_OVERHEAD = 96;

interface EntryBase {
  /** The cache index: state id, namespace and key by value. */
  readonly id: string;
  /** The entry's row key. */
  readonly rowKey: Buffer;
  /** The row header the entry's row is written with (original key / namespace when needed). */
  readonly header: Buffer;
  dirty: boolean;
  bytes: number;
  /** Used since the eviction pass last looked at it. */
  used: boolean;
}

/** A value, list, reducing or aggregating state entry. */
export interface SingleEntry extends EntryBase {
  readonly kind: 'single';
  /** Body chunks (lists: packed elements), `undefined` when the entry has no value. */
  parts: Buffer[] | undefined;
  /** False: `parts` are list elements appended to a stored list not read yet. */
  baseLoaded: boolean;
}

/** One entry of a map state. */
export interface MapRow {
  readonly key: unknown;
  /** The row's key in the store (the entry's row key, then the user key). */
  readonly rowKey: Buffer;
  readonly header: Buffer;
  /** The packed value; `undefined` once removed. */
  value: Buffer | undefined;
}

/** A map state entry: its own row (TTL stamp) and the rows of its entries. */
export interface MapEntry extends EntryBase {
  readonly kind: 'map';
  /** Whether the map's own row exists (`undefined`: not read yet). */
  present: boolean | undefined;
  stamp: number | undefined;
  /** Cached rows by user-key id. */
  readonly rows: Map<string, MapRow>;
  /** Whether `rows` holds every row of the map (no store read needed). */
  complete: boolean;
  /** The stored rows must be removed before the cached ones are written. */
  cleared: boolean;
  readonly dirtyRows: Set<string>;
  headerDirty: boolean;
}

export type CacheEntry = SingleEntry | MapEntry;

/** Where an entry lives in the store: its row key and the header its row is written with. */
export interface RowRef {
  readonly rowKey: Buffer;
  readonly header: Buffer;
}

/** Bounds of the cache. */
export interface CacheLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/** The cache of one backend, in insertion order with second chances (an approximation of least recently used). */
export class EntryCache {
  private readonly entries = new Map<string, CacheEntry>();
  private bytes = 0;
  /** Entries changed since the last flush. */
  private readonly dirty = new Set<CacheEntry>();
  /** Entries written by flushes so far (for tests and metrics). */
  flushedEntries = 0;

  constructor(
    private readonly store: EmbeddedStore,
    private readonly limits: CacheLimits,
    /** The epoch changes are logged under; 0: changes are not logged (no incremental checkpoint needs them yet). */
    private readonly epoch: () => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** The cached entry `id`, marked as used (see {@link evictIfNeeded}). */
  get(id: string): CacheEntry | undefined {
    const entry = this.entries.get(id);
    if (entry !== undefined) entry.used = true;
    return entry;
  }

  /** The value/list entry `id` (`ref` gives its row key on a miss), read from the store on a miss when `load`. */
  single(id: string, ref: () => RowRef, load: boolean): SingleEntry {
    const cached = this.get(id);
    if (cached !== undefined) {
      if (cached.kind !== 'single') throw new TypeError(`state entry ${id} is cached as a map`);
      if (load && !cached.baseLoaded) this.loadBase(cached);
      return cached;
    }
    const { rowKey, header } = ref();
    const entry: SingleEntry = { kind: 'single', id, rowKey, header, dirty: false, bytes: ENTRY_OVERHEAD + id.length, used: false, parts: [], baseLoaded: false };
    if (load) this.loadBase(entry);
    this.insert(entry);
    return entry;
  }

  /** The map entry `id` (its own row read lazily, see {@link loadMapHeader}). */
  map(id: string, ref: () => RowRef): MapEntry {
    const cached = this.get(id);
    if (cached !== undefined) {
      if (cached.kind !== 'map') throw new TypeError(`state entry ${id} is cached as a single value`);
      return cached;
    }
    const { rowKey, header } = ref();
    const entry: MapEntry = {
      kind: 'map',
      id,
      rowKey,
      header,
      dirty: false,
      bytes: ENTRY_OVERHEAD + id.length,
      used: false,
      present: undefined,
      stamp: undefined,
      rows: new Map(),
      complete: false,
      cleared: false,
      dirtyRows: new Set(),
      headerDirty: false,
    };
    this.insert(entry);
    return entry;
  }

  /** Reads whether a map entry's own row exists, and its stamp. */
  loadMapHeader(entry: MapEntry): void {
    if (entry.present !== undefined) return;
    if (entry.cleared) {
      entry.present = false;
      return;
    }
    const row = this.store.get(entry.rowKey);
    entry.present = row !== undefined;
    entry.stamp = row === undefined ? undefined : readMapStamp(splitRow(row).body);
  }

  /** Replaces a single entry's value (`undefined`: no value). */
  setParts(entry: SingleEntry, parts: Buffer[] | undefined): void {
    this.resize(entry, sumLengths(parts) - sumLengths(entry.parts));
    entry.parts = parts;
    entry.baseLoaded = true;
    this.markDirty(entry);
  }

  /** Appends list elements (packed) to a single entry, without reading the stored list. */
  append(entry: SingleEntry, chunk: Buffer): void {
    if (entry.parts === undefined) entry.parts = [];
    entry.parts.push(chunk);
    this.resize(entry, chunk.length);
    this.markDirty(entry);
  }

  /** Sets (or with `undefined` removes) one row of a map entry. */
  setMapRow(entry: MapEntry, id: string, row: MapRow): void {
    const previous = entry.rows.get(id);
    this.resize(entry, (row.value?.length ?? 0) - (previous?.value?.length ?? 0) + (previous === undefined ? ROW_OVERHEAD + id.length : 0));
    entry.rows.set(id, row);
    entry.dirtyRows.add(id);
    this.markDirty(entry);
  }

  /** A row read from the store into a map entry (clean). */
  cacheMapRow(entry: MapEntry, id: string, row: MapRow): void {
    if (entry.rows.has(id)) return;
    this.resize(entry, (row.value?.length ?? 0) + ROW_OVERHEAD + id.length);
    entry.rows.set(id, row);
  }

  /** Drops every row of a map entry (they are removed from the store at the next flush). */
  clearMap(entry: MapEntry): void {
    this.resize(entry, ENTRY_OVERHEAD + entry.id.length - entry.bytes);
    entry.rows.clear();
    entry.dirtyRows.clear();
    entry.complete = true;
    entry.cleared = true;
    entry.present = false;
    entry.stamp = undefined;
    entry.headerDirty = true;
    this.markDirty(entry);
  }

  /** The map entry's own row changed (present / stamp). */
  markHeaderDirty(entry: MapEntry): void {
    entry.headerDirty = true;
    this.markDirty(entry);
  }

  /** Writes every dirty entry in one transaction (logging each as changed in the current epoch, if any). */
  flush(): number {
    if (this.dirty.size === 0) return 0;
    const epoch = this.epoch();
    let written = 0;
    // In key order: LMDB inserts neighbouring keys into the same pages.
    const dirty = [...this.dirty].sort((a, b) => Buffer.compare(a.rowKey, b.rowKey));
    this.store.write((writer) => {
      for (const entry of dirty) {
        if (entry.kind === 'single') this.writeSingle(writer, entry);
        else this.writeMap(writer, entry);
        if (epoch > 0) writer.logChange(entry.rowKey, epoch, entry.header);
        entry.dirty = false;
        written++;
      }
    });
    this.dirty.clear();
    this.flushedEntries += written;
    return written;
  }

  /** Called between records: when over the bounds, flushes and drops the least recently used entries. */
  evictIfNeeded(): void {
    if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) return;
    this.flush();
    const targetEntries = Math.floor(this.limits.maxEntries * 0.8);
    const targetBytes = Math.floor(this.limits.maxBytes * 0.8);
    // Second chance (CLOCK): an entry used since the last pass goes to the back once; the others go.
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= targetEntries && this.bytes <= targetBytes) break;
      this.entries.delete(id);
      if (entry.used) {
        entry.used = false;
        this.entries.set(id, entry);
      } else {
        this.bytes -= entry.bytes;
      }
    }
  }

  /** Drops every entry (after a flush, or when the store was rewritten underneath). */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    this.dirty.clear();
  }

  private writeSingle(writer: StoreWriter, entry: SingleEntry): void {
    if (entry.parts === undefined) {
      writer.remove(entry.rowKey);
      entry.baseLoaded = true;
      return;
    }
    if (entry.baseLoaded) {
      writer.put(entry.rowKey, assembleRow(entry.header, entry.parts));
      return;
    }
    // Appended elements on top of a stored list never read: append to it in the store, keep nothing.
    const stored = writer.get(entry.rowKey);
    const base = stored === undefined ? [entry.header] : [stored];
    writer.put(entry.rowKey, Buffer.concat([...base, ...entry.parts]));
    this.resize(entry, -sumLengths(entry.parts));
    entry.parts = [];
  }

  private writeMap(writer: StoreWriter, entry: MapEntry): void {
    if (entry.cleared) {
      const end = Buffer.from(entry.rowKey);
      // The rows of the map: the entry's row key followed by anything (see key-codec prefixRange).
      writer.removeRange(entry.rowKey, incremented(end));
      entry.cleared = false;
    }
    if (entry.headerDirty) {
      if (entry.present === true) writer.put(entry.rowKey, assembleRow(entry.header, mapStampBody(entry.stamp)));
      else writer.remove(entry.rowKey);
      entry.headerDirty = false;
    }
    for (const id of entry.dirtyRows) {
      const row = entry.rows.get(id)!;
      if (row.value === undefined) writer.remove(row.rowKey);
      else writer.put(row.rowKey, assembleRow(row.header, [row.value]));
    }
    entry.dirtyRows.clear();
  }

  private loadBase(entry: SingleEntry): void {
    const stored = this.store.get(entry.rowKey);
    const appended = entry.parts ?? [];
    const base = stored === undefined ? undefined : splitRow(stored).body;
    const parts = base === undefined ? (appended.length === 0 ? undefined : appended) : [base, ...appended];
    this.resize(entry, base?.length ?? 0);
    entry.parts = parts;
    entry.baseLoaded = true;
  }

  private insert(entry: CacheEntry): void {
    this.entries.set(entry.id, entry);
    this.bytes += entry.bytes;
  }

  private resize(entry: CacheEntry, delta: number): void {
    entry.bytes += delta;
    if (this.entries.get(entry.id) === entry) this.bytes += delta;
  }

  private markDirty(entry: CacheEntry): void {
    entry.dirty = true;
    this.dirty.add(entry);
    // A record that changes very many entries: write them out now (nothing is dropped mid-record).
    if (this.dirty.size >= this.limits.maxEntries) this.flush();
  }
}

function sumLengths(parts: readonly Buffer[] | undefined): number {
  let n = 0;
  if (parts !== undefined) for (const part of parts) n += part.length;
  return n;
}

/** The smallest key greater than every key that starts with `prefix`. */
function incremented(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      prefix[i]!++;
      return prefix.subarray(0, i + 1);
    }
  }
  return Buffer.alloc(prefix.length + 1, 0xff);
}
