/**
 * What operators and the task need from a keyed state backend, whichever it
 * is (`hashmap` on the heap, `embedded` on disk): the current key, state
 * objects per descriptor, and snapshots and restores by key group.
 */
import type { AnyStateDescriptor } from '../../api/state.js';
import type { KeyedStateHandle, SnapshotFormat, StateFileReader, StateFileWriter } from '../checkpoint/metadata.js';
import type { InternalKvState, StateHost } from './heap-states.js';
import type { KeyGroupRange } from './key-grouped-map.js';

export interface KeyedSnapshotOptions {
  readonly checkpointId: number;
  readonly format: SnapshotFormat;
  readonly files: StateFileWriter;
}

export interface KeyedStateBackend extends StateHost {
  readonly keyGroupRange: KeyGroupRange;
  readonly maxParallelism: number;
  setCurrentKey(key: unknown): void;
  getCurrentKey(): unknown;
  /** A view of the state `descriptor` names, with its own namespace (`''`); registering a name with two kinds fails. */
  getState<S extends InternalKvState>(descriptor: AnyStateDescriptor): S;
  /** Merges the `sources` namespaces of a merging state into `target`. */
  mergeNamespaces(state: InternalKvState, target: string, sources: readonly string[]): void;
  /** Calls `fn` for every key that has state `descriptor` in `namespace`, with that key current. */
  applyToAllKeys(namespace: string, descriptor: AnyStateDescriptor, fn: (key: unknown, state: InternalKvState) => void): void;
  stateNames(): string[];
  /**
   * The synchronous part of a snapshot, at the barrier: captures the state
   * as it is now. The returned function is the asynchronous part: it writes
   * the files (records keep flowing meanwhile) and gives the handle, or
   * undefined when there is no state.
   */
  snapshot(options: KeyedSnapshotOptions): () => Promise<KeyedStateHandle | undefined>;
  /** Loads the key groups of this backend's range from `handles` (any parallelism); before any state access. */
  restore(handles: readonly KeyedStateHandle[], files: StateFileReader): Promise<void>;
  /** A checkpoint this backend took part in completed (incremental backends may release older files). */
  notifyCheckpointComplete(checkpointId: number): void;
  dispose(): Promise<void>;
}
