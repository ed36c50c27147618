/**
 * Which keyed state backend the keyed operators of a job get: `hashmap` (on
 * the heap, the default) or `embedded` (on local disk, `embedded/`). The
 * JobMaster decides per job (`env.setStateBackend`, else
 * `state.backend.type`) and the deployment carries the choice to every
 * worker. The embedded module loads lmdb, which costs ~50 ms, so it is
 * imported only by workers whose job asked for it, once, before any chain is
 * built; after that, creating a backend is a plain synchronous call.
 */
import { tmpdir } from 'node:os';
import type { StateBackendName } from '../checkpoint/metadata.js';
import { HeapKeyedStateBackend } from './heap-keyed-state-backend.js';
import type { KeyedStateBackend } from './keyed-state-backend.js';
import type { KeyGroupRange } from './key-grouped-map.js';

/** The backend of a job and its settings, as the deployment carries them (structured-cloned). */
export interface StateBackendSettings {
  readonly type: StateBackendName;
  /** `embedded`: write-back cache bound in entries (`state.backend.embedded.cache-entries`). */
  readonly cacheEntries?: number;
  /** `embedded`: incremental checkpoints (`state.backend.incremental`, default true). */
  readonly incremental?: boolean;
  /** `embedded`: parent directories of the stores (`io.tmp.dirs`), taken in turn by subtask index; default `os.tmpdir()`. */
  readonly tmpDirs?: readonly string[];
}

/** What a backend is created for: one keyed operator of one subtask. */
export interface KeyedBackendRequest {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  readonly operatorId: string;
  readonly subtaskIndex: number;
}

/** Creates the keyed state backend of one keyed operator subtask. */
export type KeyedStateBackendFactory = (request: KeyedBackendRequest) => KeyedStateBackend;

/** The `hashmap` backend: the default, and all a job without `embedded` ever loads. */
export const heapBackendFactory: KeyedStateBackendFactory = (request) => new HeapKeyedStateBackend(request.keyGroupRange, request.maxParallelism);

/** The deployment the backends are for: names their stores, so those of earlier attempts can be found. */
export interface BackendScope {
  readonly jobId: string;
  readonly attempt: number;
}

/**
 * The factory of the backend `settings` name; imports the embedded module
 * (lmdb) only when it is asked for, and then deletes the stores that earlier
 * attempts of the job (whose workers were terminated) left behind.
 */
export async function loadKeyedStateBackendFactory(settings: StateBackendSettings | undefined, scope: BackendScope): Promise<KeyedStateBackendFactory> {
  if (settings === undefined || settings.type === 'hashmap') return heapBackendFactory;
  const { attemptPrefix, createEmbeddedKeyedStateBackend, removeStaleStores } = await import('./embedded/index.js');
  const tmpDirs = settings.tmpDirs ?? [];
  const job = scope.jobId.slice(0, 8);
  removeStaleStores(tmpDirs.length > 0 ? tmpDirs : [tmpdir()], job, scope.attempt);
  return (request) =>
    createEmbeddedKeyedStateBackend({
      keyGroupRange: request.keyGroupRange,
      maxParallelism: request.maxParallelism,
      // Job, attempt, operator and subtask name the directory (a random suffix keeps it unique).
      name: `${attemptPrefix(job, scope.attempt)}${request.operatorId.slice(0, 12)}-${request.subtaskIndex}`,
      ...(tmpDirs.length > 0 && { tmpDir: tmpDirs[request.subtaskIndex % tmpDirs.length] }),
      ...(settings.cacheEntries !== undefined && { cacheEntries: settings.cacheEntries }),
      ...(settings.incremental !== undefined && { incremental: settings.incremental }),
    });
}
