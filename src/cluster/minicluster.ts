/**
 * The MiniCluster of the local target: job manager logic and one task
 * manager whose slots are worker threads, all inside the calling process.
 * `flinkts run job.ts` needs no running service.
 */
import { JobMaster, type ClusterSettings, type JobObserver, type JobOutcome, type JobSubmission } from './jobmanager/job-master.js';

export class MiniCluster {
  constructor(private readonly settings: ClusterSettings) {}

  /** Runs a job to completion; `signal` cancels it. */
  async execute(submission: JobSubmission, observer: JobObserver = {}, signal?: AbortSignal): Promise<JobOutcome> {
    const master = new JobMaster(submission, this.settings, observer);
    const onAbort = (): void => master.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await master.start();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

export { JobMaster } from './jobmanager/job-master.js';
export type { ClusterSettings, JobObserver, JobOutcome, JobSnapshot, JobStatus, JobSubmission, VertexMetrics } from './jobmanager/job-master.js';
