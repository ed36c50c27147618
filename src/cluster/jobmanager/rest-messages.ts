/**
 * The JSON messages of the REST API, in Flink's shapes (hyphenated keys,
 * `start-time`, `status-counts`, `request-id`, ...), and their rendering from
 * the plain {@link JobControl} types. The server writes these and the REST
 * client (`src/client/rest-client.ts`) reads them, so both sides share one
 * definition. Flink's fields flinkts does not have yet are left out rather
 * than filled with made-up values.
 */
import {
  EXECUTION_STATES,
  TERMINAL_JOB_STATES,
  type CheckpointDetails,
  type CheckpointEntry,
  type CheckpointStats,
  type SubtaskCheckpointEntry,
  type ClusterResources,
  type ExecutionState,
  type JobDetails,
  type JobOverview,
  type JobState,
  type RestoredCheckpoint,
  type TaskCounts,
} from './job-control.js';

/** Every job state, in Flink's order (the keys of `timestamps`). */
const JOB_STATES: readonly JobState[] = [
  'INITIALIZING',
  'CREATED',
  'RUNNING',
  'FAILING',
  'FAILED',
  'CANCELLING',
  'CANCELED',
  'FINISHED',
  'RESTARTING',
  'SUSPENDED',
  'RECONCILING',
];

/** Every error answer: `{"errors": ["message"]}`. */
export interface ErrorMessage {
  readonly errors: readonly string[];
}

/** `GET /v1/overview`. */
export interface ClusterOverviewMessage {
  readonly taskmanagers: number;
  readonly 'slots-total': number;
  readonly 'slots-available': number;
  /** Jobs not yet in a terminal state (Flink counts pending and restarting jobs here too). */
  readonly 'jobs-running': number;
  readonly 'jobs-finished': number;
  readonly 'jobs-cancelled': number;
  readonly 'jobs-failed': number;
  /** Replaces Flink's `flink-version`. */
  readonly 'flinkts-version': string;
}

/** `GET /v1/jobs`. */
export interface JobIdsMessage {
  readonly jobs: readonly { readonly id: string; readonly status: JobState }[];
}

/** Task counts of `/jobs/overview`: `total` and every execution state in lower case. */
export type TaskCountsMessage = { readonly total: number } & Readonly<Record<Lowercase<ExecutionState>, number>>;

/** One job of `GET /v1/jobs/overview`. */
export interface JobOverviewMessage {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly 'last-modification': number;
  readonly tasks: TaskCountsMessage;
}

/** `GET /v1/jobs/overview`. */
export interface JobsOverviewMessage {
  readonly jobs: readonly JobOverviewMessage[];
}

/** Metrics of one vertex in `/jobs/:id`. */
export interface VertexMetricsMessage {
  readonly 'read-bytes': number;
  readonly 'read-bytes-complete': boolean;
  readonly 'write-bytes': number;
  readonly 'write-bytes-complete': boolean;
  readonly 'read-records': number;
  readonly 'read-records-complete': boolean;
  readonly 'write-records': number;
  readonly 'write-records-complete': boolean;
  readonly 'accumulated-backpressured-time': number;
  readonly 'accumulated-idle-time': number;
  readonly 'accumulated-busy-time': number;
}

/** One vertex of `/jobs/:id`. */
export interface VertexMessage {
  readonly id: string;
  readonly name: string;
  readonly maxParallelism: number;
  readonly parallelism: number;
  readonly status: ExecutionState;
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly tasks: Readonly<Record<ExecutionState, number>>;
  readonly metrics: VertexMetricsMessage;
}

/** `GET /v1/jobs/:id`. */
export interface JobDetailsMessage {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly 'job-type': 'STREAMING';
  readonly 'start-time': number;
  readonly 'end-time': number;
  readonly duration: number;
  readonly maxParallelism: number;
  readonly now: number;
  readonly timestamps: Readonly<Record<JobState, number>>;
  readonly vertices: readonly VertexMessage[];
  /** Vertices per execution state. */
  readonly 'status-counts': Readonly<Record<ExecutionState, number>>;
}

/** One vertex of `/jobs/:id/checkpoints/details/:checkpointId` (`tasks[vertexId]`); a checkpoint has the same, over all vertices. */
export interface TaskCheckpointMessage {
  readonly id: number;
  readonly status: CheckpointEntry['status'];
  readonly latest_ack_timestamp: number;
  readonly state_size: number;
  readonly checkpointed_size: number;
  readonly end_to_end_duration: number;
  readonly num_subtasks: number;
  readonly num_acknowledged_subtasks: number;
}

/** One checkpoint of `/jobs/:id/checkpoints`. */
export interface CheckpointMessage extends TaskCheckpointMessage {
  readonly className: 'completed' | 'failed' | 'in_progress';
  readonly is_savepoint: boolean;
  readonly savepointFormat: 'CANONICAL' | 'NATIVE' | null;
  readonly checkpoint_type: CheckpointEntry['checkpointType'];
  readonly trigger_timestamp: number;
  /** Completed checkpoints only. */
  readonly external_path?: string;
  /** Completed checkpoints only. */
  readonly discarded?: boolean;
  /** Failed checkpoints only. */
  readonly failure_timestamp?: number;
  /** Failed checkpoints only. */
  readonly failure_message?: string;
}

/** `latest.restored` of `/jobs/:id/checkpoints`. */
export interface RestoredCheckpointMessage {
  readonly id: number;
  readonly restore_timestamp: number;
  readonly is_savepoint: boolean;
  readonly external_path: string;
}

/** `GET /v1/jobs/:id/checkpoints`. */
export interface CheckpointStatsMessage {
  readonly counts: {
    readonly restored: number;
    readonly total: number;
    readonly in_progress: number;
    readonly completed: number;
    readonly failed: number;
  };
  readonly latest: {
    readonly completed: CheckpointMessage | null;
    readonly savepoint: CheckpointMessage | null;
    readonly failed: CheckpointMessage | null;
    readonly restored: RestoredCheckpointMessage | null;
  };
  readonly history: readonly CheckpointMessage[];
}

/** The answer to a trigger (`POST .../checkpoints`, `.../savepoints`, `.../stop`), status 202. */
export interface TriggerMessage {
  readonly 'request-id': string;
}

/** Why an async operation failed. `message` and `code` are flinkts additions to Flink's shape. */
export interface FailureCauseMessage {
  readonly class: string;
  readonly 'stack-trace': string;
  readonly message: string;
  /** The FlinktsError code, when the failure was one. */
  readonly code?: string;
}

/** The result of a checkpoint trigger. `location` is a flinkts addition. */
export type CheckpointOperationMessage = { readonly checkpointId: number; readonly location: string } | { readonly 'failure-cause': FailureCauseMessage };

/** The result of a savepoint or stop trigger. */
export type SavepointOperationMessage = { readonly location: string } | { readonly 'failure-cause': FailureCauseMessage };

/** `GET .../checkpoints/:triggerId` and `GET .../savepoints/:triggerId`; `operation` is absent while in progress. */
export interface AsyncOperationMessage<O> {
  readonly status: { readonly id: 'IN_PROGRESS' | 'COMPLETED' };
  readonly operation?: O;
}

/** `/v1/overview` from the jobs and the slots. */
export function renderOverview(jobs: readonly JobOverview[], resources: ClusterResources, version: string): ClusterOverviewMessage {
  const count = (state: JobState): number => jobs.filter((job) => job.state === state).length;
  return {
    taskmanagers: resources.taskManagers,
    'slots-total': resources.slotsTotal,
    'slots-available': resources.slotsAvailable,
    'jobs-running': jobs.filter((job) => !TERMINAL_JOB_STATES.has(job.state)).length,
    'jobs-finished': count('FINISHED'),
    'jobs-cancelled': count('CANCELED'),
    'jobs-failed': count('FAILED'),
    'flinkts-version': version,
  };
}

/** `/v1/jobs`. */
export function renderJobIds(jobs: readonly JobOverview[]): JobIdsMessage {
  return { jobs: jobs.map((job) => ({ id: job.jid, status: job.state })) };
}

/** `/v1/jobs/overview`. */
export function renderJobsOverview(jobs: readonly JobOverview[]): JobsOverviewMessage {
  return {
    jobs: jobs.map((job) => {
      const tasks = Object.fromEntries(EXECUTION_STATES.map((state) => [state.toLowerCase(), job.tasks[state] ?? 0]));
      return {
        jid: job.jid,
        name: job.name,
        state: job.state,
        'start-time': job.startTime,
        'end-time': job.endTime,
        duration: job.duration,
        'last-modification': job.lastModification ?? Math.max(job.startTime, job.endTime),
        tasks: { total: job.totalTasks, ...tasks } as TaskCountsMessage,
      };
    }),
  };
}

/** `/v1/jobs/:id`; `now` is the server's clock. */
export function renderJobDetails(job: JobDetails, now: number): JobDetailsMessage {
  const statusCounts = allStates(Object.fromEntries(EXECUTION_STATES.map((state) => [state, job.vertices.filter((v) => v.status === state).length])));
  return {
    jid: job.jid,
    name: job.name,
    state: job.state,
    'job-type': 'STREAMING',
    'start-time': job.startTime,
    'end-time': job.endTime,
    duration: job.duration,
    maxParallelism: job.maxParallelism,
    now,
    timestamps: Object.fromEntries(JOB_STATES.map((state) => [state, job.timestamps[state] ?? 0])) as Record<JobState, number>,
    vertices: job.vertices.map((vertex) => ({
      id: vertex.id,
      name: vertex.name,
      maxParallelism: vertex.maxParallelism,
      parallelism: vertex.parallelism,
      status: vertex.status,
      'start-time': vertex.startTime,
      'end-time': vertex.endTime,
      duration: vertex.duration,
      tasks: allStates(vertex.tasks),
      metrics: {
        'read-bytes': vertex.metrics.readBytes,
        'read-bytes-complete': true,
        'write-bytes': vertex.metrics.writeBytes,
        'write-bytes-complete': true,
        'read-records': vertex.metrics.readRecords,
        'read-records-complete': true,
        'write-records': vertex.metrics.writeRecords,
        'write-records-complete': true,
        'accumulated-backpressured-time': vertex.metrics.accumulatedBackpressuredTime,
        'accumulated-idle-time': vertex.metrics.accumulatedIdleTime ?? 0,
        'accumulated-busy-time': vertex.metrics.accumulatedBusyTime,
      },
    })),
    'status-counts': statusCounts,
  };
}

/** `/v1/jobs/:id/checkpoints`. */
export function renderCheckpointStats(stats: CheckpointStats): CheckpointStatsMessage {
  return {
    counts: {
      restored: stats.counts.restored,
      total: stats.counts.total,
      in_progress: stats.counts.inProgress,
      completed: stats.counts.completed,
      failed: stats.counts.failed,
    },
    latest: {
      completed: stats.latest.completed === undefined ? null : renderCheckpoint(stats.latest.completed),
      savepoint: stats.latest.savepoint === undefined ? null : renderCheckpoint(stats.latest.savepoint),
      failed: stats.latest.failed === undefined ? null : renderCheckpoint(stats.latest.failed),
      restored: stats.latest.restored === undefined ? null : renderRestored(stats.latest.restored),
    },
    history: stats.history.map(renderCheckpoint),
  };
}

/** One checkpoint in Flink's shape. */
export function renderCheckpoint(entry: CheckpointEntry): CheckpointMessage {
  const common = {
    className: entry.status === 'COMPLETED' ? 'completed' : entry.status === 'FAILED' ? 'failed' : 'in_progress',
    id: entry.id,
    status: entry.status,
    is_savepoint: entry.isSavepoint,
    savepointFormat: entry.isSavepoint ? (entry.savepointFormat ?? 'CANONICAL') : null,
    checkpoint_type: entry.checkpointType,
    trigger_timestamp: entry.triggerTimestamp,
    latest_ack_timestamp: entry.latestAckTimestamp,
    state_size: entry.stateSize,
    checkpointed_size: entry.checkpointedSize ?? entry.stateSize,
    end_to_end_duration: entry.endToEndDuration,
    num_subtasks: entry.numSubtasks,
    num_acknowledged_subtasks: entry.numAcknowledgedSubtasks,
  } as const;
  switch (entry.status) {
    case 'COMPLETED':
      return { ...common, ...(entry.externalPath === undefined ? {} : { external_path: entry.externalPath }), discarded: entry.discarded ?? false };
    case 'FAILED':
      return {
        ...common,
        ...(entry.failureTimestamp === undefined ? {} : { failure_timestamp: entry.failureTimestamp }),
        ...(entry.failureMessage === undefined ? {} : { failure_message: entry.failureMessage }),
      };
    case 'IN_PROGRESS':
      return common;
  }
}

/** Min, max and average over the subtasks that acknowledged (Flink's `StatsSummaryDto`, without percentiles). */
export interface StatsSummaryMessage {
  readonly min: number;
  readonly max: number;
  readonly avg: number;
}

/** `GET /v1/jobs/:id/checkpoints/details/:checkpointId`. */
export type CheckpointDetailsMessage = CheckpointMessage & { readonly tasks: Readonly<Record<string, TaskCheckpointMessage>> };

/** One subtask of `…/details/:checkpointId/subtasks/:vertexId`; durations in ms. */
export type SubtaskCheckpointMessage =
  | {
      readonly index: number;
      readonly status: 'completed';
      readonly ack_timestamp: number;
      readonly end_to_end_duration: number;
      readonly state_size: number;
      readonly checkpointed_size: number;
      readonly checkpoint: { readonly sync: number; readonly async: number };
      readonly alignment: { readonly duration: number };
      readonly start_delay: number;
    }
  | { readonly index: number; readonly status: 'pending_or_failed' };

/** `GET /v1/jobs/:id/checkpoints/details/:checkpointId/subtasks/:vertexId`. */
export interface TaskCheckpointDetailsMessage extends TaskCheckpointMessage {
  readonly summary: {
    readonly state_size: StatsSummaryMessage;
    readonly end_to_end_duration: StatsSummaryMessage;
    readonly checkpoint_duration: { readonly sync: StatsSummaryMessage; readonly async: StatsSummaryMessage };
    readonly alignment: { readonly duration: StatsSummaryMessage };
    readonly start_delay: StatsSummaryMessage;
  };
  readonly subtasks: readonly SubtaskCheckpointMessage[];
}

export function renderCheckpointDetails(details: CheckpointDetails): CheckpointDetailsMessage {
  return { ...renderCheckpoint(details.checkpoint), tasks: Object.fromEntries(details.tasks.map((task) => [task.vertexId, renderTaskCheckpoint(details.checkpoint, task.subtasks)])) };
}

export function renderTaskCheckpointDetails(checkpoint: CheckpointEntry, task: CheckpointDetails['tasks'][number]): TaskCheckpointDetailsMessage {
  const subtasks = task.subtasks.map((subtask) => renderSubtaskCheckpoint(checkpoint, subtask));
  const acked = subtasks.filter((s) => s.status === 'completed');
  const summary = (value: (s: (typeof acked)[number]) => number): StatsSummaryMessage => {
    const values = acked.map(value);
    if (values.length === 0) return { min: 0, max: 0, avg: 0 };
    return { min: Math.min(...values), max: Math.max(...values), avg: Math.round(values.reduce((a, b) => a + b, 0) / values.length) };
  };
  return {
    ...renderTaskCheckpoint(checkpoint, task.subtasks),
    summary: {
      state_size: summary((s) => s.state_size),
      end_to_end_duration: summary((s) => s.end_to_end_duration),
      checkpoint_duration: { sync: summary((s) => s.checkpoint.sync), async: summary((s) => s.checkpoint.async) },
      alignment: { duration: summary((s) => s.alignment.duration) },
      start_delay: summary((s) => s.start_delay),
    },
    subtasks,
  };
}

function renderTaskCheckpoint(checkpoint: CheckpointEntry, subtasks: readonly SubtaskCheckpointEntry[]): TaskCheckpointMessage {
  const acked = subtasks.flatMap((s) => (s.acknowledged === undefined ? [] : [s.acknowledged]));
  const latestAck = Math.max(checkpoint.triggerTimestamp, ...acked.map((a) => a.ackTimestamp));
  const stateSize = acked.reduce((sum, a) => sum + a.stateSize, 0);
  return {
    id: checkpoint.id,
    status: checkpoint.status,
    latest_ack_timestamp: latestAck,
    state_size: stateSize,
    checkpointed_size: stateSize,
    end_to_end_duration: latestAck - checkpoint.triggerTimestamp,
    num_subtasks: subtasks.length,
    num_acknowledged_subtasks: acked.length,
  };
}

function renderSubtaskCheckpoint(checkpoint: CheckpointEntry, subtask: SubtaskCheckpointEntry): SubtaskCheckpointMessage {
  const ack = subtask.acknowledged;
  if (ack === undefined) return { index: subtask.index, status: 'pending_or_failed' };
  return {
    index: subtask.index,
    status: 'completed',
    ack_timestamp: ack.ackTimestamp,
    end_to_end_duration: ack.ackTimestamp - checkpoint.triggerTimestamp,
    state_size: ack.stateSize,
    checkpointed_size: ack.stateSize,
    checkpoint: { sync: Math.round(ack.syncDuration), async: Math.round(ack.asyncDuration) },
    alignment: { duration: Math.round(ack.alignmentDuration) },
    start_delay: Math.round(ack.startDelay),
  };
}

function renderRestored(restored: RestoredCheckpoint): RestoredCheckpointMessage {
  return {
    id: restored.id,
    restore_timestamp: restored.restoreTimestamp,
    is_savepoint: restored.isSavepoint,
    external_path: restored.externalPath,
  };
}

/** `failure-cause` of an operation that failed with `error`. */
export function renderFailureCause(error: unknown): FailureCauseMessage {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      class: error.name,
      'stack-trace': error.stack ?? `${error.name}: ${error.message}`,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { class: 'Error', 'stack-trace': String(error), message: String(error) };
}

function allStates(counts: TaskCounts): Record<ExecutionState, number> {
  return Object.fromEntries(EXECUTION_STATES.map((state) => [state, counts[state] ?? 0])) as Record<ExecutionState, number>;
}
