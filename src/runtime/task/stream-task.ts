/**
 * A task: one parallel instance of a vertex. It owns the operator chain, the
 * input gate and the output channels, and is driven by the worker's mailbox:
 * each step reads a few buffers (or polls the source a few times) as long as
 * the outputs have credit and no asynchronous call is pending.
 */
import { setLongTimeout, type LongTimeout } from '../time/long-timeout.js';
import type { WatermarkStrategy } from '../../api/watermark-strategy.js';
import type { CheckpointingMode } from '../../api/checkpointing.js';
import type { SourceContext, SourceFunction } from '../../api/functions.js';
import type { InputStatus, ReaderOutput, Source, SourceReader } from '../../api/source.js';
import { ListStateDescriptor } from '../../api/state.js';
import type { SnapshotFormat, StateFileReader, StateFileWriter } from '../checkpoint/metadata.js';
import { ENTRY_RECORD, BufferReader } from '../network/codec.js';
import type { InputChannel, InputGate } from '../network/input-gate.js';
import {
  EVENT_CHECKPOINT_BARRIER,
  EVENT_END_OF_PARTITION,
  EVENT_WATERMARK,
  EVENT_WATERMARK_STATUS,
  type OutputBudget,
  type OutputChannel,
} from '../network/output-channel.js';
import { closeFunction, openFunction } from '../operators/function-lifecycle.js';
import type { StreamOperator } from '../operators/operator.js';
import { TwoInputValve } from '../operators/two-input/two-input-valve.js';
import type { OperatorSubtaskState } from './chain-state.js';
import type { Mailbox, MailboxTask } from './mailbox.js';
import type { ChainMember, OperatorChain } from './operator-chain.js';
import { attribute } from './outputs.js';
import type { TaskMetrics } from './task-metrics.js';

export type TaskState = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELED';

/** How a task reports to its worker. */
export interface TaskListener {
  finished(task: StreamTask): void;
  failed(task: StreamTask, error: unknown): void;
  /** A consumed input buffer goes back to its producer. */
  recycle(channel: InputChannel, buffer: Uint8Array): void;
  /** A writer for the files of `operatorId` in checkpoint `checkpointId` (it may wait for the checkpoint's directory). */
  stateFileWriter(checkpointId: number, operatorId: string, subtaskIndex: number): StateFileWriter;
  /** The task's snapshot of checkpoint `checkpointId` is written. */
  checkpointAcknowledged(task: StreamTask, checkpointId: number, operators: OperatorSubtaskState[], times: SubtaskCheckpointTimes): void;
  /** The task could not snapshot checkpoint `checkpointId`. */
  checkpointDeclined(task: StreamTask, checkpointId: number, error: unknown): void;
  /** All input is processed; the task waits for the final checkpoint before it closes. */
  inputEnded(task: StreamTask): void;
}

/** How long a subtask's part of a checkpoint took (Flink's subtask checkpoint statistics), in milliseconds. */
export interface SubtaskCheckpointTimes {
  /** The synchronous part: operator state captured and the barrier sent on; the task processes nothing meanwhile. */
  readonly syncMs: number;
  /** The asynchronous part: files written, while records flow again. */
  readonly asyncMs: number;
  /** From the first barrier to the last of the inputs (exactly-once alignment; 0 for a task triggered directly). */
  readonly alignmentMs: number;
  /** From the trigger to the first barrier (or the direct trigger) reaching the task. */
  readonly startDelayMs: number;
}

/** `a` of an end of partition sent because the job stops with a savepoint (0: the input really ended). */
const END_STOPPED = 1;

/** The name of the operator list state that holds a source reader's splits. */
export const SOURCE_SPLITS_STATE = 'source-splits';

/** A barrier's `b`: the trigger time, doubled, plus 1 for a canonical (savepoint) snapshot. */
export function encodeBarrier(timestamp: number, format: SnapshotFormat): number {
  return timestamp * 2 + (format === 'canonical' ? 1 : 0);
}

function decodeBarrier(b: number): { timestamp: number; format: SnapshotFormat } {
  return { timestamp: Math.floor(b / 2), format: b % 2 === 1 ? 'canonical' : 'native' };
}

/** Buffers read per step of an input task, polls per step of a source task. */
const BUFFERS_PER_STEP = 8;
const POLLS_PER_STEP = 8;
/** A legacy source checks its time slice every this many records. */
const YIELD_CHECK_INTERVAL = 256;
const SOURCE_SLICE_MS = 5;

export class StreamTask implements MailboxTask {
  queued = false;
  state: TaskState = 'CREATED';
  private watermark = Number.NEGATIVE_INFINITY;
  private idle = false;
  private pendingAsync: Promise<unknown> | null = null;
  private writableWaiters: (() => void)[] = [];
  private backPressuredSince = -1;
  // Input side
  private readonly reader = new BufferReader();
  private readerChannel: InputChannel | null = null;
  private readerBuffer: Uint8Array | null = null;
  private inputEnded = false;
  /** Per-input watermarks and idleness of a two-input head operator. */
  private twoInputValve: TwoInputValve | undefined;
  // Source side
  private sourceReader: SourceReader<unknown> | undefined;
  private legacySource: SourceFunction<unknown> | undefined;
  private sourceEnded = false;
  private collectCount = 0;
  private sliceEnd = 0;
  private readonly timers = new Set<LongTimeout>();
  // Checkpoints
  /** The checkpoint whose barriers are arriving: since when (performance.now()), and the channels that delivered one. */
  private aligning: { id: number; b: number; since: number; seen: Set<InputChannel> } | undefined;
  private lastCheckpointId = 0;
  /** Set once all input is processed and checkpointing is on: the task closes after the next checkpoint completes. */
  private awaitingFinalCheckpoint = false;
  /** A source stopped for good by a stop-with-savepoint. */
  private suspended = false;
  /** An input channel ended because the job stops with a savepoint: operators close without finishing (no drain). */
  private stopWithoutDrain = false;
  private stoppedWithoutDrain = false;
  /** End of input was reached and the operators are finishing (or finished). */
  private ending = false;
  private inputEndedAfterCheckpoint = 0;
  /** Set once the keyed state backends are being released. */
  private stateDisposed: Promise<void> | undefined;
  /** `stop --drain` was requested: wait for its savepoint at the end of input. */
  private drainRequested = false;
  /** Set once a cancelled or failed task is being cleaned up. */
  private cleanedUp: Promise<void> | undefined;
  /** Operators are closing normally (their close is called once, also when it fails). */
  private operatorsClosing = false;
  private readonly closedMembers = new Set<ChainMember>();
  /** Asynchronous parts of snapshots still writing (they settle: failures become declines). */
  private readonly snapshotsWriting = new Set<Promise<void>>();

  constructor(
    readonly vertexId: string,
    readonly subtaskIndex: number,
    readonly label: string,
    private readonly chain: OperatorChain,
    private readonly gate: InputGate | undefined,
    readonly outputChannels: readonly OutputChannel[],
    readonly budget: OutputBudget,
    readonly metrics: TaskMetrics,
    private readonly mailbox: Mailbox,
    private readonly listener: TaskListener,
    /** Set when checkpointing is on. */
    private readonly checkpointingMode?: CheckpointingMode,
  ) {}

  /** Restores state (when starting from a snapshot), opens the operators (tail first) and creates the source reader. */
  async open(restore?: StateFileReader): Promise<void> {
    for (const member of this.chain.members) await this.guard(member, () => member.state.restoreKeyed(restore));
    for (const member of [...this.chain.members].reverse()) {
      if (member.operator?.open) await this.guard(member, () => member.operator!.open!());
    }
    const head = this.chain.head;
    if (head.twoInputOperator !== undefined) this.twoInputValve = new TwoInputValve(this.gate!, head.twoInputOperator);
    const t = head.node.transformation;
    if (t.kind === 'source') {
      if (t.source.kind === 'function') {
        this.legacySource = t.source.fn;
        await this.guard(head, () => openFunction(this.legacySource, head.context));
      } else {
        this.sourceReader = this.createReader(t.source.source, t.source.watermarkStrategy, head);
        const reader = this.sourceReader;
        if (reader.snapshotState !== undefined) {
          const splits = head.state.store.getListState(new ListStateDescriptor<unknown>(SOURCE_SPLITS_STATE));
          head.state.onSnapshot((checkpointId) => splits.update(reader.snapshotState!(checkpointId)));
          if (reader.notifyCheckpointComplete !== undefined) head.state.addListener({ notifyCheckpointComplete: (id) => reader.notifyCheckpointComplete!(id) });
        }
        await this.guard(head, () => this.sourceReader!.start?.());
      }
    }
  }

  /** Starts the task: sources begin emitting; input tasks wait for buffers. */
  start(): void {
    if (this.state !== 'CREATED') return;
    this.state = 'RUNNING';
    if (this.legacySource !== undefined) this.runLegacySource(this.legacySource);
    else this.mailbox.schedule(this);
  }

  /** Cancels the task: stops its source; the worker tears down the rest. */
  /**
   * Cancels the task (or cleans up after it failed): timers stop, the
   * source is cancelled, operators close (connectors release connections and
   * abort what is open; errors are ignored) and the state backends go.
   * Resolves when all of that is done, so that the worker can end with no
   * write in progress.
   */
  cancel(): Promise<void> {
    if (this.state === 'FINISHED') return this.disposeState();
    if (this.state !== 'FAILED') {
      this.state = 'CANCELED';
      this.clearTimers();
      this.cancelSources();
    }
    this.cleanedUp ??= (async () => {
      await Promise.allSettled([...this.snapshotsWriting]);
      // What a normal close got to (it may have failed half-way) is not closed again.
      if (!this.operatorsClosing) {
        await Promise.resolve(this.sourceReader?.close?.()).catch(() => undefined);
        if (this.legacySource !== undefined) await closeFunction(this.legacySource).catch(() => undefined);
      }
      for (const member of this.chain.members) {
        if (!this.closedMembers.has(member)) await Promise.resolve(member.operator?.close?.()).catch(() => undefined);
      }
      await this.disposeState();
    })();
    return this.cleanedUp;
  }

  /** @internal the gate has data. */
  onInputAvailable(): void {
    if (this.state === 'RUNNING') this.mailbox.schedule(this);
  }

  /** @internal an output channel got a segment back and every channel has credit again. */
  onCreditRestored(): void {
    if (this.backPressuredSince >= 0) {
      this.metrics.backPressuredTimeMs += performance.now() - this.backPressuredSince;
      this.backPressuredSince = -1;
    }
    this.wakeWriters();
    if (this.state === 'RUNNING') this.mailbox.schedule(this);
  }

  addBusyTime(ms: number): void {
    this.metrics.busyTimeMs += ms;
  }

  awaitAsync(promise: Promise<unknown>, operatorName: string): void {
    this.pendingAsync = promise;
    promise.then(
      () => {
        if (this.pendingAsync === promise) this.pendingAsync = null;
        this.wakeWriters();
        if (this.state === 'RUNNING') this.mailbox.schedule(this);
      },
      (error: unknown) => this.fail(attribute(error, operatorName, this.subtaskIndex)),
    );
  }

  currentWatermark(): number {
    return this.watermark;
  }

  /**
   * Runs `callback` at processing time `time` on this task (between mailbox
   * steps, never inside one); an error in it fails the task. Returns a cancel function.
   */
  scheduleTimer(time: number, callback: () => void, operatorName: string): () => void {
    // A timer at the end of time (e.g. registered for MAX_WATERMARK) never fires in processing time.
    if (time === Number.POSITIVE_INFINITY) return () => undefined;
    const timer = setLongTimeout(() => {
      this.timers.delete(timer);
      if (this.state !== 'RUNNING' && this.state !== 'CREATED') return;
      try {
        callback();
      } catch (error) {
        this.fail(attribute(error, operatorName, this.subtaskIndex));
      }
    }, time - Date.now());
    this.timers.add(timer);
    return () => {
      timer.cancel();
      this.timers.delete(timer);
    };
  }

  /** One bounded unit of work (called by the mailbox). */
  step(): boolean {
    // A legacy source drives itself from run(); it resumes through writableWaiters.
    if (this.state !== 'RUNNING' || this.legacySource !== undefined || !this.canProceed()) return false;
    // A source that ended polls no more; an input task that ended still reads the barriers that follow its end of partition.
    if ((this.ending || this.suspended) && this.sourceReader !== undefined) return false;
    try {
      return this.sourceReader !== undefined ? this.stepSource(this.sourceReader) : this.stepInput();
    } catch (error) {
      this.fail(attribute(error, this.chain.head.name, this.subtaskIndex));
      return false;
    }
  }

  /** The role of the chain's head operator. */
  get headRole(): 'source' | 'operator' | 'sink' {
    return this.chain.head.node.role;
  }

  /** Sends partly filled output buffers (idle worker or buffer timeout). */
  flushOutputs(): void {
    if (this.state !== 'RUNNING') return;
    for (const channel of this.outputChannels) channel.flush();
  }

  private canProceed(): boolean {
    if (this.pendingAsync !== null) return false;
    if (this.budget.channelsWithoutCredit > 0) {
      if (this.backPressuredSince < 0) this.backPressuredSince = performance.now();
      return false;
    }
    return true;
  }

  private stepSource(reader: SourceReader<unknown>): boolean {
    for (let i = 0; i < POLLS_PER_STEP; i++) {
      let status: InputStatus;
      try {
        status = reader.pollNext(this.readerOutput);
      } catch (error) {
        throw attribute(error, this.chain.head.name, this.subtaskIndex);
      }
      if (status === 'END_OF_INPUT') {
        this.sourceEnded = true;
        this.ending = true;
        void this.endOfInput();
        return false;
      }
      if (status === 'NOTHING_AVAILABLE') {
        const available = reader.isAvailable?.() ?? new Promise<void>((resolve) => setTimeout(resolve, 1));
        available.then(
          () => this.onInputAvailable(),
          (error: unknown) => this.fail(attribute(error, this.chain.head.name, this.subtaskIndex)),
        );
        return false;
      }
      if (!this.canProceed()) return false;
    }
    return true;
  }

  private readonly readerOutput: ReaderOutput<unknown> = {
    collect: (record: unknown, timestamp?: number) => {
      this.metrics.recordsIn++;
      this.chain.head.output.collect(record, timestamp);
    },
    collectSide: (tag, record, timestamp) => this.chain.head.output.collectSide(tag.id, record, timestamp),
    emitWatermark: (watermark: number) => {
      if (watermark <= this.watermark) return;
      if (this.idle) this.readerOutput.markIdle(false);
      this.watermark = watermark;
      this.chain.head.output.emitWatermark(watermark);
    },
    markIdle: (idle: boolean) => {
      if (idle === this.idle) return;
      this.idle = idle;
      this.chain.head.output.emitWatermarkStatus(idle);
    },
  };

  private stepInput(): boolean {
    const gate = this.gate!;
    for (let i = 0; i < BUFFERS_PER_STEP; i++) {
      if (this.readerBuffer === null) {
        const channel = gate.nextChannel();
        if (channel === undefined) return false;
        const { buffer, length } = channel.take();
        gate.requeue(channel);
        this.metrics.bytesIn += length;
        this.readerChannel = channel;
        this.readerBuffer = buffer;
        this.reader.begin(length === buffer.byteLength ? buffer : buffer.subarray(0, length));
      }
      if (!this.drainBuffer()) return false;
      if (this.inputEnded && !this.ending) {
        this.ending = true;
        void (this.stopWithoutDrain ? this.endWithoutDrain() : this.endOfInput());
        return false;
      }
    }
    return gate.hasData;
  }

  /** Processes the current buffer; false when it had to stop early (back-pressure, async call). */
  private drainBuffer(): boolean {
    const reader = this.reader;
    const head = this.chain.head;
    const operator = head.operator!;
    const metrics = this.metrics;
    // A two-input head gets each record through the input its channel belongs to.
    const twoInput = head.twoInputOperator;
    const secondInput = twoInput !== undefined && this.readerChannel!.inputIndex === 1;
    while (reader.hasNext()) {
      if (reader.next() === ENTRY_RECORD) {
        metrics.recordsIn++;
        try {
          if (twoInput === undefined) operator.processElement(reader.value, reader.timestamp);
          else if (secondInput) twoInput.processElement2(reader.value, reader.timestamp);
          else twoInput.processElement1(reader.value, reader.timestamp);
        } catch (error) {
          throw attribute(error, head.name, this.subtaskIndex);
        }
        if ((this.pendingAsync !== null || this.budget.channelsWithoutCredit > 0) && reader.hasNext()) return false;
      } else {
        this.handleEvent(this.readerChannel!, reader.eventKind, reader.eventA, reader.eventB);
      }
    }
    const buffer = this.readerBuffer!;
    const channel = this.readerChannel!;
    this.readerBuffer = null;
    this.readerChannel = null;
    this.listener.recycle(channel, buffer);
    return this.pendingAsync === null && this.budget.channelsWithoutCredit === 0;
  }

  private handleEvent(channel: InputChannel, kind: number, a: number, b: number): void {
    switch (kind) {
      case EVENT_WATERMARK:
        if (a > channel.watermark) channel.watermark = a;
        this.advanceWatermark(channel.inputIndex);
        break;
      case EVENT_WATERMARK_STATUS:
        channel.idle = a === 1;
        this.advanceWatermark(channel.inputIndex);
        this.updateIdleness();
        break;
      case EVENT_END_OF_PARTITION:
        if (a === END_STOPPED) this.stopWithoutDrain = true;
        if (this.gate!.markEnded(channel)) {
          this.inputEnded = true;
          this.twoInputValve?.update(channel.inputIndex);
        } else this.advanceWatermark(channel.inputIndex);
        // A channel that ended no longer owes the checkpoint being aligned its barrier.
        this.checkAlignment();
        break;
      case EVENT_CHECKPOINT_BARRIER:
        this.onBarrier(channel, a, b);
        break;
      default:
        throw new Error(`unknown event kind ${kind} on channel ${channel.channelId}`);
    }
  }

  /** The task is idle when every input channel still running is idle; downstream learns of changes. */
  private updateIdleness(): void {
    const idle = this.gate!.allActiveChannelsIdle();
    if (idle === this.idle) return;
    this.idle = idle;
    this.chain.head.output.emitWatermarkStatus(idle);
  }

  private advanceWatermark(inputIndex: number): void {
    if (this.twoInputValve !== undefined) {
      // The operator combines both inputs itself; the task only tracks the result.
      this.twoInputValve.update(inputIndex);
      const both = this.twoInputValve.combinedWatermark();
      if (both > this.watermark) this.watermark = both;
      return;
    }
    const combined = this.gate!.combinedWatermark(inputIndex);
    if (Number.isNaN(combined) || combined <= this.watermark) return;
    this.watermark = combined;
    emitWatermarkTo(this.chain.head, combined);
  }

  private runLegacySource(fn: SourceFunction<unknown>): void {
    const head = this.chain.head;
    const output = head.output;
    const metrics = this.metrics;
    // An idle source is active again as soon as it emits (as Flink's source contexts).
    const markActive = (): void => {
      if (!this.idle) return;
      this.idle = false;
      output.emitWatermarkStatus(false);
    };
    const context: SourceContext<unknown> = {
      collect: (element) => {
        // After a stop-with-savepoint barrier nothing is emitted: the savepoint holds the source's position before it.
        if (this.suspended) return this.sourceYield();
        metrics.recordsIn++;
        markActive();
        output.collect(element, undefined);
        return this.sourceYield();
      },
      collectWithTimestamp: (element, timestamp) => {
        if (this.suspended) return this.sourceYield();
        metrics.recordsIn++;
        markActive();
        output.collect(element, timestamp);
        return this.sourceYield();
      },
      getCheckpointLock: () => this,
      emitWatermark: (watermark) => {
        if (watermark.timestamp > this.watermark) {
          markActive();
          this.watermark = watermark.timestamp;
          output.emitWatermark(watermark.timestamp);
        }
      },
      markAsTemporarilyIdle: () => {
        if (this.idle) return;
        this.idle = true;
        output.emitWatermarkStatus(true);
      },
    };
    this.sliceEnd = performance.now() + SOURCE_SLICE_MS;
    Promise.resolve()
      .then(() => fn.run(context))
      .then(
        () => {
          if (this.state !== 'RUNNING') return;
          this.sourceEnded = true;
          return this.endOfInput();
        },
        (error: unknown) => this.fail(attribute(error, head.name, this.subtaskIndex)),
      );
  }

  /** What `ctx.collect` returns: a promise when the source should pause. */
  private sourceYield(): Promise<void> | undefined {
    if (this.state !== 'RUNNING') return undefined;
    // A suspended legacy source waits until the job is cancelled.
    if (this.suspended) return new Promise<void>(() => undefined);
    if (this.pendingAsync !== null || this.budget.channelsWithoutCredit > 0) {
      if (this.backPressuredSince < 0 && this.budget.channelsWithoutCredit > 0) this.backPressuredSince = performance.now();
      return new Promise<void>((resolve) => this.writableWaiters.push(resolve)).then(() => this.resumeSlice());
    }
    if (++this.collectCount % YIELD_CHECK_INTERVAL === 0 && performance.now() > this.sliceEnd) {
      // Let the other tasks of this worker and incoming messages have a turn.
      return new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.resumeSlice());
    }
    return undefined;
  }

  private resumeSlice(): void {
    this.sliceEnd = performance.now() + SOURCE_SLICE_MS;
  }

  private wakeWriters(): void {
    if (this.writableWaiters.length === 0 || this.pendingAsync !== null || this.budget.channelsWithoutCredit > 0) return;
    const waiters = this.writableWaiters;
    this.writableWaiters = [];
    // Resolve from a macrotask so the mailbox's own work runs first.
    setImmediate(() => {
      for (const resolve of waiters) resolve();
    });
  }

  /**
   * The coordinator triggers a checkpoint here directly: a source (between
   * two polls, or while its legacy `run()` waits), or a task whose input ended.
   */
  triggerCheckpoint(checkpointId: number, timestamp: number, format: SnapshotFormat, suspendSource = false): void {
    if (this.state === 'FINISHED' && checkpointId > this.lastCheckpointId) {
      // Closed before the JobMaster learned it finished (a close can outlast the checkpoint interval): the
      // checkpoint would wait for this task forever. It is left out, as from any checkpoint after it finished.
      this.lastCheckpointId = checkpointId;
      // It snapshots nothing: no time spent.
      this.listener.checkpointAcknowledged(this, checkpointId, [], { syncMs: 0, asyncMs: 0, alignmentMs: 0, startDelayMs: 0 });
      return;
    }
    if (this.state !== 'RUNNING' || checkpointId <= this.lastCheckpointId) return;
    this.performCheckpoint(checkpointId, encodeBarrier(timestamp, format), performance.now());
    // Stop with savepoint: nothing after the savepoint's barrier, so a job resumed from it neither loses nor repeats a record.
    if (suspendSource) {
      this.suspended = true;
      void this.endWithoutDrain();
    }
  }

  /**
   * `stop --drain`, first step (every task of the job, before any source
   * ends): at the end of its input the task waits for the savepoint that
   * follows before it closes, also when the job does not checkpoint.
   */
  prepareDrain(): void {
    this.drainRequested = true;
  }

  /**
   * `stop --drain`, second step: a source ends now as if it were bounded —
   * MAX_WATERMARK fires every event-time timer and window, operators
   * finish, downstream tasks follow through the end of partition.
   */
  drainSource(): void {
    if (this.state !== 'RUNNING' || this.ending || this.suspended) return;
    if (this.legacySource !== undefined) {
      // Its run() returns once cancelled, and the end of input follows from there.
      this.cancelSources();
      return;
    }
    if (this.sourceReader === undefined) return;
    this.sourceEnded = true;
    this.ending = true;
    void this.endOfInput();
  }

  /** Checkpoint `checkpointId` completed: operators hear of it; a task waiting for its final checkpoint closes. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    if (this.state !== 'RUNNING') return;
    try {
      for (const member of this.chain.members) await this.guard(member, () => member.state.notifyCheckpointComplete(checkpointId));
      if (this.awaitingFinalCheckpoint && checkpointId > this.inputEndedAfterCheckpoint && this.state === 'RUNNING') await this.close();
    } catch (error) {
      this.fail(error);
    }
  }

  notifyCheckpointAborted(checkpointId: number): void {
    if (this.aligning !== undefined && this.aligning.id <= checkpointId) {
      this.aligning = undefined;
      this.releaseChannels();
    }
    for (const member of this.chain.members) member.state.notifyCheckpointAborted(checkpointId);
  }

  private onBarrier(channel: InputChannel, checkpointId: number, b: number): void {
    if (checkpointId <= this.lastCheckpointId) return;
    if (this.aligning !== undefined && this.aligning.id < checkpointId) {
      // A newer checkpoint overtook one that never aligned (it was aborted upstream).
      this.aligning = undefined;
      this.releaseChannels();
    }
    this.aligning ??= { id: checkpointId, b, since: performance.now(), seen: new Set() };
    this.aligning.seen.add(channel);
    if (this.checkpointingMode === 'EXACTLY_ONCE') channel.blocked = true;
    this.checkAlignment();
  }

  /** Snapshots once every channel that has not ended delivered the barrier. */
  private checkAlignment(): void {
    const aligning = this.aligning;
    if (aligning === undefined) return;
    for (const channel of this.gate!.channels) if (!channel.ended && !aligning.seen.has(channel)) return;
    this.aligning = undefined;
    this.performCheckpoint(aligning.id, aligning.b, aligning.since);
  }

  /**
   * The synchronous part of a checkpoint (every operator's state captured,
   * the barrier sent on), then the asynchronous part: files written, the
   * coordinator acknowledged, while records flow again.
   */
  private performCheckpoint(checkpointId: number, b: number, firstBarrierAt: number): void {
    const started = performance.now();
    this.lastCheckpointId = checkpointId;
    const { timestamp, format } = decodeBarrier(b);
    // The trigger time is wall-clock time of the same machine.
    const startDelayMs = Math.max(0, Date.now() - (started - firstBarrierAt) - timestamp);
    const writes: (() => Promise<OperatorSubtaskState>)[] = [];
    try {
      for (const member of this.chain.members) {
        writes.push(
          member.state.snapshot({
            checkpointId,
            timestamp,
            format,
            writer: (operatorId) => this.listener.stateFileWriter(checkpointId, operatorId, this.subtaskIndex),
          }),
        );
      }
    } catch (error) {
      this.releaseChannels();
      this.listener.checkpointDeclined(this, checkpointId, attribute(error, this.chain.head.name, this.subtaskIndex));
      return;
    }
    for (const channel of this.outputChannels) channel.writeEvent(EVENT_CHECKPOINT_BARRIER, checkpointId, b);
    this.releaseChannels();
    const synced = performance.now();
    const written = Promise.all(writes.map((write) => write())).then(
      (operators) =>
        this.listener.checkpointAcknowledged(this, checkpointId, operators, {
          syncMs: synced - started,
          asyncMs: performance.now() - synced,
          alignmentMs: started - firstBarrierAt,
          startDelayMs,
        }),
      (error: unknown) => this.listener.checkpointDeclined(this, checkpointId, attribute(error, this.chain.head.name, this.subtaskIndex)),
    );
    // A task that closes normally lets these finish before its backends go (stop with savepoint closes right after the barrier).
    this.snapshotsWriting.add(written);
    void written.finally(() => this.snapshotsWriting.delete(written));
  }

  private releaseChannels(): void {
    if (this.gate?.unblockAll() === true && this.state === 'RUNNING') this.mailbox.schedule(this);
  }

  /** End of input: finish operators head first, signal end of partition, close. */
  private async endOfInput(): Promise<void> {
    try {
      if (this.sourceEnded) {
        // A bounded source ends with the maximum watermark, so every event-time timer fires.
        if (this.idle) {
          // Downstream leaves idle inputs out of the minimum: become active for the final watermark.
          this.idle = false;
          this.chain.head.output.emitWatermarkStatus(false);
        }
        this.watermark = Number.POSITIVE_INFINITY;
        this.chain.head.output.emitWatermark(Number.POSITIVE_INFINITY);
      }
      for (const member of this.chain.members) {
        if (member.operator?.finish) await this.guard(member, () => member.operator!.finish!());
        if (this.pendingAsync !== null) await this.pendingAsync;
      }
      if (this.state !== 'RUNNING') return;
      for (const channel of this.outputChannels) channel.writeEvent(EVENT_END_OF_PARTITION, 0, 0);
      if (this.checkpointingMode !== undefined || this.drainRequested) {
        // Two-phase-commit sinks commit at the final checkpoint (or the savepoint of stop --drain): stay open until it completes.
        this.awaitingFinalCheckpoint = true;
        this.inputEndedAfterCheckpoint = this.lastCheckpointId;
        this.listener.inputEnded(this);
        return;
      }
      await this.close();
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * The job stops with a savepoint (no drain): no end-of-input processing —
   * no final watermark, operators do not `finish()` (windows stay open, as
   * the savepoint holds them) — the end of partition tells downstream tasks
   * to do the same; operators close.
   */
  private async endWithoutDrain(): Promise<void> {
    if (this.state !== 'RUNNING' || this.stoppedWithoutDrain) return;
    this.stoppedWithoutDrain = true;
    this.ending = true;
    try {
      if (!this.awaitingFinalCheckpoint) for (const channel of this.outputChannels) channel.writeEvent(EVENT_END_OF_PARTITION, END_STOPPED, 0);
      await this.close();
    } catch (error) {
      this.fail(error);
    }
  }

  private async close(): Promise<void> {
    await this.closeOperators();
    this.clearTimers();
    this.state = 'FINISHED';
    // Before reporting: the job may end, and its workers be terminated, as soon as the last task reports.
    await Promise.all([...this.snapshotsWriting]);
    await this.disposeState();
    this.listener.finished(this);
  }

  /**
   * Releases the keyed state backends once, however the task ends (an
   * embedded backend deletes its directory; it does so before its first
   * `await`, so even a worker terminated right after a cancel leaves none).
   */
  private disposeState(): Promise<void> {
    this.stateDisposed ??= Promise.allSettled(this.chain.members.map((member) => member.state.keyedBackend?.dispose())).then(() => undefined);
    return this.stateDisposed;
  }

  private async closeOperators(): Promise<void> {
    this.operatorsClosing = true;
    await Promise.resolve(this.sourceReader?.close?.());
    if (this.legacySource !== undefined) await this.guard(this.chain.head, () => closeFunction(this.legacySource));
    for (const member of this.chain.members) {
      this.closedMembers.add(member);
      if (member.operator?.close) await this.guard(member, () => member.operator!.close!());
    }
  }

  private clearTimers(): void {
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  private fail(error: unknown): void {
    if (this.state === 'FAILED' || this.state === 'CANCELED' || this.state === 'FINISHED') return;
    this.state = 'FAILED';
    this.clearTimers();
    this.cancelSources();
    void this.disposeState();
    this.listener.failed(this, error);
  }

  private cancelSources(): void {
    try {
      this.legacySource?.cancel();
    } catch {
      // Already failing.
    }
  }

  private createReader(source: Source<unknown>, watermarkStrategy: WatermarkStrategy<unknown> | undefined, head: ChainMember): SourceReader<unknown> {
    const restored = head.state.restored?.operator.find((list) => list.name === SOURCE_SPLITS_STATE);
    return source.createReader({
      subtaskIndex: this.subtaskIndex,
      parallelism: head.context.parallelism,
      operatorName: head.name,
      attemptNumber: head.context.runtimeContext.getAttemptNumber(),
      checkpointingEnabled: this.checkpointingMode !== undefined,
      metricGroup: { counter: (name) => this.metrics.counter(name) },
      ...(head.state.isRestored && { restoredSplits: restored?.elements ?? [] }),
      ...(watermarkStrategy !== undefined && { watermarkStrategy, autoWatermarkIntervalMs: head.context.task.autoWatermarkIntervalMs }),
    });
  }

  /** Runs a life-cycle call of `member`, naming it in any error. */
  private async guard(member: ChainMember, call: () => unknown): Promise<void> {
    try {
      await call();
    } catch (error) {
      throw attribute(error, member.name, this.subtaskIndex);
    }
  }
}

/** Hands a watermark to an operator, or past it when it does not handle watermarks. */
function emitWatermarkTo(member: ChainMember, watermark: number): void {
  const operator: StreamOperator | undefined = member.operator;
  if (operator?.processWatermark !== undefined) operator.processWatermark(watermark);
  else member.output.emitWatermark(watermark);
}
