/**
 * The sink contract of `stream.sinkTo(sink)` (Flink's Sink V2: a writer per
 * subtask, committables, a committer), on which the connectors' sinks build
 * their delivery guarantees:
 *
 * - at-least-once: `prepareCommit` waits until everything written before the
 *   barrier is durable in the external system (e.g. acknowledged by a
 *   broker); the checkpoint completes only after that.
 * - exactly-once (two-phase commit): `prepareCommit` seals what was written
 *   since the previous barrier (a transaction, a pending file) and returns it
 *   as committables; they are stored in the checkpoint and the committer
 *   makes them visible once the checkpoint completed. After a failure the
 *   committables of the restored checkpoint are committed again, so a
 *   committer must treat an already committed committable as success.
 */
import type { MetricGroup } from './metrics.js';

/** What a writer knows about the subtask it runs in. */
export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The sink operator's name, for error messages. */
  readonly operatorName: string;
  /** The sink operator's id (stable across restarts; from `uid()` when set). */
  readonly operatorId: string;
  /** 0 for the first execution, incremented on every restart. */
  readonly attemptNumber: number;
  /** The id of the checkpoint the job restored from, if any. */
  readonly restoredCheckpointId: number | undefined;
  /**
   * When the job restored: this subtask's share of the writer state every
   * writer returned from `snapshotState` (redistributed when the parallelism
   * changed). Empty on a fresh start.
   */
  readonly restoredState: readonly unknown[];
  /** Whether checkpointing is enabled for the job. */
  readonly checkpointingEnabled: boolean;
  /** Counters reported with the job's metrics. */
  readonly metricGroup: MetricGroup;
}

/** What a writer knows about the record it writes. */
export interface SinkWriteContext {
  /** The record's event-time timestamp, if it has one. */
  timestamp(): number | undefined;
  currentWatermark(): number;
}

/** Writes the records of one subtask. */
export interface SinkWriter<T, C = never> {
  /**
   * Writes one record. A returned promise pauses the task's input until it
   * settles (back-pressure); a rejection fails the task.
   */
  write(element: T, context: SinkWriteContext): void | Promise<void>;
  /**
   * Called synchronously when the checkpoint's barrier reaches the sink, and
   * once more at the end of a bounded input (then `checkpointId` is
   * `Number.MAX_SAFE_INTEGER` when checkpointing is disabled). Everything
   * written before the call belongs to the returned committables, everything
   * written after it to later ones: seal the current transaction or file in
   * the synchronous part of the call. The promise may settle later (the
   * checkpoint waits for it; records keep flowing meanwhile); it resolves
   * when what was written before the call is durable (flushed, acknowledged)
   * and gives the committables (none for an at-least-once writer).
   */
  prepareCommit(checkpointId: number): Promise<readonly C[]>;
  /**
   * Called once when a bounded input ended, before the last `prepareCommit`
   * (Flink's `flush(endOfInput = true)`): seal what must not stay open,
   * e.g. a file sink rolls its in-progress files so the final commit
   * finishes them.
   */
  endOfInput?(): void | Promise<void>;
  /**
   * The writer's own state for a checkpoint (e.g. the in-progress file and
   * its length), called synchronously right after `prepareCommit`. Each
   * element may move to another subtask when the parallelism changes;
   * structured-cloneable values.
   */
  snapshotState?(checkpointId: number): readonly unknown[];
  /** Releases resources (also after a failure: abort what is open). */
  close?(): void | Promise<void>;
}

/** Makes committables visible. */
export interface Committer<C> {
  /**
   * Commits the committables of a completed checkpoint (or of the restored
   * one, again). Must be idempotent: a committable that was committed
   * already is success. A rejection fails the job (it restarts and commits
   * them again).
   */
  commit(committables: readonly C[]): Promise<void>;
  close?(): void | Promise<void>;
}

/** What a sink or source can check when the job is built. */
export interface JobBuildContext {
  /** The parallelism of the connector's operator. */
  readonly parallelism: number;
  readonly checkpointingEnabled: boolean;
  readonly checkpointingMode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  readonly checkpointIntervalMs: number | undefined;
  /**
   * The delay before the job's first restart, when the job sets its restart
   * strategy (`env.setRestartStrategy`); undefined when the cluster decides.
   */
  readonly restartDelayMs?: number;
  /** The operator's name, for error messages. */
  readonly operatorName: string;
}

/** A sink for `stream.sinkTo(sink)`. */
export interface Sink<T, C = never> {
  createWriter(context: SinkWriterContext): SinkWriter<T, C> | Promise<SinkWriter<T, C>>;
  /** Two-phase-commit sinks only: the committer of this subtask's committables. */
  createCommitter?(context: SinkWriterContext): Committer<C> | Promise<Committer<C>>;
  /**
   * Checks the sink's settings against the job when it is built (e.g.
   * exactly-once needs checkpointing); throws a `FlinktsError` naming the
   * setting that is wrong. The job is then not submitted.
   */
  validate?(job: JobBuildContext): void;
  /**
   * Resources no other running job may use at the same time (e.g.
   * `kafka-transactional-id:<servers>/<prefix>`); a cluster refuses to start
   * a job while another running job holds one of them.
   */
  exclusiveResources?(): readonly string[];
}

/** Whether `value` is a {@link Sink} (rather than a `SinkFunction`). */
export function isSink(value: unknown): value is Sink<unknown, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Sink<unknown>).createWriter === 'function';
}
