/**
 * Keyed state files encoded and written on a thread of the task's own: the
 * task's synchronous part of a snapshot only copies its columns (a memory
 * copy of typed arrays) or, for the embedded backend, has the thread open a
 * read transaction of its store; the ordering by key group, the reads, the
 * encoding, the writes and the checksum then run beside the records, on
 * another core, instead of between them. One thread per task thread,
 * started at its first use and kept (idle, it holds nothing and does not
 * keep the process alive); jobs run in the order they were given.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ColumnSlots } from '../state/column-snapshot.js';
import type { KeyGroupRange } from '../state/key-grouped-map.js';
import type { SnapshotState } from '../state/embedded/snapshot-sections.js';
import type { KeyGroupsOf, TimerColumns } from '../time/timer-sections.js';
import type { KeyedStateFile } from './metadata.js';
import type { StateFileWriterOptions } from './state-files.js';
import { giveBack } from './transfer-buffers.js';

/**
 * The contents of one keyed state file: columns that own their arrays (they
 * are moved to the thread), or the entries of an embedded store's view the
 * thread opened (see {@link openStoreViewOnThread}): all of them, or those
 * changed after an epoch.
 */
export type SectionJob =
  | { readonly kind: 'columns'; readonly slots: ColumnSlots; readonly range: KeyGroupRange }
  | { readonly kind: 'timers'; readonly timers: TimerColumns & { readonly numberKeys: Float64Array }; readonly keyGroups: KeyGroupsOf }
  | {
      readonly kind: 'store';
      readonly view: number;
      /** Undefined: every entry; else the entries changed after this epoch (a delta file)… */
      readonly afterEpoch: number | undefined;
      /** …unless more of them changed than this: then every entry. */
      readonly fullAbove: number;
      readonly states: readonly SnapshotState[];
      readonly range: KeyGroupRange;
      readonly now: number;
      readonly location: 'exclusive' | 'shared';
    };

/** A message to the thread. */
export type ThreadMessage =
  | { readonly id: number; readonly job: SectionJob; readonly file: StateFileWriterOptions }
  /** Open a view of the store in `directory`; `signal[0]` becomes 1 once it is open, 2 if it cannot be. */
  | { readonly id: number; readonly openView: string; readonly signal: Int32Array }
  /** Release view `closeView` (opened, but no job will read it). */
  | { readonly id: number; readonly closeView: number };

/** What a job wrote: the file (undefined when there was nothing to write), its entries, and (store jobs) whether it holds every entry. */
export interface SectionJobResult {
  readonly file: KeyedStateFile | undefined;
  readonly entries: number;
  readonly full?: boolean;
}

/** How a job ended. */
export type SectionJobOutcome = SectionJobResult | { readonly error: Error };

/** The thread's answer to a job, with the job's buffers, moved back for reuse. */
export type SectionJobReply = SectionJobOutcome & { readonly id: number; readonly buffers: readonly ArrayBuffer[] };

/**
 * The thread's script, built next to this module. Tests run this module from
 * its TypeScript source, and a thread cannot: they use the built one (the
 * test script builds first).
 */
function threadScript(): URL {
  const here = new URL('./section-thread-main.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  // <root>/src/runtime/checkpoint/ → <root>/dist/src/runtime/checkpoint/
  return pathToFileURL(join(fileURLToPath(new URL('../../../', import.meta.url)), 'dist/src/runtime/checkpoint/section-thread-main.js'));
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (result: SectionJobResult) => void; reject: (error: unknown) => void }>;
}

let thread: Thread | undefined;
let nextId = 0;

function startThread(): Thread {
  const worker = new Worker(threadScript(), { name: 'flinkts-state-encoder' });
  const started: Thread = { worker, pending: new Map() };
  const failAll = (error: unknown): void => {
    if (thread === started) thread = undefined;
    for (const { reject } of started.pending.values()) reject(error);
    started.pending.clear();
  };
  worker.on('message', (reply: SectionJobReply) => {
    giveBack(reply.buffers);
    const waiting = started.pending.get(reply.id);
    if (waiting === undefined) return;
    started.pending.delete(reply.id);
    if (started.pending.size === 0) worker.unref();
    if ('error' in reply) waiting.reject(reply.error);
    else waiting.resolve({ file: reply.file, entries: reply.entries, ...(reply.full !== undefined && { full: reply.full }) });
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the thread encoding keyed state files exited with code ${code}`)));
  worker.unref();
  return started;
}

/**
 * Encodes `job` into a new keyed state file of the snapshot `file`
 * describes, on the encoding thread. The arrays of `job` are moved to the
 * thread: unusable here afterwards.
 */
export function writeSectionsOnThread(job: SectionJob, file: StateFileWriterOptions): Promise<SectionJobResult> {
  const target = (thread ??= startThread());
  const id = nextId++;
  return new Promise((resolve, reject) => {
    target.pending.set(id, { resolve, reject });
    if (target.pending.size === 1) target.worker.ref();
    const message: ThreadMessage = { id, job, file: { ...file } };
    target.worker.postMessage(message, jobBuffers(job));
  });
}

/** A view of an embedded store the encoding thread was asked to open (see {@link requestStoreViewOnThread}). */
export interface ThreadView {
  /** The view's id, for a `store` job (which releases it). */
  readonly id: number;
  /** 0 until the thread opened the view, then 1; 2 when it could not. */
  readonly signal: Int32Array;
}

/**
 * Asks the encoding thread to open a view of the embedded store in
 * `directory`. It is the store as of the moment the thread opens it, so the
 * caller must not write to the store before then: {@link awaitThreadView}
 * before its next write. A `store` job sent after this finds the view open
 * (the thread takes messages in order).
 */
export function requestStoreViewOnThread(directory: string): ThreadView {
  const target = (thread ??= startThread());
  const view = { id: nextId++, signal: new Int32Array(new SharedArrayBuffer(4)) };
  target.worker.postMessage({ id: view.id, openView: directory, signal: view.signal } satisfies ThreadMessage);
  return view;
}

/**
 * Waits (blocking this thread) until the thread opened `view`, at most
 * `timeoutMs`; true once it is open, false when it could not or did not in
 * time (it must not be used then: the store may change before it opens).
 */
export function awaitThreadView(view: ThreadView, timeoutMs: number): boolean {
  if (Atomics.load(view.signal, 0) === 0) Atomics.wait(view.signal, 0, 0, timeoutMs);
  return Atomics.load(view.signal, 0) === 1;
}

/** Releases a view {@link openStoreViewOnThread} opened that no job will read. */
export function closeStoreViewOnThread(view: number): void {
  thread?.worker.postMessage({ id: nextId++, closeView: view } satisfies ThreadMessage);
}

/** The buffers of a job's arrays (each once). */
export function jobBuffers(job: SectionJob): ArrayBuffer[] {
  if (job.kind === 'store') return [];
  const arrays =
    job.kind === 'columns'
      ? job.slots.tables.flatMap((t) => [t.keys, t.groups, t.namespaceIds, ...t.fields])
      : [job.timers.timestamps, job.timers.namespaceIndexes, job.timers.stateIndexes, job.timers.numberKeys];
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}
