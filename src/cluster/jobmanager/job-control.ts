/**
 * What the REST API asks of a cluster: the jobs it knows, their checkpoints,
 * and the job-control verbs (checkpoint, savepoint, stop, cancel). The
 * JobMaster side implements {@link JobControl}; the REST server
 * (`rest-server.ts`) turns it into Flink's REST shapes, so the types here are
 * plain TypeScript (camelCase, epoch milliseconds) rather than Flink's
 * hyphenated JSON keys.
 *
 * Errors: a method that cannot do what is asked throws (or rejects with) a
 * {@link JobControlError} made by {@link unknownJobError},
 * {@link jobStateConflictError} or {@link badJobRequestError}; the REST server
 * answers 404, 409 and 400 for them. Any other FlinktsError with code `USAGE`
 * or `CONFIG` is a 400, everything else a 500.
 */
import { FlinktsError } from '../../api/errors.js';

/** Flink's job states (`JobStatus`). */
export type JobState =
  | 'INITIALIZING'
  | 'CREATED'
  | 'RUNNING'
  | 'FAILING'
  | 'FAILED'
  | 'CANCELLING'
  | 'CANCELED'
  | 'FINISHED'
  | 'RESTARTING'
  | 'SUSPENDED'
  | 'RECONCILING';

/** The states a job never leaves (Flink's "globally terminal" states). */
export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set<JobState>(['FAILED', 'CANCELED', 'FINISHED']);

/** Flink's states of one parallel task (`ExecutionState`). */
export type ExecutionState =
  | 'CREATED'
  | 'SCHEDULED'
  | 'DEPLOYING'
  | 'RUNNING'
  | 'FINISHED'
  | 'CANCELING'
  | 'CANCELED'
  | 'FAILED'
  | 'RECONCILING'
  | 'INITIALIZING';

/** Every execution state, in Flink's order (the order of `tasks` and `status-counts` in REST answers). */
export const EXECUTION_STATES: readonly ExecutionState[] = [
  'CREATED',
  'SCHEDULED',
  'DEPLOYING',
  'RUNNING',
  'FINISHED',
  'CANCELING',
  'CANCELED',
  'FAILED',
  'RECONCILING',
  'INITIALIZING',
];

/** Number of tasks per execution state; states left out count 0. */
export type TaskCounts = Partial<Record<ExecutionState, number>>;

/** One row of `/jobs/overview`. Times are epoch milliseconds; `endTime` is -1 while the job runs. */
export interface JobOverview {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly startTime: number;
  readonly endTime: number;
  /** Milliseconds from start to end, or to now while the job runs. */
  readonly duration: number;
  /** When the state last changed (epoch ms); defaults to the latest of start and end time. */
  readonly lastModification?: number;
  /** All parallel tasks of the job (the sum of the vertices' parallelism). */
  readonly totalTasks: number;
  /** Tasks per execution state. */
  readonly tasks: TaskCounts;
}

/** Metrics of one vertex, summed over its subtasks. */
export interface VertexMetricsView {
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly readRecords: number;
  readonly writeRecords: number;
  /** Milliseconds. */
  readonly accumulatedBusyTime: number;
  /** Milliseconds. */
  readonly accumulatedBackpressuredTime: number;
  /** Milliseconds; 0 when not measured. */
  readonly accumulatedIdleTime?: number;
}

/** One vertex (chain of operators) of `/jobs/:id`. */
export interface VertexDetails {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The aggregated state of its tasks. */
  readonly status: ExecutionState;
  readonly startTime: number;
  readonly endTime: number;
  readonly duration: number;
  readonly tasks: TaskCounts;
  readonly metrics: VertexMetricsView;
}

/** `/jobs/:id`. Times are epoch milliseconds; `endTime` is -1 while the job runs. */
export interface JobDetails {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly startTime: number;
  readonly endTime: number;
  readonly duration: number;
  /** `maxParallelism` of the job; -1 when derived per operator. */
  readonly maxParallelism: number;
  /** When the job entered each state it has been in. */
  readonly timestamps: Partial<Record<JobState, number>>;
  readonly vertices: readonly VertexDetails[];
}

/** Status of one checkpoint in the history. */
export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** Flink's checkpoint types as the REST API names them. */
export type CheckpointKind = 'CHECKPOINT' | 'FULL_CHECKPOINT' | 'SAVEPOINT' | 'SYNC_SAVEPOINT';

/** One checkpoint or savepoint of `/jobs/:id/checkpoints`. */
export interface CheckpointEntry {
  readonly id: number;
  readonly status: CheckpointStatus;
  readonly isSavepoint: boolean;
  readonly checkpointType: CheckpointKind;
  /** `CANONICAL` or `NATIVE` for savepoints. */
  readonly savepointFormat?: 'CANONICAL' | 'NATIVE';
  readonly triggerTimestamp: number;
  /** When the last subtask acknowledged; the trigger time while none has. */
  readonly latestAckTimestamp: number;
  /** Bytes of state in the checkpoint. */
  readonly stateSize: number;
  /** Bytes written for this checkpoint (less than `stateSize` when incremental); defaults to `stateSize`. */
  readonly checkpointedSize?: number;
  /** Milliseconds from trigger to the last acknowledgement. */
  readonly endToEndDuration: number;
  readonly numSubtasks: number;
  readonly numAcknowledgedSubtasks: number;
  /** Where a completed checkpoint lives. */
  readonly externalPath?: string;
  /** Whether a completed checkpoint was subsumed and deleted. */
  readonly discarded?: boolean;
  /** When a failed checkpoint failed. */
  readonly failureTimestamp?: number;
  /** Why a failed checkpoint failed. */
  readonly failureMessage?: string;
}

/** One subtask in a checkpoint's details: what it reported with its acknowledgement (durations in ms). */
export interface SubtaskCheckpointEntry {
  readonly index: number;
  /** Present once the subtask acknowledged. */
  readonly acknowledged?: {
    readonly ackTimestamp: number;
    readonly stateSize: number;
    readonly syncDuration: number;
    readonly asyncDuration: number;
    readonly alignmentDuration: number;
    readonly startDelay: number;
  };
}

/** One checkpoint with the statistics of each subtask of each vertex (`/jobs/:id/checkpoints/details/:checkpointId`). */
export interface CheckpointDetails {
  readonly checkpoint: CheckpointEntry;
  readonly tasks: readonly { readonly vertexId: string; readonly subtasks: readonly SubtaskCheckpointEntry[] }[];
}

/** The checkpoint or savepoint the job was restored from. */
export interface RestoredCheckpoint {
  readonly id: number;
  readonly restoreTimestamp: number;
  readonly isSavepoint: boolean;
  readonly externalPath: string;
}

/** `/jobs/:id/checkpoints`. */
export interface CheckpointStats {
  readonly counts: {
    readonly restored: number;
    readonly total: number;
    readonly inProgress: number;
    readonly completed: number;
    readonly failed: number;
  };
  readonly latest: {
    readonly completed?: CheckpointEntry;
    readonly savepoint?: CheckpointEntry;
    readonly failed?: CheckpointEntry;
    readonly restored?: RestoredCheckpoint;
  };
  /** Newest first, bounded as the implementation likes (Flink keeps 10). */
  readonly history: readonly CheckpointEntry[];
}

/** The slots of the cluster for `/overview`. */
export interface ClusterResources {
  readonly taskManagers: number;
  readonly slotsTotal: number;
  readonly slotsAvailable: number;
}

/** Savepoint format: canonical (portable across backends) or native (the backend's own). */
export type SavepointFormat = 'canonical' | 'native';

/**
 * What the REST API needs from a cluster. Reads are synchronous snapshots;
 * the triggers return promises that settle when the checkpoint or savepoint
 * completes or fails (the REST server turns them into async operations with
 * trigger ids).
 *
 * The REST server checks before calling a trigger or `cancel` that
 * `jobDetails(jobId)` exists (else 404) and, for the triggers, that the job is
 * RUNNING (else 409); a trigger that cannot start for another reason should
 * throw synchronously (or reject) with a {@link JobControlError}.
 */
export interface JobControl {
  /** Jobs known to this cluster: running ones and finished ones it still remembers. */
  listJobs(): JobOverview[];
  /** One job, or `undefined` when the cluster does not know it. */
  jobDetails(jobId: string): JobDetails | undefined;
  /** The checkpoint statistics of a job, or `undefined` when the cluster does not know it. */
  checkpoints(jobId: string): CheckpointStats | undefined;
  /** One checkpoint of the history, per vertex and subtask; `undefined` when the job or that checkpoint is unknown. */
  checkpointDetails(jobId: string, checkpointId: number): CheckpointDetails | undefined;
  /** Slots of the cluster. */
  resources(): ClusterResources;
  /** Triggers a checkpoint; `full` forces a full (non-incremental) one. */
  triggerCheckpoint(jobId: string, options: { full: boolean }): Promise<{ checkpointId: number; externalPath: string }>;
  /** Triggers a savepoint into `targetDirectory` (else `state.savepoints.dir`); `cancelJob` cancels the job once it completed. */
  triggerSavepoint(
    jobId: string,
    options: { targetDirectory?: string; formatType: SavepointFormat; cancelJob: boolean },
  ): Promise<{ location: string }>;
  /** Takes a savepoint and stops the job (FINISHED); `drain` first emits MAX_WATERMARK to flush event-time timers. */
  stopWithSavepoint(jobId: string, options: { targetDirectory?: string; drain: boolean; formatType: SavepointFormat }): Promise<{ location: string }>;
  /** Requests cancellation; the job goes CANCELLING, then CANCELED. */
  cancel(jobId: string): void;
}

/** Why a {@link JobControlError} was raised; decides the HTTP status. */
export type JobControlFailure = 'unknown-job' | 'not-found' | 'bad-request' | 'conflict';

/**
 * A job-control request that cannot be honoured. `failure` decides the HTTP
 * status (404, 400, 409). The code is `USAGE`: the request names a job that
 * does not exist, asks for something malformed, or comes at the wrong moment.
 */
export class JobControlError extends FlinktsError {
  readonly failure: JobControlFailure;

  constructor(failure: JobControlFailure, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('USAGE', message, options);
    this.name = 'JobControlError';
    this.failure = failure;
  }
}

/** `job <id> not found` (404). */
export function unknownJobError(jobId: string): JobControlError {
  return new JobControlError('unknown-job', `job ${jobId} not found`);
}

/** `job <id> is FINISHED, not RUNNING` (409): the job is not in a state that allows the request. */
export function jobStateConflictError(jobId: string, state: JobState, expected = 'RUNNING'): JobControlError {
  return new JobControlError('conflict', `job ${jobId} is ${state}, not ${expected}`);
}

/** A malformed or unsupported request (400). */
export function badJobRequestError(message: string): JobControlError {
  return new JobControlError('bad-request', message);
}

/** Job ids and trigger ids: 32 lowercase hexadecimal characters (Flink's `JobID.toHexString()`). */
export const HEX_ID_PATTERN = /^[0-9a-f]{32}$/;

/** Whether `value` is a well-formed job id. */
export function isJobId(value: string): boolean {
  return HEX_ID_PATTERN.test(value);
}
