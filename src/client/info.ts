/**
 * `flinkts info`: the execution plan of a job, without running anything.
 */
import type { JobGraph } from '../graph/job-graph.js';
import { prepareJob, type JobRequest } from './prepare.js';

/** What `flinkts info` is asked to describe; see {@link JobRequest}. */
export type DescribeOptions = JobRequest;

/** The result of {@link describeJob} (and of `flinkts info --json`). */
export interface JobDescription {
  readonly jobGraph: JobGraph;
}

/**
 * Plans the job and returns its JobGraph. An artifact given no overrides
 * (no `-p`, `-D`, `--config` or job arguments) returns its stored
 * `jobgraph.json`; otherwise the plan is made from its `job.mjs`.
 *
 * @throws FlinktsError naming the job file (see {@link prepareJob}).
 */
export async function describeJob(options: DescribeOptions): Promise<JobDescription> {
  const prepared = await prepareJob(options);
  try {
    return { jobGraph: prepared.jobGraph };
  } finally {
    await prepared.dispose();
  }
}
