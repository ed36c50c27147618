/**
 * Runs a `Sink` of `stream.sinkTo(sink)` (src/api/sink.ts): a writer per
 * subtask and, for two-phase-commit sinks, a committer.
 *
 * At a checkpoint's barrier the writer's `prepareCommit` seals what was
 * written before it; the committables it resolves to are stored in the
 * checkpoint (operator state `sink-committables`, redistributed like split
 * lists) together with older ones not committed yet. When the checkpoint
 * completes they are committed; after a restore the restored ones are
 * committed again before the first record (committers are idempotent). At
 * the end of a bounded input the task waits for the job's final checkpoint,
 * whose barrier seals the rest; without checkpointing the sink commits at
 * the end of input.
 */
import type { CheckpointListener } from '../../api/checkpointing.js';
import type { Committer, Sink, SinkWriteContext, SinkWriter, SinkWriterContext } from '../../api/sink.js';
import type { OperatorStateList } from '../state/operator-state-store.js';
import type { OperatorContext, StreamOperator } from './operator.js';

/** Operator state names of the sink operator. */
export const SINK_COMMITTABLES_STATE = 'sink-committables';
export const SINK_WRITER_STATE = 'sink-writer-state';

/** A committable with the checkpoint that sealed it. */
interface PendingCommittable {
  readonly checkpointId: number;
  readonly committable: unknown;
}

export class SinkWriterOperator implements StreamOperator, SinkWriteContext, CheckpointListener {
  private writer: SinkWriter<unknown, unknown> | undefined;
  private committer: Committer<unknown> | undefined;
  /** Sealed by a checkpoint, not committed yet (in checkpoint order). */
  private pendingCommittables: PendingCommittable[] = [];
  private currentTimestamp: number | undefined = undefined;
  /** A write in progress; records that reach the sink meanwhile wait in order. */
  private pending: Promise<void> | null = null;
  private readonly waiting: { value: unknown; timestamp: number | undefined }[] = [];

  constructor(
    private readonly sink: Sink<unknown, unknown>,
    private readonly context: OperatorContext,
  ) {}

  async open(): Promise<void> {
    const { context } = this;
    const writerContext: SinkWriterContext = {
      subtaskIndex: context.subtaskIndex,
      parallelism: context.parallelism,
      operatorName: context.operatorName,
      operatorId: context.operatorId,
      attemptNumber: context.runtimeContext.getAttemptNumber(),
      restoredCheckpointId: context.task.restoredCheckpointId,
      restoredState: context.operatorState.restoredList(SINK_WRITER_STATE),
      checkpointingEnabled: context.task.checkpointingEnabled,
      metricGroup: context.task.metricGroup,
    };
    if (this.sink.createCommitter !== undefined) this.committer = await this.sink.createCommitter(writerContext);
    // Sealed by the checkpoint the job restored from: commit them before anything new is written.
    const restored = context.operatorState.restoredList(SINK_COMMITTABLES_STATE) as PendingCommittable[];
    if (restored.length > 0 && this.committer !== undefined) await this.committer.commit(restored.map((p) => p.committable));
    this.writer = await this.sink.createWriter(writerContext);
    context.operatorState.onSnapshotAsync((checkpointId) => this.snapshot(checkpointId));
    context.operatorState.addListener(this);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    if (this.pending !== null) {
      this.waiting.push({ value, timestamp });
      return;
    }
    this.currentTimestamp = timestamp;
    const result = this.writer!.write(value, this);
    if (result !== undefined && typeof result.then === 'function') this.block(this.drain(result));
  }

  async finish(): Promise<void> {
    if (this.pending !== null) await this.pending;
    await this.writer!.endOfInput?.();
    if (this.context.task.checkpointingEnabled) return; // The final checkpoint seals and commits the rest.
    const committables = await this.writer!.prepareCommit(Number.MAX_SAFE_INTEGER);
    if (committables.length > 0 && this.committer !== undefined) await this.committer.commit(committables);
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const due = this.pendingCommittables.filter((p) => p.checkpointId <= checkpointId);
    if (due.length === 0) return;
    if (this.committer !== undefined) await this.committer.commit(due.map((p) => p.committable));
    this.pendingCommittables = this.pendingCommittables.filter((p) => p.checkpointId > checkpointId);
  }

  async close(): Promise<void> {
    try {
      await this.writer?.close?.();
    } finally {
      await this.committer?.close?.();
    }
  }

  currentWatermark(): number {
    return this.context.task.currentWatermark();
  }

  timestamp(): number | undefined {
    return this.currentTimestamp;
  }

  /**
   * The synchronous part: seal what was written before the barrier. A write
   * still in progress (with records waiting behind it) came before the
   * barrier too: then the seal happens when it settles, and the input stays
   * blocked until then so that nothing from after the barrier slips in.
   */
  private snapshot(checkpointId: number): () => Promise<OperatorStateList[]> {
    let sealed: { committables: Promise<readonly unknown[]>; writerState: unknown[] } | undefined;
    const seal = (): void => {
      const committables = this.writer!.prepareCommit(checkpointId);
      // Cloned now: the writer goes on mutating its own objects.
      sealed = { committables, writerState: structuredClone([...(this.writer!.snapshotState?.(checkpointId) ?? [])]) };
    };
    let ready: Promise<void> = Promise.resolve();
    if (this.pending === null) seal();
    else this.block((ready = this.pending.then(seal)));
    return async () => {
      await ready;
      const committables = await sealed!.committables;
      for (const committable of committables) this.pendingCommittables.push({ checkpointId, committable });
      return [
        { name: SINK_COMMITTABLES_STATE, mode: 'split', elements: this.pendingCommittables.filter((p) => p.checkpointId <= checkpointId) },
        { name: SINK_WRITER_STATE, mode: 'split', elements: sealed!.writerState },
      ];
    };
  }

  private block(promise: Promise<void>): void {
    this.pending = promise;
    void promise.finally(() => {
      if (this.pending === promise) this.pending = null;
    }).catch(() => undefined);
    this.context.task.awaitAsync(promise, this.context.operatorName);
  }

  private async drain(first: Promise<void>): Promise<void> {
    await first;
    while (this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      this.currentTimestamp = next.timestamp;
      await this.writer!.write(next.value, this);
    }
  }
}
