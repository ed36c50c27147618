/**
 * The MiniCluster of the local target: job manager logic and one task
 * manager whose slots are worker threads, all inside the calling process.
 * `flinkts run job.ts` needs no running service. While a job runs, the
 * cluster serves the REST API on loopback and registers itself in the local
 * registry, so `flinkts list`, `savepoint create`, `stop` and `cancel` reach
 * it from another terminal.
 */
import { resolve } from 'node:path';
import {
  badJobRequestError,
  jobStateConflictError,
  unknownJobError,
  type CheckpointEntry,
  type CheckpointDetails,
  type CheckpointStats,
  type ClusterResources,
  type ExecutionState,
  type JobControl,
  type JobDetails,
  type JobOverview,
  type JobState,
  type SavepointFormat,
} from './jobmanager/job-control.js';
import { taskKey, type CheckpointRecord } from './jobmanager/checkpoint-coordinator.js';
import { JobMaster, type ClusterSettings, type JobObserver, type JobOutcome, type JobSubmission } from './jobmanager/job-master.js';
import { claimResources } from './resource-claims.js';
import { startRestEndpoint, type RestServerHandle, type RestSettings } from './jobmanager/rest-server.js';

/** The REST endpoint of a MiniCluster. */
export interface MiniClusterRest extends RestSettings {
  readonly version: string;
  /** `state.savepoints.dir`: the target of savepoints requested without one. */
  readonly savepointsDir?: string;
  /** Where the registry lives (tests); default the flinkts state directory. */
  readonly stateDir?: string;
}

/** How long the REST endpoint outlives a job that a client stopped or cancelled. */
const LINGER_MS = 3000;

/** Finished jobs a cluster still answers about. */
const REMEMBERED_JOBS = 20;

export class MiniCluster implements JobControl {
  private readonly jobs = new Map<string, JobMaster>();
  /** A client stopped or cancelled the job: the REST endpoint outlives the job a little to answer its polls. */
  private lingering = false;

  constructor(
    private readonly settings: ClusterSettings,
    private readonly rest?: MiniClusterRest,
  ) {}

  /** Runs a job to completion; `signal` cancels it; `onStarted` gets the REST endpoint once it listens. */
  async execute(submission: JobSubmission, observer: JobObserver = {}, signal?: AbortSignal, onRest?: (rest: RestServerHandle) => void): Promise<JobOutcome> {
    const master = new JobMaster(submission, this.settings, observer);
    // Before anything runs: a job that cannot have its resources is refused.
    const releaseResources = claimResources(submission.jobGraph.exclusiveResources ?? [], master, this.rest?.stateDir);
    this.remember(master);
    const onAbort = (): void => master.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    let endpoint: RestServerHandle | undefined;
    try {
      endpoint = this.rest === undefined ? undefined : await startRestEndpoint(this, { ...this.rest, ...(this.rest.stateDir !== undefined && { stateDir: this.rest.stateDir }) });
      if (endpoint !== undefined) onRest?.(endpoint);
      return await master.start();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // A client that stopped or cancelled the job still polls for the outcome: answer it before going away.
      if (endpoint !== undefined && this.lingering) await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
      await endpoint?.close();
      releaseResources();
    }
  }

  listJobs(): JobOverview[] {
    return [...this.jobs.values()].map((job) => {
      const snapshot = job.snapshot();
      const state = jobState(snapshot.status);
      return {
        jid: job.jobId,
        name: job.jobName,
        state,
        startTime: job.startTime,
        endTime: job.endTime,
        duration: (job.endTime < 0 ? Date.now() : job.endTime) - job.startTime,
        totalTasks: snapshot.vertices.reduce((sum, v) => sum + v.parallelism, 0),
        tasks: { [executionState(state)]: snapshot.vertices.reduce((sum, v) => sum + v.parallelism, 0) },
      };
    });
  }

  jobDetails(jobId: string): JobDetails | undefined {
    const job = this.jobs.get(jobId);
    if (job === undefined) return undefined;
    const snapshot = job.snapshot();
    const state = jobState(snapshot.status);
    const duration = (job.endTime < 0 ? Date.now() : job.endTime) - job.startTime;
    return {
      jid: job.jobId,
      name: job.jobName,
      state,
      startTime: job.startTime,
      endTime: job.endTime,
      duration,
      maxParallelism: Math.max(...snapshot.vertices.map((v) => v.parallelism)),
      timestamps: Object.fromEntries(Object.entries(job.statusTimestamps).map(([status, at]) => [jobState(status as never), at])),
      vertices: snapshot.vertices.map((v) => ({
        id: v.id,
        name: v.name,
        parallelism: v.parallelism,
        maxParallelism: v.parallelism,
        status: executionState(state),
        startTime: job.startTime,
        endTime: job.endTime,
        duration,
        tasks: { [executionState(state)]: v.parallelism },
        metrics: {
          readBytes: v.bytesIn,
          writeBytes: v.bytesOut,
          readRecords: v.recordsIn,
          writeRecords: v.recordsOut,
          accumulatedBusyTime: Math.round(v.busyTimeMs),
          accumulatedBackpressuredTime: Math.round(v.backPressuredTimeMs),
        },
      })),
    };
  }

  checkpoints(jobId: string): CheckpointStats | undefined {
    const job = this.jobs.get(jobId);
    if (job === undefined) return undefined;
    const history = job.checkpointRecords.map(checkpointEntry).reverse();
    const restored = job.restoredFrom;
    const latest = (status: string, savepoint?: boolean): CheckpointEntry | undefined =>
      history.find((e) => e.status === status && (savepoint === undefined || e.isSavepoint === savepoint));
    const completed = latest('COMPLETED', false);
    const savepoint = latest('COMPLETED', true);
    const failed = latest('FAILED');
    return {
      counts: {
        restored: restored === undefined ? 0 : 1,
        total: history.length,
        inProgress: history.filter((e) => e.status === 'IN_PROGRESS').length,
        completed: history.filter((e) => e.status === 'COMPLETED').length,
        failed: history.filter((e) => e.status === 'FAILED').length,
      },
      latest: {
        ...(completed !== undefined && { completed }),
        ...(savepoint !== undefined && { savepoint }),
        ...(failed !== undefined && { failed }),
        ...(restored !== undefined && {
          restored: { id: restored.checkpointId, restoreTimestamp: restored.at, isSavepoint: restored.isSavepoint, externalPath: restored.path },
        }),
      },
      history,
    };
  }

  checkpointDetails(jobId: string, checkpointId: number): CheckpointDetails | undefined {
    const job = this.jobs.get(jobId);
    const record = job?.checkpointRecords.find((r) => r.checkpointId === checkpointId);
    if (job === undefined || record === undefined) return undefined;
    const acks = new Map(record.subtasks.map((ack) => [taskKey(ack.vertexId, ack.subtaskIndex), ack]));
    const participants = new Set(record.participants);
    return {
      checkpoint: checkpointEntry(record),
      // Subtasks that had finished when it was triggered took no part: they are left out, as from its counts.
      tasks: job.vertexParallelism.map(({ id, parallelism }) => ({
        vertexId: id,
        subtasks: Array.from({ length: parallelism }, (_, index) => index).flatMap((index) => {
          if (!participants.has(taskKey(id, index))) return [];
          const ack = acks.get(taskKey(id, index));
          if (ack === undefined) return [{ index }];
          const { syncMs, asyncMs, alignmentMs, startDelayMs } = ack.times;
          return [
            {
              index,
              acknowledged: { ackTimestamp: ack.ackAt, stateSize: ack.stateSize, syncDuration: syncMs, asyncDuration: asyncMs, alignmentDuration: alignmentMs, startDelay: startDelayMs },
            },
          ];
        }),
      })),
    };
  }

  resources(): ClusterResources {
    const running = [...this.jobs.values()].some((job) => job.currentStatus === 'RUNNING');
    return { taskManagers: 1, slotsTotal: this.settings.numberOfTaskSlots, slotsAvailable: running ? 0 : this.settings.numberOfTaskSlots };
  }

  async triggerCheckpoint(jobId: string): Promise<{ checkpointId: number; externalPath: string }> {
    const completed = await this.running(jobId).triggerCheckpoint();
    return { checkpointId: completed.checkpointId, externalPath: completed.path };
  }

  async triggerSavepoint(jobId: string, options: { targetDirectory?: string; formatType: SavepointFormat; cancelJob: boolean }): Promise<{ location: string }> {
    const job = this.running(jobId);
    const target = this.savepointTarget(options.targetDirectory);
    if (options.cancelJob) this.linger();
    if (options.cancelJob) return { location: (await job.stopWithSavepoint(target, options.formatType)).path };
    return { location: (await job.triggerSavepoint(target, options.formatType)).path };
  }

  async stopWithSavepoint(jobId: string, options: { targetDirectory?: string; drain: boolean; formatType: SavepointFormat }): Promise<{ location: string }> {
    const job = this.running(jobId);
    this.linger();
    return { location: (await job.stopWithSavepoint(this.savepointTarget(options.targetDirectory), options.formatType, options.drain)).path };
  }

  cancel(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw unknownJobError(jobId);
    this.linger();
    job.cancel();
  }

  private linger(): void {
    this.lingering = true;
  }

  private running(jobId: string): JobMaster {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw unknownJobError(jobId);
    if (job.currentStatus !== 'RUNNING') throw jobStateConflictError(jobId, jobState(job.currentStatus));
    return job;
  }

  private savepointTarget(targetDirectory: string | undefined): string {
    const target = targetDirectory ?? this.rest?.savepointsDir;
    if (target === undefined) {
      throw badJobRequestError('no savepoint directory: give one, or set state.savepoints.dir');
    }
    return resolve(target);
  }

  private remember(master: JobMaster): void {
    this.jobs.set(master.jobId, master);
    if (this.jobs.size <= REMEMBERED_JOBS) return;
    for (const [id, job] of this.jobs) {
      if (job.endTime >= 0) {
        this.jobs.delete(id);
        break;
      }
    }
  }
}

function jobState(status: string): JobState {
  return status === 'FAILING' || status === 'CANCELLING' || status === 'RESTARTING' || status === 'CREATED' || status === 'RUNNING' || status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED'
    ? (status as JobState)
    : 'RUNNING';
}

function executionState(state: JobState): ExecutionState {
  switch (state) {
    case 'FINISHED':
    case 'FAILED':
    case 'CANCELED':
    case 'CREATED':
    case 'RUNNING':
      return state;
    case 'CANCELLING':
      return 'CANCELING';
    default:
      return 'DEPLOYING';
  }
}

function checkpointEntry(record: CheckpointRecord): CheckpointEntry {
  const isSavepoint = record.kind === 'savepoint';
  return {
    id: record.checkpointId,
    status: record.status,
    isSavepoint,
    checkpointType: isSavepoint ? 'SAVEPOINT' : 'CHECKPOINT',
    ...(isSavepoint && { savepointFormat: record.format === 'canonical' ? 'CANONICAL' : 'NATIVE' }),
    triggerTimestamp: record.triggeredAt,
    latestAckTimestamp: record.latestAckAt,
    stateSize: record.stateSize,
    endToEndDuration: (record.endedAt ?? Date.now()) - record.triggeredAt,
    numSubtasks: record.numSubtasks,
    numAcknowledgedSubtasks: record.acknowledged,
    ...(record.status === 'COMPLETED' && { externalPath: record.path }),
    ...(record.status === 'FAILED' && { failureTimestamp: record.endedAt ?? record.triggeredAt, ...(record.failure !== undefined && { failureMessage: record.failure }) }),
  };
}

export { JobMaster } from './jobmanager/job-master.js';
export type { ClusterSettings, JobObserver, JobOutcome, JobSnapshot, JobStatus, JobSubmission, VertexMetrics } from './jobmanager/job-master.js';
