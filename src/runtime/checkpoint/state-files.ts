/**
 * State files on a local (or mounted) file system: the writer one subtask
 * uses during a snapshot, and the reader a restore (or `savepoint inspect`)
 * uses. Files are immutable once written: unique names, created exclusively,
 * fsynced before their handle is returned, and identified by size and
 * SHA-256 in the metadata. The reader checks both the first time it uses a
 * file, so a corrupt or swapped file fails the restore, with an error naming
 * the file: before any of its bytes are used, or (a task's restore, which
 * decodes meanwhile) before any of its state is.
 */
import { randomBytes, createHash, type Hash } from 'node:crypto';
import { closeSync, fsync, openSync, rmSync, writeSync } from 'node:fs';
import { open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { CheckpointFormatError, isErrno } from './checkpoint-errors.js';
import type {
  CheckpointMetadata,
  KeyedStateFile,
  KeyedStateFileOptions,
  KeyedStateFileStream,
  StateFileReader,
  StateFileRef,
  StateFileWriter,
  SubtaskSnapshot,
} from './metadata.js';
import { unsafePathProblem } from './metadata-validate.js';
import { writeSectionsOnThread, type SectionJob, type SectionJobResult } from './section-thread.js';

/** File name suffix of keyed state files. */
export const KEYED_FILE_SUFFIX = '.keyed';
/** File name suffix of operator state files. */
export const OPERATOR_FILE_SUFFIX = '.op';

/** Where a {@link LocalStateFileWriter} writes. */
export interface StateFileWriterOptions {
  /** The snapshot directory (`chk-<n>` or `savepoint-…`): exclusive files go here. */
  readonly snapshotDir: string;
  /**
   * The job's `shared/` directory, for files later checkpoints may reference.
   * Without it (savepoints are self-contained) every file is written
   * exclusive, whatever the caller asks.
   */
  readonly sharedDir?: string;
  readonly operatorId: string;
  readonly subtaskIndex: number;
}

/**
 * Writes the state files of one operator subtask into one snapshot. Names are
 * `<first 8 of operator id>-<subtask>-<16 random hex>.keyed|.op`, created with
 * `O_EXCL`, so two writers never share a file.
 */
export class LocalStateFileWriter implements StateFileWriter {
  constructor(
    private readonly options: StateFileWriterOptions,
    /** Where a streamed file's checksum is computed: a file this large is hashed afterwards, on a thread of its own. */
    private readonly hashing: { readonly hashOnThreadFromBytes: number } = { hashOnThreadFromBytes: HASH_ON_THREAD_WRITTEN_BYTES },
  ) {}

  /** See {@link StateFileWriter.writeKeyedSectionsOnThread}. */
  writeKeyedSectionsOnThread(job: SectionJob): Promise<SectionJobResult> {
    return writeSectionsOnThread(job, this.options);
  }

  async writeKeyedStateFile(sections: readonly (readonly [keyGroup: number, bytes: Uint8Array])[], options: KeyedStateFileOptions = {}): Promise<KeyedStateFile> {
    const index: [number, number, number][] = [];
    let offset = 0;
    for (const [keyGroup, bytes] of sections) {
      const previous = index.at(-1);
      if (previous !== undefined && keyGroup <= previous[0]) {
        throw new RangeError(`keyed state sections must be in ascending key-group order, got ${keyGroup} after ${previous[0]}`);
      }
      index.push([keyGroup, offset, bytes.byteLength]);
      offset += bytes.byteLength;
    }
    const ref = await this.write(
      KEYED_FILE_SUFFIX,
      sections.map(([, bytes]) => bytes),
      options.location ?? 'exclusive',
    );
    return {
      ...ref,
      sections: index,
      delta: options.delta ?? false,
      ...(options.clearedKeyGroups === undefined ? {} : { clearedKeyGroups: [...options.clearedKeyGroups] }),
    };
  }

  /**
   * See {@link StateFileWriter.openKeyedStateFile}. Writes are synchronous;
   * a failing one (or open) is reported by `close`, as the asynchronous part
   * of a snapshot reports its write errors, and later writes are skipped.
   * The checksum of a file that grows large is computed in `close`, on a
   * thread of its own, from the file: the writing thread (a task, at its
   * barrier) only writes.
   */
  openKeyedStateFile(): KeyedStateFileStream {
    const { path, name } = this.newFile(KEYED_FILE_SUFFIX, 'exclusive');
    let hash: Hash | undefined = createHash('sha256');
    const index: [number, number, number][] = [];
    let size = 0;
    let fd: number | undefined;
    let failure: unknown;
    let aborted = false;
    const discard = (): void => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      rmSync(path, { force: true });
    };
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      failure = error;
    }
    return {
      write: (keyGroup, bytes) => {
        const previous = index.at(-1);
        if (previous !== undefined && keyGroup <= previous[0]) {
          throw new RangeError(`keyed state sections must be in ascending key-group order, got ${keyGroup} after ${previous[0]}`);
        }
        index.push([keyGroup, size, bytes.byteLength]);
        if (fd !== undefined) {
          try {
            for (let written = 0; written < bytes.byteLength; ) written += writeSync(fd, bytes, written, bytes.byteLength - written, size + written);
            if (size + bytes.byteLength >= this.hashing.hashOnThreadFromBytes) hash = undefined;
            hash?.update(bytes);
          } catch (error) {
            failure = error;
            discard();
          }
        }
        size += bytes.byteLength;
      },
      get sections() {
        return index.length;
      },
      close: async () => {
        if (aborted) throw new Error(`keyed state file ${path} was aborted`);
        if (failure !== undefined) throw failure;
        const open = fd!;
        fd = undefined;
        try {
          await new Promise<void>((resolve, reject) => fsync(open, (error) => (error === null ? resolve() : reject(error))));
        } catch (error) {
          closeSync(open);
          rmSync(path, { force: true });
          throw error;
        }
        closeSync(open);
        let sha256 = hash?.digest('hex');
        if (sha256 === undefined) {
          const hashed = await sha256OnThread(path);
          if (hashed.size !== size) throw new Error(`keyed state file ${path} has ${hashed.size} bytes after writing ${size}`);
          sha256 = hashed.digest;
        }
        return { path: name, location: 'exclusive', size, sha256, sections: index, delta: false };
      },
      abort: () => {
        aborted = true;
        discard();
      },
    };
  }

  async writeOperatorStateFile(bytes: Uint8Array): Promise<StateFileRef> {
    return this.write(OPERATOR_FILE_SUFFIX, [bytes], 'exclusive');
  }

  /** A new file's name and path: shared only when asked for and there is a shared directory. */
  private newFile(suffix: string, requested: 'exclusive' | 'shared'): { name: string; path: string; location: 'exclusive' | 'shared' } {
    const { snapshotDir, sharedDir, operatorId, subtaskIndex } = this.options;
    const location = requested === 'shared' && sharedDir !== undefined ? 'shared' : 'exclusive';
    const name = `${operatorId.slice(0, 8)}-${subtaskIndex}-${randomBytes(8).toString('hex')}${suffix}`;
    return { name, path: join(location === 'shared' ? sharedDir! : snapshotDir, name), location };
  }

  private async write(suffix: string, chunks: readonly Uint8Array[], requested: 'exclusive' | 'shared'): Promise<StateFileRef> {
    const { name, path, location } = this.newFile(suffix, requested);
    const hash = createHash('sha256');
    let size = 0;
    const handle = await open(path, 'wx');
    try {
      for (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.byteLength;
      }
      // One vectored write per file: on a busy worker every await resumes only after a processing step.
      await writeAllFully(handle, chunks);
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw error;
    }
    await handle.close();
    return { path: name, location, size, sha256: hash.digest('hex') };
  }
}

/** Writes every chunk in order, with as few vectored writes as the system allows. */
async function writeAllFully(handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let pending = chunks.filter((chunk) => chunk.byteLength > 0);
  while (pending.length > 0) {
    let { bytesWritten } = await handle.writev(pending);
    // Drop what was written: whole chunks, then the written part of a partly written one.
    let index = 0;
    while (index < pending.length && bytesWritten >= pending[index]!.byteLength) bytesWritten -= pending[index++]!.byteLength;
    pending = pending.slice(index);
    if (bytesWritten > 0) pending[0] = pending[0]!.subarray(bytesWritten);
  }
}

/** How a {@link LocalStateFileReader} checks files. */
export interface StateFileReaderOptions {
  /**
   * Check files alongside their use instead of before it: the first use of a
   * file starts its check and reads on; {@link LocalStateFileReader.verifyUsed}
   * must then succeed before anything restored is used (a task restores
   * this way, and fails if a file it read does not match its checksum).
   */
  readonly verifyAlongside?: boolean;
}

/**
 * Reads the state files of one snapshot. Exclusive paths resolve against the
 * snapshot directory, shared ones against the job's `shared/` directory. The
 * first use of a file checks its size and SHA-256 against its handle (one
 * pass over the file, on a thread of its own for large files); by default the
 * use waits for the check, and later reads of that file trust it.
 */
export class LocalStateFileReader implements StateFileReader {
  private readonly verified = new Map<string, Promise<void>>();
  /**
   * A released section buffer, for the next section that fits. A restore of
   * hundreds of megabytes would otherwise allocate as much outside the JS
   * heap, and V8 answers every 64 MB of that with a full garbage collection
   * of the heap the restore is building.
   */
  private spare: Buffer | undefined;
  private readonly lent = new WeakSet<ArrayBufferLike>();

  /**
   * @param snapshotDir - the snapshot directory
   * @param sharedDir - the job's `shared/` directory; absent for savepoints, which must not reference shared files
   */
  constructor(
    readonly snapshotDir: string,
    readonly sharedDir?: string,
    private readonly options: StateFileReaderOptions = {},
  ) {}

  /** The absolute path of `file`; throws when its path is unsafe or it is shared and there is no shared directory. */
  resolve(file: StateFileRef): string {
    const problem = unsafePathProblem(file.path);
    if (problem !== undefined) {
      throw new CheckpointFormatError(this.snapshotDir, 'malformed', `state file path ${JSON.stringify(file.path)} ${problem}`);
    }
    if (file.location === 'shared') {
      if (this.sharedDir === undefined) {
        throw new CheckpointFormatError(join(this.snapshotDir, file.path), 'malformed', 'a shared state file is referenced, but a savepoint has no shared directory');
      }
      return join(this.sharedDir, file.path);
    }
    return join(this.snapshotDir, file.path);
  }

  /** Checks that `file` exists and has the recorded size (not its checksum), as a cheap check before using a snapshot. */
  async checkExists(file: StateFileRef): Promise<void> {
    const path = this.resolve(file);
    const size = await sizeOf(path);
    if (size !== file.size) throw sizeMismatch(path, file.size, size);
  }

  /** Checks size and SHA-256 of `file` (once per file and reader). */
  verify(file: StateFileRef): Promise<void> {
    const path = this.resolve(file);
    let check = this.verified.get(path);
    if (check === undefined) {
      check = verifyFile(path, file);
      // Not awaited before verifyUsed when checking alongside: not an unhandled rejection meanwhile.
      check.catch(() => undefined);
      this.verified.set(path, check);
    }
    return check;
  }

  /** Settles the check of every file used so far: throws the first failure. */
  async verifyUsed(): Promise<void> {
    await Promise.all(this.verified.values());
  }

  /** Starts the check of `file`; waits for it unless checking alongside. */
  private async checkBeforeUse(file: StateFileRef): Promise<void> {
    const check = this.verify(file);
    if (this.options.verifyAlongside !== true) await check;
  }

  async readSection(file: KeyedStateFile, keyGroup: number): Promise<Uint8Array | undefined> {
    const section = findSection(file.sections, keyGroup);
    if (section === undefined) return undefined;
    await this.checkBeforeUse(file);
    const path = this.resolve(file);
    const [, offset, length] = section;
    const spare = this.spare;
    const reuse = spare !== undefined && spare.byteLength >= length;
    if (reuse) this.spare = undefined;
    // Room to spare: the next section is likely a little larger.
    const bytes = reuse ? spare.subarray(0, length) : Buffer.allocUnsafe(Math.max(Math.ceil(length * 1.25), SPARE_MIN_BYTES)).subarray(0, length);
    this.lent.add(bytes.buffer);
    const handle = await openForReading(path);
    try {
      let read = 0;
      while (read < length) {
        const { bytesRead } = await handle.read(bytes, read, length - read, offset + read);
        if (bytesRead === 0) throw new CheckpointFormatError(path, 'truncated', `truncated: the section of key group ${keyGroup} ends at byte ${offset + length}, the file at ${offset + read}`);
        read += bytesRead;
      }
    } finally {
      await handle.close();
    }
    return bytes;
  }

  release(bytes: Uint8Array): void {
    if (!this.lent.delete(bytes.buffer)) return;
    const whole = Buffer.from(bytes.buffer, 0, bytes.buffer.byteLength);
    if (whole.byteLength <= SPARE_MAX_BYTES && whole.byteLength > (this.spare?.byteLength ?? 0)) this.spare = whole;
  }

  async readFile(file: StateFileRef): Promise<Uint8Array> {
    await this.checkBeforeUse(file);
    const path = this.resolve(file);
    const handle = await openForReading(path);
    try {
      const bytes = await handle.readFile();
      if (bytes.length !== file.size) throw sizeMismatch(path, file.size, bytes.length);
      return bytes;
    } finally {
      await handle.close();
    }
  }
}

/** Files at least this large are hashed on a thread of their own, in chunks of this size. */
const HASH_THREAD_MIN_BYTES = 16 << 20;
/** A keyed state file written section by section is hashed on a thread of its own once it reaches this size. */
const HASH_ON_THREAD_WRITTEN_BYTES = 1 << 20;
const VERIFY_CHUNK_BYTES = 4 << 20;

/** Section buffers are at least this large (sections of one snapshot differ a little in size), and kept only up to the maximum. */
const SPARE_MIN_BYTES = 1 << 20;
const SPARE_MAX_BYTES = 256 << 20;

/** The state files of one subtask: keyed files, timer files, then its operator state file. */
export function filesOfSubtask(subtask: SubtaskSnapshot): StateFileRef[] {
  return [...(subtask.keyed?.files ?? []), ...(subtask.timers?.files ?? []), ...(subtask.operator === undefined ? [] : [subtask.operator.file])];
}

/** Every state file `metadata` references, each once (a shared file may be referenced by several subtasks and checkpoints). */
export function referencedFiles(metadata: CheckpointMetadata): StateFileRef[] {
  const files = new Map<string, StateFileRef>();
  for (const operator of metadata.operators) {
    for (const subtask of operator.subtasks) {
      for (const file of filesOfSubtask(subtask)) files.set(`${file.location}:${file.path}`, file);
    }
  }
  return [...files.values()];
}

function findSection(sections: KeyedStateFile['sections'], keyGroup: number): KeyedStateFile['sections'][number] | undefined {
  let low = 0;
  let high = sections.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const section = sections[mid]!;
    if (section[0] === keyGroup) return section;
    if (section[0] < keyGroup) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}

async function verifyFile(path: string, file: StateFileRef): Promise<void> {
  const size = await sizeOf(path);
  if (size !== file.size) throw sizeMismatch(path, file.size, size);
  let hashed: { digest: string; size: number };
  try {
    hashed = size >= HASH_THREAD_MIN_BYTES ? await sha256OnThread(path) : await sha256Here(path);
  } catch (error) {
    throw missingOrUnreadable(path, error);
  }
  if (hashed.size !== file.size) throw sizeMismatch(path, file.size, hashed.size);
  if (hashed.digest !== file.sha256) {
    throw new CheckpointFormatError(path, 'checksum-mismatch', `checksum mismatch: the metadata records SHA-256 ${file.sha256}, the file has ${hashed.digest}`);
  }
}

/** The SHA-256 of a small file, read in one go. */
async function sha256Here(path: string): Promise<{ digest: string; size: number }> {
  const bytes = await readFile(path);
  return { digest: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength };
}

/**
 * The SHA-256 of a large file, computed on a thread of its own (about 0.4 s
 * per 500 MB that the restoring thread spends decoding instead). It reads in
 * large chunks into one buffer: few round trips, no garbage.
 */
async function sha256OnThread(path: string): Promise<{ digest: string; size: number }> {
  // A restore of many large files starts their checks one after another without waiting: a few threads at a time.
  while (hashThreads >= MAX_HASH_THREADS) await new Promise<void>((resolve) => hashThreadWaiters.push(resolve));
  hashThreads++;
  try {
    return await new Promise((resolve, reject) => {
      const worker = new Worker(HASH_THREAD_SOURCE, { eval: true, workerData: { path, chunkBytes: VERIFY_CHUNK_BYTES } });
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the thread hashing the file exited with code ${code}`)));
    });
  } finally {
    hashThreads--;
    hashThreadWaiters.shift()?.();
  }
}

/** Hashing threads running at once (per thread that starts them), and the checks waiting for one. */
const MAX_HASH_THREADS = 2;
let hashThreads = 0;
const hashThreadWaiters: (() => void)[] = [];

const HASH_THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { closeSync, openSync, readSync } = require('node:fs');
const fd = openSync(workerData.path, 'r');
try {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(workerData.chunkBytes);
  let size = 0;
  for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; size += n) hash.update(chunk.subarray(0, n));
  parentPort.postMessage({ digest: hash.digest('hex'), size });
} finally {
  closeSync(fd);
}
`;

async function openForReading(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    throw missingOrUnreadable(path, error);
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CheckpointFormatError(path, 'missing-file', 'state file is not a regular file');
    return info.size;
  } catch (error) {
    if (error instanceof CheckpointFormatError) throw error;
    throw missingOrUnreadable(path, error);
  }
}

function missingOrUnreadable(path: string, error: unknown): CheckpointFormatError {
  if (isErrno(error, 'ENOENT')) return new CheckpointFormatError(path, 'missing-file', 'state file does not exist', { cause: error });
  return new CheckpointFormatError(path, 'io', `cannot read state file: ${(error as Error).message}`, { cause: error });
}

function sizeMismatch(path: string, expected: number, actual: number): CheckpointFormatError {
  return new CheckpointFormatError(path, 'size-mismatch', `size mismatch: the metadata records ${expected} bytes, the file has ${actual}`);
}
