/**
 * The state of one operator of a chain as checkpoints see it: its keyed
 * backend and timers, its operator state store, and the user functions that
 * take part (`CheckpointedFunction`, `CheckpointListener`). Snapshots are
 * taken per operator and keyed by operator id; restores hand each operator
 * the share of the old subtasks' state that belongs to it.
 */
import { isCheckpointedFunction, isCheckpointListener, type CheckpointedFunction, type CheckpointListener } from '../../api/checkpointing.js';
import { FlinktsError } from '../../api/errors.js';
import type { CheckpointMetadata, KeyedStateFile, KeyedStateFileStream, KeyedStateHandle, OperatorStateHandle, SnapshotFormat, StateFileReader, StateFileWriter } from '../checkpoint/metadata.js';
import { decodeOperatorState, encodeOperatorState, packSection } from '../checkpoint/state-sections.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import type { KeyGroupRange } from '../state/key-grouped-map.js';
import { HeapOperatorStateStore, redistributeOperatorState, type OperatorStateList } from '../state/operator-state-store.js';
import { copyTimerColumns, encodeTimerColumns, gatherTimers, readRestoredTimers, releaseTimerKeys, restoreTimersInto, timerStates, type RestoredTimers } from '../time/timer-sections.js';
import type { HeapTimerService } from '../time/timer-service.js';

/** What one operator snapshot gives the JobManager. */
export interface OperatorSubtaskState {
  readonly operatorId: string;
  readonly keyed?: KeyedStateHandle;
  readonly timers?: KeyedStateHandle;
  readonly operator?: OperatorStateHandle;
}

/** Where a snapshot goes. */
export interface SnapshotTarget {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly format: SnapshotFormat;
  /** A writer for the files of `operatorId`. */
  writer(operatorId: string): StateFileWriter;
}

/** The restored state of one operator subtask, already redistributed. */
export interface RestoredOperatorState {
  readonly keyed: readonly KeyedStateHandle[];
  readonly timers: RestoredTimers;
  readonly operator: readonly OperatorStateList[];
}

/**
 * TEST-ONLY fault injection, never set in production: with
 * `FLINKTS_TEST_FAIL_ASYNC_SNAPSHOT=<checkpoint id>` in the environment of the
 * process that runs the job, the asynchronous part (the file writes) of every
 * operator snapshot of that checkpoint rejects, so the tasks decline it. User
 * code has no hook there, and RELIABILITY R2 needs a failure at that point
 * (test/integration/fault-injection.test.ts). Checkpoint ids never repeat
 * within a job run (they continue across restarts), so it fires in one attempt
 * only. Read once per worker when this module loads; unset, it costs one
 * comparison per operator snapshot.
 */
export const FAIL_ASYNC_SNAPSHOT_ENV = 'FLINKTS_TEST_FAIL_ASYNC_SNAPSHOT';
const failAsyncSnapshotOf = Number(process.env[FAIL_ASYNC_SNAPSHOT_ENV] ?? Number.NaN);

/** The checkpointed parts of one operator subtask. */
export class OperatorState {
  readonly store: HeapOperatorStateStore;
  readonly timerServices: HeapTimerService[] = [];
  private readonly functions: CheckpointedFunction[] = [];
  private readonly listeners: CheckpointListener[] = [];
  /** Snapshot hooks of the runtime (e.g. a source reader's splits), run before the store is snapshotted. */
  private readonly preSnapshot: ((checkpointId: number) => void)[] = [];
  /** Runtime participants whose operator state is known only in the asynchronous part (a sink's committables). */
  private readonly asyncParts: ((checkpointId: number) => () => Promise<OperatorStateList[]>)[] = [];

  constructor(
    readonly operatorId: string,
    readonly operatorName: string,
    readonly keyedBackend: KeyedStateBackend | undefined,
    readonly restored: RestoredOperatorState | undefined,
  ) {
    this.store = new HeapOperatorStateStore(operatorName, restored?.operator);
  }

  get isRestored(): boolean {
    return this.restored !== undefined;
  }

  /** Called for every user function before it opens: initializes its state and registers it. */
  registerFunction(fn: unknown): void {
    if (isCheckpointedFunction(fn)) {
      fn.initializeState({ isRestored: () => this.isRestored, getOperatorStateStore: () => this.store });
      this.functions.push(fn);
    }
    if (isCheckpointListener(fn)) this.listeners.push(fn);
  }

  /** A runtime participant told of completed checkpoints (e.g. a source reader). */
  addListener(listener: CheckpointListener): void {
    this.listeners.push(listener);
  }

  /** A runtime hook run at every snapshot before the store is read. */
  onSnapshot(hook: (checkpointId: number) => void): void {
    this.preSnapshot.push(hook);
  }

  /**
   * A runtime participant with operator state of its own: `hook` runs in the
   * synchronous part of every snapshot and returns the function that, in the
   * asynchronous part, gives its lists (names must not clash with the store's).
   * The store's lists of such an operator are encoded in the asynchronous
   * part too, so its functions must not mutate listed objects in between
   * (the sink operator that uses this has no user state).
   */
  onSnapshotAsync(hook: (checkpointId: number) => () => Promise<OperatorStateList[]>): void {
    this.asyncParts.push(hook);
  }

  /** This subtask's share of restored operator state list `name` (empty when not restored). */
  restoredList(name: string): readonly unknown[] {
    return this.restored?.operator.find((list) => list.name === name)?.elements ?? [];
  }

  /** Adds a timer service of this operator, with its restored timers. */
  addTimerService(service: HeapTimerService): HeapTimerService {
    if (this.restored !== undefined) restoreTimersInto(service, this.timerServices.length, this.restored.timers);
    this.timerServices.push(service);
    return service;
  }

  /** Loads the restored keyed state (before any operator opens). */
  async restoreKeyed(reader: StateFileReader | undefined): Promise<void> {
    if (this.restored === undefined || reader === undefined || this.keyedBackend === undefined) return;
    await this.keyedBackend.restore(this.restored.keyed, reader);
  }

  /** The synchronous part of a snapshot; the returned function writes the files. */
  snapshot(target: SnapshotTarget): () => Promise<OperatorSubtaskState> {
    const context = { getCheckpointId: () => target.checkpointId, getCheckpointTimestamp: () => target.timestamp };
    for (const hook of this.preSnapshot) hook(target.checkpointId);
    for (const fn of this.functions) fn.snapshotState(context);
    const writer = target.writer(this.operatorId);
    const keyedAsync = this.keyedBackend?.snapshot({ checkpointId: target.checkpointId, format: target.format, files: writer });
    let timersAsync: (() => Promise<KeyedStateHandle | undefined>) | undefined;
    try {
      timersAsync = this.keyedBackend === undefined ? undefined : this.snapshotTimers(this.keyedBackend, writer);
    } catch (error) {
      // The keyed state's file may be open already: finish it (the declined checkpoint's directory goes with it).
      keyedAsync?.().catch(() => undefined);
      throw error;
    }
    const storeLists = this.store.snapshot();
    // Encoded now: user functions may mutate the objects in their lists once records flow again.
    const encode = (lists: OperatorStateList[]) => (lists.length === 0 ? undefined : encodeOperatorState(Object.fromEntries(lists.map((l) => [l.name, l.elements]))));
    const storeBytes = this.asyncParts.length === 0 ? encode(storeLists) : undefined;
    const asyncLists = this.asyncParts.map((part) => part(target.checkpointId));
    return async () => {
      if (target.checkpointId === failAsyncSnapshotOf) {
        throw new Error(`${FAIL_ASYNC_SNAPSHOT_ENV}: the asynchronous part of checkpoint ${target.checkpointId} fails (test-only fault injection)`);
      }
      const lists = asyncLists.length === 0 ? storeLists : [...storeLists, ...(await Promise.all(asyncLists.map((part) => part()))).flat()];
      const operatorBytes = asyncLists.length === 0 ? storeBytes : encode(lists);
      const keyed = await keyedAsync?.();
      const timers = await timersAsync?.();
      const operator =
        operatorBytes === undefined
          ? undefined
          : { file: await writer.writeOperatorStateFile(operatorBytes), states: lists.map((l) => ({ name: l.name, mode: l.mode, count: l.elements.length })) };
      return { operatorId: this.operatorId, ...(keyed && { keyed }), ...(timers && { timers }), ...(operator && { operator }) };
    };
  }

  /**
   * The timers' part of a snapshot: gathered now; when their keys are
   * numbers and the writer has an encoding thread, encoded and written there
   * by the asynchronous part; else encoded now, section by section, into the
   * file when it can be opened now (else kept for the asynchronous part).
   */
  private snapshotTimers(backend: KeyedStateBackend, writer: StateFileWriter): () => Promise<KeyedStateHandle | undefined> {
    const states = timerStates(this.timerServices.length);
    const handleOf = (file: KeyedStateFile | undefined): KeyedStateHandle | undefined => (file === undefined ? undefined : { keyGroupRange: backend.keyGroupRange, files: [file], states });
    const keyGroups = { maxParallelism: backend.maxParallelism, keyGroupRange: backend.keyGroupRange };
    const timers = gatherTimers(this.timerServices);
    const kept: [number, Uint8Array][] = [];
    let stream: KeyedStateFileStream | undefined;
    try {
      if (timers.count === 0) return async () => undefined;
      // Keys that are numbers: copied now, ordered, encoded and written on another thread.
      const { numberKeys } = timers;
      const onThread = writer.writeKeyedSectionsOnThread?.bind(writer);
      if (onThread !== undefined && numberKeys !== undefined) {
        const job = { kind: 'timers' as const, timers: copyTimerColumns({ ...timers, numberKeys }), keyGroups };
        return async () => handleOf((await onThread(job)).file);
      }
      encodeTimerColumns(timers, keyGroups, (keyGroup, columns) => {
        if (kept.length === 0) stream ??= writer.openKeyedStateFile?.();
        if (stream !== undefined) stream.write(keyGroup, packSection(columns, true));
        else kept.push([keyGroup, packSection(columns)]);
      });
    } catch (error) {
      stream?.abort();
      throw error;
    } finally {
      // The gathered lists must not keep keys alive.
      releaseTimerKeys(timers);
    }
    return async () => {
      if (stream === undefined && kept.length === 0) return undefined;
      return handleOf(stream !== undefined ? await stream.close() : await writer.writeKeyedStateFile(kept));
    };
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    this.keyedBackend?.notifyCheckpointComplete(checkpointId);
    for (const listener of this.listeners) await listener.notifyCheckpointComplete(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    for (const listener of this.listeners) listener.notifyCheckpointAborted?.(checkpointId);
  }
}

/**
 * The state of operator `operatorId` for new subtask `subtaskIndex` of
 * `parallelism`: keyed handles whose key groups overlap its range, and its
 * share of operator state (read from the files now).
 */
export async function selectRestoredState(
  metadata: CheckpointMetadata,
  operatorId: string,
  subtaskIndex: number,
  parallelism: number,
  keyGroupRange: KeyGroupRange,
  reader: StateFileReader,
): Promise<RestoredOperatorState | undefined> {
  const snapshot = metadata.operators.find((op) => op.operatorId === operatorId);
  if (snapshot === undefined) return undefined;
  const overlaps = (handle: KeyedStateHandle): boolean => handle.keyGroupRange.start <= keyGroupRange.end && handle.keyGroupRange.end >= keyGroupRange.start;
  const keyed = snapshot.subtasks.flatMap((s) => (s.keyed !== undefined && overlaps(s.keyed) ? [s.keyed] : []));
  const timers = await readRestoredTimers(
    snapshot.subtasks.flatMap((s) => (s.timers !== undefined && overlaps(s.timers) ? [s.timers] : [])),
    keyGroupRange,
    reader,
  );
  // Indexed by the old subtask index: the metadata lists only subtasks that had state, and at the same
  // parallelism every subtask gets its own old lists back (a subtask without state gets none, not its neighbour's).
  const oldLists: OperatorStateList[][] = Array.from({ length: snapshot.parallelism }, () => []);
  for (const subtask of snapshot.subtasks) {
    if (subtask.operator === undefined) continue;
    const decoded = decodeOperatorState(await reader.readFile(subtask.operator.file));
    oldLists[subtask.subtaskIndex] = subtask.operator.states.map((s) => {
      const elements = decoded[s.name];
      if (elements === undefined) throw new FlinktsError('STATE_INCOMPATIBLE', `operator state '${s.name}' of operator ${operatorId} is listed in the metadata but missing from its file`);
      return { name: s.name, mode: s.mode, elements };
    });
  }
  return { keyed, timers, operator: redistributeOperatorState(oldLists, subtaskIndex, parallelism) };
}
