/**
 * The pull-based source contract (Flink's FLIP-27 `Source` / `SourceReader`)
 * that built-in and connector sources implement. The task polls a reader when
 * its output has room, so back-pressure needs nothing from the reader.
 */

/** What one `pollNext` call left behind. */
export type InputStatus = 'MORE_AVAILABLE' | 'NOTHING_AVAILABLE' | 'END_OF_INPUT';

/** Where a reader emits its records. */
export interface ReaderOutput<T> {
  collect(record: T, timestamp?: number): void;
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
  createReader(context: SourceReaderContext): SourceReader<T>;
}
