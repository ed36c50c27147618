/**
 * `FileSource.forRecordStreamFormat(format, ...paths)`: the records of the
 * files under `paths` (files or directories, nested directories included), as
 * Flink's `FileSource`, for line-oriented formats (`TextLineFormat`,
 * `JsonLinesFormat`, `CsvFormat`).
 *
 * Delivery guarantee: exactly-once with checkpointing. Each file is one split;
 * a reader's position (byte offset and line number of the next record, plus
 * the format's per-file state) and the files already read are checkpointed,
 * so a restart neither skips nor repeats a record, also at another
 * parallelism. Without checkpointing a restart reads everything again.
 *
 * Settings:
 * - `processStaticFileSet()` (the default, `PROCESS_ONCE`): the paths are listed
 *   once when the job starts; the source is bounded and ends when those files
 *   are read.
 * - `monitorContinuously(intervalMs)` (`PROCESS_CONTINUOUSLY`): the paths are
 *   listed again every `intervalMs`; new files are read once. Files are
 *   identified by path, as in Flink's FileSource: a file modified or appended
 *   to after it was read is not read again (the legacy `env.readFile` re-reads
 *   it whole, as Flink's legacy monitoring did). The paths read so far are
 *   checkpointed, so that state grows with the number of files.
 * - `setFileFilter(filter)`: a predicate on the absolute path of every file
 *   found in a directory (true = read it), or a legacy `FilePathFilter`
 *   (`filterPath` true = leave it out). Names starting with '.' or '_' or
 *   containing `_COPYING_` (hidden, in-progress, being copied) are always
 *   left out of directory listings, files and directories alike.
 * - `setBadRecordPolicy(policy)`: records the format cannot decode fail the job
 *   (`BAD_RECORD`, naming `file <path> line <n>`), are skipped
 *   (`numRecordsSkipped`) or go to a dead-letter side output with
 *   `{ file, line }` as provenance.
 *
 * Files must be complete when they appear: write them elsewhere (or under a
 * hidden name) and rename them into the directory. A file is read to the end
 * it has when it is read. A missing or unreadable path fails the job with a
 * `CONNECTOR` error naming it.
 *
 * Deviation from DESIGN §7: no enumerator on the JobManager (the runtime has
 * no coordinator channel for sources). Each reader lists the paths itself and
 * owns the files whose path hashes into its buckets; the buckets are its
 * checkpointed splits (see file-source-reader.ts and docs/connectors.md).
 */
import * as path from 'node:path';
import { FlinktsError } from '../../api/errors.js';
import type { Source, SourceReader, SourceReaderContext } from '../../api/source.js';
import { BadRecordPolicy } from '../bad-records.js';
import type { FileFilter, FilePathFilter } from './file-listing.js';
import { FileSourceReader } from './file-source-reader.js';
import { isRecordStreamFormat, type RecordStreamFormat } from './record-formats.js';

/** How a file source treats its paths (Flink's `FileProcessingMode`). */
export const FileProcessingMode = {
  /** List the paths once, read those files, end. */
  PROCESS_ONCE: 'PROCESS_ONCE',
  /** List the paths periodically and read new files, forever. */
  PROCESS_CONTINUOUSLY: 'PROCESS_CONTINUOUSLY',
} as const;
/** `PROCESS_ONCE` or `PROCESS_CONTINUOUSLY`. */
export type FileProcessingMode = (typeof FileProcessingMode)[keyof typeof FileProcessingMode];

/** What a file source reads and how; resolved by the builder. @internal */
export interface FileSourceSettings<T> {
  readonly format: RecordStreamFormat<T>;
  /** Absolute paths. */
  readonly paths: readonly string[];
  readonly mode: FileProcessingMode;
  /** Listing interval when monitoring continuously (ms). */
  readonly intervalMs: number;
  readonly filter: FileFilter | undefined;
  readonly badRecordPolicy: BadRecordPolicy;
  /** Legacy `readFile`: re-read a file whose modification time grew after it was read. */
  readonly reprocessModified: boolean;
}

/** A source of the records of files. Build one with {@link FileSource.forRecordStreamFormat}. */
export class FileSource<T> implements Source<T> {
  readonly boundedness: 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';

  /** @internal use {@link FileSource.forRecordStreamFormat}. */
  constructor(readonly settings: FileSourceSettings<T>) {
    this.boundedness = settings.mode === 'PROCESS_ONCE' ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED';
  }

  /** A builder of a source reading `paths` (files or directories) with `format`. */
  static forRecordStreamFormat<T>(format: RecordStreamFormat<T>, ...paths: string[]): FileSourceBuilder<T> {
    return new FileSourceBuilder(format, paths);
  }

  createReader(context: SourceReaderContext): SourceReader<T> {
    return new FileSourceReader(this.settings, context);
  }
}

/** Configures a {@link FileSource}; `build()` makes it. */
export class FileSourceBuilder<T> {
  private mode: FileProcessingMode = 'PROCESS_ONCE';
  private intervalMs = 0;
  private filter: FileFilter | undefined;
  private badRecordPolicy: BadRecordPolicy = BadRecordPolicy.fail();
  private reprocessModified = false;
  private readonly paths: string[];

  /** @internal use {@link FileSource.forRecordStreamFormat}. */
  constructor(
    private readonly format: RecordStreamFormat<T>,
    paths: readonly string[],
  ) {
    if (!isRecordStreamFormat(format)) usage('expected a format such as new TextLineFormat(), new JsonLinesFormat() or new CsvFormat()');
    if (paths.length === 0) usage('give at least one file or directory to read');
    for (const p of paths) if (typeof p !== 'string' || p.length === 0 || p.includes('\0')) usage(`a path must be a non-empty string, got ${JSON.stringify(p)}`);
    this.paths = paths.map((p) => path.resolve(p));
  }

  /** Lists the paths every `intervalMs` and reads new files (`PROCESS_CONTINUOUSLY`; unbounded). */
  monitorContinuously(intervalMs: number): this {
    if (!Number.isFinite(intervalMs) || intervalMs < 1) usage(`monitorContinuously(${intervalMs}): the interval must be at least 1 ms`);
    this.mode = 'PROCESS_CONTINUOUSLY';
    this.intervalMs = intervalMs;
    return this;
  }

  /** Lists the paths once and ends after reading those files (`PROCESS_ONCE`, the default; bounded). */
  processStaticFileSet(): this {
    this.mode = 'PROCESS_ONCE';
    return this;
  }

  /**
   * Reads only the files `filter` accepts: a predicate on the absolute path
   * (true = read), or a legacy `FilePathFilter` (`filterPath` true = leave
   * out). Hidden and `_`-prefixed names stay excluded either way.
   */
  setFileFilter(filter: FileFilter | FilePathFilter): this {
    this.filter = toFileFilter(filter);
    return this;
  }

  /** What to do with records the format cannot decode (default: fail). */
  setBadRecordPolicy(policy: BadRecordPolicy): this {
    if (policy === null || typeof policy !== 'object' || !['fail', 'skip', 'dead-letter'].includes(policy.kind)) {
      usage('setBadRecordPolicy: expected BadRecordPolicy.fail(), .skip() or .deadLetter(tag)');
    }
    this.badRecordPolicy = policy;
    return this;
  }

  /** @internal legacy `env.readFile`: a modified file is read again, whole. */
  reprocessModifiedFiles(): this {
    this.reprocessModified = true;
    return this;
  }

  build(): FileSource<T> {
    return new FileSource({
      format: this.format,
      paths: [...this.paths],
      mode: this.mode,
      intervalMs: this.intervalMs,
      filter: this.filter,
      badRecordPolicy: this.badRecordPolicy,
      reprocessModified: this.reprocessModified,
    });
  }
}

/** A file filter from a predicate or a legacy `FilePathFilter`. */
export function toFileFilter(filter: FileFilter | FilePathFilter): FileFilter {
  if (typeof filter === 'function') return filter;
  if (filter !== null && typeof filter === 'object' && typeof filter.filterPath === 'function') return (file) => !filter.filterPath(file);
  return usage('setFileFilter: expected a function (path) => boolean or a FilePathFilter { filterPath(path) }');
}

function usage(message: string): never {
  throw new FlinktsError('USAGE', `FileSource: ${message}`);
}
