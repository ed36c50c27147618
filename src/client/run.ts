/**
 * `flinkts run`: load a job, plan it, execute it on the chosen target and
 * report its progress and result. (Implementation in progress.)
 */
export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED';

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
  readonly vertices: readonly VertexSummary[];
  readonly error?: JobFailure;
}
