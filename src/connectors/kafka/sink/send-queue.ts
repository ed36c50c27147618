/**
 * The records a Kafka writer has accepted and not yet seen acknowledged,
 * sent in batches with one request in flight at a time: while a batch is
 * on its way the next one fills up, so batches grow with the load and a lone
 * record leaves at once (no linger). One request in flight also keeps the
 * order of records per partition through retries.
 *
 * `flush()` resolves once everything enqueued before it is acknowledged;
 * that is what a checkpoint waits for. A failed send fails the queue: every
 * later `enqueue` and `flush` rejects with the error.
 */
import type { Message } from 'kafkajs';
import type { KafkaProducerRecord } from './record-serialization-schema.js';

/** A record ready for kafkajs, with its size for batching. */
export interface QueuedRecord {
  readonly topic: string;
  readonly message: Message;
  readonly bytes: number;
}

/** Records of one topic, in the order they were written. */
export interface TopicBatch {
  topic: string;
  messages: Message[];
}

/** Sends one batch; resolves when the broker acknowledged all of it. */
export type BatchSender = (batch: TopicBatch[], records: number, bytes: number) => Promise<void>;

interface FlushWaiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Turns a serialized record into kafkajs' message form. */
export function toQueuedRecord(record: KafkaProducerRecord): QueuedRecord {
  const message: Message = { value: record.value };
  let bytes = record.value?.length ?? 0;
  if (record.key !== undefined) {
    message.key = record.key;
    bytes += record.key?.length ?? 0;
  }
  if (record.headers !== undefined) {
    message.headers = { ...record.headers };
    for (const [name, value] of Object.entries(record.headers)) bytes += name.length + (typeof value === 'string' ? Buffer.byteLength(value) : value.length);
  }
  if (record.partition !== undefined) message.partition = record.partition;
  if (record.timestamp !== undefined) message.timestamp = String(Math.trunc(record.timestamp));
  return { topic: record.topic, message, bytes };
}

/** A writer's accepted records on their way to Kafka (see the file header). */
export class SendQueue {
  private queue: QueuedRecord[] = [];
  private head = 0;
  private enqueued = 0;
  private acked = 0;
  private inFlight = false;
  private scheduled = false;
  private open: boolean;
  private failure: Error | undefined;
  private readonly flushWaiters: FlushWaiter[] = [];
  private room: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } | undefined;

  /**
   * @param gate sends start only when it resolves (e.g. the transaction is
   *   ready and the previous one is acknowledged); a rejection fails the queue.
   */
  constructor(
    private readonly send: BatchSender,
    private readonly limits: { readonly maxRequestBytes: number; readonly maxBatchRecords: number; readonly maxBufferedRecords: number },
    gate?: Promise<unknown>,
  ) {
    this.open = gate === undefined;
    gate?.then(
      () => {
        this.open = true;
        this.pump();
      },
      (error: unknown) => this.fail(asError(error)),
    );
  }

  /** Records enqueued so far. */
  get size(): number {
    return this.enqueued;
  }

  /** The error that failed the queue, if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  /**
   * Accepts a record. Returns a promise (back-pressure) when the records not
   * yet acknowledged reach the buffer limit; it resolves when half of them are.
   */
  enqueue(record: QueuedRecord): void | Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.queue.push(record);
    this.enqueued++;
    this.schedule();
    if (this.enqueued - this.acked < this.limits.maxBufferedRecords) return undefined;
    if (this.room === undefined) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      this.room = { promise, resolve, reject };
    }
    return this.room.promise;
  }

  /** Resolves when every record enqueued so far is acknowledged; rejects if a send failed. */
  flush(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.acked >= this.enqueued) return Promise.resolve();
    return new Promise((resolve, reject) => this.flushWaiters.push({ target: this.enqueued, resolve, reject }));
  }

  /** Fails the queue (records not acknowledged are dropped). */
  fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.queue = [];
    this.head = 0;
    for (const waiter of this.flushWaiters.splice(0)) waiter.reject(error);
    this.room?.reject(error);
    this.room = undefined;
  }

  /** Sends at the end of the current task step, so that the records written in it travel together. */
  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.inFlight || !this.open || this.failure !== undefined || this.head >= this.queue.length) return;
    const byTopic = new Map<string, TopicBatch>();
    let bytes = 0;
    let count = 0;
    while (this.head < this.queue.length) {
      const record = this.queue[this.head]!;
      if (count > 0 && (bytes + record.bytes > this.limits.maxRequestBytes || count >= this.limits.maxBatchRecords)) break;
      this.head++;
      count++;
      bytes += record.bytes;
      const batch = byTopic.get(record.topic);
      if (batch === undefined) byTopic.set(record.topic, { topic: record.topic, messages: [record.message] });
      else batch.messages.push(record.message);
    }
    // Drop the sent prefix now and then rather than shifting on every batch.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.inFlight = true;
    this.send([...byTopic.values()], count, bytes).then(
      () => {
        this.inFlight = false;
        this.acknowledged(count);
        this.pump();
      },
      (error: unknown) => {
        this.inFlight = false;
        this.fail(asError(error));
      },
    );
  }

  private acknowledged(count: number): void {
    this.acked += count;
    while (this.flushWaiters.length > 0 && this.flushWaiters[0]!.target <= this.acked) this.flushWaiters.shift()!.resolve();
    if (this.room !== undefined && this.enqueued - this.acked < this.limits.maxBufferedRecords / 2) {
      this.room.resolve();
      this.room = undefined;
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
