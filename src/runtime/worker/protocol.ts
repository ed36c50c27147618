/**
 * Messages between a task manager (main thread) and its slot workers, and
 * between workers. Control messages are structured-cloned; data buffers
 * travel as transferred ArrayBuffers.
 */
import type { MessagePort } from 'node:worker_threads';
import type { EnvironmentSettings } from '../../api/environment.js';
import { FlinktsError } from '../../api/errors.js';
import type { JobGraph } from '../../graph/job-graph.js';
import type { CheckpointingMode } from '../../api/checkpointing.js';
import type { CheckpointMetadata, SnapshotFormat } from '../checkpoint/metadata.js';
import type { StateBackendSettings } from '../state/state-backends.js';
import type { OperatorSubtaskState } from '../task/chain-state.js';
import type { SubtaskCheckpointTimes } from '../task/stream-task.js';
import type { TaskMetricsSnapshot } from '../task/task-metrics.js';

/** Network settings from the configuration. */
export interface NetworkSettings {
  readonly segmentSize: number;
  readonly buffersPerChannel: number;
  readonly maxOverdraftBuffers: number;
  readonly bufferTimeoutMs: number;
}

/** Everything a worker needs to run its share of a job. */
export interface WorkerDeployment {
  readonly jobId: string;
  readonly attempt: number;
  readonly workerIndex: number;
  readonly numWorkers: number;
  /** Absolute path of the job bundle (`job.mjs`). */
  readonly bundlePath: string;
  readonly args: readonly string[];
  readonly settings: EnvironmentSettings;
  readonly defaultJobName: string;
  readonly jobGraph: JobGraph;
  /** For each vertex id, the worker index of each subtask. */
  readonly placement: Readonly<Record<string, readonly number[]>>;
  /** The subtasks this worker runs. */
  readonly tasks: readonly { readonly vertexId: string; readonly subtaskIndex: number }[];
  readonly network: NetworkSettings;
  readonly metricsIntervalMs: number;
  /** `pipeline.auto-watermark-interval`, unless the job sets its own. */
  readonly autoWatermarkIntervalMs: number;
  /** Set when checkpointing is on: tasks align barriers in this mode and wait for a final checkpoint at the end. */
  readonly checkpointingMode?: CheckpointingMode;
  /** The snapshot the tasks start from. */
  readonly restore?: RestoreSource;
  /** The keyed state backend of the job's keyed operators (absent: `hashmap`). */
  readonly stateBackend?: StateBackendSettings;
}

/** A completed checkpoint or savepoint to start from. */
export interface RestoreSource {
  readonly dir: string;
  /** The job's `shared/` directory of a checkpoint (absent for savepoints). */
  readonly sharedDir?: string;
  readonly metadata: CheckpointMetadata;
}

/** A checkpoint the coordinator started: where its files go. */
export interface CheckpointTrigger {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly format: SnapshotFormat;
  readonly snapshotDir: string;
  /** Absent for savepoints (self-contained). */
  readonly sharedDir?: string;
  /** Stop with savepoint: sources emit nothing after this barrier (the job is cancelled once it completed). */
  readonly suspendSources?: boolean;
  /** The tasks (vertex id, subtask) the coordinator triggers directly: running sources and tasks whose input ended. */
  readonly roots: readonly { readonly vertexId: string; readonly subtaskIndex: number }[];
}

/** An error that crossed a thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly hint?: string;
  readonly operatorName?: string;
  readonly subtaskIndex?: number;
  readonly stack?: string;
}

export interface TaskMetricsReport {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly metrics: TaskMetricsSnapshot;
}

/** Main thread → worker. `ports[i]` reaches worker i (absent for the worker itself). */
export type ToWorker =
  | { readonly type: 'deploy'; readonly deployment: WorkerDeployment; readonly ports: readonly (MessagePort | null)[] }
  | { readonly type: 'start' }
  /** `stop --drain`: `prepare` every task (answered with `drain-prepared`), then end the `sources`. */
  | { readonly type: 'drain'; readonly phase: 'prepare' | 'sources' }
  | { readonly type: 'cancel' }
  | { readonly type: 'trigger-checkpoint'; readonly trigger: CheckpointTrigger }
  | { readonly type: 'checkpoint-complete'; readonly checkpointId: number }
  | { readonly type: 'checkpoint-aborted'; readonly checkpointId: number };

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'deployed' }
  /** Every task of the worker waits for the savepoint of `stop --drain` at its end of input. */
  | { readonly type: 'drain-prepared' }
  | { readonly type: 'deploy-failed'; readonly error: SerializedError }
  | { readonly type: 'task-finished'; readonly report: TaskMetricsReport }
  | { readonly type: 'task-failed'; readonly vertexId: string; readonly subtaskIndex: number; readonly error: SerializedError }
  | { readonly type: 'metrics'; readonly reports: readonly TaskMetricsReport[] }
  /** A task processed all its input and waits for the final checkpoint (checkpointing on). */
  | { readonly type: 'task-input-ended'; readonly vertexId: string; readonly subtaskIndex: number }
  | {
      readonly type: 'checkpoint-ack';
      readonly checkpointId: number;
      readonly vertexId: string;
      readonly subtaskIndex: number;
      readonly operators: readonly OperatorSubtaskState[];
      readonly times: SubtaskCheckpointTimes;
    }
  | { readonly type: 'checkpoint-declined'; readonly checkpointId: number; readonly vertexId: string; readonly subtaskIndex: number; readonly error: SerializedError }
  | { readonly type: 'output'; readonly stream: 'stdout' | 'stderr'; readonly data: string };

/** Worker ↔ worker on their shared port: a data buffer, or a buffer going back (credit). */
export type PeerMessage =
  | { readonly t: 0; readonly c: number; readonly b: ArrayBuffer; readonly n: number }
  | { readonly t: 1; readonly c: number; readonly b: ArrayBuffer };

/** Flattens an error for postMessage, keeping the fields the CLI shows. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const e = error as Error & { code?: unknown; hint?: unknown; operatorName?: unknown; subtaskIndex?: unknown };
    // For a user function's error, the user's own message and stack; the operator travels alongside.
    const cause = typeof e.operatorName === 'string' && e.cause instanceof Error ? e.cause : undefined;
    // A flinkts error raised inside the function (e.g. STATE_INCOMPATIBLE from getState on restore) keeps its
    // code: the JobMaster decides by it whether a restart can help (RELIABILITY C4).
    const code = cause instanceof FlinktsError ? cause.code : e.code;
    return {
      name: e.name,
      message: cause?.message ?? e.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof e.hint === 'string' ? { hint: e.hint } : {}),
      ...(typeof e.operatorName === 'string' ? { operatorName: e.operatorName } : {}),
      ...(typeof e.subtaskIndex === 'number' ? { subtaskIndex: e.subtaskIndex } : {}),
      ...((cause ?? e).stack === undefined ? {} : { stack: (cause ?? e).stack }),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** Channel ids: unique per (edge, producer subtask, consumer subtask) within a job. */
export function channelIdBases(jobGraph: JobGraph): number[] {
  const parallelism = new Map(jobGraph.vertices.map((v) => [v.id, v.parallelism]));
  const bases: number[] = [];
  let next = 0;
  for (const edge of jobGraph.edges) {
    bases.push(next);
    next += parallelism.get(edge.source)! * parallelism.get(edge.target)!;
  }
  return bases;
}
