/**
 * `env.readTextFile(path)`: the lines of a file, or of every file in a
 * directory, read in parallel by byte ranges (Flink's `TextInputFormat` with
 * `PROCESS_ONCE`).
 *
 * Parallel and bounded. Every file is cut into p byte ranges; subtask i of p
 * owns `[floor(i*size/p), floor((i+1)*size/p))` and emits exactly the lines
 * that *start* in its range, reading past its end to finish the last one. So
 * every line is emitted once, whatever p is, and lines keep their file order
 * within a subtask.
 *
 * Lines end at '\n' bytes; a trailing '\r' is stripped, each line is decoded
 * as UTF-8 on its own (no multi-byte character contains 0x0A, so splitting on
 * bytes is safe across read chunks), and a final newline does not start an
 * empty last line. A directory contributes its regular files (symbolic links
 * followed), sorted by name, not recursively; names starting with '.' or '_'
 * are skipped, as Flink's default file filter does (`.hidden`, `_SUCCESS`).
 * Files must not change while the job reads them: every subtask takes the
 * sizes once, in `start()`.
 *
 * Delivery guarantee: exactly-once with checkpointing. A reader's splits
 * (`{path, start, end}`, with `start` moved to the next line to emit) are its
 * checkpointed state, so a restored reader neither skips nor repeats a line,
 * also at another parallelism (splits move between readers as they are).
 * Without checkpointing a restart reads everything again. For monitoring,
 * formats and bad-record policies use `FileSource` (file-source.ts).
 *
 * Reads are synchronous (`fs.readSync`, 64 KiB chunks) so that `pollNext`
 * stays synchronous; one poll emits at most 1024 lines and reads at most
 * 1 MiB. A missing or unreadable path fails `start()` with a FlinktsError
 * naming the path and the reason.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FlinktsError } from '../../api/errors.js';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from '../../api/source.js';
import { describeIoError } from '../format.js';

/** Lines emitted per `pollNext` call at most. */
const BATCH_SIZE = 1024;
/** Bytes per `readSync`. */
const CHUNK_SIZE = 64 * 1024;
/** `readSync` calls per `pollNext` at most: bounds the time of one poll when lines are very long. */
const MAX_READS_PER_POLL = 16;
const NEWLINE = 0x0a;

/** The source behind `env.readTextFile`. */
export class TextFileSource implements Source<string> {
  readonly boundedness = 'BOUNDED' as const;

  constructor(readonly path: string) {}

  createReader(context: SourceReaderContext): SourceReader<string> {
    const restored = context.restoredSplits?.map((split) => checkSplit(split, this.path));
    return new TextFileReader(this.path, context.subtaskIndex, context.parallelism, restored);
  }
}

/** A restored split, checked. */
function checkSplit(split: unknown, inputPath: string): FileSplit {
  const { path: file, start, end } = (split ?? {}) as Partial<FileSplit>;
  if (typeof file !== 'string' || !Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
    throw new FlinktsError('STATE_INCOMPATIBLE', `readTextFile(${inputPath}): a restored split must be {path, start, end}, got ${JSON.stringify(split)?.slice(0, 200)}`);
  }
  return { path: file, start: start!, end: end! };
}

/** One file and the byte range of it this subtask owns. */
interface FileSplit {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/** The byte range `[start, end)` of subtask `index` of `parallelism` in a file of `size` bytes. */
export function byteRangeOf(size: number, index: number, parallelism: number): { start: number; end: number } {
  return { start: Math.floor((index * size) / parallelism), end: Math.floor(((index + 1) * size) / parallelism) };
}

/** Reads this subtask's range of every file, one file after the other. */
class TextFileReader implements SourceReader<string> {
  private splits: FileSplit[] | undefined;
  private nextSplit = 0;
  private current: RangeLineReader | undefined;
  /** One read buffer for all files of this subtask. */
  private readonly chunk = Buffer.allocUnsafe(CHUNK_SIZE);

  constructor(
    private readonly path: string,
    private readonly subtaskIndex: number,
    private readonly parallelism: number,
    restored: FileSplit[] | undefined,
  ) {
    this.splits = restored;
  }

  start(): void {
    // A restored reader reads exactly its restored splits.
    if (this.splits !== undefined) return;
    this.splits = [];
    for (const file of listInputFiles(this.path)) {
      const size = file.size;
      const { start, end } = byteRangeOf(size, this.subtaskIndex, this.parallelism);
      // An empty range owns no line start: nothing to open.
      if (start < end) this.splits.push({ path: file.path, start, end });
    }
  }

  pollNext(output: ReaderOutput<string>): InputStatus {
    // Without start() there would be no splits, and the reader would end silently with nothing read.
    if (this.splits === undefined) throw new FlinktsError('INTERNAL', `readTextFile(${this.path}): pollNext() before start()`);
    const budget = { lines: BATCH_SIZE, reads: MAX_READS_PER_POLL };
    while (budget.lines > 0 && budget.reads > 0) {
      if (this.current === undefined) {
        const split = this.splits[this.nextSplit++];
        if (split === undefined) return 'END_OF_INPUT';
        this.current = new RangeLineReader(split, this.chunk);
      }
      if (this.current.read(output, budget)) {
        this.current.close();
        this.current = undefined;
      }
    }
    return this.current === undefined && this.nextSplit >= this.splits.length ? 'END_OF_INPUT' : 'MORE_AVAILABLE';
  }

  /** What is left: the split being read from its next line on, and the splits not begun. */
  snapshotState(): FileSplit[] {
    const left: FileSplit[] = [];
    if (this.current !== undefined) left.push(this.current.remaining());
    left.push(...(this.splits ?? []).slice(this.nextSplit));
    return left;
  }

  close(): void {
    this.current?.close();
    this.current = undefined;
  }
}

/** The files behind `inputPath` with their sizes; throws a FlinktsError naming the path when it cannot be read. */
function listInputFiles(inputPath: string): { path: string; size: number }[] {
  const stats = statOrThrow(inputPath);
  if (stats.isFile()) {
    checkReadable(inputPath);
    return [{ path: inputPath, size: stats.size }];
  }
  if (!stats.isDirectory()) {
    throw new FlinktsError('JOB_FAILED', `readTextFile: cannot read '${inputPath}': not a regular file or directory`);
  }
  let names: string[];
  try {
    names = fs.readdirSync(inputPath);
  } catch (error) {
    throw ioFailure(inputPath, error);
  }
  const files: { path: string; size: number }[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.') || name.startsWith('_')) continue;
    const file = path.join(inputPath, name);
    const entry = statEntry(file);
    // Subdirectories, sockets and dangling links are not input files.
    if (entry === undefined || !entry.isFile()) continue;
    checkReadable(file);
    files.push({ path: file, size: entry.size });
  }
  return files;
}

function statOrThrow(file: string): fs.Stats {
  try {
    return fs.statSync(file);
  } catch (error) {
    throw ioFailure(file, error);
  }
}

/** The stats of a directory entry; undefined when it vanished or is a dangling link. */
function statEntry(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw ioFailure(file, error);
  }
}

function checkReadable(file: string): void {
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (error) {
    throw ioFailure(file, error);
  }
}

function ioFailure(file: string, error: unknown): FlinktsError {
  return new FlinktsError('JOB_FAILED', `readTextFile: cannot read '${file}': ${describeIoError(error)}`, { cause: error });
}

/**
 * Emits the lines starting in `[start, end)` of one file. A range that does
 * not begin the file starts reading one byte early and skips through the
 * first '\n': the line in progress at `start` belongs to the previous range,
 * unless the byte before `start` is itself a '\n'.
 */
class RangeLineReader {
  private readonly fd: number;
  /** The bytes of the last read: `chunk[0, chunkLength)`. */
  private view: Buffer;
  private chunkLength = 0;
  private chunkOffset = 0;
  /** File position of `chunk[0]`. */
  private chunkPosition: number;
  /** File position of the next read. */
  private readPosition: number;
  /** File position where the line being assembled starts. */
  private lineStart: number;
  /** Bytes of the line being assembled that came from earlier chunks. */
  private partial: Buffer[] = [];
  /** Still looking for the first line start of a range that does not begin the file. */
  private skipping: boolean;
  private atEndOfFile = false;

  constructor(
    private readonly split: FileSplit,
    private readonly chunk: Buffer,
  ) {
    this.view = chunk.subarray(0, 0);
    try {
      this.fd = fs.openSync(split.path, 'r');
    } catch (error) {
      throw ioFailure(split.path, error);
    }
    this.skipping = split.start > 0;
    this.readPosition = this.skipping ? split.start - 1 : 0;
    this.chunkPosition = this.readPosition;
    this.lineStart = split.start;
  }

  /**
   * The rest of the split: from the next line to emit (the split's own start
   * while its first line start is still being looked for).
   */
  remaining(): FileSplit {
    return { path: this.split.path, start: this.skipping ? this.split.start : this.lineStart, end: this.split.end };
  }

  /** Emits lines within the budget; true when the range is done. */
  read(output: ReaderOutput<string>, budget: { lines: number; reads: number }): boolean {
    while (budget.lines > 0) {
      if (!this.skipping && this.lineStart >= this.split.end) return true;
      if (this.chunkOffset >= this.chunkLength) {
        if (this.atEndOfFile) return this.finishAtEndOfFile(output, budget);
        if (budget.reads === 0) return false;
        budget.reads--;
        this.fill();
        continue;
      }
      const newline = this.view.indexOf(NEWLINE, this.chunkOffset);
      if (newline === -1) {
        // No line end in this chunk: keep the bytes (copied, the chunk buffer is reused) unless skipping.
        if (!this.skipping) this.partial.push(Buffer.from(this.chunk.subarray(this.chunkOffset, this.chunkLength)));
        this.chunkOffset = this.chunkLength;
        continue;
      }
      if (this.skipping) {
        this.skipping = false;
      } else {
        output.collect(this.decodeLine(this.chunk.subarray(this.chunkOffset, newline)));
        budget.lines--;
      }
      this.chunkOffset = newline + 1;
      this.lineStart = this.chunkPosition + newline + 1;
    }
    return false;
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // Already closed; nothing was buffered for writing.
    }
  }

  private fill(): void {
    let bytesRead: number;
    try {
      bytesRead = fs.readSync(this.fd, this.chunk, 0, CHUNK_SIZE, this.readPosition);
    } catch (error) {
      throw ioFailure(this.split.path, error);
    }
    this.chunkPosition = this.readPosition;
    this.chunkLength = bytesRead;
    this.view = this.chunk.subarray(0, bytesRead);
    this.chunkOffset = 0;
    this.readPosition += bytesRead;
    if (bytesRead === 0) this.atEndOfFile = true;
  }

  /** The last line of the file has no '\n': emit it if it started in the range. */
  private finishAtEndOfFile(output: ReaderOutput<string>, budget: { lines: number }): boolean {
    // When skipping found no '\n', the line in progress belongs to an earlier range.
    if (!this.skipping && this.partial.length > 0 && this.lineStart < this.split.end) {
      output.collect(this.decodeLine(Buffer.alloc(0)));
      budget.lines--;
    }
    return true;
  }

  private decodeLine(tail: Buffer): string {
    let line: string;
    if (this.partial.length === 0) {
      line = tail.toString('utf8');
    } else {
      this.partial.push(tail);
      line = Buffer.concat(this.partial).toString('utf8');
      this.partial = [];
    }
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }
}
