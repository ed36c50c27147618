/**
 * The job-control verbs of the CLI (`list`, `cancel`, `stop`, `savepoint
 * create`, `checkpoint trigger`, `checkpoint list`) over the REST API: find the
 * cluster that runs the job (the one of `-m`, or whichever local cluster knows
 * it), make the request, wait for asynchronous operations, and return a
 * stable, typed result for `--json` and for the renderers in `src/cli`.
 *
 * Job ids are checked here before anything goes over the network.
 */
import { resolve } from 'node:path';
import { FlinktsError, type ErrorCode } from '../api/errors.js';
import type { AsyncOperationMessage, CheckpointMessage, FailureCauseMessage } from '../cluster/jobmanager/rest-messages.js';
import { HEX_ID_PATTERN, TERMINAL_JOB_STATES, type JobState } from '../cluster/jobmanager/job-control.js';
import { RestClient, resolveTargets, type ClusterSelection } from './rest-client.js';

export { REST_TOKEN_ENV, type ClusterSelection } from './rest-client.js';

/** `list`: non-terminal jobs (the default), only running ones, or all. */
export const JOB_LIST_FILTERS = ['active', 'running', 'all'] as const;

/** A filter of {@link listJobs}. */
export type JobListFilter = (typeof JOB_LIST_FILTERS)[number];

/** Savepoint formats as the CLI spells them. */
export const SAVEPOINT_FORMAT_TYPES = ['canonical', 'native'] as const;

/** A savepoint format. */
export type SavepointFormatType = (typeof SAVEPOINT_FORMAT_TYPES)[number];

/** One job of `list`. */
export interface ListedJob {
  readonly id: string;
  readonly name: string;
  readonly status: JobState;
  /** Epoch milliseconds. */
  readonly startTime: number;
  /** Epoch milliseconds, or `null` while the job runs. */
  readonly endTime: number | null;
  readonly durationMs: number;
  /** `host:port` of the cluster that runs it. */
  readonly cluster: string;
}

/** A cluster that did not answer. */
export interface UnreachableCluster {
  readonly cluster: string;
  readonly message: string;
}

/** The result of {@link listJobs}. */
export interface ListJobsResult {
  readonly filter: JobListFilter;
  /** Oldest first. */
  readonly jobs: readonly ListedJob[];
  /** `host:port` of every cluster asked. */
  readonly clusters: readonly string[];
  /** Local clusters that are registered but did not answer. */
  readonly unreachable: readonly UnreachableCluster[];
}

/** Common options of the verbs on one job. */
export interface JobRequest extends ClusterSelection {
  readonly jobId: string;
  /** Stops waiting for an operation. */
  readonly signal?: AbortSignal;
  /** Called once the cluster accepted a trigger, before waiting for the operation. */
  readonly onTriggered?: (triggerId: string) => void;
}

/** The result of {@link cancelJob}. */
export interface CancelResult {
  readonly jobId: string;
  readonly cluster: string;
  /** The job's state when the command stopped waiting: CANCELED, or CANCELLING when it took too long. */
  readonly status: JobState;
}

/** The result of {@link stopJob} and {@link createSavepoint}. */
export interface SavepointResult {
  readonly jobId: string;
  readonly cluster: string;
  readonly triggerId: string;
  /** Where the savepoint is; absent for a detached trigger. */
  readonly savepointPath?: string;
}

/** The result of {@link triggerCheckpoint}. */
export interface CheckpointResult {
  readonly jobId: string;
  readonly cluster: string;
  readonly checkpointId: number;
  readonly path: string;
}

/** One checkpoint of `checkpoint list`. */
export interface CheckpointSummary {
  readonly id: number;
  readonly status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  /** `checkpoint`, `full checkpoint`, `savepoint` or `stop savepoint`. */
  readonly type: string;
  /** Epoch milliseconds. */
  readonly triggerTime: number;
  readonly durationMs: number;
  readonly stateSize: number;
  readonly path?: string;
  readonly failureMessage?: string;
}

/** The result of {@link listCheckpoints}. */
export interface CheckpointListResult {
  readonly jobId: string;
  readonly cluster: string;
  readonly counts: { readonly total: number; readonly completed: number; readonly inProgress: number; readonly failed: number; readonly restored: number };
  /** Newest first, as the cluster keeps them. */
  readonly history: readonly CheckpointSummary[];
}

/**
 * Checks a job id given on the command line.
 *
 * @throws FlinktsError USAGE naming the id when it is not 32 lowercase hexadecimal characters.
 */
export function checkJobId(jobId: string): string {
  if (!HEX_ID_PATTERN.test(jobId)) {
    throw new FlinktsError('USAGE', `malformed job id '${jobId}': expected 32 lowercase hexadecimal characters`, {
      hint: 'flinkts list shows the ids of the running jobs',
    });
  }
  return jobId;
}

/** The jobs of the selected clusters (`-m`, or every local cluster). */
export async function listJobs(options: ClusterSelection & { readonly filter?: JobListFilter }): Promise<ListJobsResult> {
  const filter = options.filter ?? 'active';
  const clients = resolveTargets(options).map((target) => new RestClient(target));
  const answers = await Promise.allSettled(clients.map((client) => client.jobsOverview()));
  const jobs: ListedJob[] = [];
  const unreachable: UnreachableCluster[] = [];
  answers.forEach((answer, i) => {
    const cluster = clients[i]!.hostPort;
    if (answer.status === 'rejected') {
      // A cluster named with -m must answer; a registered one may have just stopped.
      if (options.jobManager !== undefined) throw answer.reason;
      unreachable.push({ cluster, message: (answer.reason as Error).message });
      return;
    }
    for (const job of answer.value.jobs) {
      if (!matchesFilter(job.state, filter)) continue;
      const endTime = job['end-time'] < 0 ? null : job['end-time'];
      jobs.push({ id: job.jid, name: job.name, status: job.state, startTime: job['start-time'], endTime, durationMs: job.duration, cluster });
    }
  });
  jobs.sort((a, b) => a.startTime - b.startTime || a.id.localeCompare(b.id));
  return { filter, jobs, clusters: clients.map((client) => client.hostPort), unreachable };
}

/** Cancels a job and waits (up to `waitMs`, 10 s by default) until it is CANCELED. */
export async function cancelJob(options: JobRequest & { readonly waitMs?: number }): Promise<CancelResult> {
  const client = await locateJob(options);
  await client.cancel(options.jobId);
  const deadline = Date.now() + (options.waitMs ?? 10_000);
  let status: JobState = (await client.jobDetails(options.jobId)).state;
  for (let delay = 50; !TERMINAL_JOB_STATES.has(status) && Date.now() < deadline; delay = Math.min(delay * 2, 500)) {
    await sleep(delay, options.signal);
    status = (await client.jobDetails(options.jobId)).state;
  }
  return { jobId: options.jobId, cluster: client.hostPort, status };
}

/** Stops a job with a savepoint and waits for the savepoint's path. */
export async function stopJob(
  options: JobRequest & { readonly savepointPath?: string; readonly drain?: boolean; readonly formatType?: SavepointFormatType },
): Promise<SavepointResult> {
  const client = await locateJob(options);
  const targetDirectory = targetPath(options.savepointPath);
  const triggerId = await client.stop(options.jobId, {
    ...(targetDirectory === undefined ? {} : { targetDirectory }),
    drain: options.drain ?? false,
    formatType: formatTypeOf(options.formatType),
  });
  options.onTriggered?.(triggerId);
  const operation = await waitForOperation(() => client.savepointStatus(options.jobId, triggerId), options.signal);
  if ('failure-cause' in operation) throw operationFailure(`stopping job ${options.jobId} with a savepoint failed`, operation['failure-cause']);
  return { jobId: options.jobId, cluster: client.hostPort, triggerId, savepointPath: operation.location };
}

/** Triggers a savepoint; waits for its path unless `detached`. */
export async function createSavepoint(
  options: JobRequest & { readonly targetDirectory?: string; readonly formatType?: SavepointFormatType; readonly detached?: boolean },
): Promise<SavepointResult> {
  const client = await locateJob(options);
  const targetDirectory = targetPath(options.targetDirectory);
  const triggerId = await client.triggerSavepoint(options.jobId, {
    ...(targetDirectory === undefined ? {} : { targetDirectory }),
    cancelJob: false,
    formatType: formatTypeOf(options.formatType),
  });
  options.onTriggered?.(triggerId);
  if (options.detached === true) return { jobId: options.jobId, cluster: client.hostPort, triggerId };
  const operation = await waitForOperation(() => client.savepointStatus(options.jobId, triggerId), options.signal);
  if ('failure-cause' in operation) throw operationFailure(`savepoint of job ${options.jobId} failed`, operation['failure-cause']);
  return { jobId: options.jobId, cluster: client.hostPort, triggerId, savepointPath: operation.location };
}

/** Triggers a checkpoint (a full one with `full`) and waits for it. */
export async function triggerCheckpoint(options: JobRequest & { readonly full?: boolean }): Promise<CheckpointResult> {
  const client = await locateJob(options);
  const triggerId = await client.triggerCheckpoint(options.jobId, options.full === true ? 'FULL' : 'CONFIGURED');
  options.onTriggered?.(triggerId);
  const operation = await waitForOperation(() => client.checkpointStatus(options.jobId, triggerId), options.signal);
  if ('failure-cause' in operation) throw operationFailure(`checkpoint of job ${options.jobId} failed`, operation['failure-cause']);
  return { jobId: options.jobId, cluster: client.hostPort, checkpointId: operation.checkpointId, path: operation.location };
}

/** The checkpoint history of a job. */
export async function listCheckpoints(options: JobRequest): Promise<CheckpointListResult> {
  const client = await locateJob(options);
  const stats = await client.checkpoints(options.jobId);
  return {
    jobId: options.jobId,
    cluster: client.hostPort,
    counts: {
      total: stats.counts.total,
      completed: stats.counts.completed,
      inProgress: stats.counts.in_progress,
      failed: stats.counts.failed,
      restored: stats.counts.restored,
    },
    history: stats.history.map(toSummary),
  };
}

/**
 * The client of the cluster that runs `jobId`: the one of `-m`, else the
 * local cluster that knows the job.
 *
 * @throws FlinktsError USAGE for a malformed id or a job no local cluster knows; CONFIG when no cluster runs.
 */
async function locateJob(options: JobRequest): Promise<RestClient> {
  checkJobId(options.jobId);
  const clients = resolveTargets(options).map((target) => new RestClient(target));
  if (options.jobManager !== undefined) return clients[0]!;
  if (clients.length === 0) {
    throw new FlinktsError('CONFIG', 'no flinkts cluster is running on this host', {
      hint: 'jobs started with flinkts run register their cluster; for another cluster pass -m host:port',
    });
  }
  const answers = await Promise.allSettled(clients.map((client) => client.jobIds()));
  const found = answers.findIndex((answer) => answer.status === 'fulfilled' && answer.value.jobs.some((job) => job.id === options.jobId));
  if (found >= 0) return clients[found]!;
  const unreachable = answers.filter((answer) => answer.status === 'rejected').length;
  const asked = `${clients.length} local cluster${clients.length === 1 ? '' : 's'}`;
  throw new FlinktsError('USAGE', `job ${options.jobId} not found on ${asked}`, {
    hint: unreachable > 0 ? `${unreachable} of them did not answer` : 'flinkts list --all shows the jobs the clusters know',
  });
}

/** Polls an async operation until it completed; the operation's result. */
async function waitForOperation<O>(poll: () => Promise<AsyncOperationMessage<O>>, signal: AbortSignal | undefined): Promise<O> {
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    const status = await poll();
    if (status.status.id === 'COMPLETED' && status.operation !== undefined) return status.operation;
    await sleep(delay, signal);
  }
}

function operationFailure(what: string, cause: FailureCauseMessage): FlinktsError {
  const code = typeof cause.code === 'string' && /^[A-Z_]+$/.test(cause.code) ? (cause.code as ErrorCode) : 'INTERNAL';
  return new FlinktsError(code, `${what}: ${cause.message ?? cause.class}`, { cause: Object.assign(new Error(cause.message), { stack: cause['stack-trace'] }) });
}

function matchesFilter(state: JobState, filter: JobListFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'running':
      return state === 'RUNNING' || state === 'RESTARTING';
    case 'active':
      return !TERMINAL_JOB_STATES.has(state);
  }
}

function toSummary(entry: CheckpointMessage): CheckpointSummary {
  const type =
    entry.checkpoint_type === 'SYNC_SAVEPOINT'
      ? 'stop savepoint'
      : entry.checkpoint_type === 'SAVEPOINT'
        ? 'savepoint'
        : entry.checkpoint_type === 'FULL_CHECKPOINT'
          ? 'full checkpoint'
          : 'checkpoint';
  return {
    id: entry.id,
    status: entry.status,
    type,
    triggerTime: entry.trigger_timestamp,
    durationMs: entry.end_to_end_duration,
    stateSize: entry.state_size,
    ...(entry.external_path === undefined ? {} : { path: entry.external_path }),
    ...(entry.failure_message === undefined ? {} : { failureMessage: entry.failure_message }),
  };
}

/** A directory given on the command line: absolute (relative to the working directory) unless it is a URI. */
function targetPath(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? path : resolve(path);
}

function formatTypeOf(type: SavepointFormatType | undefined): 'CANONICAL' | 'NATIVE' {
  return type === 'native' ? 'NATIVE' : 'CANONICAL';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted === true) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolvePromise();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
