/**
 * Set-up shared by the embedded backend's tests: backends in temp
 * directories on a manual clock, and a test fixture of the state-file
 * interfaces (`StateFileWriter` / `StateFileReader`) over a temp directory,
 * which records every file it writes so tests can decode them.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyedStateFile, KeyedStateFileOptions, StateFileReader, StateFileRef, StateFileWriter } from '../../../../../src/runtime/checkpoint/metadata.js';
import { decodeKeyGroupSection, type KeyedEntryRecord } from '../../../../../src/runtime/checkpoint/state-sections.js';
import type { SectionJob, SectionJobResult } from '../../../../../src/runtime/checkpoint/section-thread.js';
import { LocalStateFileWriter } from '../../../../../src/runtime/checkpoint/state-files.js';
import type { InternalKvState } from '../../../../../src/runtime/state/heap-states.js';
import type { KeyGroupRange } from '../../../../../src/runtime/state/key-grouped-map.js';
import { createEmbeddedKeyedStateBackend, type EmbeddedKeyedStateBackend } from '../../../../../src/runtime/state/embedded/index.js';
import { ValueStateDescriptor, type StateDescriptor } from '../../../../../src/api/state.js';
import type { KeyedStateBackend } from '../../../../../src/runtime/state/keyed-state-backend.js';
import { ManualClock, type AnyValueState } from '../helpers.js';

export { ManualClock };

/** A temp directory removed by `cleanup()`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `flinkts-test-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Backends made by one test, disposed together. */
export class Backends {
  private readonly made: EmbeddedKeyedStateBackend[] = [];
  private readonly tmp = tempDir('embedded');

  constructor(readonly clock = new ManualClock()) {}

  make(
    options: { keyGroupRange?: KeyGroupRange; maxParallelism?: number; cacheEntries?: number; cacheBytes?: number; maxDeltas?: number } = {},
  ): EmbeddedKeyedStateBackend {
    const backend = createEmbeddedKeyedStateBackend({
      keyGroupRange: options.keyGroupRange ?? { start: 0, end: 127 },
      maxParallelism: options.maxParallelism ?? 128,
      clock: this.clock.read,
      tmpDir: this.tmp.dir,
      name: `b${this.made.length}`,
      ...(options.cacheEntries !== undefined && { cacheEntries: options.cacheEntries }),
      ...(options.cacheBytes !== undefined && { cacheBytes: options.cacheBytes }),
      ...(options.maxDeltas !== undefined && { maxDeltas: options.maxDeltas }),
    });
    this.made.push(backend);
    return backend;
  }

  async disposeAll(): Promise<void> {
    for (const backend of this.made) await backend.dispose();
    this.tmp.cleanup();
  }
}

/** The state object of a descriptor, typed as both the user view and the runtime view. */
export function stateOf<S>(backend: { getState(d: never): unknown }, descriptor: StateDescriptor<S, unknown>): S & InternalKvState {
  return backend.getState(descriptor as never) as S & InternalKvState;
}

/**
 * Test fixture of `StateFileWriter` and `StateFileReader` over a temp
 * directory: exclusive files under `exclusive/`, shared ones under `shared/`;
 * keeps the refs of every file written.
 */
export class DirectoryStateFilesFixture implements StateFileWriter, StateFileReader {
  readonly written: KeyedStateFile[] = [];
  private counter = 0;
  /**
   * With `onThread`, the fixture offers the encoding thread too (the
   * writer a task has): snapshots that can hand their files to it do, and it
   * writes them with the real writer into the same directories.
   */
  readonly writeKeyedSectionsOnThread?: (job: SectionJob) => Promise<SectionJobResult>;

  constructor(
    readonly root: string,
    { onThread = false }: { onThread?: boolean } = {},
  ) {
    mkdirSync(join(root, 'exclusive'), { recursive: true });
    mkdirSync(join(root, 'shared'), { recursive: true });
    if (onThread) {
      const writer = new LocalStateFileWriter({ snapshotDir: join(root, 'exclusive'), sharedDir: join(root, 'shared'), operatorId: 'fixture0', subtaskIndex: 0 });
      this.writeKeyedSectionsOnThread = async (job) => {
        const result = await writer.writeKeyedSectionsOnThread(job);
        if (result.file !== undefined) this.written.push(result.file);
        return result;
      };
    }
  }

  async writeKeyedStateFile(sections: readonly (readonly [number, Uint8Array])[], options: KeyedStateFileOptions = {}): Promise<KeyedStateFile> {
    const location = options.location ?? 'exclusive';
    const index: [number, number, number][] = [];
    let offset = 0;
    for (const [keyGroup, bytes] of sections) {
      if (index.length > 0 && keyGroup <= index.at(-1)![0]) throw new RangeError('sections out of order');
      index.push([keyGroup, offset, bytes.byteLength]);
      offset += bytes.byteLength;
    }
    const bytes = Buffer.concat(sections.map(([, b]) => b));
    const path = `file-${++this.counter}.keyed`;
    writeFileSync(join(this.root, location, path), bytes);
    const file: KeyedStateFile = {
      path,
      location,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sections: index,
      delta: options.delta ?? false,
      ...(options.clearedKeyGroups !== undefined && { clearedKeyGroups: options.clearedKeyGroups }),
    };
    this.written.push(file);
    return file;
  }

  async writeOperatorStateFile(bytes: Uint8Array): Promise<StateFileRef> {
    const path = `file-${++this.counter}.op`;
    writeFileSync(join(this.root, 'exclusive', path), bytes);
    return { path, location: 'exclusive', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async readSection(file: KeyedStateFile, keyGroup: number): Promise<Uint8Array | undefined> {
    const section = file.sections.find(([g]) => g === keyGroup);
    if (section === undefined) return undefined;
    return (await this.readFile(file)).subarray(section[1], section[1] + section[2]);
  }

  async readFile(file: StateFileRef): Promise<Uint8Array> {
    return readFileSync(join(this.root, file.location, file.path));
  }

  /** Every entry of a keyed file, decoded, with its key group. */
  async entriesOf(file: KeyedStateFile): Promise<(KeyedEntryRecord & { keyGroup?: number })[]> {
    const out: KeyedEntryRecord[] = [];
    for (const [keyGroup] of file.sections) out.push(...decodeKeyGroupSection((await this.readSection(file, keyGroup))!));
    return out;
  }
}

/** The value state most tests use. */
export const counter = (): ValueStateDescriptor<number> => new ValueStateDescriptor<number>('counter');

/** Every (key, value) of the `counter` state, read through the backend's state objects. */
export function counters(backend: KeyedStateBackend, keys: readonly number[]): Map<number, number | undefined> {
  const v: AnyValueState<number> = stateOf(backend as EmbeddedKeyedStateBackend, counter());
  const out = new Map<number, number | undefined>();
  for (const key of keys) {
    backend.setCurrentKey(key);
    out.set(key, v.value());
  }
  return out;
}

/**
 * Fresh backends and a files fixture over a temp directory for every test of
 * the calling suite (handed to `use`), disposed and deleted after it.
 */
export function backendsAndFilesPerTest(use: (backends: Backends, files: DirectoryStateFilesFixture) => void, options: { onThread?: boolean } = {}): void {
  let backends: Backends;
  let cleanup: () => void;
  beforeEach(() => {
    backends = new Backends();
    const tmp = tempDir('files');
    cleanup = tmp.cleanup;
    use(backends, new DirectoryStateFilesFixture(tmp.dir, options));
  });
  afterEach(async () => {
    await backends.disposeAll();
    cleanup();
  });
}
