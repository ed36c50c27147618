/**
 * The pull-based source contract (Flink's FLIP-27 `Source` / `SourceReader`)
 * that built-in and connector sources implement. The task polls a reader when
 * its output has room, so back-pressure needs nothing from the reader.
 */
import type { MetricGroup } from './metrics.js';
import type { OutputTag } from './output-tag.js';
import type { JobBuildContext } from './sink.js';
import type { WatermarkStrategy } from './watermark-strategy.js';

/** What one `pollNext` call left behind. */
export type InputStatus = 'MORE_AVAILABLE' | 'NOTHING_AVAILABLE' | 'END_OF_INPUT';

/** Where a reader emits its records. */
export interface ReaderOutput<T> {
  collect(record: T, timestamp?: number): void;
  /** Emits to the side output `tag` (e.g. dead letters); dropped when the job does not consume it. */
  collectSide<X>(tag: OutputTag<X>, record: X, timestamp?: number): void;
  /**
   * Emits a watermark. Only for a source that handles watermarks itself
   * (`Source.handlesWatermarks`), e.g. per partition.
   */
  emitWatermark(watermark: number): void;
  /** Marks the reader's output idle (left out of downstream watermarks) or active again. */
  markIdle(idle: boolean): void;
}

/** What a reader knows about the subtask it runs in. */
export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The name of the source operator, for error messages. */
  readonly operatorName: string;
  /**
   * When the job starts from a checkpoint or savepoint: the splits this
   * reader owns now (its share of what every reader had, redistributed when
   * the parallelism changed), as `snapshotState` returned them. The reader
   * reads exactly these, possibly none.
   */
  readonly restoredSplits?: readonly unknown[];
  /** 0 for the first execution, incremented on every restart (0 when unset). */
  readonly attemptNumber?: number;
  /**
   * Whether the job checkpoints (false or absent: no checkpoint will ever
   * complete, so a reader that acknowledges on checkpoint completion must
   * acknowledge otherwise).
   */
  readonly checkpointingEnabled?: boolean;
  /** Counters reported with the job's metrics (e.g. `numRecordsSkipped`); absent outside a job. */
  readonly metricGroup?: MetricGroup;
  /**
   * The job's watermark strategy, given only to a source that handles
   * watermarks itself (`Source.handlesWatermarks`); it then assigns
   * timestamps and emits watermarks through its output, e.g. per split.
   */
  readonly watermarkStrategy?: WatermarkStrategy<unknown>;
  /**
   * `pipeline.auto-watermark-interval` in ms (0 disables periodic
   * watermarks), for a source that handles watermarks itself.
   */
  readonly autoWatermarkIntervalMs?: number;
}

/** Reads the share of a source that belongs to one subtask. */
export interface SourceReader<T> {
  /** Called once before the first poll. */
  start?(): void | Promise<void>;
  /**
   * Emits a bounded batch of records (a few thousand at most) and says
   * whether more are available now, later, or never.
   */
  pollNext(output: ReaderOutput<T>): InputStatus;
  /**
   * The reader's splits with their positions, for a checkpoint (called
   * between polls). Each element is one split that can move to another
   * reader when the parallelism changes; structured-cloneable values.
   * A reader without it starts from the beginning after a restore.
   */
  snapshotState?(checkpointId: number): unknown[];
  /** A checkpoint that covered this reader's position completed. */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  /** Resolves when a reader that said NOTHING_AVAILABLE has records again. */
  isAvailable?(): Promise<void>;
  close?(): void | Promise<void>;
}

/** A source: creates one reader per parallel subtask. */
export interface Source<T> {
  readonly boundedness: 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';
  /** 1 for a source that cannot run in parallel. */
  readonly maxSourceParallelism?: number;
  /**
   * When true, `env.fromSource` hands the watermark strategy to the readers
   * (`SourceReaderContext.watermarkStrategy`) instead of appending a
   * timestamp/watermark operator: the source generates watermarks per split.
   */
  readonly handlesWatermarks?: boolean;
  createReader(context: SourceReaderContext): SourceReader<T>;
  /**
   * Checks the source's settings against the job when it is built (e.g.
   * exactly-once needs checkpointing and parallelism 1); throws a
   * `FlinktsError` naming the condition that failed. The job is then not submitted.
   */
  validate?(job: JobBuildContext): void;
  /**
   * Resources no other running job may use at the same time (e.g.
   * `kafka-transactional-id:<servers>/<prefix>`); a cluster refuses to start
   * a job while another running job holds one of them.
   */
  exclusiveResources?(): readonly string[];
}

/**
 * A reader output for running a reader outside a job (tools, tests):
 * records go to `collect`; side outputs, watermarks and idleness are dropped.
 */
export function collectingOutput<T>(collect: (record: T, timestamp?: number) => void): ReaderOutput<T> {
  return { collect, collectSide: () => undefined, emitWatermark: () => undefined, markIdle: () => undefined };
}
