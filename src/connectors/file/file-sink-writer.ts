/**
 * The writer of a `FileSink` subtask (see file-sink.ts for the guarantees):
 * one in-progress part file per active bucket, rolled by the rolling policy
 * into pending files that the next checkpoint lists as committables.
 *
 * Part files: `<bucket dir>/.<prefix>-<uid>-<subtask>-<n><suffix>.inprogress.<random>`
 * while in progress and pending (hidden, so no reader takes them for output),
 * renamed by the committer to `<prefix>-<uid>-<subtask>-<n><suffix>` once the
 * checkpoint that sealed them completed. `<uid>` is random per writer (each
 * attempt gets a new one), so names never collide across restarts.
 *
 * Durability: records go to a 64 KiB buffer per part file, written with
 * `fs.writeSync` when full; at a barrier every buffer is written, rolled files
 * and continuing in-progress files are fsynced, and the checkpoint waits for
 * those fsyncs. Writer state: per in-progress file its path and the length
 * written before the barrier; a restore truncates the file to that length and
 * goes on writing to it.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FlinktsError } from '../../api/errors.js';
import type { SinkWriteContext, SinkWriter, SinkWriterContext } from '../../api/sink.js';
import type { Counter } from '../../api/metrics.js';
import { describeIoError } from '../format.js';
import { checkBucketId, type BucketAssignerContext } from './bucket-assigners.js';
import type { FileSinkCommittable } from './file-committer.js';
import type { FileSinkSettings } from './file-sink.js';
import { fileError } from './line-cursor.js';
import type { PartFileInfo } from './rolling-policies.js';
import type { BulkWriter } from './encoders.js';

/** Bytes buffered per part file before a write. */
const BUFFER_SIZE = 64 * 1024;
const STATE_KIND = 'flinkts.file-sink.in-progress';
/** Counter of restored in-progress files that held bytes written after their checkpoint (cut off on restore). */
export const TRUNCATED_COUNTER = 'numInProgressFilesTruncated';

/** An in-progress part file in the writer state. */
export interface InProgressFileState {
  readonly kind: typeof STATE_KIND;
  readonly bucketId: string;
  /** The in-progress file. */
  readonly path: string;
  /** Its name once finished. */
  readonly finalPath: string;
  /** Bytes that belong to the checkpoint: the file is cut to this length on restore. */
  readonly size: number;
  readonly creationTime: number;
}

/** An open part file. */
interface PartFile extends PartFileInfo {
  readonly path: string;
  readonly finalPath: string;
  readonly fd: number;
  readonly bulk: BulkWriter<unknown> | undefined;
  readonly buffer: Buffer;
  buffered: number;
  size: number;
  lastUpdateTime: number;
  /** The fsyncs of this file, chained: the file is closed only after the last one. */
  sync: Promise<void>;
}

/** Writes the records of one subtask into part files. */
export class FileSinkWriter<T> implements SinkWriter<T, FileSinkCommittable> {
  private readonly parts = new Map<string, PartFile>();
  /** Rolled since the last barrier: the committables of the next one. */
  private pending: FileSinkCommittable[] = [];
  /** Closing rolled files (fsync, then close) that the next barrier waits for. */
  private closing: Promise<void>[] = [];
  private readonly uid = randomUUID();
  private counter = 0;
  private readonly createdDirs = new Set<string>();
  private lastCheckedBucketId: string | undefined;
  private inputEnded = false;
  private timer: NodeJS.Timeout | undefined;
  /** A failure of a timer-driven roll, thrown at the next call the task makes. */
  private failure: unknown;
  private readonly truncated: Counter | undefined;
  private writeContext: SinkWriteContext | undefined;
  private readonly assignerContext: BucketAssignerContext = {
    currentProcessingTime: () => Date.now(),
    currentWatermark: () => this.writeContext?.currentWatermark() ?? Number.MIN_SAFE_INTEGER,
    timestamp: () => this.writeContext?.timestamp(),
  };

  constructor(
    private readonly settings: FileSinkSettings<T>,
    private readonly context: SinkWriterContext,
  ) {
    this.truncated = context.metricGroup?.counter(TRUNCATED_COUNTER);
    this.makeDirectory(settings.basePath);
    for (const element of context.restoredState) this.resume(checkState(element, context.operatorName));
    this.timer = setInterval(() => this.rollOnProcessingTime(), settings.bucketCheckInterval);
    this.timer.unref?.();
  }

  write(element: T, context: SinkWriteContext): void {
    if (this.failure !== undefined) throw this.failure;
    this.writeContext = context;
    const bucketId = this.settings.bucketAssigner.getBucketId(element, this.assignerContext);
    // Checked once per change of bucket: records come in runs of one bucket.
    if (bucketId !== this.lastCheckedBucketId) this.lastCheckedBucketId = checkBucketId(bucketId);
    const now = Date.now();
    let part = this.parts.get(bucketId);
    if (part !== undefined && this.settings.rollingPolicy.shouldRollOnEvent(part, element)) {
      this.roll(part);
      part = undefined;
    }
    part ??= this.open(bucketId, now);
    this.append(part, part.bulk === undefined ? this.settings.encoder!.encode(element) : part.bulk.addElement(element));
    part.lastUpdateTime = now;
  }

  /** End of a bounded input: every part file rolls, so the final commit finishes them all. */
  endOfInput(): void {
    this.inputEnded = true;
    for (const part of [...this.parts.values()]) this.roll(part);
  }

  prepareCommit(checkpointId: number): Promise<readonly FileSinkCommittable[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    // Without checkpointing the sink's last call comes at the end of the input.
    const rollAll = this.inputEnded || checkpointId === Number.MAX_SAFE_INTEGER;
    for (const part of [...this.parts.values()]) {
      if (rollAll || this.settings.rollingPolicy.shouldRollOnCheckpoint(part)) {
        this.roll(part);
      } else {
        this.flush(part);
        part.sync = part.sync.then(() => fsyncFile(part.fd, part.path));
        this.closing.push(part.sync);
      }
    }
    const committables = this.pending;
    const durable = this.closing;
    this.pending = [];
    this.closing = [];
    return Promise.all(durable).then(() => committables);
  }

  snapshotState(): InProgressFileState[] {
    return [...this.parts.values()].map((part) => ({
      kind: STATE_KIND,
      bucketId: part.bucketId,
      path: part.path,
      finalPath: part.finalPath,
      size: part.size,
      creationTime: part.creationTime,
    }));
  }

  /** Closes the files without finishing them: after a failure, in-progress files stay for the restore. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const part of this.parts.values()) {
      this.closing.push(part.sync.then(() => closeFile(part.fd)));
    }
    this.parts.clear();
    const closing = this.closing;
    this.closing = [];
    await Promise.allSettled(closing);
  }

  /** Opens a new in-progress part file in `bucketId`. */
  private open(bucketId: string, now: number): PartFile {
    const { settings, context } = this;
    const dir = bucketId === '' ? settings.basePath : path.join(settings.basePath, bucketId);
    this.makeDirectory(dir);
    const name = `${settings.outputFileConfig.partPrefix}-${this.uid}-${context.subtaskIndex}-${this.counter++}${settings.outputFileConfig.partSuffix}`;
    const file = path.join(dir, `.${name}.inprogress.${randomUUID()}`);
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (error) {
      throw fileError(file, 'create', error);
    }
    const bulk = settings.bulkFormat?.create() as BulkWriter<unknown> | undefined;
    return this.track({ bucketId, path: file, finalPath: path.join(dir, name), fd, bulk, buffer: Buffer.allocUnsafe(BUFFER_SIZE), buffered: 0, size: 0, creationTime: now, lastUpdateTime: now, sync: Promise.resolve() });
  }

  private track(part: PartFile): PartFile {
    this.parts.set(part.bucketId, part);
    return part;
  }

  /**
   * Restores an in-progress file of the writer state: cut to the length the
   * checkpoint covered (what a failed attempt wrote after it is replayed),
   * then written on. A second file of the same bucket (after a rescale)
   * rolls at once.
   */
  private resume(state: InProgressFileState): void {
    let actual: number;
    try {
      actual = fs.statSync(state.path).size;
    } catch (error) {
      const finished = fs.existsSync(state.finalPath) ? ` (it was finished as '${state.finalPath}': restore from the latest checkpoint)` : '';
      throw new FlinktsError('CONNECTOR', `cannot resume the in-progress part file '${state.path}' of the restored state${finished}: ${(error as Error).message}`, { cause: error });
    }
    if (actual < state.size) {
      throw new FlinktsError('CONNECTOR', `cannot resume the in-progress part file '${state.path}': it has ${actual} bytes, the checkpoint covered ${state.size}`);
    }
    let fd: number;
    try {
      if (actual > state.size) {
        fs.truncateSync(state.path, state.size);
        this.truncated?.inc();
      }
      fd = fs.openSync(state.path, 'a');
    } catch (error) {
      throw fileError(state.path, 'truncate', error);
    }
    const now = Date.now();
    const part: PartFile = {
      bucketId: state.bucketId,
      path: state.path,
      finalPath: state.finalPath,
      fd,
      bulk: undefined,
      buffer: Buffer.allocUnsafe(BUFFER_SIZE),
      buffered: 0,
      size: state.size,
      creationTime: state.creationTime,
      lastUpdateTime: now,
      sync: Promise.resolve(),
    };
    // A bulk file cannot be resumed (it never is in the state: bulk formats roll at every checkpoint).
    if (this.parts.has(state.bucketId) || this.settings.bulkFormat !== undefined) this.roll(part, false);
    else this.track(part);
  }

  /** Closes `part` into a pending file, a committable of the next barrier. */
  private roll(part: PartFile, tracked = true): void {
    if (part.bulk !== undefined) this.append(part, part.bulk.finish());
    this.flush(part);
    if (tracked) this.parts.delete(part.bucketId);
    this.pending.push({ pendingPath: part.path, finalPath: part.finalPath, bucketId: part.bucketId, size: part.size });
    this.closing.push(part.sync.then(() => fsyncFile(part.fd, part.path)).finally(() => closeFile(part.fd)));
  }

  private rollOnProcessingTime(): void {
    if (this.failure !== undefined) return;
    const now = Date.now();
    try {
      for (const part of [...this.parts.values()]) {
        if (this.settings.rollingPolicy.shouldRollOnProcessingTime(part, now)) this.roll(part);
      }
    } catch (error) {
      this.failure = error;
    }
  }

  private append(part: PartFile, data: string | Uint8Array): void {
    if (typeof data === 'string') {
      // A UTF-8 character takes at most 3 bytes per UTF-16 unit: room for that many always fits.
      if (part.buffered + data.length * 3 > BUFFER_SIZE) {
        this.flush(part);
        if (data.length * 3 > BUFFER_SIZE) {
          const bytes = Buffer.from(data, 'utf8');
          writeAll(part, bytes);
          part.size += bytes.length;
          return;
        }
      }
      const n = part.buffer.write(data, part.buffered, 'utf8');
      part.buffered += n;
      part.size += n;
      return;
    }
    if (part.buffered + data.length > BUFFER_SIZE) {
      this.flush(part);
      if (data.length > BUFFER_SIZE) {
        writeAll(part, data);
        part.size += data.length;
        return;
      }
    }
    part.buffer.set(data, part.buffered);
    part.buffered += data.length;
    part.size += data.length;
  }

  private flush(part: PartFile): void {
    if (part.buffered === 0) return;
    writeAll(part, part.buffer.subarray(0, part.buffered));
    part.buffered = 0;
  }

  private makeDirectory(dir: string): void {
    if (this.createdDirs.has(dir)) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (error) {
      throw new FlinktsError('CONNECTOR', `FileSink: cannot write to the directory '${dir}': ${describeIoError(error)}`, { cause: error });
    }
    this.createdDirs.add(dir);
  }
}

function writeAll(part: PartFile, bytes: Uint8Array): void {
  let written = 0;
  try {
    // writeSync may write less than asked (a full disk); loop until all is out.
    while (written < bytes.length) written += fs.writeSync(part.fd, bytes, written, bytes.length - written);
  } catch (error) {
    throw fileError(part.path, 'write', error);
  }
}

function fsyncFile(fd: number, file: string): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(fileError(file, 'write', error)) : resolve())));
}

function closeFile(fd: number): Promise<void> {
  // A close error after a successful fsync loses nothing.
  return new Promise((resolve) => fs.close(fd, () => resolve()));
}

function checkState(element: unknown, operatorName: string): InProgressFileState {
  const state = element as Partial<InProgressFileState> | null;
  if (
    state === null ||
    typeof state !== 'object' ||
    state.kind !== STATE_KIND ||
    typeof state.path !== 'string' ||
    typeof state.finalPath !== 'string' ||
    typeof state.bucketId !== 'string' ||
    !Number.isSafeInteger(state.size)
  ) {
    throw new FlinktsError('STATE_INCOMPATIBLE', `${operatorName}: the restored sink state is not a file sink's (got ${JSON.stringify(element)?.slice(0, 200)})`);
  }
  return state as InProgressFileState;
}
