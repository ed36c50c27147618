/**
 * The reader of a `FileSource` (see file-source.ts for the guarantees). Every
 * file belongs to one of {@link FILE_SOURCE_BUCKETS} buckets (a stable hash of
 * its path); a reader owns a set of buckets, lists the input paths itself and
 * reads the files of its buckets, one after the other. Its checkpointed
 * splits are its buckets, one element each, always all of them (empty ones
 * too): the files discovered and not finished with their next byte and line,
 * whether the one listing of `PROCESS_ONCE` happened, and (monitoring
 * continuously) the paths already read. When the parallelism changes the
 * runtime cuts the list of buckets into shares, and a restored reader owns
 * exactly the buckets it received: every bucket, with the whole history of
 * its files, has exactly one owner, so no file is read twice or missed.
 */
import { FlinktsError } from '../../api/errors.js';
import type { InputStatus, ReaderOutput, SourceReader, SourceReaderContext } from '../../api/source.js';
import { BadRecords } from '../bad-records.js';
import type { FileSourceSettings } from './file-source.js';
import { bucketOf, listFiles, type ListedFile } from './file-listing.js';
import { LineCursor, type Line } from './line-cursor.js';
import type { FileFormatState } from './record-formats.js';

/** The number of buckets files are hashed to: the most readers that get work. */
export const FILE_SOURCE_BUCKETS = 128;
/** Records (good or bad) handled per `pollNext` at most. */
const BATCH_SIZE = 1024;
/** `readSync` calls per `pollNext` at most: bounds the time of one poll when lines are long. */
const MAX_READS_PER_POLL = 16;
/** A record spanning lines (an open CSV quote) longer than this is bad: its first line is reported and reading goes on after it. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;
const SPLIT_KIND = 'flinkts.file-source.bucket';

/** A file being read, or still to read. */
export interface FileSplit {
  /** Absolute path. */
  readonly path: string;
  /** Byte position of the next record. */
  offset: number;
  /** Line number (1-based) of the next record. */
  line: number;
  /** Modification time when the file was listed. */
  readonly mtimeMs: number;
  /** The format's per-file state (e.g. the CSV header). */
  format: FileFormatState;
}

/** One bucket as a checkpoint stores it (a split of the source). */
export interface FileBucketState {
  readonly kind: typeof SPLIT_KIND;
  readonly bucket: number;
  readonly buckets: number;
  /** PROCESS_ONCE: the one listing happened (files appearing later are not read). */
  readonly listed: boolean;
  /** Discovered files not finished, in reading order; the first may be partly read. */
  readonly splits: FileSplit[];
  /** Monitoring continuously: files read to their end, with their modification time then. */
  readonly processed: [string, number][];
}

interface Bucket {
  listed: boolean;
  readonly splits: FileSplit[];
  readonly processed: Map<string, number>;
}

/** The contiguous share of buckets of a reader on a fresh start. */
export function initialBuckets(subtaskIndex: number, parallelism: number, buckets = FILE_SOURCE_BUCKETS): number[] {
  const from = Math.floor((subtaskIndex * buckets) / parallelism);
  const to = Math.floor(((subtaskIndex + 1) * buckets) / parallelism);
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** Reads the files of the buckets it owns. */
export class FileSourceReader<T> implements SourceReader<T> {
  private readonly buckets = new Map<number, Bucket>();
  /** Splits to read, in order: each is also in its bucket's `splits`. */
  private readonly queue: { bucket: Bucket; split: FileSplit }[] = [];
  private readonly queued = new Set<string>();
  private cursor: LineCursor | undefined;
  /** A record spanning lines (an open CSV quote) being assembled: its first line (bytes copied) and its lines so far. */
  private assembly: { first: Line; lines: string[]; bytes: number; scan: ((line: string) => boolean) | undefined } | undefined;
  private readonly chunk = Buffer.allocUnsafe(64 * 1024);
  private readonly badRecords: BadRecords;
  private readonly continuous: boolean;
  private timer: NodeJS.Timeout | undefined;
  private listing: Promise<void> | undefined;
  private listingError: unknown;
  private wakeUp: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly settings: FileSourceSettings<T>,
    context: SourceReaderContext,
  ) {
    this.continuous = settings.mode === 'PROCESS_CONTINUOUSLY';
    this.badRecords = new BadRecords(settings.badRecordPolicy, context.metricGroup);
    if (context.restoredSplits === undefined) {
      for (const b of initialBuckets(context.subtaskIndex, context.parallelism)) this.buckets.set(b, { listed: false, splits: [], processed: new Map() });
    } else {
      for (const element of context.restoredSplits) this.restore(checkBucketState(element, context.operatorName));
      // Buckets come in bucket order: read a file that was begun first, then the rest by path, as a fresh listing would.
      this.queue.sort((a, b) => Number(b.split.offset > 0) - Number(a.split.offset > 0) || (a.split.path < b.split.path ? -1 : a.split.path > b.split.path ? 1 : 0));
    }
  }

  async start(): Promise<void> {
    // PROCESS_ONCE lists once (a restored bucket that was listed is not listed again); monitoring lists now and every interval.
    if (this.continuous || [...this.buckets.values()].some((b) => !b.listed)) await this.discover();
    if (this.continuous) this.scheduleListing();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.listingError !== undefined) throw this.listingError;
    const budget = { records: BATCH_SIZE, reads: MAX_READS_PER_POLL };
    while (budget.records > 0) {
      const head = this.queue[0];
      if (head === undefined) break;
      if (!this.readSplit(head.split, output, budget)) return 'MORE_AVAILABLE';
      this.finishSplit(head.bucket, head.split);
    }
    if (this.queue.length > 0) return 'MORE_AVAILABLE';
    return this.continuous ? 'NOTHING_AVAILABLE' : 'END_OF_INPUT';
  }

  isAvailable(): Promise<void> {
    if (this.queue.length > 0 || this.listingError !== undefined || this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.wakeUp = resolve));
  }

  /** Every owned bucket, empty ones too (see the file header). */
  snapshotState(): FileBucketState[] {
    return [...this.buckets].map(([bucket, b]) => ({
      kind: SPLIT_KIND,
      bucket,
      buckets: FILE_SOURCE_BUCKETS,
      listed: b.listed,
      splits: b.splits.map((s) => ({ ...s, format: structuredClone(s.format) })),
      processed: [...b.processed],
    }));
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.cursor?.close();
    this.cursor = undefined;
    this.wakeUp?.();
  }

  private restore(state: FileBucketState): void {
    const bucket: Bucket = { listed: state.listed, splits: state.splits.map((s) => ({ ...s })), processed: new Map(state.processed) };
    this.buckets.set(state.bucket, bucket);
    for (const split of bucket.splits) this.enqueue(bucket, split);
  }

  private enqueue(bucket: Bucket, split: FileSplit): void {
    this.queue.push({ bucket, split });
    this.queued.add(split.path);
  }

  /**
   * Reads records of `split` within the budget; true when the file is done.
   * The split's offset and line move past every record handled, so a
   * snapshot between polls resumes exactly after it (a record spanning
   * lines being assembled is read again from its first line).
   */
  private readSplit(split: FileSplit, output: ReaderOutput<T>, budget: { records: number; reads: number }): boolean {
    this.cursor ??= new LineCursor(split.path, split.offset, split.line, this.chunk);
    const format = this.settings.format;
    while (budget.records > 0) {
      const step = this.cursor.next(budget);
      if (step === 'OUT_OF_READS') return false;
      if (step === 'END_OF_FILE') {
        const open = this.assembly;
        if (open === undefined) return true;
        // The file ended inside a record: report its first line, go on after it.
        this.badFirstLine(output, split, open.first, budget, 'the file ends inside a quoted field opened on this line');
        continue;
      }
      let text = step.bytes.toString('utf8');
      let raw: Buffer = step.bytes;
      const open = this.assembly;
      if (open !== undefined) {
        open.lines.push(text);
        open.bytes += step.bytes.length + 1;
        if (open.bytes > MAX_RECORD_BYTES) {
          this.badFirstLine(output, split, open.first, budget, `a quoted field opened on this line runs past ${MAX_RECORD_BYTES} bytes`);
          continue;
        }
        if (open.scan !== undefined ? !open.scan(text) : !format.isComplete!(open.lines.join('\n'))) continue;
        text = open.lines.join('\n');
        raw = Buffer.from(text, 'utf8');
        this.assembly = undefined;
      } else if (format.isComplete !== undefined && !format.isComplete(text)) {
        // Formats that can scan line by line do, so a record of many lines is not scanned again per line.
        const scan = format.recordScanner?.();
        scan?.(text);
        this.assembly = { first: { ...step, bytes: Buffer.from(step.bytes) }, lines: [text], bytes: step.bytes.length, scan };
        continue;
      }
      const firstLine = open?.first.number ?? step.number;
      let record: T | undefined;
      try {
        record = format.deserialize(text, split.format);
      } catch (error) {
        this.bad(output, raw, split, firstLine, error);
      }
      if (record !== undefined) output.collect(record);
      split.offset = step.end;
      split.line = step.number + 1;
      budget.records--;
    }
    return false;
  }

  /** Reports `first` (the first line of a record that never completes) as bad and reads on after it. */
  private badFirstLine(output: ReaderOutput<T>, split: FileSplit, first: Line, budget: { records: number }, reason: string): void {
    this.assembly = undefined;
    this.bad(output, first.bytes, split, first.number, new Error(reason));
    split.offset = first.end;
    split.line = first.number + 1;
    this.cursor!.seek(split.offset, split.line);
    budget.records--;
  }

  private bad(output: ReaderOutput<T>, raw: Buffer, split: FileSplit, line: number, error: unknown): void {
    // Copied: `raw` may view the cursor's read buffer.
    this.badRecords.handle(output as ReaderOutput<unknown>, Buffer.from(raw), { file: split.path, line }, `file ${split.path} line ${line}`, error);
  }

  private finishSplit(bucket: Bucket, split: FileSplit): void {
    this.cursor?.close();
    this.cursor = undefined;
    this.assembly = undefined;
    this.queue.shift();
    this.queued.delete(split.path);
    bucket.splits.splice(bucket.splits.indexOf(split), 1);
    if (this.continuous) bucket.processed.set(split.path, split.mtimeMs);
  }

  /** Lists the input paths and queues the new files of the owned buckets. */
  private async discover(): Promise<void> {
    const { settings } = this;
    const owner = (file: string): Bucket | undefined => this.buckets.get(bucketOf(file, FILE_SOURCE_BUCKETS));
    const accept = (file: string): boolean => {
      const bucket = owner(file);
      if (bucket === undefined || this.queued.has(file)) return false;
      if (!this.continuous) return !bucket.listed;
      return settings.reprocessModified || !bucket.processed.has(file);
    };
    const files: ListedFile[] = await listFiles(settings.paths, settings.filter, accept);
    if (this.closed) return;
    for (const file of files) {
      const bucket = owner(file.path)!;
      // Checked again: a split may have finished while the listing ran.
      if (this.queued.has(file.path)) continue;
      const processedAt = bucket.processed.get(file.path);
      // Legacy readFile re-reads a file modified after it was read; FileSource identifies files by path.
      if (processedAt !== undefined && (!settings.reprocessModified || file.mtimeMs <= processedAt)) continue;
      const split: FileSplit = { path: file.path, offset: 0, line: 1, mtimeMs: file.mtimeMs, format: {} };
      bucket.splits.push(split);
      this.enqueue(bucket, split);
    }
    for (const bucket of this.buckets.values()) bucket.listed = true;
  }

  private scheduleListing(): void {
    this.timer = setTimeout(() => {
      this.listing = this.discover()
        .catch((error: unknown) => {
          // Thrown from the next poll, so that the task fails with it.
          this.listingError = error;
        })
        .finally(() => {
          this.listing = undefined;
          if (this.queue.length > 0 || this.listingError !== undefined) {
            const wake = this.wakeUp;
            this.wakeUp = undefined;
            wake?.();
          }
          if (!this.closed && this.listingError === undefined) this.scheduleListing();
        });
    }, this.settings.intervalMs);
    // Never keeps a process alive on its own.
    this.timer.unref?.();
  }
}

/** A restored split, checked: a file source bucket of this version. */
function checkBucketState(element: unknown, operatorName: string): FileBucketState {
  const state = element as Partial<FileBucketState> | null;
  if (state === null || typeof state !== 'object' || state.kind !== SPLIT_KIND || !Array.isArray(state.splits) || !Array.isArray(state.processed)) {
    throw new FlinktsError('STATE_INCOMPATIBLE', `${operatorName}: the restored source state is not a file source's (got ${JSON.stringify(element)?.slice(0, 200)})`);
  }
  if (state.buckets !== FILE_SOURCE_BUCKETS) {
    throw new FlinktsError('STATE_INCOMPATIBLE', `${operatorName}: the restored file source state has ${state.buckets} buckets, this version uses ${FILE_SOURCE_BUCKETS}`);
  }
  return state as FileBucketState;
}
