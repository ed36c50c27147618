/**
 * `stream.writeAsText(path, writeMode)`: every record as one line
 * (`formatRecord(record) + '\n'`) in a text file, as Flink's `writeAsText`.
 *
 * Where: at parallelism 1 `path` is the file; at parallelism > 1 `path` is a
 * directory (created if missing) holding one file per subtask, named by the
 * 1-based subtask index (`path/1`, `path/2`, ...).
 *
 * Settings: `writeMode`. NO_OVERWRITE fails `open()` when the target file
 * exists (or, at parallelism > 1, when `path` is an existing non-directory);
 * OVERWRITE truncates the target file (and replaces a non-directory `path` at
 * parallelism > 1 by a directory). A directory is never deleted: a target
 * that is a directory is an error in both modes.
 *
 * Writes are synchronous and buffered: lines are appended to a string written
 * with `fs.writeSync` when it reaches 64 KiB, and in `finish()` / `close()`
 * (so an unbounded job's file grows in 64 KiB steps).
 *
 * Delivery guarantee: none across failures. A failure that ends the process
 * before `close()` loses the buffered lines (≤ 64 KiB). A restarted attempt
 * (attempt number > 0) appends to the file of the failed one instead of
 * failing on it or truncating it, so records the sources replay after a
 * restart are written again (at-least-once for the lines that were flushed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WriteMode } from '../../api/builtins.js';
import type { Configuration } from '../../api/configuration.js';
import { FlinktsError } from '../../api/errors.js';
import { RichSinkFunction, type SinkContext } from '../../api/functions.js';
import { describeIoError, formatRecord } from '../format.js';

/** Write the buffer once it holds this many characters. */
const FLUSH_THRESHOLD = 64 * 1024;

/** The sink behind `writeAsText`. */
export class TextFileSinkFunction<T> extends RichSinkFunction<T> {
  private fd: number | undefined;
  private file = '';
  private buffer = '';

  constructor(
    readonly path: string,
    readonly writeMode: WriteMode,
  ) {
    super();
  }

  override open(_parameters: Configuration): void {
    const context = this.getRuntimeContext();
    const parallelism = context.getNumberOfParallelSubtasks();
    if (parallelism > 1) {
      prepareDirectory(this.path, this.writeMode);
      this.file = path.join(this.path, String(context.getIndexOfThisSubtask() + 1));
    } else {
      this.file = this.path;
    }
    this.fd = openTarget(this.file, this.writeMode, context.getAttemptNumber() > 0);
  }

  invoke(value: T, _context: SinkContext): void {
    this.buffer += `${formatRecord(value)}\n`;
    if (this.buffer.length >= FLUSH_THRESHOLD) this.flush();
  }

  override finish(): void {
    this.flush();
  }

  override close(): void {
    if (this.fd === undefined) return;
    try {
      this.flush();
    } finally {
      const fd = this.fd;
      this.fd = undefined;
      fs.closeSync(fd);
    }
  }

  private flush(): void {
    if (this.buffer.length === 0 || this.fd === undefined) return;
    const bytes = Buffer.from(this.buffer, 'utf8');
    this.buffer = '';
    let written = 0;
    try {
      // writeSync may write less than asked (full disk, pipes); loop until all is out.
      while (written < bytes.length) written += fs.writeSync(this.fd, bytes, written, bytes.length - written);
    } catch (error) {
      throw new FlinktsError('JOB_FAILED', `writeAsText: cannot write '${this.file}': ${describeIoError(error)}`, { cause: error });
    }
  }
}

/**
 * Makes sure `dir` is a directory. Subtasks run this concurrently, so every
 * step tolerates another subtask having done it first.
 */
function prepareDirectory(dir: string, writeMode: WriteMode): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    let stats: fs.Stats | undefined;
    try {
      stats = fs.statSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw failure(dir, error);
    }
    if (stats?.isDirectory()) return;
    try {
      if (stats === undefined) {
        fs.mkdirSync(dir, { recursive: true });
        return;
      }
      if (writeMode === 'NO_OVERWRITE') throw alreadyExists(dir);
      fs.unlinkSync(dir);
    } catch (error) {
      if (error instanceof FlinktsError) throw error;
      // Lost a race with another subtask (it removed the file or made the directory): look again.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EEXIST' && code !== 'EISDIR' && code !== 'EPERM') throw failure(dir, error);
    }
  }
  throw new FlinktsError('JOB_FAILED', `writeAsText: cannot create the directory '${dir}': it keeps changing`);
}

/** Opens the target file for writing as the write mode and attempt require. */
function openTarget(file: string, writeMode: WriteMode, restarted: boolean): number {
  // 'wx' creates atomically and fails on an existing file; 'a' keeps a failed attempt's lines.
  const flags = restarted ? 'a' : writeMode === 'NO_OVERWRITE' ? 'wx' : 'w';
  try {
    return fs.openSync(file, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      // OVERWRITE would not help with a directory: say what is in the way instead.
      throw isDirectory(file) ? new FlinktsError('JOB_FAILED', `writeAsText: '${file}' is a directory; writeAsText writes a file there`) : alreadyExists(file);
    }
    throw failure(file, error);
  }
}

function isDirectory(target: string): boolean {
  try {
    return fs.statSync(target).isDirectory();
  } catch {
    return false;
  }
}

function alreadyExists(target: string): FlinktsError {
  return new FlinktsError('JOB_FAILED', `writeAsText: '${target}' already exists; use OVERWRITE or remove it`);
}

function failure(target: string, error: unknown): FlinktsError {
  return new FlinktsError('JOB_FAILED', `writeAsText: cannot write '${target}': ${describeIoError(error)}`, { cause: error });
}
