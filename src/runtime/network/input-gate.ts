/**
 * The receiving side of a task: one input channel per connected producer
 * subtask, each a FIFO of received buffers. The gate hands buffers out
 * round-robin over the channels that have data, tracks per-channel
 * watermarks and end of partition.
 */

/** The receiving end of one channel. */
export class InputChannel {
  private readonly buffers: Uint8Array[] = [];
  private readonly lengths: number[] = [];
  private head = 0;
  /** Highest watermark received on this channel. */
  watermark = Number.NEGATIVE_INFINITY;
  /** Whether the producer sent end of partition. */
  ended = false;
  /** Whether the producer declared itself idle. */
  idle = false;
  /** Held back until the checkpoint whose barrier arrived here is aligned (exactly-once). */
  blocked = false;
  queued = false;

  constructor(
    readonly channelId: number,
    readonly producerWorker: number,
    /** The index of the task input (0 for one-input operators). */
    readonly inputIndex: number,
    private readonly gate: InputGate,
  ) {}

  /** A buffer arrived from the producer. */
  enqueue(buffer: Uint8Array, length: number): void {
    this.buffers.push(buffer);
    this.lengths.push(length);
    this.gate.notifyData(this);
  }

  get isEmpty(): boolean {
    return this.head === this.buffers.length;
  }

  /** Takes the oldest buffer; callers check `isEmpty` first. */
  take(): { buffer: Uint8Array; length: number } {
    const buffer = this.buffers[this.head]!;
    const length = this.lengths[this.head]!;
    this.head++;
    if (this.head === this.buffers.length) {
      this.buffers.length = 0;
      this.lengths.length = 0;
      this.head = 0;
    }
    return { buffer, length };
  }
}

export class InputGate {
  readonly channels: InputChannel[] = [];
  private readonly ready: InputChannel[] = [];
  private readyHead = 0;
  private endedChannels = 0;

  constructor(private readonly onData: () => void) {}

  addChannel(channelId: number, producerWorker: number, inputIndex: number): InputChannel {
    const channel = new InputChannel(channelId, producerWorker, inputIndex, this);
    this.channels.push(channel);
    return channel;
  }

  /** @internal called by a channel when a buffer arrives. */
  notifyData(channel: InputChannel): void {
    if (channel.queued || channel.blocked) return;
    channel.queued = true;
    this.ready.push(channel);
    this.onData();
  }

  get hasData(): boolean {
    return this.readyHead < this.ready.length;
  }

  /** The next channel to read one buffer from, round-robin over channels with data. */
  nextChannel(): InputChannel | undefined {
    for (;;) {
      if (this.readyHead === this.ready.length) return undefined;
      const channel = this.ready[this.readyHead++]!;
      if (this.readyHead === this.ready.length) {
        this.ready.length = 0;
        this.readyHead = 0;
      }
      channel.queued = false;
      // A blocked channel leaves the line; unblocking puts it back.
      if (!channel.blocked) return channel;
    }
  }

  /** Releases every blocked channel (the checkpoint is aligned); true when one has data waiting. */
  unblockAll(): boolean {
    let waiting = false;
    for (const channel of this.channels) {
      if (!channel.blocked) continue;
      channel.blocked = false;
      if (!channel.isEmpty) {
        this.requeue(channel);
        waiting = true;
      }
    }
    return waiting;
  }

  /** Puts a channel that still has buffers back in line. */
  requeue(channel: InputChannel): void {
    if (!channel.isEmpty && !channel.queued && !channel.blocked) {
      channel.queued = true;
      this.ready.push(channel);
    }
  }

  /** Marks a channel ended; true when every channel has ended. */
  markEnded(channel: InputChannel): boolean {
    if (!channel.ended) {
      channel.ended = true;
      this.endedChannels++;
    }
    return this.endedChannels === this.channels.length;
  }

  /** Whether every channel that has not ended is idle (false when none is left). */
  allActiveChannelsIdle(): boolean {
    let active = 0;
    for (const channel of this.channels) {
      if (channel.ended) continue;
      if (!channel.idle) return false;
      active++;
    }
    return active > 0;
  }

  /** The minimum watermark over channels that are neither ended nor idle (−∞ if none has one yet). */
  combinedWatermark(inputIndex: number): number {
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (const channel of this.channels) {
      if (channel.inputIndex !== inputIndex || channel.ended || channel.idle) continue;
      active++;
      if (channel.watermark < min) min = channel.watermark;
    }
    return active === 0 ? Number.NaN : min;
  }
}
