/**
 * What a completed checkpoint or savepoint holds, as the JobManager writes it
 * into `_metadata` and reads it back: per operator (by operator id) and
 * subtask, the handles of its keyed and operator state files. File paths are
 * relative (to the snapshot directory, or to the job's `shared/` directory
 * for files an incremental checkpoint shares with earlier ones), so a
 * savepoint directory can be moved and still restores.
 */
import type { KeyGroupRange } from '../state/key-grouped-map.js';
import type { SectionJob, SectionJobResult } from './section-thread.js';

/** The name of the metadata file in a snapshot directory. */
export const METADATA_FILE_NAME = '_metadata';

/** The job's directory of state files shared between checkpoints: `<checkpoint dir>/<jobId>/shared/`. */
export const SHARED_DIR_NAME = 'shared';

/** Checkpoint directories are `<checkpoint dir>/<jobId>/chk-<n>/`. */
export const CHECKPOINT_DIR_PREFIX = 'chk-';

export type SnapshotKind = 'checkpoint' | 'savepoint';

/** `canonical`: backend-independent and self-contained; `native`: the backend's own files. */
export type SnapshotFormat = 'canonical' | 'native';

/** The keyed state backends. */
export type StateBackendName = 'hashmap' | 'embedded';

export type KeyedStateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/** How a list of operator state is redistributed when the parallelism changes. */
export type OperatorStateMode = 'split' | 'union' | 'broadcast';

/** One state file of a snapshot. */
export interface StateFileRef {
  /** Relative to the snapshot directory (`exclusive`) or to `<checkpoint dir>/<jobId>/shared/` (`shared`). */
  readonly path: string;
  readonly location: 'exclusive' | 'shared';
  readonly size: number;
  /** SHA-256 of the file's bytes, hex. */
  readonly sha256: string;
}

/**
 * A keyed state file: one section per key group, each a run of entries
 * `[stateName, key, namespace, value]` (see `state-sections.ts`).
 * `sections[i]` is `[keyGroup, offset, length]` in bytes; key groups without
 * state have no section. A `delta` file (incremental checkpoints of the
 * embedded backend) holds only what changed since the file before it: an
 * entry whose value is the `DELETED` marker removes the entry, and a section
 * marked in `clearedKeyGroups` starts from empty.
 */
export interface KeyedStateFile extends StateFileRef {
  readonly sections: readonly (readonly [keyGroup: number, offset: number, length: number])[];
  readonly delta: boolean;
  readonly clearedKeyGroups?: readonly number[];
}

/** The keyed state of one subtask: files applied in order (a full file, then deltas). */
export interface KeyedStateHandle {
  readonly keyGroupRange: KeyGroupRange;
  readonly files: readonly KeyedStateFile[];
  readonly states: readonly { readonly name: string; readonly kind: KeyedStateKind }[];
}

/** The operator state of one subtask: one file holding every named list. */
export interface OperatorStateHandle {
  readonly file: StateFileRef;
  readonly states: readonly { readonly name: string; readonly mode: OperatorStateMode; readonly count: number }[];
}

export interface SubtaskSnapshot {
  readonly subtaskIndex: number;
  readonly keyed?: KeyedStateHandle;
  /** The timers of a keyed operator, by key group (state names `timers/<service>/<event|processing>`). */
  readonly timers?: KeyedStateHandle;
  readonly operator?: OperatorStateHandle;
  /** The subtask had finished before the checkpoint (its state is final). */
  readonly finished?: boolean;
}

export interface OperatorSnapshot {
  /** The stable operator id (hash of the uid, or of the topology). */
  readonly operatorId: string;
  readonly uid?: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly subtasks: readonly SubtaskSnapshot[];
}

/** The content of `_metadata`. */
export interface CheckpointMetadata {
  readonly kind: SnapshotKind;
  readonly format: SnapshotFormat;
  readonly backend: StateBackendName;
  readonly jobId: string;
  readonly jobName: string;
  readonly checkpointId: number;
  /** When the checkpoint was triggered, epoch ms. */
  readonly timestamp: number;
  readonly operators: readonly OperatorSnapshot[];
}

/** Options of a keyed state file being written. */
export interface KeyedStateFileOptions {
  /** `shared` files live in the job's `shared/` directory and may be referenced by later checkpoints. */
  readonly location?: 'exclusive' | 'shared';
  readonly delta?: boolean;
  readonly clearedKeyGroups?: readonly number[];
}

/**
 * Writes the state files of one subtask into one snapshot (its directory is
 * bound to the writer); file names are chosen by the writer and unique.
 * Every file is fsynced before its handle is returned.
 */
export interface StateFileWriter {
  /** Writes a keyed state file from its sections, in ascending key-group order. */
  writeKeyedStateFile(sections: readonly (readonly [keyGroup: number, bytes: Uint8Array])[], options?: KeyedStateFileOptions): Promise<KeyedStateFile>;
  /**
   * An exclusive keyed state file to write now, section by section, when the
   * writer already knows its directory (else undefined: the caller keeps the
   * sections and calls {@link writeKeyedStateFile}). A snapshot then encodes
   * every section into the same buffer instead of holding all of them.
   */
  openKeyedStateFile?(): KeyedStateFileStream | undefined;
  /**
   * Encodes and writes a keyed state file on another thread, from columns
   * the caller copied (and gives up: their arrays are moved there) or a view
   * of an embedded store opened there; the file is undefined when there was
   * no entry. For snapshots whose synchronous part would otherwise encode
   * everything, or whose asynchronous part would read between records.
   */
  writeKeyedSectionsOnThread?(job: SectionJob): Promise<SectionJobResult>;
  /** Writes an operator state file (see `encodeOperatorState`). */
  writeOperatorStateFile(bytes: Uint8Array): Promise<StateFileRef>;
}

/** A keyed state file being written (see {@link StateFileWriter.openKeyedStateFile}). */
export interface KeyedStateFileStream {
  /** Appends the section of `keyGroup` (ascending key groups); `bytes` may be reused once this returns. */
  write(keyGroup: number, bytes: Uint8Array): void;
  /** Sections written so far. */
  readonly sections: number;
  /** Makes the file durable and gives its handle. */
  close(): Promise<KeyedStateFile>;
  /** Deletes the file. */
  abort(): void;
}

/** Reads state files of one snapshot (its directory and the job's shared directory are bound to the reader). */
export interface StateFileReader {
  /** The bytes of one key group's section, or undefined when the file has none for it. */
  readSection(file: KeyedStateFile, keyGroup: number): Promise<Uint8Array | undefined>;
  /**
   * The caller is done with bytes `readSection` gave (nothing it decoded
   * refers to them): the reader may read the next section into them.
   */
  release?(bytes: Uint8Array): void;
  /** A whole file. */
  readFile(file: StateFileRef): Promise<Uint8Array>;
}
