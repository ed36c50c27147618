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
 * with `fs.writeSync` when it reaches 64 KiB, at every checkpoint, and in
 * `finish()` / `close()` (so an unbounded job's file grows in 64 KiB steps).
 *
 * Delivery guarantee: lines are visible as soon as they are written, before
 * any checkpoint covers them (Flink's `writeAsText` is a debugging sink:
 * at-least-once). A restore from a checkpoint does not duplicate lines:
 * every checkpoint taken while the input runs records the length of every
 * subtask's file (union list state `writeAsText-file-lengths`), and the
 * restored attempt cuts each file back to its length at that checkpoint
 * before the replayed records are written again. A checkpoint taken after
 * the input ended needs no lengths (nothing is replayed after it), so a job
 * whose only checkpoint is its final one keeps no state in this sink and
 * restores into a changed job like a stateless sink; a job that does keep it
 * needs a `uid()` on the sink (or `--allow-non-restored-state`) to restore
 * into a job whose operators before the sink changed. A restart without any
 * checkpoint appends to the files of the failed attempt, so the lines that
 * attempt wrote appear again (at-least-once). A process that dies loses the
 * buffered lines (≤ 64 KiB).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WriteMode } from '../../api/builtins.js';
import type { Configuration } from '../../api/configuration.js';
import { FlinktsError } from '../../api/errors.js';
import type { CheckpointedFunction, FunctionInitializationContext, OperatorListState, OperatorStateStore } from '../../api/checkpointing.js';
import { RichSinkFunction, type SinkContext } from '../../api/functions.js';
import { ListStateDescriptor } from '../../api/state.js';
import { describeIoError, formatRecord } from '../format.js';

/** Write the buffer once it holds this many characters. */
const FLUSH_THRESHOLD = 64 * 1024;
/** Union list state: `[file, length]` of every subtask's file at the checkpoint. */
const LENGTHS_STATE = 'writeAsText-file-lengths';

/** The sink behind `writeAsText`. */
export class TextFileSinkFunction<T> extends RichSinkFunction<T> implements CheckpointedFunction {
  private fd: number | undefined;
  private file = '';
  private buffer = '';
  /** Bytes in the file (written, not buffered). */
  private length = 0;
  private store: OperatorStateStore | undefined;
  private lengths: OperatorListState<[string, number]> | undefined;
  /** When restored: every file's length at the restored checkpoint. */
  private restoredLengths: Map<string, number> | undefined;
  private finished = false;

  constructor(
    readonly path: string,
    readonly writeMode: WriteMode,
  ) {
    super();
  }

  initializeState(context: FunctionInitializationContext): void {
    this.store = context.getOperatorStateStore();
    if (context.isRestored()) {
      this.lengths = this.store.getUnionListState(new ListStateDescriptor<[string, number]>(LENGTHS_STATE));
      this.restoredLengths = new Map([...this.lengths.get()]);
    }
  }

  snapshotState(): void {
    // Everything before the barrier is in the file, so its length marks the checkpoint.
    this.flush();
    // The state is kept from the first checkpoint taken while records may still come (see the header).
    if (this.lengths === undefined && !this.finished) this.lengths = this.store?.getUnionListState(new ListStateDescriptor<[string, number]>(LENGTHS_STATE));
    this.lengths?.update(this.fd === undefined ? [] : [[this.file, this.length]]);
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
    const keep = this.restoredLengths?.get(this.file);
    if (keep !== undefined) {
      // Restored: keep what the checkpoint covered; the replay writes the rest again.
      this.fd = reopenAt(this.file, keep);
      this.length = keep;
    } else if (context.getAttemptNumber() > 0 || this.restoredLengths !== undefined) {
      // A restart that knows no length for this file: go on after what is there (at-least-once).
      this.fd = reopenAt(this.file, undefined);
      this.length = fs.fstatSync(this.fd).size;
    } else {
      this.fd = openTarget(this.file, this.writeMode);
    }
    if (context.getIndexOfThisSubtask() === 0 && this.restoredLengths !== undefined) {
      // Files of subtasks the job no longer has (it runs at a lower parallelism now): cut them back too.
      for (const [file, length] of this.restoredLengths) if (isFormerFile(file, this.path, parallelism)) cutBack(file, length);
    }
  }

  invoke(value: T, _context: SinkContext): void {
    this.buffer += `${formatRecord(value)}\n`;
    if (this.buffer.length >= FLUSH_THRESHOLD) this.flush();
  }

  override finish(): void {
    this.flush();
    this.finished = true;
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
    this.length += bytes.length;
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

/** Opens the target file of a first attempt as the write mode requires. */
function openTarget(file: string, writeMode: WriteMode): number {
  // 'wx' creates atomically and fails on an existing file.
  const flags = writeMode === 'NO_OVERWRITE' ? 'wx' : 'w';
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

/**
 * Opens the file of a restarted attempt for appending (creating it when
 * missing), after its first `length` bytes when given.
 */
function reopenAt(file: string, length: number | undefined): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'a');
    const size = fs.fstatSync(fd).size;
    if (length !== undefined && size < length) {
      fs.closeSync(fd);
      throw new FlinktsError('JOB_FAILED', `writeAsText: '${file}' has ${size} bytes, fewer than the ${length} the restored checkpoint covered; it was changed outside the job`);
    }
    if (length !== undefined && size > length) fs.ftruncateSync(fd, length);
  } catch (error) {
    if (error instanceof FlinktsError) throw error;
    throw failure(file, error);
  }
  return fd;
}

/** Cuts a file of an earlier, wider attempt back to its checkpointed length (it may be gone: nothing to cut). */
function cutBack(file: string, length: number): void {
  try {
    if (fs.statSync(file).size > length) fs.truncateSync(file, length);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw failure(file, error);
  }
}

/** Whether `file` (from the restored state) is a subtask file of `target` that no current subtask writes. */
function isFormerFile(file: string, target: string, parallelism: number): boolean {
  if (path.dirname(file) !== target) return false;
  const index = Number(path.basename(file));
  return parallelism === 1 || !Number.isInteger(index) || index > parallelism;
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
