/**
 * `stream.sinkTo(FileSink.forRowFormat(dir, new SimpleStringEncoder()).build())`:
 * part files in buckets (subdirectories) of `dir`, as Flink's `FileSink`.
 *
 * Delivery guarantee: exactly-once with checkpointing. Each subtask writes an
 * in-progress part file per active bucket (hidden: `.<name>.inprogress.<id>`);
 * the rolling policy rolls it into a pending file; the next checkpoint's
 * barrier lists the pending files as committables (fsynced before the
 * checkpoint completes) and the committer renames them to their visible
 * final names (`<prefix>-<uid>-<subtask>-<n><suffix>`) only after that
 * checkpoint completed. Finished files never change. On restore, an
 * in-progress file of the checkpoint is cut to the length the checkpoint
 * covered and written on (row formats); pending and in-progress files of a
 * failed attempt that no checkpoint refers to stay hidden (never finished;
 * remove `.*.inprogress.*` files of stopped jobs by hand, as with Flink).
 * When a bounded job ends, every part file rolls and the final checkpoint
 * finishes it. Without checkpointing an unbounded job's files never finish
 * (as in Flink); a bounded job finishes them at the end of its input.
 *
 * Settings (builder):
 * - `forRowFormat(dir, encoder)` with `withRollingPolicy(DefaultRollingPolicy...)`
 *   (default: 128 MiB, 60 s rollover, 60 s inactivity) or
 *   `forBulkFormat(dir, factory)` (`JsonLinesBulkFormat`, `CsvBulkFormat`),
 *   which rolls at every checkpoint (`OnCheckpointRollingPolicy` or another
 *   `CheckpointRollingPolicy`).
 * - `withBucketAssigner(...)`: `DateTimeBucketAssigner` (default,
 *   `yyyy-MM-dd--HH` of the processing time), `BasePathBucketAssigner` or a
 *   custom `{ getBucketId(element, context) }`.
 * - `withOutputFileConfig(OutputFileConfig.builder().withPartPrefix(..).withPartSuffix(..).build())`.
 * - `withBucketCheckInterval(ms)`: how often time-based rolling is checked (default 60 s).
 *
 * A directory that cannot be created or written fails the job with a
 * `CONNECTOR` error naming it.
 */
import * as path from 'node:path';
import { FlinktsError } from '../../api/errors.js';
import type { Committer, Sink, SinkWriter, SinkWriterContext } from '../../api/sink.js';
import { DateTimeBucketAssigner, isBucketAssigner, type BucketAssigner } from './bucket-assigners.js';
import type { BulkWriterFactory, Encoder } from './encoders.js';
import { OutputFileConfig } from './encoders.js';
import { FileCommitter, type FileSinkCommittable } from './file-committer.js';
import { FileSinkWriter } from './file-sink-writer.js';
import { CheckpointRollingPolicy, DefaultRollingPolicy, OnCheckpointRollingPolicy, isRollingPolicy, type RollingPolicy } from './rolling-policies.js';

/** What a file sink writes and how; resolved by the builder. @internal */
export interface FileSinkSettings<T> {
  /** Absolute path of the base directory. */
  readonly basePath: string;
  /** Row format: the encoder; bulk format: undefined. */
  readonly encoder: Encoder<T> | undefined;
  readonly bulkFormat: BulkWriterFactory<T> | undefined;
  readonly rollingPolicy: RollingPolicy<T>;
  readonly bucketAssigner: BucketAssigner<T>;
  readonly outputFileConfig: OutputFileConfig;
  readonly bucketCheckInterval: number;
}

/** A sink writing part files. Build one with {@link FileSink.forRowFormat} or {@link FileSink.forBulkFormat}. */
export class FileSink<T> implements Sink<T, FileSinkCommittable> {
  /** @internal use the builders. */
  constructor(readonly settings: FileSinkSettings<T>) {}

  /** Part files of encoded records (each record on its own), under `basePath`. */
  static forRowFormat<T>(basePath: string, encoder: Encoder<T>): RowFormatBuilder<T> {
    if (encoder === null || typeof encoder !== 'object' || typeof encoder.encode !== 'function') {
      usage('forRowFormat: expected an Encoder such as new SimpleStringEncoder()');
    }
    return new RowFormatBuilder(checkBasePath(basePath), encoder);
  }

  /** Part files written by a bulk writer per file, under `basePath`; they roll at every checkpoint. */
  static forBulkFormat<T>(basePath: string, factory: BulkWriterFactory<T>): BulkFormatBuilder<T> {
    if (factory === null || typeof factory !== 'object' || typeof factory.create !== 'function') {
      usage('forBulkFormat: expected a bulk format such as new JsonLinesBulkFormat() or new CsvBulkFormat()');
    }
    return new BulkFormatBuilder(checkBasePath(basePath), factory);
  }

  createWriter(context: SinkWriterContext): SinkWriter<T, FileSinkCommittable> {
    return new FileSinkWriter(this.settings, context);
  }

  createCommitter(): Committer<FileSinkCommittable> {
    return new FileCommitter();
  }
}

/** Settings both builders share. */
abstract class FileSinkBuilder<T> {
  protected bucketAssigner: BucketAssigner<T> = new DateTimeBucketAssigner<T>();
  protected outputFileConfig = OutputFileConfig.builder().build();
  protected bucketCheckInterval = 60_000;

  constructor(protected readonly basePath: string) {}

  /** Which bucket (subdirectory) each record goes to (default: `DateTimeBucketAssigner`). */
  withBucketAssigner(assigner: BucketAssigner<T>): this {
    if (!isBucketAssigner(assigner)) usage('withBucketAssigner: expected a BucketAssigner { getBucketId(element, context) }');
    this.bucketAssigner = assigner;
    return this;
  }

  /** The prefix and suffix of part file names. */
  withOutputFileConfig(config: OutputFileConfig): this {
    if (!(config instanceof OutputFileConfig)) usage('withOutputFileConfig: expected OutputFileConfig.builder()...build()');
    this.outputFileConfig = config;
    return this;
  }

  /** How often time-based rolling (rollover, inactivity) is checked, in ms (default 60 000). */
  withBucketCheckInterval(ms: number): this {
    if (!Number.isFinite(ms) || ms < 1) usage(`withBucketCheckInterval(${ms}): expected at least 1 ms`);
    this.bucketCheckInterval = ms;
    return this;
  }
}

/** Builds a row-format {@link FileSink}. */
export class RowFormatBuilder<T> extends FileSinkBuilder<T> {
  private rollingPolicy: RollingPolicy<T> = DefaultRollingPolicy.builder().build<T>();

  constructor(
    basePath: string,
    private readonly encoder: Encoder<T>,
  ) {
    super(basePath);
  }

  /** When part files roll (default: `DefaultRollingPolicy` with Flink's defaults). */
  withRollingPolicy(policy: RollingPolicy<T>): this {
    if (!isRollingPolicy(policy)) usage('withRollingPolicy: expected DefaultRollingPolicy.builder()...build(), OnCheckpointRollingPolicy.build() or a RollingPolicy');
    this.rollingPolicy = policy;
    return this;
  }

  build(): FileSink<T> {
    return new FileSink({
      basePath: this.basePath,
      encoder: this.encoder,
      bulkFormat: undefined,
      rollingPolicy: this.rollingPolicy,
      bucketAssigner: this.bucketAssigner,
      outputFileConfig: this.outputFileConfig,
      bucketCheckInterval: this.bucketCheckInterval,
    });
  }
}

/** Builds a bulk-format {@link FileSink}. */
export class BulkFormatBuilder<T> extends FileSinkBuilder<T> {
  private rollingPolicy: CheckpointRollingPolicy<T> = OnCheckpointRollingPolicy.build<T>();

  constructor(
    basePath: string,
    private readonly factory: BulkWriterFactory<T>,
  ) {
    super(basePath);
  }

  /** Bulk formats roll at every checkpoint: only a `CheckpointRollingPolicy` (default `OnCheckpointRollingPolicy`). */
  withRollingPolicy(policy: CheckpointRollingPolicy<T>): this {
    if (!(policy instanceof CheckpointRollingPolicy)) {
      usage('withRollingPolicy: bulk formats roll at every checkpoint; expected OnCheckpointRollingPolicy.build() or another CheckpointRollingPolicy');
    }
    this.rollingPolicy = policy;
    return this;
  }

  build(): FileSink<T> {
    return new FileSink({
      basePath: this.basePath,
      encoder: undefined,
      bulkFormat: this.factory,
      rollingPolicy: this.rollingPolicy,
      bucketAssigner: this.bucketAssigner,
      outputFileConfig: this.outputFileConfig,
      bucketCheckInterval: this.bucketCheckInterval,
    });
  }
}

function checkBasePath(basePath: string): string {
  if (typeof basePath !== 'string' || basePath.length === 0 || basePath.includes('\0')) usage(`the base path must be a non-empty string, got ${JSON.stringify(basePath)}`);
  return path.resolve(basePath);
}

function usage(message: string): never {
  throw new FlinktsError('USAGE', `FileSink: ${message}`);
}
