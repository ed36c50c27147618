/**
 * The on-disk store of one operator subtask: an LMDB environment (the `lmdb`
 * package, chosen by `bench/state-stores.js`: synchronous reads, the fastest
 * point reads and prefix scans of the stores measured) in a directory of its
 * own, with two databases:
 *
 * - `state`: the rows (see `key-codec.ts` and `row-codec.ts`);
 * - `changes`: the change log, for incremental checkpoints (see
 *   `embedded-snapshots.ts`): one record per write transaction that changed
 *   entries, under the key epoch (u32 BE) · sequence number (u32 BE), whose
 *   value lists the changed entries' keys and row headers, each as
 *   u32 length · bytes. One write per flush instead of one per entry (a
 *   flush changes thousands), and the records of confirmed epochs are one
 *   range at the start of the log.
 *
 * The store is scratch space: checkpoints make state durable, so it is opened
 * without fsync (`noSync`), created empty and deleted on close. Reads are
 * synchronous (operators read state inside `processElement`); writes come in
 * batches, one synchronous write transaction per flush of the write-back cache.
 * A snapshot is an LMDB read transaction: a consistent view that later writes
 * do not change, held until released.
 */
import { existsSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { prefixRange } from './key-codec.js';

/** The writes of one transaction. */
export interface StoreWriter {
  put(key: Buffer, value: Buffer): void;
  remove(key: Buffer): void;
  /** Removes every row in `[start, end)`. */
  removeRange(start: Buffer, end: Buffer): void;
  /**
   * Records that the entry `key` changed in `epoch`; `header` is its row
   * header (it names keys the row key cannot). The bytes are copied when the
   * transaction ends: they must not change before.
   */
  logChange(key: Buffer, epoch: number, header: Buffer): void;
  /** A read inside the transaction (it sees the transaction's own writes). */
  get(key: Buffer): Buffer | undefined;
}

/** A consistent read-only view of the store. */
export interface StoreSnapshot {
  get(key: Buffer): Buffer | undefined;
  range(start: Buffer, end: Buffer): Iterable<{ key: Buffer; value: Buffer }>;
  /**
   * The change-log records of epochs after `afterEpoch`, in the order they
   * were written: each a buffer of its own (see {@link forEachChange}).
   */
  changeRecords(afterEpoch: number): Iterable<{ epoch: number; record: Buffer }>;
  release(): void;
}

type Transaction = ReturnType<Database['useReadTransaction']>;

/** One LMDB environment in a directory of its own. */
export class EmbeddedStore {
  private readonly root: RootDatabase<Buffer, Buffer>;
  private readonly state: Database<Buffer, Buffer>;
  private readonly changeLog: Database<Buffer, Buffer>;
  private readonly openSnapshots = new Set<Transaction>();
  /** The next change-log record's sequence number. */
  private logSequence = 0;
  /** Views opened elsewhere that the next write waits for (see {@link holdWritesFor}). */
  private readonly awaitedViews: ((timeoutMs: number) => boolean)[] = [];
  /** Where change-log records are assembled (reused: a record of a large flush is hundreds of kB). */
  private logBuffer: Buffer = Buffer.allocUnsafe(0);

  private closed = false;

  /**
   * Opens a new, empty store in `directory` (anything already there is
   * removed); with `removeEmptyParent`, closing also removes the parent
   * directory once no other store is left in it.
   */
  constructor(
    readonly directory: string,
    private readonly removeEmptyParent = false,
  ) {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
    ({ root: this.root, state: this.state, changeLog: this.changeLog } = openEnvironment(directory));
  }

  get(key: Buffer): Buffer | undefined {
    return this.state.getBinary(key);
  }

  /** Rows in `[start, end)`, in key order, from at most `limit` rows. */
  range(start: Buffer, end: Buffer, limit?: number): Iterable<{ key: Buffer; value: Buffer }> {
    return this.state.getRange({ start, end, ...(limit !== undefined && { limit }) });
  }

  /** Rows whose key starts with `prefix`. */
  rowsWithPrefix(prefix: Buffer): Iterable<{ key: Buffer; value: Buffer }> {
    const { start, end } = prefixRange(prefix);
    return this.range(start, end);
  }

  /**
   * Holds the next write back until `ready()` says a view opened elsewhere
   * (on the encoding thread) sees the store as it is now; `ready` gets the
   * time it may wait and answers whether the view opened.
   */
  holdWritesFor(ready: (timeoutMs: number) => boolean): void {
    this.awaitedViews.push(ready);
  }

  /** Before a write: every view asked for is open (or given up: its snapshot then fails). */
  private settleViews(): void {
    for (const ready of this.awaitedViews.splice(0)) ready(VIEW_OPEN_TIMEOUT_MS);
  }

  /** Runs `writes` in one synchronous write transaction. */
  write(writes: (writer: StoreWriter) => void): void {
    this.settleViews();
    const state = this.state;
    let changed: Buffer[] = [];
    let changedEpoch = 0;
    const logChanged = (): void => {
      if (changed.length === 0) return;
      this.logBuffer = packChanges(changed, this.logBuffer);
      // putSync copies the value: the buffer is reused by the next record.
      this.changeLog.putSync(logKey(changedEpoch, this.logSequence++), this.logBuffer.subarray(0, recordSize(changed)));
      changed = [];
    };
    state.transactionSync(() => {
      writes({
        put: (key, value) => state.putSync(key, value),
        remove: (key) => void state.removeSync(key),
        removeRange: (start, end) => {
          for (const key of [...state.getKeys({ start, end })]) state.removeSync(key);
        },
        logChange: (key, epoch, header) => {
          if (epoch !== changedEpoch) logChanged();
          changedEpoch = epoch;
          changed.push(key, header);
        },
        get: (key) => state.getBinary(key),
      });
      logChanged();
    });
  }

  /** Rows in the store now (a map state entry is a row per map entry, and one of its own). */
  rowCount(): number {
    return (this.state.getStats() as { entryCount: number }).entryCount;
  }

  /** Removes the change-log records of epochs up to `epoch` (their changes are in a confirmed checkpoint). */
  pruneChanges(epoch: number): void {
    this.settleViews();
    const changeLog = this.changeLog;
    changeLog.transactionSync(() => {
      for (const key of [...changeLog.getKeys({ end: logKey(epoch + 1, 0) })]) changeLog.removeSync(key);
    });
  }

  /** A consistent view of the store as it is now (release it when done). */
  snapshot(): StoreSnapshot {
    const transaction = this.state.useReadTransaction();
    this.openSnapshots.add(transaction);
    return storeView(this.state, this.changeLog, transaction, () => {
      // Once only, and never after close (which released every open view).
      if (this.openSnapshots.delete(transaction)) transaction.done();
    });
  }

  /**
   * Deletes the directory while the store is still open, so it goes even if
   * the thread is terminated before `close` finishes (a cancelled task's
   * worker is). On POSIX the open environment and read views keep working on
   * the unlinked files; where files in use cannot be deleted, `close` does it.
   */
  removeDirectory(): void {
    // A view being opened elsewhere must find the store still there.
    this.settleViews();
    try {
      rmSync(this.directory, { recursive: true, force: true });
    } catch {
      // Files still in use (Windows): `close` removes them.
      return;
    }
    this.removeParentIfEmpty();
  }

  /** Closes the store and deletes its directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.settleViews();
    for (const transaction of this.openSnapshots) transaction.done();
    this.openSnapshots.clear();
    await this.root.close();
    rmSync(this.directory, { recursive: true, force: true });
    this.removeParentIfEmpty();
  }

  private removeParentIfEmpty(): void {
    if (!this.removeEmptyParent) return;
    try {
      rmdirSync(dirname(this.directory));
    } catch {
      // Not empty (another subtask's store) or already gone.
    }
  }
}

/** The change-log key of a record: epoch · sequence, both u32 BE (so the log is in epoch order). */
function logKey(epoch: number, sequence: number): Buffer {
  const key = Buffer.allocUnsafe(8);
  key.writeUInt32BE(epoch, 0);
  key.writeUInt32BE(sequence >>> 0, 4);
  return key;
}

/** The bytes of the change-log record of `parts`. */
function recordSize(parts: readonly Buffer[]): number {
  let size = 0;
  for (const part of parts) size += 4 + part.length;
  return size;
}

/**
 * Writes the change-log record of `parts` (key, header, key, header, …: each
 * as u32 length · bytes) at the start of `into`, or of a larger buffer it
 * returns when `into` is too small.
 */
function packChanges(parts: readonly Buffer[], into: Buffer): Buffer {
  const size = recordSize(parts);
  const record = into.length >= size ? into : Buffer.allocUnsafe(Math.max(size, into.length * 2));
  let at = 0;
  for (const part of parts) {
    record.writeUInt32BE(part.length, at);
    record.set(part, at + 4);
    at += 4 + part.length;
  }
  return record;
}

/**
 * Calls `visit` with the offsets of each change in a change-log record: its
 * key is `record[keyStart, keyEnd)`, its row header `record[keyEnd + 4, headerEnd)`.
 */
export function forEachChange(record: Buffer, visit: (keyStart: number, keyEnd: number, headerEnd: number) => void): void {
  for (let at = 0; at < record.length; ) {
    const keyStart = at + 4;
    const keyEnd = keyStart + record.readUInt32BE(at);
    const headerEnd = keyEnd + 4 + record.readUInt32BE(keyEnd);
    visit(keyStart, keyEnd, headerEnd);
    at = headerEnd;
  }
}

/** How long a write waits for a view the encoding thread was asked to open. */
const VIEW_OPEN_TIMEOUT_MS = 2_000;

const DB_OPTIONS = { keyEncoding: 'binary', encoding: 'binary', compression: false, cache: false } as const;

/** The environment in `directory` and its two databases (the same options wherever it is opened). */
function openEnvironment(directory: string): { root: RootDatabase<Buffer, Buffer>; state: Database<Buffer, Buffer>; changeLog: Database<Buffer, Buffer> } {
  const root = open<Buffer, Buffer>({ path: directory, ...DB_OPTIONS, noSync: true, maxDbs: 4 });
  return { root, state: root.openDB<Buffer, Buffer>({ name: 'state', ...DB_OPTIONS }), changeLog: root.openDB<Buffer, Buffer>({ name: 'changes', ...DB_OPTIONS }) };
}

/** The view of a read transaction. */
function storeView(state: Database<Buffer, Buffer>, changeLog: Database<Buffer, Buffer>, transaction: Transaction, release: () => void): StoreSnapshot {
  return {
    // getBinary takes read options at run time; its typings do not say so.
    get: (key) => (state.getBinary as (this: typeof state, key: Buffer, options: { transaction: Transaction }) => Buffer | undefined).call(state, key, { transaction }),
    range: (start, end) => state.getRange({ start, end, transaction }),
    *changeRecords(afterEpoch) {
      // Copied: the records are used after the iteration moved on.
      for (const { key, value } of changeLog.getRange({ start: logKey(afterEpoch + 1, 0), transaction })) yield { epoch: key.readUInt32BE(0), record: Buffer.from(value) };
    },
    release,
  };
}

/**
 * A view of the store in `directory`, opened from another thread than the
 * store's own (LMDB shares one environment between the threads of a
 * process): it is the store as its last write transaction left it. Releasing
 * it closes this thread's handle; the store stays open.
 */
export function openStoreView(directory: string): StoreSnapshot {
  // Opening creates a missing directory: a store deleted meanwhile must not come back.
  if (!existsSync(directory)) throw new Error(`the embedded store ${directory} no longer exists`);
  const { root, state, changeLog } = openEnvironment(directory);
  try {
    const transaction = state.useReadTransaction();
    let released = false;
    return storeView(state, changeLog, transaction, () => {
      if (released) return;
      released = true;
      transaction.done();
      void root.close();
    });
  } catch (error) {
    void root.close();
    throw error;
  }
}
