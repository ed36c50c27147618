/**
 * The checkpoint coordinator of one job (DESIGN §6): triggers checkpoints at
 * the root tasks (running sources and tasks whose input ended), collects
 * every task's acknowledgement, writes `_metadata` atomically, then tells
 * every task the checkpoint completed. A checkpoint that a task declines or
 * that times out is aborted and its directory discarded; more failures in a
 * row than tolerated fail the job. Savepoints are checkpoints in the
 * canonical format written to a directory of their own.
 *
 * Tasks that finished take part in no further checkpoint, but their state
 * must not vanish from the job's snapshots: each completed snapshot carries
 * the state every finished task acknowledged last (at its final checkpoint),
 * marked `finished`, with its files hard-linked (or copied, across file
 * systems) into the new snapshot's directory, so retention may delete the
 * checkpoint they were written for. A job restored from such a snapshot
 * gives the finished subtasks their final state back.
 */
import { setLongTimeout, type LongTimeout } from '../../runtime/time/long-timeout.js';
import type { CheckpointingMode } from '../../api/checkpointing.js';
import { FlinktsError } from '../../api/errors.js';
import type { JobGraph } from '../../graph/job-graph.js';
import type { CheckpointMetadata, KeyedStateHandle, OperatorSnapshot, SnapshotFormat, SnapshotKind, StateBackendName, StateFileRef, SubtaskSnapshot } from '../../runtime/checkpoint/metadata.js';
import { copyFile, link, mkdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { commitSnapshot, savepointDir, type CheckpointStorage } from '../../runtime/checkpoint/storage.js';
import type { OperatorSubtaskState } from '../../runtime/task/chain-state.js';
import type { SubtaskCheckpointTimes } from '../../runtime/task/stream-task.js';
import type { CheckpointTrigger, SerializedError, ToWorker } from '../../runtime/worker/protocol.js';

/** The checkpoint settings of a job, configuration and code merged. */
export interface CheckpointPolicy {
  readonly intervalMs: number;
  readonly mode: CheckpointingMode;
  readonly timeoutMs: number;
  readonly minPauseMs: number;
  readonly tolerableFailures: number;
  readonly retention: 'RETAIN_ON_CANCELLATION' | 'DELETE_ON_CANCELLATION';
  readonly numRetained: number;
  readonly directory: string;
}

/** What the coordinator remembers of every checkpoint it started (for `checkpoint list` and the REST API). */
export interface CheckpointRecord {
  readonly checkpointId: number;
  readonly kind: SnapshotKind;
  readonly format: SnapshotFormat;
  status: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  readonly triggeredAt: number;
  latestAckAt: number;
  readonly numSubtasks: number;
  acknowledged: number;
  stateSize: number;
  path: string;
  endedAt?: number;
  failure?: string;
  /** The subtasks taking part ({@link taskKey}s): those not finished when it was triggered. */
  readonly participants: readonly string[];
  /** What each subtask reported with its acknowledgement, in the order they came. */
  readonly subtasks: SubtaskAck[];
}

/** One subtask's acknowledgement of a checkpoint (its statistics). */
export interface SubtaskAck {
  readonly vertexId: string;
  readonly subtaskIndex: number;
  readonly ackAt: number;
  /** Bytes of the files its operators' state handles reference. */
  readonly stateSize: number;
  readonly times: SubtaskCheckpointTimes;
}

/** A checkpoint or savepoint that completed. */
export interface CompletedSnapshot {
  readonly checkpointId: number;
  readonly kind: SnapshotKind;
  readonly path: string;
  readonly triggeredAt: number;
  readonly completedAt: number;
  readonly stateSize: number;
}

/** What the coordinator needs from its job. */
export interface CoordinatorHost {
  readonly jobId: string;
  readonly jobGraph: JobGraph;
  broadcast(message: ToWorker): void;
  /** Tasks that take part: every task of the current attempt. */
  taskKeys(): readonly string[];
  /** The tasks to trigger directly. */
  rootTasks(): readonly { vertexId: string; subtaskIndex: number }[];
  /** Too many checkpoints failed in a row. */
  failJob(error: SerializedError): void;
  /** The job's keyed state backend, recorded in the metadata (default `hashmap`). */
  readonly stateBackend?: StateBackendName;
  /** A checkpoint or savepoint completed. */
  completed?(snapshot: CompletedSnapshot): void;
}

interface Pending {
  readonly checkpointId: number;
  readonly kind: SnapshotKind;
  readonly format: SnapshotFormat;
  readonly dir: string;
  readonly triggeredAt: number;
  readonly awaiting: Set<string>;
  readonly acks: Map<string, { vertexId: string; subtaskIndex: number; operators: readonly OperatorSubtaskState[] }>;
  readonly timeout: NodeJS.Timeout;
  /** Every task acknowledged: the metadata is being written; nothing aborts it any more. */
  completing: boolean;
  trigger: CheckpointTrigger;
  readonly record: CheckpointRecord;
  readonly resolve: (snapshot: CompletedSnapshot) => void;
  readonly reject: (error: Error) => void;
}

/** The state a task acknowledged for the latest completed snapshot it took part in, and where its files are. */
interface AckedState {
  readonly subtaskIndex: number;
  readonly operators: readonly OperatorSubtaskState[];
  /** The snapshot directory its exclusive files are relative to. */
  readonly dir: string;
}

/** Checkpoint records kept for statistics. */
const MAX_RECORDS = 100;

export const taskKey = (vertexId: string, subtaskIndex: number): string => `${vertexId}#${subtaskIndex}`;

export class CheckpointCoordinator {
  private nextId: number;
  private pending: Pending | undefined;
  private timer: LongTimeout | undefined;
  private lastCompletedAt = 0;
  private consecutiveFailures = 0;
  private stopped = false;
  /**
   * A checkpoint is being started (its directory created, `pending` not yet
   * set): nothing else may start meanwhile, or two would run at once and the
   * later trigger would overwrite the earlier one's `pending`.
   */
  private starting = false;
  /** Incremented by every `stop()`: a start that awaited across a stop is abandoned. */
  private epoch = 0;
  private readonly storageWork = new Set<Promise<unknown>>();
  /** Requests waiting for the pending checkpoint to end (one at a time). */
  private readonly queue: (() => void)[] = [];
  readonly history: CompletedSnapshot[] = [];
  /** Every checkpoint started, oldest first (bounded). */
  readonly records: CheckpointRecord[] = [];
  /** By task key: the state each task acknowledged for the latest completed checkpoint it took part in. */
  private readonly lastAcked = new Map<string, AckedState>();

  constructor(
    private readonly policy: CheckpointPolicy,
    private readonly storage: CheckpointStorage,
    private readonly host: CoordinatorHost,
    /** The id of the checkpoint the job was restored from (ids continue after it). */
    restoredId = 0,
  ) {
    this.nextId = restoredId + 1;
  }

  /** Starts periodic checkpoints. */
  start(): void {
    this.stopped = false;
    this.schedule(this.policy.intervalMs);
  }

  /**
   * Stops periodic checkpoints and aborts the pending one (failover, cancel,
   * end) — unless every task acknowledged it already: then it completes
   * (`settled()` waits for it), as its state is all written.
   */
  stop(reason: string): void {
    this.stopped = true;
    this.epoch++;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.pending !== undefined && !this.pending.completing) this.abort(this.pending, reason, false);
    for (const run of this.queue.splice(0)) run();
  }

  /** Resolves when the storage work started so far (metadata, retention, discarding aborted checkpoints) is done. */
  async settled(): Promise<void> {
    while (this.storageWork.size > 0) await Promise.allSettled([...this.storageWork]);
  }

  /** Tracks storage work so that the job ends only after it (see `settled`). */
  private track<T>(work: Promise<T>): Promise<T> {
    const tracked = work.finally(() => this.storageWork.delete(tracked));
    // A failure reaches the caller through `work`; the tracking copy must not be an unhandled rejection.
    tracked.catch(() => undefined);
    this.storageWork.add(tracked);
    return work;
  }

  /** Started and not stopped. */
  get running(): boolean {
    return !this.stopped;
  }

  get inProgress(): boolean {
    return this.pending !== undefined;
  }

  /** Triggers a checkpoint or savepoint now (after the pending one, if any). */
  trigger(kind: SnapshotKind, format: SnapshotFormat, targetDirectory?: string, suspendSources = false): Promise<CompletedSnapshot> {
    if (this.stopped) return Promise.reject(new FlinktsError('CONFIG', 'the job is not running: no checkpoint can be taken'));
    if (this.host.taskKeys().length === 0) return Promise.reject(new FlinktsError('CONFIG', 'every task has finished: there is nothing left to checkpoint'));
    if (this.pending === undefined && !this.starting) return this.start1(kind, format, targetDirectory, suspendSources);
    return new Promise((resolve, reject) => {
      this.queue.push(() => {
        if (this.stopped) reject(new FlinktsError('CONFIG', 'the job stopped before the checkpoint could be taken'));
        else this.start1(kind, format, targetDirectory, suspendSources).then(resolve, reject);
      });
    });
  }

  /**
   * A task's input ended while a checkpoint is pending: its upstream tasks
   * may have finished without sending it the barrier, so it is triggered
   * directly (it ignores the trigger if it snapshotted already).
   */
  taskInputEnded(vertexId: string, subtaskIndex: number): void {
    const pending = this.pending;
    if (pending === undefined || !pending.awaiting.has(taskKey(vertexId, subtaskIndex))) return;
    this.host.broadcast({ type: 'trigger-checkpoint', trigger: { ...pending.trigger, roots: [{ vertexId, subtaskIndex }] } });
  }

  /** A task acknowledged its snapshot. */
  acknowledge(checkpointId: number, vertexId: string, subtaskIndex: number, operators: readonly OperatorSubtaskState[], times: SubtaskCheckpointTimes): void {
    const pending = this.pending;
    if (pending === undefined || pending.checkpointId !== checkpointId) return;
    const key = taskKey(vertexId, subtaskIndex);
    if (!pending.awaiting.delete(key)) return;
    pending.acks.set(key, { vertexId, subtaskIndex, operators });
    pending.record.acknowledged++;
    pending.record.latestAckAt = Date.now();
    pending.record.subtasks.push({ vertexId, subtaskIndex, ackAt: pending.record.latestAckAt, stateSize: operators.reduce((sum, op) => sum + sizeOfFiles(op), 0), times });
    if (pending.awaiting.size === 0) void this.track(this.complete(pending));
  }

  /** A task declined: the checkpoint is aborted. */
  decline(checkpointId: number, error: SerializedError): void {
    const pending = this.pending;
    if (pending === undefined || pending.checkpointId !== checkpointId) return;
    this.abort(pending, `a task declined it: ${error.message}`, true, error);
  }

  private async start1(kind: SnapshotKind, format: SnapshotFormat, targetDirectory: string | undefined, suspendSources: boolean): Promise<CompletedSnapshot> {
    if (this.host.taskKeys().length === 0) throw new FlinktsError('CONFIG', 'every task has finished: there is nothing left to checkpoint');
    const checkpointId = this.nextId++;
    const epoch = this.epoch;
    this.starting = true;
    let dir: string;
    try {
      dir = kind === 'savepoint' ? await savepointDir(targetDirectory!, this.host.jobId) : await this.storage.createCheckpointDir(this.host.jobId, checkpointId);
    } catch (error) {
      this.starting = false;
      this.next();
      throw error;
    }
    this.starting = false;
    if (epoch !== this.epoch || this.host.taskKeys().length === 0) {
      // The job stopped (failover, cancel) or every task finished while the directory was created: no task
      // would acknowledge it, and it would block the next checkpoints until it timed out.
      const discard = kind === 'checkpoint' ? this.storage.discard(this.host.jobId, checkpointId) : rm(dir, { recursive: true, force: true, maxRetries: 3 });
      this.track(discard).catch(() => undefined);
      if (!this.stopped) this.next();
      throw new FlinktsError('CONFIG', epoch !== this.epoch ? 'the job stopped before the checkpoint could be taken' : 'every task has finished: there is nothing left to checkpoint');
    }
    return new Promise<CompletedSnapshot>((resolve, reject) => {
      const triggeredAt = Date.now();
      const awaiting = new Set(this.host.taskKeys());
      const record: CheckpointRecord = {
        checkpointId,
        kind,
        format,
        status: 'IN_PROGRESS',
        triggeredAt,
        latestAckAt: triggeredAt,
        numSubtasks: awaiting.size,
        acknowledged: 0,
        stateSize: 0,
        path: dir,
        participants: [...awaiting],
        subtasks: [],
      };
      this.records.push(record);
      if (this.records.length > MAX_RECORDS) this.records.shift();
      const pending: Pending = {
        checkpointId,
        kind,
        format,
        dir,
        triggeredAt,
        awaiting,
        record,
        acks: new Map(),
        completing: false,
        timeout: setTimeout(() => this.abort(pending, `it did not complete within ${this.policy.timeoutMs} ms`, true), this.policy.timeoutMs),
        trigger: undefined as unknown as CheckpointTrigger,
        resolve,
        reject,
      };
      this.pending = pending;
      const trigger: CheckpointTrigger = {
        checkpointId,
        timestamp: triggeredAt,
        format,
        snapshotDir: dir,
        ...(kind === 'checkpoint' && { sharedDir: this.storage.sharedDir(this.host.jobId) }),
        ...(suspendSources && { suspendSources }),
        roots: this.host.rootTasks(),
      };
      pending.trigger = trigger;
      this.host.broadcast({ type: 'trigger-checkpoint', trigger });
    });
  }

  private async complete(pending: Pending): Promise<void> {
    clearTimeout(pending.timeout);
    pending.completing = true;
    try {
      const carried = await this.carryFinishedState(pending);
      const metadata = this.metadata(pending, carried);
      if (pending.kind === 'checkpoint') await this.storage.commit(pending.dir, metadata);
      else await commitSnapshot(pending.dir, metadata);
      this.pending = undefined;
      this.consecutiveFailures = 0;
      this.lastCompletedAt = Date.now();
      this.host.broadcast({ type: 'checkpoint-complete', checkpointId: pending.checkpointId });
      const completed: CompletedSnapshot = {
        checkpointId: pending.checkpointId,
        kind: pending.kind,
        path: pending.dir,
        triggeredAt: pending.triggeredAt,
        completedAt: this.lastCompletedAt,
        stateSize: stateSize(metadata),
      };
      this.history.push(completed);
      if (pending.kind === 'checkpoint') {
        for (const [key, ack] of pending.acks) if (ack.operators.length > 0) this.lastAcked.set(key, { subtaskIndex: ack.subtaskIndex, operators: ack.operators, dir: pending.dir });
        // Carried state now lives (linked) in this checkpoint too: link from here next time, as retention may delete the old one.
        for (const [key, state] of carried) this.lastAcked.set(key, state);
      }
      Object.assign(pending.record, { status: 'COMPLETED', stateSize: completed.stateSize, endedAt: this.lastCompletedAt });
      if (pending.kind === 'checkpoint') await this.track(this.storage.retain(this.host.jobId, this.policy.numRetained));
      this.host.completed?.(completed);
      pending.resolve(completed);
    } catch (error) {
      this.abort(pending, `writing its metadata failed: ${error instanceof Error ? error.message : String(error)}`, true);
      return;
    } finally {
      this.next();
    }
  }

  private abort(pending: Pending, reason: string, countsAsFailure: boolean, cause?: SerializedError): void {
    if (this.pending !== pending) return;
    clearTimeout(pending.timeout);
    this.pending = undefined;
    this.host.broadcast({ type: 'checkpoint-aborted', checkpointId: pending.checkpointId });
    const discard = pending.kind === 'checkpoint' ? this.storage.discard(this.host.jobId, pending.checkpointId) : rm(pending.dir, { recursive: true, force: true, maxRetries: 3 });
    this.track(discard).catch(() => undefined);
    Object.assign(pending.record, { status: 'FAILED', failure: reason, endedAt: Date.now() });
    pending.reject(new FlinktsError('CONFIG', `${pending.kind} ${pending.checkpointId} failed: ${reason}`));
    if (countsAsFailure && pending.kind === 'checkpoint' && ++this.consecutiveFailures > this.policy.tolerableFailures) {
      this.host.failJob(
        cause ?? { name: 'CheckpointFailure', message: `checkpoint ${pending.checkpointId} failed (${reason}); tolerable failed checkpoints: ${this.policy.tolerableFailures}` },
      );
      return;
    }
    this.next();
  }

  /** After a checkpoint ended: a queued request, else the next periodic one. */
  private next(): void {
    const run = this.queue.shift();
    if (run !== undefined) {
      run();
      return;
    }
    if (!this.stopped) this.schedule(Math.max(this.policy.minPauseMs, this.policy.intervalMs - (Date.now() - (this.lastCompletedAt || Date.now()))));
  }

  private schedule(delayMs: number): void {
    this.timer?.cancel();
    this.timer = setLongTimeout(
      () => {
        this.timer = undefined;
        if (this.stopped || this.pending !== undefined || this.starting) return;
        this.trigger('checkpoint', 'native').catch(() => undefined);
      },
      delayMs,
      { unref: true },
    );
  }

  /**
   * The state of the tasks that finished before `pending` (they acknowledged
   * nothing, or, closing as it was triggered, an empty list): their last
   * acknowledged state, with its exclusive files made part of `pending`'s
   * directory. A savepoint also gets copies of shared files, so that it
   * stays self-contained.
   */
  private async carryFinishedState(pending: Pending): Promise<Map<string, AckedState>> {
    const carried = new Map<string, AckedState>();
    for (const [key, state] of this.lastAcked) {
      if ((pending.acks.get(key)?.operators.length ?? 0) > 0) continue;
      const operators: OperatorSubtaskState[] = [];
      for (const op of state.operators) {
        const place = async <F extends StateFileRef>(file: F): Promise<F> => {
          if (file.location === 'exclusive') {
            await linkOrCopy(join(state.dir, file.path), join(pending.dir, file.path));
            return file;
          }
          if (pending.kind === 'checkpoint') return file;
          const path = `finished-${basename(file.path)}`;
          await linkOrCopy(join(this.storage.sharedDir(this.host.jobId), file.path), join(pending.dir, path));
          return { ...file, path, location: 'exclusive' };
        };
        const handle = async (h: KeyedStateHandle | undefined): Promise<KeyedStateHandle | undefined> =>
          h === undefined ? undefined : { ...h, files: await Promise.all(h.files.map(place)) };
        const keyed = await handle(op.keyed);
        const timers = await handle(op.timers);
        const operator = op.operator === undefined ? undefined : { ...op.operator, file: await place(op.operator.file) };
        operators.push({ operatorId: op.operatorId, ...(keyed && { keyed }), ...(timers && { timers }), ...(operator && { operator }) });
      }
      carried.set(key, { subtaskIndex: state.subtaskIndex, operators, dir: pending.dir });
    }
    return carried;
  }

  private metadata(pending: Pending, carried: ReadonlyMap<string, AckedState>): CheckpointMetadata {
    const byOperator = new Map<string, SubtaskSnapshot[]>();
    const add = (subtaskIndex: number, operators: readonly OperatorSubtaskState[], finished: boolean): void => {
      for (const op of operators) {
        const subtasks = byOperator.get(op.operatorId) ?? [];
        subtasks.push({
          subtaskIndex,
          ...(op.keyed !== undefined && { keyed: op.keyed }),
          ...(op.timers !== undefined && { timers: op.timers }),
          ...(op.operator !== undefined && { operator: op.operator }),
          ...(finished && { finished }),
        });
        byOperator.set(op.operatorId, subtasks);
      }
    };
    for (const ack of pending.acks.values()) add(ack.subtaskIndex, ack.operators, false);
    for (const state of carried.values()) add(state.subtaskIndex, state.operators, true);
    const operators: OperatorSnapshot[] = [];
    for (const vertex of this.host.jobGraph.vertices) {
      for (const op of vertex.operators) {
        const subtasks = (byOperator.get(op.id) ?? []).filter((s) => s.keyed !== undefined || s.timers !== undefined || s.operator !== undefined);
        if (subtasks.length === 0) continue;
        operators.push({
          operatorId: op.id,
          ...(op.uid !== undefined && { uid: op.uid }),
          name: op.name,
          parallelism: vertex.parallelism,
          maxParallelism: vertex.maxParallelism,
          subtasks: subtasks.sort((a, b) => a.subtaskIndex - b.subtaskIndex),
        });
      }
    }
    return {
      kind: pending.kind,
      format: pending.format,
      backend: this.host.stateBackend ?? 'hashmap',
      jobId: this.host.jobId,
      jobName: this.host.jobGraph.jobName,
      checkpointId: pending.checkpointId,
      timestamp: pending.triggeredAt,
      operators,
    };
  }
}

function stateSize(metadata: CheckpointMetadata): number {
  let size = 0;
  for (const op of metadata.operators) for (const s of op.subtasks) size += sizeOfFiles(s);
  return size;
}

/** Bytes of the files one subtask's state handles reference. */
function sizeOfFiles(state: Pick<SubtaskSnapshot, 'keyed' | 'timers' | 'operator'>): number {
  let size = state.operator?.file.size ?? 0;
  for (const f of state.keyed?.files ?? []) size += f.size;
  for (const f of state.timers?.files ?? []) size += f.size;
  return size;
}

/** Makes `from` also available as `to`: a hard link, or a copy where linking is impossible (another file system). */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    await copyFile(from, to);
  }
}
