/**
 * The `embedded` keyed state backend: the keyed state of one operator subtask
 * in an on-disk store (LMDB) under a directory of its own, behind a bounded
 * write-back cache, with incremental checkpoints. See `index.ts` for the
 * guarantees and settings; this file holds the key context and the glue
 * between the state objects, the cache, the store and snapshots.
 */
import type { AnyStateDescriptor } from '../../../api/state.js';
import { FlinktsError } from '../../../api/errors.js';
import { assignToKeyGroup } from '../../../graph/key-groups.js';
import type { KeyedStateHandle, StateFileReader } from '../../checkpoint/metadata.js';
import type { InternalKvState } from '../heap-states.js';
import type { KeyedSnapshotOptions, KeyedStateBackend } from '../keyed-state-backend.js';
import { canonicalKey, type KeyGroupRange } from '../key-grouped-map.js';
import { EmbeddedMapState } from './embedded-map-state.js';
import { EmbeddedSnapshots } from './embedded-snapshots.js';
import { createEmbeddedState, type EmbeddedStateHost } from './embedded-states.js';
import { EmbeddedStore } from './embedded-store.js';
import { EntryCache, type MapEntry, type MapRow, type RowRef } from './entry-cache.js';
import { keyAndNamespace, userKeyOf } from './entry-records.js';
import { encodeKey, encodeNamespace, entryKey, groupPrefix, keyId, parseRowKey, prefixRange, type EncodedKey } from './key-codec.js';
import { rowHeader, splitRow } from './row-codec.js';
import { StateRegistry } from './state-registry.js';

/** Settings of an {@link EmbeddedKeyedStateBackend}. */
export interface EmbeddedBackendSettings {
  /** The store's directory (created empty, deleted by `dispose`). */
  readonly directory: string;
  /** `dispose` also removes the directory's parent when it is left empty (the per-process directory). */
  readonly removeEmptyParent?: boolean;
  /** Cache bound in entries (state, key, namespace). */
  readonly cacheEntries: number;
  /** Cache bound in bytes (values plus an estimate per entry). */
  readonly cacheBytes: number;
  /** Deltas on one base before a checkpoint writes a new full base. */
  readonly maxDeltas: number;
  /**
   * Whether checkpoints (`native` snapshots) are incremental (default true);
   * false writes every checkpoint as one full file of its own, as savepoints.
   */
  readonly incremental?: boolean;
}

/** Where the incremental TTL cleanup of a state goes on from. */
interface SweepCursor {
  keyGroup: number;
  after: Buffer | undefined;
}

export class EmbeddedKeyedStateBackend implements KeyedStateBackend, EmbeddedStateHost {
  readonly store: EmbeddedStore;
  readonly cache: EntryCache;
  readonly registry = new StateRegistry();
  private readonly snapshots: EmbeddedSnapshots;
  /** Changes are logged under this epoch once `trackChanges` (see `embedded-snapshots.ts`). */
  private epoch = 1;
  private trackChanges = false;
  private currentKey: unknown = undefined;
  private currentCanonical: unknown = undefined;
  private currentId = 'u';
  /** The current key's encoding and key group, computed on first use. */
  private currentEncoded: EncodedKey | undefined;
  private currentGroup = -1;
  private readonly sweeps = new Map<number, SweepCursor>();
  private disposed = false;
  /** Asynchronous snapshot parts running now (`dispose` waits for them before closing the store). */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    readonly keyGroupRange: KeyGroupRange,
    readonly maxParallelism: number,
    readonly settings: EmbeddedBackendSettings,
    /** Processing time, for state TTL. */
    readonly clock: () => number = Date.now,
  ) {
    this.store = new EmbeddedStore(settings.directory, settings.removeEmptyParent ?? false);
    this.cache = new EntryCache(this.store, { maxEntries: settings.cacheEntries, maxBytes: settings.cacheBytes }, () => (this.trackChanges ? this.epoch : 0));
    this.snapshots = new EmbeddedSnapshots(
      {
        store: this.store,
        registry: this.registry,
        keyGroupRange,
        maxParallelism,
        clock,
        flush: () => this.cache.flush(),
        closeEpoch: (track) => {
          this.trackChanges ||= track;
          return this.epoch++;
        },
        disposing: () => this.disposed,
      },
      settings.maxDeltas,
      settings.incremental ?? true,
    );
  }

  /** Sets the key of the record being processed; between records the cache may write out and shrink. */
  setCurrentKey(key: unknown): void {
    this.cache.evictIfNeeded();
    this.switchKey(key);
  }

  getCurrentKey(): unknown {
    return this.currentKey;
  }

  /** @internal the canonical form of the current key (timers use it). */
  currentKeyCanonical(): unknown {
    return this.currentCanonical;
  }

  /** A new view of the state `descriptor` names, with its own namespace (`''`). */
  getState<S extends InternalKvState>(descriptor: AnyStateDescriptor): S {
    this.checkOpen();
    const state = this.registry.register(descriptor);
    if (descriptor.kind === 'map') return new EmbeddedMapState(descriptor.name, descriptor.getTtlConfig(), state.id, this) as unknown as S;
    return createEmbeddedState(descriptor, state.id, this) as S;
  }

  /** Merges the `sources` namespaces of a merging state into `target` (session windows). */
  mergeNamespaces(state: InternalKvState, target: string, sources: readonly string[]): void {
    if (state.mergeNamespaces === undefined) {
      throw new FlinktsError('USER_FUNCTION', `state '${state.name}' of kind ${state.kind} cannot be merged`);
    }
    state.mergeNamespaces(target, sources);
  }

  /**
   * Calls `fn` for every key that has state `descriptor` in `namespace`, with
   * that key current: the keys as they are when the call starts (read from a
   * consistent view of the store, one key group at a time).
   */
  applyToAllKeys(namespace: string, descriptor: AnyStateDescriptor, fn: (key: unknown, state: InternalKvState) => void): void {
    const state = this.getState(descriptor);
    const stateId = this.registry.register(descriptor).id;
    this.cache.flush();
    const view = this.store.snapshot();
    const previous = this.currentKey;
    try {
      for (let keyGroup = this.keyGroupRange.start; keyGroup <= this.keyGroupRange.end; keyGroup++) {
        const keys: unknown[] = [];
        let pending: { key: unknown; entryEnd: number; rowKey: Buffer } | undefined;
        const { start, end } = prefixRange(groupPrefix(keyGroup, stateId));
        for (const row of view.range(start, end)) {
          const parsed = parseRowKey(row.key);
          if (parsed.entryEnd < row.key.length) {
            // A map entry row: its map has an entry, so it counts.
            if (pending !== undefined && row.key.subarray(0, pending.entryEnd).equals(pending.rowKey)) keys.push(pending.key);
            pending = undefined;
            continue;
          }
          pending = undefined;
          const found = keyAndNamespace(row, parsed);
          if (found.namespace !== namespace) continue;
          if (descriptor.kind === 'map') pending = { key: found.key, entryEnd: parsed.entryEnd, rowKey: row.key };
          else keys.push(found.key);
        }
        for (const key of keys) {
          this.setCurrentKey(key);
          state.setCurrentNamespace(namespace);
          fn(key, state);
        }
      }
    } finally {
      view.release();
      this.setCurrentKey(previous);
    }
  }

  /** Names of the states asked for or restored. */
  stateNames(): string[] {
    return this.registry.all().map((s) => s.name);
  }

  /** The synchronous part flushes the cache and pins a view of the store; see `embedded-snapshots.ts`. */
  snapshot(options: KeyedSnapshotOptions): () => Promise<KeyedStateHandle | undefined> {
    this.checkOpen();
    const write = this.snapshots.snapshot(options);
    return () => {
      const written = write();
      this.running.add(written);
      void written.then(
        () => this.running.delete(written),
        () => this.running.delete(written),
      );
      return written;
    };
  }

  /** Loads the key groups of this backend's range from `handles` (any old parallelism); before any state access. */
  async restore(handles: readonly KeyedStateHandle[], files: StateFileReader): Promise<void> {
    this.checkOpen();
    this.cache.flush();
    this.cache.clear();
    await this.snapshots.restore(handles, files);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.snapshots.notifyCheckpointComplete(checkpointId);
  }

  /** Writes the cache out (the runtime need not call it: snapshots flush, and `dispose` drops everything). */
  flush(): void {
    this.cache.flush();
  }

  /** The entries (key, namespace) state `name` has in the store, after a flush (emptied maps not counted); for tests and metrics. */
  countEntries(name: string): number {
    const state = this.registry.byStateName(name);
    if (state === undefined) return 0;
    this.cache.flush();
    let count = 0;
    let mapOwnRow: Buffer | undefined;
    for (let keyGroup = this.keyGroupRange.start; keyGroup <= this.keyGroupRange.end; keyGroup++) {
      for (const { key } of this.store.rowsWithPrefix(groupPrefix(keyGroup, state.id))) {
        const parsed = parseRowKey(key);
        if (state.kind !== 'map') count++;
        else if (parsed.entryEnd === key.length) mapOwnRow = key;
        else if (mapOwnRow !== undefined && key.subarray(0, parsed.entryEnd).equals(mapOwnRow)) {
          count++;
          mapOwnRow = undefined;
        }
      }
    }
    return count;
  }

  /** What the last snapshots wrote (full / delta and entry counts). */
  snapshotReports(): readonly { checkpointId: number; kind: string; entries: number }[] {
    return this.snapshots.reports;
  }

  /**
   * Closes the store and deletes its directory; the backend cannot be used
   * afterwards. Snapshots still being written fail at their next step (they
   * are waited for, so none touches a closed store). The directory is deleted
   * before the first `await`, so it goes even when the worker is terminated
   * right after (as it is once a job is cancelled).
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.cache.clear();
    this.store.removeDirectory();
    await Promise.allSettled([...this.running]);
    this.snapshots.releaseThreadViews();
    await this.store.close();
  }

  // ---- EmbeddedStateHost: what the state objects use ----

  entryId(stateId: number, namespace: string): string {
    return `${stateId}:${namespace.length}:${namespace}${this.currentId}`;
  }

  entryRef(stateId: number, namespace: string): RowRef {
    const key = this.encodedCurrentKey();
    const encodedNamespace = encodeNamespace(namespace);
    return {
      rowKey: entryKey(this.currentKeyGroup(), stateId, key.bytes, encodedNamespace.bytes),
      header: rowHeader(key.decodable ? undefined : { value: this.currentKey }, encodedNamespace.decodable ? undefined : namespace),
    };
  }

  mapRowRef(entry: MapEntry, userKey: unknown): RowRef & { id: string } {
    const encoded = encodeKey(userKey);
    return {
      id: encoded.id,
      rowKey: Buffer.concat([entry.rowKey, encoded.bytes]),
      header: rowHeader(encoded.decodable ? undefined : { value: userKey }, undefined),
    };
  }

  *storedMapRows(entry: MapEntry): Iterable<[string, MapRow]> {
    const entryEnd = entry.rowKey.length;
    for (const row of this.store.rowsWithPrefix(entry.rowKey)) {
      if (row.key.length === entryEnd) continue;
      const key = userKeyOf(row, entryEnd);
      const split = splitRow(row.value);
      yield [keyId(key), { key, rowKey: row.key, header: split.header, value: split.body }];
    }
  }

  storedMapRow(rowKey: Buffer): Buffer | undefined {
    const row = this.store.get(rowKey);
    return row === undefined ? undefined : splitRow(row).body;
  }

  sweep(stateId: number, count: number, visit: (namespace: string) => void): void {
    const cursor = this.sweeps.get(stateId) ?? { keyGroup: this.keyGroupRange.start, after: undefined };
    const found: { key: unknown; namespace: string }[] = [];
    while (found.length < count) {
      const { start, end } = prefixRange(groupPrefix(cursor.keyGroup, stateId));
      for (const row of this.store.range(cursor.after ?? start, end)) {
        if (cursor.after !== undefined && row.key.equals(cursor.after)) continue;
        const parsed = parseRowKey(row.key);
        if (parsed.entryEnd < row.key.length) continue;
        cursor.after = row.key;
        found.push(keyAndNamespace(row, parsed));
        if (found.length >= count) break;
      }
      if (found.length >= count) break;
      if (cursor.keyGroup >= this.keyGroupRange.end) {
        // A round is over: the next access starts another, as the heap backend's sweep does.
        this.sweeps.delete(stateId);
        this.visitSwept(found, visit);
        return;
      }
      cursor.keyGroup++;
      cursor.after = undefined;
    }
    this.sweeps.set(stateId, cursor);
    this.visitSwept(found, visit);
  }

  private visitSwept(found: readonly { key: unknown; namespace: string }[], visit: (namespace: string) => void): void {
    if (found.length === 0) return;
    const previous = this.currentKey;
    try {
      for (const { key, namespace } of found) {
        this.switchKey(key);
        visit(namespace);
      }
    } finally {
      this.switchKey(previous);
    }
  }

  /** Changes the key context without touching the cache (inside an access). */
  private switchKey(key: unknown): void {
    if (key === this.currentKey && (typeof key !== 'object' || key === null)) return;
    this.currentKey = key;
    this.currentCanonical = canonicalKey(key);
    this.currentId = keyId(key);
    this.currentEncoded = undefined;
    this.currentGroup = -1;
  }

  private encodedCurrentKey(): EncodedKey {
    return (this.currentEncoded ??= encodeKey(this.currentKey));
  }

  private currentKeyGroup(): number {
    if (this.currentGroup < 0) {
      const keyGroup = assignToKeyGroup(this.currentKey, this.maxParallelism);
      if (keyGroup < this.keyGroupRange.start || keyGroup > this.keyGroupRange.end) {
        throw new RangeError(
          `key group ${keyGroup} of key ${String(this.currentKey)} is outside this subtask's range ${this.keyGroupRange.start}-${this.keyGroupRange.end}`,
        );
      }
      this.currentGroup = keyGroup;
    }
    return this.currentGroup;
  }

  private checkOpen(): void {
    if (this.disposed) throw new FlinktsError('INTERNAL', 'the embedded state backend was disposed');
  }
}
