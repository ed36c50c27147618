/**
 * Keyed state files encoded and written on a thread of the task's own: the
 * task's synchronous part of a snapshot only copies its columns (a memory
 * copy of typed arrays), and the ordering by key group, the encoding, the
 * writes and the checksum run beside the records, on another core, instead
 * of between them. One thread per task thread, started at its first use and
 * kept (idle, it holds nothing and does not keep the process alive); jobs
 * run in the order they were given.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ColumnSlots } from '../state/column-snapshot.js';
import type { KeyGroupRange } from '../state/key-grouped-map.js';
import type { KeyGroupsOf, TimerColumns } from '../time/timer-sections.js';
import type { KeyedStateFile } from './metadata.js';
import type { StateFileWriterOptions } from './state-files.js';
import { giveBack } from './transfer-buffers.js';

/** The contents of one keyed state file, as columns that own their arrays (they are moved to the thread). */
export type SectionJob =
  | { readonly kind: 'columns'; readonly slots: ColumnSlots; readonly range: KeyGroupRange }
  | { readonly kind: 'timers'; readonly timers: TimerColumns & { readonly numberKeys: Float64Array }; readonly keyGroups: KeyGroupsOf };

/** A message to the thread. */
export interface SectionJobMessage {
  readonly id: number;
  readonly job: SectionJob;
  readonly file: StateFileWriterOptions;
}

/**
 * The thread's answer: the file's handle (undefined when there was nothing to
 * write), or why it failed; with the job's buffers, moved back for reuse.
 */
export type SectionJobReply = SectionJobOutcome & { readonly id: number; readonly buffers: readonly ArrayBuffer[] };

/** How a job ended. */
export type SectionJobOutcome = { readonly file: KeyedStateFile | undefined } | { readonly error: Error };

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
  readonly pending: Map<number, { resolve: (file: KeyedStateFile | undefined) => void; reject: (error: unknown) => void }>;
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
    else waiting.resolve(reply.file);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the thread encoding keyed state files exited with code ${code}`)));
  worker.unref();
  return started;
}

/**
 * Encodes `job` into a new exclusive keyed state file of the snapshot
 * `file` describes, on the encoding thread; gives its handle, or undefined
 * when there was no entry. The arrays of `job` are moved to the thread:
 * unusable here afterwards.
 */
export function writeSectionsOnThread(job: SectionJob, file: StateFileWriterOptions): Promise<KeyedStateFile | undefined> {
  const target = (thread ??= startThread());
  const id = nextId++;
  return new Promise((resolve, reject) => {
    target.pending.set(id, { resolve, reject });
    if (target.pending.size === 1) target.worker.ref();
    const message: SectionJobMessage = { id, job, file: { ...file } };
    target.worker.postMessage(message, jobBuffers(job));
  });
}

/** The buffers of a job's arrays (each once). */
export function jobBuffers(job: SectionJob): ArrayBuffer[] {
  const arrays =
    job.kind === 'columns'
      ? job.slots.tables.flatMap((t) => [t.keys, t.groups, t.namespaceIds, ...t.fields])
      : [job.timers.timestamps, job.timers.namespaceIndexes, job.timers.stateIndexes, job.timers.numberKeys];
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}
