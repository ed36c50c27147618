/**
 * Snapshots of the embedded backend: full or incremental, and restores.
 *
 * Once a native snapshot was taken (so not without checkpoints), every flush
 * of the write-back cache logs the changed entries' keys in the store's
 * change log under the current *epoch*; a snapshot's synchronous part
 * flushes, takes a consistent view of the store (an LMDB read transaction:
 * opened by the encoding thread when the writer has one, the store's next
 * write waiting until it is open) and starts the next epoch. Its asynchronous
 * part then writes, from that view (on the encoding thread, or here between
 * records):
 *
 * - a **full** file: every entry, by key group. A `canonical` snapshot
 *   (savepoint) is always one full file, `exclusive`. A `native` checkpoint
 *   writes a full *base* (`shared`) when there is no confirmed checkpoint to
 *   build on, after `maxDeltas` deltas, once the deltas together are larger
 *   than the base, or when more entries changed since the confirmed
 *   checkpoint than the store holds (most of the state was removed). With `state.backend.incremental: false` every checkpoint
 *   is written as a savepoint is: one full `exclusive` file, no change log;
 * - otherwise a **delta** file (`shared`, `delta: true`): only the entries
 *   changed since the last *confirmed* checkpoint (the entries logged with a
 *   later epoch), removed ones as `DELETED`. The handle lists the base and
 *   every delta since, so earlier files are referenced again, never rewritten.
 *
 * Deltas build on the last checkpoint whose completion was notified (as
 * Flink's RocksDB backend does), so a checkpoint that fails or is declined
 * costs nothing: the next delta still covers its changes. Logged changes older
 * than the confirmed checkpoint are pruned when a delta was written.
 *
 * Restore applies each handle's files in order, for the key groups the handle
 * and this backend share (any old parallelism), straight into the store.
 */
import { FlinktsError } from '../../../api/errors.js';
import { assignToKeyGroup } from '../../../graph/key-groups.js';
import type { KeyedStateFile, KeyedStateHandle, StateFileReader } from '../../checkpoint/metadata.js';
import { awaitThreadView, closeStoreViewOnThread, requestStoreViewOnThread } from '../../checkpoint/section-thread.js';
import { readSection } from '../../checkpoint/state-dump.js';
import type { KeyedEntryRecord } from '../../checkpoint/state-sections.js';
import type { KeyedSnapshotOptions } from '../keyed-state-backend.js';
import type { KeyGroupRange } from '../key-grouped-map.js';
import type { EmbeddedStore } from './embedded-store.js';
import { deltaSections, fullSections, type SnapshotState } from './snapshot-sections.js';
import { writeRecord } from './entry-records.js';
import { groupPrefix, prefixRange } from './key-codec.js';
import type { StateRegistry } from './state-registry.js';

/** The files a checkpoint's handle lists: a base and the deltas since. */
interface Chain {
  readonly files: readonly KeyedStateFile[];
  readonly baseSize: number;
  readonly deltaSize: number;
  readonly deltas: number;
  /** Every change logged up to this epoch is in the files. */
  readonly epoch: number;
}

/** What snapshots need from the backend. */
export interface SnapshotSource {
  readonly store: EmbeddedStore;
  readonly registry: StateRegistry;
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  readonly clock: () => number;
  /** Writes the cache out. */
  flush(): void;
  /** Ends the current epoch (after a flush) and returns it; `track`: log changes from now on (a native snapshot). */
  closeEpoch(track: boolean): number;
  /** Whether the backend is being disposed: running snapshots stop at their next step. */
  disposing(): boolean;
}


/** What one snapshot wrote (for tests and metrics). */
export interface SnapshotReport {
  readonly checkpointId: number;
  readonly kind: 'full' | 'delta' | 'unchanged';
  readonly entries: number;
}

export class EmbeddedSnapshots {
  private confirmed: Chain | undefined;
  private readonly pending = new Map<number, Chain>();
  /** Views the encoding thread opened for snapshots whose asynchronous part has not started. */
  private readonly threadViews = new Set<number>();
  /** The encoding thread could not open a view of the store: snapshots read it on the task's thread. */
  private threadFailed = false;
  /** The last snapshots taken, newest last (a few, for tests and metrics). */
  readonly reports: SnapshotReport[] = [];

  constructor(
    private readonly source: SnapshotSource,
    private readonly maxDeltas: number,
    /** False: every snapshot is one full `exclusive` file, and no changes are logged. */
    private readonly incremental = true,
  ) {}

  snapshot(options: KeyedSnapshotOptions): () => Promise<KeyedStateHandle | undefined> {
    this.source.flush();
    // A snapshot that is one full file of its own: savepoints, and every checkpoint when not incremental.
    const selfContained = options.format === 'canonical' || !this.incremental;
    const epoch = this.source.closeEpoch(!selfContained);
    // The view: opened by the encoding thread, which then reads and writes the file, when the writer has one. The
    // task does not wait for it: records flow on, and only the store's next write waits until the view is open.
    const onThread = this.threadFailed ? undefined : options.files.writeKeyedSectionsOnThread?.bind(options.files);
    const threadView = onThread === undefined ? undefined : requestStoreViewOnThread(this.source.store.directory);
    let viewTooLate = false;
    if (threadView !== undefined) {
      this.threadViews.add(threadView.id);
      this.source.store.holdWritesFor((timeoutMs) => {
        if (!awaitThreadView(threadView, timeoutMs)) viewTooLate = true;
        return !viewTooLate;
      });
    }
    const view = threadView === undefined ? this.source.store.snapshot() : undefined;
    const base = this.confirmed;
    const plannedFull = selfContained || base === undefined || base.deltas >= this.maxDeltas || base.deltaSize > base.baseSize;
    // A delta that would list more entries than the store holds becomes a full file (see deltaSections).
    const rows = plannedFull ? 0 : this.source.store.rowCount();
    const states = this.snapshotStates();
    const listed = [...states.values()].map(({ name, kind }) => ({ name, kind }));
    const now = this.source.clock();
    const keyGroupRange = this.source.keyGroupRange;
    const location: 'exclusive' | 'shared' = selfContained ? 'exclusive' : 'shared';
    /** The file of the full or delta snapshot (undefined when it has no entry), its entries, and whether it is full. */
    const write = async (): Promise<{ file: KeyedStateFile | undefined; entries: number; full: boolean }> => {
      if (threadView !== undefined) {
        const job = { kind: 'store' as const, view: threadView.id, afterEpoch: plannedFull ? undefined : base!.epoch, fullAbove: rows, states: [...states.values()], range: keyGroupRange, now, location };
        try {
          const { file, entries, full } = await onThread!(job);
          // A write that gave up waiting for the view may have changed what it saw.
          if (viewTooLate) throw new Error('the encoding thread did not open its view of the embedded store in time; the snapshot is not consistent');
          return { file, entries, full: full ?? plannedFull };
        } finally {
          // The thread could not open views of this store: later snapshots read it here.
          if (Atomics.load(threadView.signal, 0) === 2) this.threadFailed = true;
        }
      }
      // Records keep flowing between slices of rows.
      const source = { view: view!, states, keyGroupRange, now, pause: () => yieldToEventLoop().then(() => this.checkRunning()) };
      const { sections, entries, full } = plannedFull ? await fullSections(source) : await deltaSections(source, base!.epoch, rows);
      if (sections.length === 0) return { file: undefined, entries, full };
      return { file: await options.files.writeKeyedStateFile(sections, { location, delta: !full }), entries, full };
    };
    return async () => {
      let handedOver = false;
      try {
        this.checkRunning();
        handedOver = true;
        if (threadView !== undefined) this.threadViews.delete(threadView.id);
        const { file, entries, full } = await write();
        this.checkRunning();
        if (!plannedFull) this.source.store.pruneChanges(base!.epoch);
        this.report({ checkpointId: options.checkpointId, kind: full ? 'full' : file === undefined ? 'unchanged' : 'delta', entries });
        let chain: Chain;
        if (full) {
          if (file === undefined) {
            if (!selfContained) this.pending.set(options.checkpointId, { files: [], baseSize: 0, deltaSize: 0, deltas: 0, epoch });
            return undefined;
          }
          chain = { files: [file], baseSize: file.size, deltaSize: 0, deltas: 0, epoch };
        } else if (file === undefined) {
          chain = { ...base!, epoch };
        } else {
          chain = { files: [...base!.files, file], baseSize: base!.baseSize, deltaSize: base!.deltaSize + file.size, deltas: base!.deltas + 1, epoch };
        }
        // Only files in the shared directory can be referenced by later checkpoints.
        if (!selfContained && chain.files.every((f) => f.location === 'shared')) this.pending.set(options.checkpointId, chain);
        if (chain.files.length === 0) return undefined;
        return { keyGroupRange, files: chain.files, states: listed };
      } finally {
        view?.release();
        // A view on the thread is released by its job; one no job got is released here.
        if (threadView !== undefined && !handedOver) {
          this.threadViews.delete(threadView.id);
          closeStoreViewOnThread(threadView.id);
        }
      }
    };
  }

  /** Releases the views the encoding thread holds for snapshots whose asynchronous part never ran (before the store closes). */
  releaseThreadViews(): void {
    for (const view of this.threadViews) closeStoreViewOnThread(view);
    this.threadViews.clear();
  }

  /** Checkpoint `checkpointId` completed: later deltas build on it. */
  notifyCheckpointComplete(checkpointId: number): void {
    const chain = this.pending.get(checkpointId);
    if (chain !== undefined && (this.confirmed === undefined || chain.epoch > this.confirmed.epoch)) this.confirmed = chain;
    for (const id of [...this.pending.keys()]) if (id <= checkpointId) this.pending.delete(id);
  }

  /** Loads `handles` (see the header); the next checkpoint is a full one. */
  async restore(handles: readonly KeyedStateHandle[], files: StateFileReader): Promise<void> {
    const { keyGroupRange: mine, registry, store } = this.source;
    for (const handle of handles) {
      const start = Math.max(handle.keyGroupRange.start, mine.start);
      const end = Math.min(handle.keyGroupRange.end, mine.end);
      if (start > end) continue;
      const listed = new Map(handle.states.map((s) => [s.name, s.kind]));
      for (const [index, file] of handle.files.entries()) {
        // A full file after others starts its key groups from empty; a delta clears only the groups it says.
        const cleared = !file.delta ? (index > 0 ? range(start, end) : []) : (file.clearedKeyGroups ?? []).filter((g) => g >= start && g <= end);
        if (cleared.length > 0) store.write((w) => cleared.forEach((g) => w.removeRange(prefixRange(groupPrefix(g)).start, prefixRange(groupPrefix(g)).end)));
        for (const [keyGroup] of file.sections) {
          if (keyGroup < start || keyGroup > end) continue;
          const section = await readSection(files, file, keyGroup);
          if (section === undefined) continue;
          const records: KeyedEntryRecord[] = [];
          section.forEach((name, key, namespace, value) => records.push([name, key, namespace, value]));
          store.write((writer) => {
            for (const record of records) {
              const kind = listed.get(record[0]);
              if (kind === undefined) {
                throw new FlinktsError('STATE_INCOMPATIBLE', `keyed state '${record[0]}' has entries but is not listed among the snapshot's states`);
              }
              const group = assignToKeyGroup(record[1], this.source.maxParallelism);
              if (group < mine.start || group > mine.end) continue;
              writeRecord(writer, registry.restored(record[0], kind), group, record);
            }
          });
        }
      }
      for (const [name, kind] of listed) registry.restored(name, kind);
    }
    this.confirmed = undefined;
    this.pending.clear();
  }

  private checkRunning(): void {
    if (this.source.disposing()) throw new FlinktsError('INTERNAL', 'the embedded state backend was disposed while a snapshot was being written');
  }

  /** What the snapshot needs to know of the states: names, kinds, and expiry with `cleanupFullSnapshot`. */
  private snapshotStates(): Map<number, SnapshotState> {
    const { registry } = this.source;
    return new Map(
      registry.all().map((state) => {
        const ttl = registry.ttlOf(state);
        return [state.id, { id: state.id, name: state.name, kind: state.kind, ...(ttl?.cleanupFullSnapshot === true && { expiresAfterMs: ttl.ttlMs }) }];
      }),
    );
  }

  private report(report: SnapshotReport): void {
    this.reports.push(report);
    if (this.reports.length > 16) this.reports.shift();
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
