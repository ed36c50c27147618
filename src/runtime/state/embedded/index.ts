/**
 * The `embedded` keyed state backend: keyed state on local disk, for state
 * larger than memory, with incremental checkpoints — flinkts' counterpart of
 * Flink's RocksDB backend.
 *
 * **Layout.** One LMDB store per operator subtask, in a directory of its own
 * (`<tmp dir>/flinkts-<pid>/<name>-<random>`; the tmp dir defaults to
 * `os.tmpdir()`, like Flink's `io.tmp.dirs`). Rows are keyed by key group
 * (big-endian), state, key and namespace, so a key group is one contiguous
 * range. The store is scratch space: created empty, written without fsync,
 * deleted by `dispose()`. Values live on disk; memory holds the write-back
 * cache only.
 *
 * **Access.** State objects are the heap backend's in behaviour (same API,
 * same TTL rules, same errors), reading and writing through a write-back
 * cache bounded by `cacheEntries` and `cacheBytes`. The cache is written in
 * one transaction when it outgrows its bounds (checked when the current key
 * changes) and at every snapshot. Differences from the heap backend:
 * - a value read from state is a **copy** (unpacked from bytes): changing it
 *   without `update()` changes nothing, as with Flink's RocksDB backend;
 * - values must survive MessagePack with structured cloning (plain objects,
 *   arrays, `Map`, `Set`, `Date`, `bigint`, typed arrays); class instances
 *   come back as plain objects, functions are not state;
 * - map state iterates in no particular order;
 * - keys outside the subtask's key-group range fail on any access (the heap
 *   backend fails on writes only).
 *
 * **Checkpoints** (`embedded-snapshots.ts`): `native` checkpoints are
 * incremental — a full base, then deltas holding only the entries changed
 * since the last confirmed checkpoint, all in the job's `shared/` directory
 * and listed together in the handle; a new base after `maxDeltas` deltas or
 * once the deltas outgrow the base (with `incremental: false`, every
 * checkpoint is one full file of its own). `canonical` snapshots (savepoints) are one
 * full exclusive file in the format every backend reads. Restores take any
 * old parallelism; the first checkpoint after a restore is a full one.
 *
 * **What the runtime must call:** `setCurrentKey` before each record's state
 * access (as for the heap backend), `notifyCheckpointComplete` when a
 * checkpoint completes (deltas build only on confirmed checkpoints), and
 * `dispose()` when the task ends, fails or is cancelled (it lets running
 * snapshots fail at their next step, closes the store and deletes its
 * directory). `flush()` is never required. The store is scratch space: state
 * outlives a task only through checkpoints and savepoints. Stores of worker
 * threads terminated before they could dispose are deleted later
 * (`store-directories.ts`).
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlinktsError } from '../../../api/errors.js';
import type { KeyGroupRange } from '../key-grouped-map.js';
import { EmbeddedKeyedStateBackend } from './embedded-keyed-state-backend.js';
import { processDirectory } from './store-directories.js';

export { EmbeddedKeyedStateBackend, type EmbeddedBackendSettings } from './embedded-keyed-state-backend.js';
export { attemptPrefix, removeStaleStores } from './store-directories.js';

/** Options of {@link createEmbeddedKeyedStateBackend}. */
export interface EmbeddedBackendOptions {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  /** Processing time, for state TTL (default `Date.now`). */
  readonly clock?: () => number;
  /** The parent of the per-process directory (default `os.tmpdir()`); Flink's `io.tmp.dirs`. */
  readonly tmpDir?: string;
  /** Names the store's directory, e.g. `<operator id>-<subtask>` (a random suffix keeps it unique). */
  readonly name?: string;
  /** Cache bound in entries (default 100 000). */
  readonly cacheEntries?: number;
  /** Cache bound in bytes (default 64 MiB). */
  readonly cacheBytes?: number;
  /** Deltas on one base before a new full base (default 10). */
  readonly maxDeltas?: number;
  /** Incremental checkpoints (default true); false writes a full file at every checkpoint (`state.backend.incremental`). */
  readonly incremental?: boolean;
}

export const EMBEDDED_DEFAULTS = { cacheEntries: 100_000, cacheBytes: 64 * 1024 * 1024, maxDeltas: 10, incremental: true } as const;

/** Creates an embedded keyed state backend with its store in a new directory. */
export function createEmbeddedKeyedStateBackend(options: EmbeddedBackendOptions): EmbeddedKeyedStateBackend {
  const cacheEntries = positiveInteger('cacheEntries', options.cacheEntries ?? EMBEDDED_DEFAULTS.cacheEntries);
  const cacheBytes = positiveInteger('cacheBytes', options.cacheBytes ?? EMBEDDED_DEFAULTS.cacheBytes);
  const maxDeltas = positiveInteger('maxDeltas', options.maxDeltas ?? EMBEDDED_DEFAULTS.maxDeltas);
  // No '.': lmdb takes a path with an extension for a single-file store, not a directory.
  const name = (options.name ?? 'state').replace(/[^A-Za-z0-9_-]/g, '_');
  const directory = join(processDirectory(options.tmpDir ?? tmpdir()), `${name}-${randomBytes(6).toString('hex')}`);
  const settings = { directory, removeEmptyParent: true, cacheEntries, cacheBytes, maxDeltas, incremental: options.incremental ?? EMBEDDED_DEFAULTS.incremental };
  try {
    return new EmbeddedKeyedStateBackend(options.keyGroupRange, options.maxParallelism, settings, options.clock);
  } catch (error) {
    // A directory that cannot be created fails the same way on every restart: a configuration error.
    if (typeof (error as { code?: unknown }).code !== 'string' || error instanceof FlinktsError) throw error;
    throw new FlinktsError('CONFIG', `embedded state backend: cannot create its store in ${directory}: ${(error as Error).message}`, {
      hint: 'set io.tmp.dirs to a writable local directory',
      cause: error,
    });
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new FlinktsError('CONFIG', `embedded state backend: ${name} must be a positive integer, got ${value}`);
  return value;
}
