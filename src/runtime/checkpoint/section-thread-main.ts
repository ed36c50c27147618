/**
 * The thread that encodes and writes keyed state files (see
 * section-thread.ts): per job, its sections in key-group order, streamed
 * into the file, then fsync and the checksum (here: this thread is the one
 * that may take the time).
 */
import { parentPort } from 'node:worker_threads';
import { encodeSlots } from '../state/column-snapshot.js';
import { encodeTimerColumns } from '../time/timer-sections.js';
import type { SectionColumns } from './state-sections.js';
import { packSection } from './state-sections.js';
import { jobBuffers, type SectionJobMessage, type SectionJobOutcome, type SectionJobReply } from './section-thread.js';
import { LocalStateFileWriter } from './state-files.js';

if (parentPort === null) throw new Error('section-thread-main must run in a worker thread');
const port = parentPort;

port.on('message', ({ id, job, file }: SectionJobMessage) => {
  // The job's buffers go back with the answer (the sections are encoded from copies of them).
  const buffers = jobBuffers(job);
  const reply = (outcome: SectionJobOutcome): void => port.postMessage({ ...outcome, id, buffers } satisfies SectionJobReply, buffers);
  let stream: ReturnType<LocalStateFileWriter['openKeyedStateFile']> | undefined;
  try {
    stream = new LocalStateFileWriter(file, { hashOnThreadFromBytes: Number.POSITIVE_INFINITY }).openKeyedStateFile();
    const open = stream;
    const emit = (keyGroup: number, columns: SectionColumns): void => open.write(keyGroup, packSection(columns, true));
    if (job.kind === 'columns') encodeSlots(job.slots, job.range, emit);
    else encodeTimerColumns(job.timers, job.keyGroups, emit);
    if (open.sections === 0) {
      open.abort();
      reply({ file: undefined });
      return;
    }
    open.close().then(
      (handle) => reply({ file: handle }),
      (error: unknown) => reply({ error: asError(error) }),
    );
  } catch (error) {
    stream?.abort();
    reply({ error: asError(error) });
  }
});

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
