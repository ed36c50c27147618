/**
 * `flinkts run`: load a job, plan it, execute it on the chosen target and
 * report its progress and result.
 */
import { delimiter } from 'node:path';
import { restSettings } from '../cluster/jobmanager/rest-server.js';
import { MiniCluster, type ClusterSettings, type JobSnapshot, type VertexMetrics } from '../cluster/minicluster.js';
import {
  EXECUTION_BUFFER_TIMEOUT,
  EXECUTION_CHECKPOINTING_EXTERNALIZED_CHECKPOINT_RETENTION,
  EXECUTION_CHECKPOINTING_INTERVAL,
  JOBMANAGER_EXECUTION_FAILOVER_STRATEGY,
  EXECUTION_CHECKPOINTING_MIN_PAUSE,
  EXECUTION_CHECKPOINTING_MODE,
  EXECUTION_CHECKPOINTING_TIMEOUT,
  EXECUTION_CHECKPOINTING_TOLERABLE_FAILED_CHECKPOINTS,
  STATE_CHECKPOINTS_DIR,
  STATE_CHECKPOINTS_NUM_RETAINED,
  STATE_SAVEPOINTS_DIR,
  IO_TMP_DIRS,
  STATE_BACKEND_EMBEDDED_CACHE_ENTRIES,
  STATE_BACKEND_INCREMENTAL,
  STATE_BACKEND_TYPE,
  PIPELINE_AUTO_WATERMARK_INTERVAL,
  TASKMANAGER_MEMORY_SEGMENT_SIZE,
  TASKMANAGER_NETWORK_MEMORY_BUFFERS_PER_CHANNEL,
  TASKMANAGER_NETWORK_MEMORY_MAX_OVERDRAFT_BUFFERS_PER_GATE,
  TASKMANAGER_NUMBER_OF_TASK_SLOTS,
  type FlinktsConfig,
} from '../config/index.js';
import type { ConfigurationValues } from '../runtime/failover/restart-configuration.js';
import type { StateBackendSettings } from '../runtime/state/state-backends.js';
import { packageVersion } from './package-root.js';
import { prepareJob } from './prepare.js';
import { resolveTarget } from './targets.js';

/** How often workers report metrics (and `onProgress` is called). */
const METRICS_INTERVAL_MS = 500;
export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED' | 'RESTARTING';

/** What `flinkts run` is asked to do. */
export interface RunOptions {
  /** Path of a `.ts`, `.js`, `.mjs` job file or a `.tgz` artifact. */
  readonly job: string;
  /** Job arguments (after `--`). */
  readonly args: readonly string[];
  /** `-p`; overrides `parallelism.default`. */
  readonly parallelism?: number;
  /** `-t`; only `local` so far. */
  readonly target?: string;
  /** Raw `-D key=value` values. */
  readonly dynamicProperties?: readonly string[];
  /** `--config` file. */
  readonly configFile?: string;
  /** Called about twice a second while the job runs. */
  readonly onProgress?: (progress: JobProgress) => void;
  /** Receives the tasks' console output (print sinks); default: this process's stdout/stderr. */
  readonly onOutput?: (stream: 'stdout' | 'stderr', data: string) => void;
  /** Cancels the job when aborted. */
  readonly signal?: AbortSignal;
  /** `-s`: a savepoint or retained checkpoint (directory or its `_metadata`) to start from. */
  readonly fromSavepoint?: string;
  /** `--allow-non-restored-state`: drop state of operators the job no longer has. */
  readonly allowNonRestoredState?: boolean;
  /** `--claim-mode`. */
  readonly claimMode?: 'no_claim' | 'claim';
}

/** Metrics of one vertex, summed over its subtasks. */
export interface VertexSummary {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly busyTimeMs: number;
  readonly backPressuredTimeMs: number;
  /** Named counters of the vertex's connectors, summed over its subtasks (e.g. `numRecordsSkipped`). */
  readonly counters: Readonly<Record<string, number>>;
}

/** A snapshot of a running job. */
export interface JobProgress {
  readonly jobId: string;
  readonly jobName: string;
  readonly status: JobStatus;
  readonly elapsedMs: number;
  /** Records emitted by all sources so far. */
  readonly sourceRecords: number;
  readonly vertices: readonly VertexSummary[];
}

/** Why a job failed. */
export interface JobFailure {
  readonly message: string;
  /** The error code (`FlinktsError.code`) when the failure had one, e.g. `STATE_INCOMPATIBLE`. */
  readonly code?: string;
  readonly operator?: string;
  readonly subtask?: number;
  readonly stack?: string;
}

/** The outcome of an attached run. */
export interface RunResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly status: 'FINISHED' | 'FAILED' | 'CANCELED';
  readonly durationMs: number;
  /** The part of `durationMs` after every task was deployed and the sources started. */
  readonly runningMs: number;
  /** How often the job restarted after a failure. */
  readonly restarts: number;
  /**
   * Each restart, oldest first (epoch ms): when the JobMaster handled the failure, the delay of the restart
   * strategy, when the failed attempt's tasks were gone, and when it deployed the job again.
   */
  readonly restartHistory?: readonly { readonly failedAt: number; readonly cause: string; readonly restartedTasks?: number; readonly delayMs: number; readonly cancelledAt?: number; readonly redeployedAt?: number }[];
  readonly vertices: readonly VertexSummary[];
  readonly error?: JobFailure;
}

/**
 * Runs a job attached: resolves when it ends. A job that fails resolves with
 * status FAILED and the error; problems before the job starts (bad file,
 * configuration, graph) reject with a FlinktsError.
 */
export async function runJob(options: RunOptions): Promise<RunResult> {
  resolveTarget(options.target);
  const prepared = await prepareJob({
    job: options.job,
    args: options.args,
    ...(options.parallelism === undefined ? {} : { parallelism: options.parallelism }),
    ...(options.dynamicProperties === undefined ? {} : { dynamicProperties: options.dynamicProperties }),
    ...(options.configFile === undefined ? {} : { configFile: options.configFile }),
  });
  try {
    const cluster = new MiniCluster(clusterSettings(prepared.config), {
      ...restSettings(prepared.config),
      version: packageVersion(),
      ...(prepared.config.get(STATE_SAVEPOINTS_DIR) !== undefined && { savepointsDir: prepared.config.get(STATE_SAVEPOINTS_DIR)! }),
    });
    const sourceVertices = new Set(prepared.jobGraph.vertices.filter((v) => v.operators[0]?.kind === 'source').map((v) => v.id));
    const outcome = await cluster.execute(
      {
        jobGraph: prepared.jobGraph,
        bundlePath: prepared.job.bundlePath,
        args: prepared.args,
        settings: prepared.settings,
        defaultJobName: prepared.defaultJobName,
        ...(options.fromSavepoint !== undefined && {
          restore: { path: options.fromSavepoint, allowNonRestoredState: options.allowNonRestoredState ?? false, claimMode: options.claimMode ?? 'no_claim' },
        }),
      },
      {
        ...(options.onProgress === undefined ? {} : { progress: (snapshot: JobSnapshot) => options.onProgress!(toProgress(snapshot, sourceVertices)) }),
        ...(options.onOutput === undefined ? {} : { output: options.onOutput }),
      },
      options.signal,
    );
    const error = outcome.error;
    return {
      jobId: outcome.jobId,
      jobName: outcome.jobName,
      status: outcome.status,
      durationMs: Math.round(outcome.elapsedMs),
      runningMs: Math.round(outcome.runningMs),
      restarts: outcome.restarts,
      restartHistory: outcome.restartHistory,
      vertices: outcome.vertices.map(toSummary),
      ...(error === undefined
        ? {}
        : {
            error: {
              message: error.message,
              ...(error.code === undefined ? {} : { code: error.code }),
              ...(error.operatorName === undefined ? {} : { operator: error.operatorName }),
              ...(error.subtaskIndex === undefined ? {} : { subtask: error.subtaskIndex }),
              ...(error.stack === undefined ? {} : { stack: error.stack }),
            },
          }),
    };
  } finally {
    await prepared.dispose();
  }
}

/** The local cluster's settings from the configuration. */
export function clusterSettings(config: FlinktsConfig): ClusterSettings {
  return {
    numberOfTaskSlots: config.get(TASKMANAGER_NUMBER_OF_TASK_SLOTS),
    network: {
      segmentSize: config.get(TASKMANAGER_MEMORY_SEGMENT_SIZE),
      buffersPerChannel: config.get(TASKMANAGER_NETWORK_MEMORY_BUFFERS_PER_CHANNEL),
      maxOverdraftBuffers: config.get(TASKMANAGER_NETWORK_MEMORY_MAX_OVERDRAFT_BUFFERS_PER_GATE),
      bufferTimeoutMs: config.get(EXECUTION_BUFFER_TIMEOUT),
    },
    metricsIntervalMs: METRICS_INTERVAL_MS,
    autoWatermarkIntervalMs: config.get(PIPELINE_AUTO_WATERMARK_INTERVAL),
    checkpoints: {
      intervalMs: config.get(EXECUTION_CHECKPOINTING_INTERVAL),
      mode: config.get(EXECUTION_CHECKPOINTING_MODE),
      timeoutMs: config.get(EXECUTION_CHECKPOINTING_TIMEOUT),
      minPauseMs: config.get(EXECUTION_CHECKPOINTING_MIN_PAUSE),
      tolerableFailures: config.get(EXECUTION_CHECKPOINTING_TOLERABLE_FAILED_CHECKPOINTS),
      retention: config.get(EXECUTION_CHECKPOINTING_EXTERNALIZED_CHECKPOINT_RETENTION),
      numRetained: config.get(STATE_CHECKPOINTS_NUM_RETAINED),
      directory: config.get(STATE_CHECKPOINTS_DIR),
    },
    restartConfiguration: config.toJSON() as ConfigurationValues,
    stateBackend: stateBackendSettings(config),
    failoverStrategy: config.get(JOBMANAGER_EXECUTION_FAILOVER_STRATEGY),
  };
}

/** `state.backend.*` and `io.tmp.dirs`: the backend of jobs that choose none in code (`rocksdb` is Flink's name for `embedded`). */
function stateBackendSettings(config: FlinktsConfig): StateBackendSettings {
  const type = config.get(STATE_BACKEND_TYPE);
  return {
    type: type === 'hashmap' ? 'hashmap' : 'embedded',
    cacheEntries: config.get(STATE_BACKEND_EMBEDDED_CACHE_ENTRIES),
    incremental: config.get(STATE_BACKEND_INCREMENTAL),
    // Flink separates io.tmp.dirs with ',', '|' or the system path separator.
    tmpDirs: config
      .get(IO_TMP_DIRS)
      .split(new RegExp(`[,|${delimiter === ';' ? ';' : ':'}]`))
      .map((dir) => dir.trim())
      .filter((dir) => dir.length > 0),
  };
}

function toSummary(vertex: VertexMetrics): VertexSummary {
  return {
    id: vertex.id,
    name: vertex.name,
    parallelism: vertex.parallelism,
    recordsIn: vertex.recordsIn,
    recordsOut: vertex.recordsOut,
    bytesIn: vertex.bytesIn,
    bytesOut: vertex.bytesOut,
    busyTimeMs: vertex.busyTimeMs,
    backPressuredTimeMs: vertex.backPressuredTimeMs,
    counters: vertex.counters,
  };
}

function toProgress(snapshot: JobSnapshot, sourceVertices: ReadonlySet<string>): JobProgress {
  const vertices = snapshot.vertices.map(toSummary);
  const sourceRecords = snapshot.vertices.filter((v) => sourceVertices.has(v.id)).reduce((sum, v) => sum + v.recordsIn, 0);
  return {
    jobId: snapshot.jobId,
    jobName: snapshot.jobName,
    status: snapshot.status,
    elapsedMs: Math.round(snapshot.elapsedMs),
    sourceRecords,
    vertices,
  };
}
