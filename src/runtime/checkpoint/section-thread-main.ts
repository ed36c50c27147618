/**
 * The thread that encodes and writes keyed state files (see
 * section-thread.ts): per job, its sections in key-group order, then the
 * file, its fsync and checksum (here: this thread is the one that may take
 * the time). It also holds the embedded stores' views it was asked to open,
 * until the job that reads one ends.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { encodeSlots } from '../state/column-snapshot.js';
import { openStoreView, type StoreSnapshot } from '../state/embedded/embedded-store.js';
import { deltaSections, fullSections } from '../state/embedded/snapshot-sections.js';
import { encodeTimerColumns } from '../time/timer-sections.js';
import type { SectionColumns } from './state-sections.js';
import { packSection } from './state-sections.js';
import { jobBuffers, type SectionJob, type SectionJobOutcome, type SectionJobReply, type ThreadMessage } from './section-thread.js';
import { LocalStateFileWriter, type StateFileWriterOptions } from './state-files.js';

if (parentPort === null) throw new Error('section-thread-main must run in a worker thread');
const port = parentPort;
/** How much nicer than the task this thread runs: background work, it yields the core to the records when both want it. */
const BACKGROUND_NICENESS = 10;

/**
 * Lowers this thread's scheduling priority where the system lets one thread
 * do so (Linux: a thread's id is a process id to `setpriority`, and
 * `/proc/thread-self` names it); elsewhere the thread keeps the task's.
 */
function lowerPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + BACKGROUND_NICENESS));
  } catch {
    // Not Linux, or not allowed: same priority as the task.
  }
}

lowerPriority();
const views = new Map<number, StoreSnapshot>();

port.on('message', (message: ThreadMessage) => {
  if ('openView' in message) {
    try {
      views.set(message.id, openStoreView(message.openView));
      Atomics.store(message.signal, 0, 1);
    } catch {
      // The task reads the store itself.
      Atomics.store(message.signal, 0, 2);
    }
    Atomics.notify(message.signal, 0);
    return;
  }
  if ('closeView' in message) {
    views.get(message.closeView)?.release();
    views.delete(message.closeView);
    return;
  }
  const { id, job, file } = message;
  // The job's buffers go back with the answer (the sections are encoded from copies of them).
  const buffers = jobBuffers(job);
  const reply = (outcome: SectionJobOutcome): void => port.postMessage({ ...outcome, id, buffers } satisfies SectionJobReply, buffers);
  run(job, file).then(reply, (error: unknown) => reply({ error: error instanceof Error ? error : new Error(String(error)) }));
});

async function run(job: SectionJob, file: StateFileWriterOptions): Promise<SectionJobOutcome> {
  if (job.kind === 'store') return writeStoreSections(job, file);
  const stream = new LocalStateFileWriter(file, { hashOnThreadFromBytes: Number.POSITIVE_INFINITY }).openKeyedStateFile();
  let entries = 0;
  try {
    const emit = (keyGroup: number, columns: SectionColumns): void => {
      entries += columns.count;
      stream.write(keyGroup, packSection(columns, true));
    };
    if (job.kind === 'columns') encodeSlots(job.slots, job.range, emit);
    else encodeTimerColumns(job.timers, job.keyGroups, emit);
  } catch (error) {
    stream.abort();
    throw error;
  }
  if (stream.sections === 0) {
    stream.abort();
    return { file: undefined, entries: 0 };
  }
  return { file: await stream.close(), entries };
}

/** The entries of a store view (all, or those changed after an epoch), written as one file; the view is released. */
async function writeStoreSections(job: Extract<SectionJob, { kind: 'store' }>, file: StateFileWriterOptions): Promise<SectionJobOutcome> {
  const view = views.get(job.view);
  if (view === undefined) throw new Error(`no view ${job.view} of an embedded store is open on the encoding thread`);
  views.delete(job.view);
  try {
    const source = { view, states: new Map(job.states.map((s) => [s.id, s])), keyGroupRange: job.range, now: job.now };
    const { sections, entries, full } = job.afterEpoch === undefined ? await fullSections(source) : await deltaSections(source, job.afterEpoch, job.fullAbove);
    if (sections.length === 0) return { file: undefined, entries: 0, full };
    const written = await new LocalStateFileWriter(file).writeKeyedStateFile(sections, { location: job.location, delta: !full });
    return { file: written, entries, full };
  } finally {
    view.release();
  }
}
