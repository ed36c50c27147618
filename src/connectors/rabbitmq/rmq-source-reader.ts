/**
 * The reader of an {@link RMQSource} (one per subtask): consumes the queue on
 * its own connection, buffers at most prefetch-count deliveries, and
 * acknowledges them as the source's guarantee says (see rmq-source.ts).
 *
 * Acknowledging on checkpoint: `snapshotState` records the last delivery tag
 * handled before the barrier (emitted, deduplicated or a bad record) with the
 * correlation ids emitted since the previous barrier; when that checkpoint
 * completes, one `basic.ack` with `multiple` covers every delivery up to the
 * tag, committed with `tx.commit`. Only then are those ids forgotten, so a
 * failure anywhere before the commit finds them in the restored state when
 * RabbitMQ redelivers the messages.
 *
 * Test-only hook: with `FLINKTS_TEST_RMQ_PAUSE_BEFORE_ACK_COMMIT=<file>` in
 * the environment, the first acknowledgement of attempt 0 that has deliveries
 * to commit appends `paused checkpoint <id> deliveries <n> ids <k> tag <t>` to
 * `<file>` right before its `tx.commit` and waits until the connection to
 * RabbitMQ closes (the commit then fails), so a test can SIGKILL the process,
 * or close the connection from the broker, between a completed checkpoint and
 * its acknowledgement (RELIABILITY.md Q1). It has no other use.
 */
import { appendFileSync } from 'node:fs';
import type { Channel, ChannelModel, ConsumeMessage, Message } from 'amqplib';
import { FlinktsError } from '../../api/errors.js';
import type { InputStatus, ReaderOutput, SourceReader, SourceReaderContext } from '../../api/source.js';
import type { Counter } from '../../api/metrics.js';
import { BadRecords } from '../bad-records.js';
import { closeQuietly, describeError, verifyQueue, type RMQQueueDeclaration } from './channels.js';
import type { RMQSource } from './rmq-source.js';

/** The environment variable of the test-only hook (see the module comment). */
export const PAUSE_BEFORE_ACK_COMMIT_ENV = 'FLINKTS_TEST_RMQ_PAUSE_BEFORE_ACK_COMMIT';
/** Counter of redelivered messages dropped because their correlation id was already emitted. */
export const DEDUPLICATED_COUNTER = 'numRecordsDeduplicated';

/** Messages emitted per `pollNext` at most. */
const BATCH_SIZE = 1000;
/** AMQP 0-9-1 method ids of `tx.*` (class 90), which amqplib's channel API does not wrap. */
const TX_SELECT = (90 << 16) | 10;
const TX_SELECT_OK = (90 << 16) | 11;
const TX_COMMIT = (90 << 16) | 20;
const TX_COMMIT_OK = (90 << 16) | 21;

/** The checkpointed state of a deduplicating reader: ids emitted whose acknowledgement was not committed. */
export interface RMQReaderState {
  readonly queue: string;
  readonly correlationIds: readonly string[];
}

/** What the reader of a checkpoint must acknowledge when it completes. */
interface PendingAck {
  readonly checkpointId: number;
  readonly lastTag: number;
  readonly ids: readonly string[];
}

/** amqplib's channel with the RPC it uses internally (for `tx.select` / `tx.commit`). */
type RpcChannel = Channel & { rpc(method: number, fields: object, expect: number): Promise<unknown> };

/** How an {@link RMQSource} configures one reader. */
export interface RMQReaderSettings<T> {
  readonly source: RMQSource<T>;
  readonly context: SourceReaderContext;
  /** Acknowledge on checkpoint completion (in transactions) rather than on emission. */
  readonly ackOnCheckpoint: boolean;
  /** Drop redeliveries by correlation id. */
  readonly deduplicate: boolean;
  /** Declare the queue with these settings instead of requiring it. */
  readonly declareQueue: RMQQueueDeclaration | undefined;
}

/** Reads one queue for one subtask. */
export class RMQSourceReader<T> implements SourceReader<T> {
  private readonly source: RMQSource<T>;
  private readonly who: string;
  private readonly badRecords: BadRecords;
  private readonly deduplicated: Counter | undefined;
  private connection: ChannelModel | undefined;
  private channel: RpcChannel | undefined;
  private consumerTag: string | undefined;
  /** Deliveries not yet handled: `buffer[head..]`. */
  private buffer: ConsumeMessage[] = [];
  private head = 0;
  /** The delivery tag of the last message handled, and of the last one whose ack was committed. */
  private lastTag = 0;
  private ackedTag = 0;
  /** Correlation ids emitted since the last snapshot. */
  private currentIds: string[] = [];
  private readonly pending: PendingAck[] = [];
  /** Every correlation id emitted whose ack was not committed (current and pending). */
  private readonly emittedIds = new Set<string>();
  /** Ids of the restored state not redelivered yet. */
  private readonly restoredIds = new Set<string>();
  private consumingSince = 0;
  private ackChain: Promise<void> = Promise.resolve();
  private failure: FlinktsError | undefined;
  private ended = false;
  private closed = false;
  private wakeUp: (() => void) | undefined;
  private available: Promise<void> | undefined;
  private connectionClosed: Promise<void> = Promise.resolve();
  private pauseMarker: string | undefined;

  constructor(private readonly settings: RMQReaderSettings<T>) {
    this.source = settings.source;
    this.who = `${this.source.description} (subtask ${settings.context.subtaskIndex})`;
    this.badRecords = new BadRecords(this.source.badRecordPolicy, settings.context.metricGroup);
    this.deduplicated = settings.context.metricGroup?.counter(DEDUPLICATED_COUNTER);
    const marker = process.env[PAUSE_BEFORE_ACK_COMMIT_ENV];
    this.pauseMarker = marker !== undefined && marker !== '' && (settings.context.attemptNumber ?? 0) === 0 ? marker : undefined;
    for (const split of settings.context.restoredSplits ?? []) {
      for (const id of restoredIdsOf(split, this.who)) this.restoredIds.add(id);
    }
  }

  /** Connects, checks (or declares) the queue and starts consuming. */
  async start(): Promise<void> {
    const config = this.source.connectionConfig;
    const connection = await config.connect(this.who);
    this.connection = connection;
    try {
      let lastError: Error | undefined;
      connection.on('error', (error: Error) => (lastError = error));
      this.connectionClosed = new Promise((resolve) => connection.once('close', () => resolve()));
      connection.on('close', () => {
        const reason = lastError === undefined ? 'the connection closed' : lastError.message;
        this.fail(new FlinktsError('CONNECTOR', `${this.who}: lost the connection to RabbitMQ at ${config.address}: ${reason}`, { cause: lastError, retriable: true }));
      });
      await verifyQueue(connection, config, this.source.queueName, this.settings.declareQueue, this.who, 'declareQueue: { durable: true } in the RMQSource options');
      const channel = (await connection.createChannel()) as RpcChannel;
      this.channel = channel;
      let channelError: Error | undefined;
      channel.on('error', (error: Error) => (channelError = error));
      channel.on('close', () => {
        const reason = channelError === undefined ? 'the channel closed' : channelError.message;
        this.fail(new FlinktsError('CONNECTOR', `${this.who}: the broker closed the channel of queue '${this.source.queueName}': ${reason}`, { cause: channelError, retriable: true }));
      });
      await channel.prefetch(config.prefetchCount);
      // Acks in a transaction take effect at tx.commit only, so a checkpoint's acks are all or nothing.
      if (this.settings.ackOnCheckpoint) await channel.rpc(TX_SELECT, {}, TX_SELECT_OK);
      const consumer = await channel.consume(this.source.queueName, (message) => this.onDelivery(message), { noAck: false });
      this.consumerTag = consumer.consumerTag;
      this.consumingSince = Date.now();
    } catch (error) {
      await this.close();
      throw error instanceof FlinktsError ? error : new FlinktsError('CONNECTOR', `${this.who}: cannot consume queue '${this.source.queueName}' at ${config.address}: ${describeError(error)}`, { cause: error, retriable: true });
    }
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.failure !== undefined) throw this.failure;
    if (this.ended) return 'END_OF_INPUT';
    const stop = Math.min(this.buffer.length, this.head + BATCH_SIZE);
    while (this.head < stop && !this.ended) {
      const message = this.buffer[this.head++] as ConsumeMessage;
      this.lastTag = message.fields.deliveryTag;
      this.handle(message, output);
    }
    if (this.head >= this.buffer.length) {
      this.buffer = [];
      this.head = 0;
    } else if (this.head >= BATCH_SIZE) {
      // Deliveries keep arriving while a backlog is worked off: drop the handled ones so they can be collected.
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    if (!this.settings.ackOnCheckpoint && this.lastTag > this.ackedTag && this.channel !== undefined) {
      // No checkpoints: acknowledge what was emitted (Flink's auto-ack mode, but the prefetch still bounds the buffer).
      this.channel.ack(deliveryTagged(this.lastTag), true);
      this.ackedTag = this.lastTag;
    }
    if (this.ended) return 'END_OF_INPUT';
    return this.head < this.buffer.length ? 'MORE_AVAILABLE' : 'NOTHING_AVAILABLE';
  }

  snapshotState(checkpointId: number): RMQReaderState[] {
    if (!this.settings.ackOnCheckpoint) return [];
    this.pending.push({ checkpointId, lastTag: this.lastTag, ids: this.currentIds });
    this.currentIds = [];
    if (!this.settings.deduplicate) return [];
    return [{ queue: this.source.queueName, correlationIds: [...this.emittedIds, ...this.restoredIds] }];
  }

  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    // One acknowledgement at a time, in checkpoint order.
    this.ackChain = this.ackChain.then(() => this.acknowledge(checkpointId));
    return this.ackChain;
  }

  isAvailable(): Promise<void> {
    if (this.head < this.buffer.length || this.failure !== undefined || this.ended || this.closed) return Promise.resolve();
    this.available ??= new Promise<void>((resolve) => (this.wakeUp = resolve));
    return this.available;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal();
    const [connection, channel] = [this.connection, this.channel];
    this.connection = undefined;
    this.channel = undefined;
    // Closing returns every unacknowledged delivery to the queue.
    await closeQuietly(connection, channel);
  }

  /** Emits, drops or rejects one delivery. */
  private handle(message: ConsumeMessage, output: ReaderOutput<T>): void {
    const queue = this.source.queueName;
    const tag = message.fields.deliveryTag;
    const correlationId = message.properties.correlationId as string | undefined;
    const provenance: Record<string, string | number> = { queue, deliveryTag: tag, ...(correlationId !== undefined && { correlationId }) };
    const where = `queue ${queue} delivery tag ${tag}`;
    if (this.settings.deduplicate) {
      if (correlationId === undefined || correlationId === '') {
        this.badRecords.handle(output as ReaderOutput<unknown>, message.content, provenance, where, new Error('the message has no correlation id, which exactly-once (usesCorrelationId = true) needs'));
        return;
      }
      if (this.emittedIds.has(correlationId)) {
        this.deduplicated?.inc();
        return;
      }
      this.emittedIds.add(correlationId);
      this.currentIds.push(correlationId);
      // A redelivery of a message emitted before the restored checkpoint: acknowledged with the next checkpoint, not emitted.
      if (this.restoredIds.delete(correlationId)) {
        this.deduplicated?.inc();
        return;
      }
    }
    let value: T;
    try {
      value = this.source.deserializer.deserialize({
        body: message.content,
        properties: message.properties,
        queue,
        deliveryTag: tag,
        redelivered: message.fields.redelivered,
        exchange: message.fields.exchange,
        routingKey: message.fields.routingKey,
      });
    } catch (error) {
      this.badRecords.handle(output as ReaderOutput<unknown>, message.content, provenance, where, error);
      return;
    }
    if (this.source.deserializer.isEndOfStream?.(value) === true) {
      this.ended = true;
      // Nothing after the end marker is read; what was delivered after it returns to the queue at close.
      if (this.channel !== undefined && this.consumerTag !== undefined) void this.channel.cancel(this.consumerTag).catch(() => undefined);
      return;
    }
    output.collect(value);
  }

  private async acknowledge(checkpointId: number): Promise<void> {
    const covered = this.pending.filter((p) => p.checkpointId <= checkpointId);
    if (covered.length === 0) return;
    const tag = Math.max(...covered.map((p) => p.lastTag));
    if (tag > this.ackedTag) {
      const channel = this.channel;
      if (channel === undefined || this.failure !== undefined) {
        throw this.failure ?? new FlinktsError('CONNECTOR', `${this.who}: checkpoint ${checkpointId} completed after the reader closed; its messages will be redelivered`, { retriable: true });
      }
      channel.ack(deliveryTagged(tag), true);
      if (this.pauseMarker !== undefined) await this.pauseForTest(checkpointId, tag, covered);
      try {
        await channel.rpc(TX_COMMIT, {}, TX_COMMIT_OK);
      } catch (error) {
        throw new FlinktsError(
          'CONNECTOR',
          `${this.who}: cannot commit the acknowledgement of checkpoint ${checkpointId} (delivery tags up to ${tag}): ${describeError(error)}; RabbitMQ redelivers those messages`,
          { cause: error, retriable: true },
        );
      }
      this.ackedTag = tag;
    }
    for (const p of covered) for (const id of p.ids) this.emittedIds.delete(id);
    this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => p.checkpointId > checkpointId));
    // Restored ids not redelivered by now belong to messages whose ack was committed before the failure.
    if (this.restoredIds.size > 0 && Date.now() - this.consumingSince >= this.source.restoredIdsRetentionMs) this.restoredIds.clear();
  }

  private async pauseForTest(checkpointId: number, tag: number, covered: readonly PendingAck[]): Promise<void> {
    const marker = this.pauseMarker!;
    this.pauseMarker = undefined;
    const ids = covered.reduce((n, p) => n + p.ids.length, 0);
    appendFileSync(marker, `paused checkpoint ${checkpointId} deliveries ${tag - this.ackedTag} ids ${ids} tag ${tag}\n`);
    await this.connectionClosed;
  }

  private onDelivery(message: ConsumeMessage | null): void {
    if (this.closed) return;
    if (message === null) {
      this.fail(new FlinktsError('CONNECTOR', `${this.who}: the broker cancelled the consumer of queue '${this.source.queueName}' (was the queue deleted?)`, { retriable: true }));
      return;
    }
    this.buffer.push(message);
    this.signal();
  }

  private fail(error: FlinktsError): void {
    if (this.closed || this.failure !== undefined) return;
    this.failure = error;
    this.signal();
  }

  /** Wakes a task waiting in `isAvailable()`. */
  private signal(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    this.available = undefined;
    wakeUp?.();
  }
}

/** A message stand-in for `channel.ack`, which reads only the delivery tag. */
function deliveryTagged(deliveryTag: number): Message {
  return { fields: { deliveryTag } } as Message;
}

function restoredIdsOf(split: unknown, who: string): readonly string[] {
  const ids = (split as Partial<RMQReaderState> | null)?.correlationIds;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
    throw new FlinktsError('STATE_INCOMPATIBLE', `${who}: the restored source state is not an RMQSource state (expected { queue, correlationIds })`);
  }
  return ids;
}
