/**
 * The sending end of one channel (producer subtask → consumer subtask).
 * Credit-based flow control by buffer ownership: a channel owns at most
 * `buffersPerChannel` segments; a segment travels to the consumer and comes
 * back when consumed. A channel whose segments are all away has no credit,
 * and a task with such a channel is back-pressured: the scheduler stops
 * feeding it input until a segment returns.
 */
import { FlinktsError } from '../../api/errors.js';
import { BufferBuilder } from './codec.js';

/** Moves buffers between workers (or within one). */
export interface BufferTransport {
  /** Hands a filled buffer (`length` bytes used) to the consumer of `channelId`. */
  send(channelId: number, consumerWorker: number, buffer: Uint8Array, length: number): void;
  /** Gives a consumed buffer back to the producer of `channelId`. */
  recycle(channelId: number, producerWorker: number, buffer: Uint8Array): void;
}

/** The task-level budget and accounting shared by all output channels of a task. */
export interface OutputBudget {
  readonly segmentSize: number;
  readonly buffersPerChannel: number;
  readonly maxOverdraftBuffers: number;
  /** Segments borrowed beyond the channels' own. */
  overdraftInUse: number;
  /** Channels without a spare segment right now. */
  channelsWithoutCredit: number;
  bytesOut: number;
  /** The task's name and subtask, for the overdraft error. */
  readonly taskLabel: string;
  /** Called when a segment comes back to a channel that had no credit. */
  onCreditRestored(): void;
}

/** Event kinds travelling in-band with records. */
export const EVENT_WATERMARK = 1;
export const EVENT_END_OF_PARTITION = 2;
export const EVENT_WATERMARK_STATUS = 3;
/** A checkpoint barrier: `a` is the checkpoint id, `b` its trigger time. */
export const EVENT_CHECKPOINT_BARRIER = 4;

export class OutputChannel {
  private readonly builder = new BufferBuilder();
  private current: Uint8Array | null = null;
  private readonly free: Uint8Array[] = [];
  /** Segments of this channel: free, current, or at the consumer. */
  private owned = 0;
  private hasCredit = true;

  constructor(
    readonly channelId: number,
    readonly consumerWorker: number,
    private readonly budget: OutputBudget,
    private readonly transport: BufferTransport,
  ) {}

  /** Serialises a record into the current buffer, sending full buffers on. */
  write(value: unknown, timestamp: number | undefined): void {
    if (this.current !== null && this.builder.tryWriteRecord(value, timestamp)) return;
    this.writeSlow(value, timestamp);
  }

  /** Writes an event and sends it at once. */
  writeEvent(kind: number, a: number, b: number): void {
    if (this.current === null || !this.builder.tryWriteEvent(kind, a, b)) {
      this.flush();
      this.acquire();
      this.builder.tryWriteEvent(kind, a, b);
    }
    this.flush();
  }

  /** Sends the current buffer if it holds anything. */
  flush(): void {
    const buffer = this.current;
    if (buffer === null || this.builder.size === 0) return;
    const length = this.builder.size;
    this.current = null;
    this.budget.bytesOut += length;
    this.transport.send(this.channelId, this.consumerWorker, buffer, length);
  }

  /** A buffer came back from the consumer. */
  recycle(buffer: Uint8Array): void {
    if (buffer.byteLength !== this.budget.segmentSize) return; // an oversized one-off
    if (this.owned > this.budget.buffersPerChannel) {
      this.owned--;
      this.budget.overdraftInUse--;
    } else {
      this.free.push(buffer);
    }
    this.updateCredit();
  }

  private writeSlow(value: unknown, timestamp: number | undefined): void {
    this.flush();
    if (this.current === null) this.acquire();
    if (this.builder.tryWriteRecord(value, timestamp)) return;
    // Larger than a whole segment: it travels alone in a buffer of its own size.
    const oversized = BufferBuilder.encodeOversized(value, timestamp);
    this.budget.bytesOut += oversized.byteLength;
    this.transport.send(this.channelId, this.consumerWorker, oversized, oversized.byteLength);
  }

  private acquire(): void {
    let buffer = this.free.pop();
    if (buffer === undefined) {
      if (this.owned >= this.budget.buffersPerChannel) {
        if (this.budget.overdraftInUse >= this.budget.maxOverdraftBuffers) {
          throw new FlinktsError(
            'BACK_PRESSURE_IGNORED',
            `${this.budget.taskLabel} kept emitting while its output was back-pressured (${this.budget.overdraftInUse} overdraft buffers in use)`,
            { hint: 'a source must await ctx.collect(...) in its loop; a function must not emit unbounded output for one input record' },
          );
        }
        this.budget.overdraftInUse++;
      }
      this.owned++;
      buffer = new Uint8Array(this.budget.segmentSize);
    }
    this.current = buffer;
    this.builder.begin(buffer);
    this.updateCredit();
  }

  private updateCredit(): void {
    const credit = this.free.length > 0 || this.owned < this.budget.buffersPerChannel;
    if (credit === this.hasCredit) return;
    this.hasCredit = credit;
    if (credit) {
      this.budget.channelsWithoutCredit--;
      if (this.budget.channelsWithoutCredit === 0) this.budget.onCreditRestored();
    } else {
      this.budget.channelsWithoutCredit++;
    }
  }
}
