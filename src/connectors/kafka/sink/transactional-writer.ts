/**
 * The Kafka sink's writer for EXACTLY_ONCE: a Kafka transaction per
 * checkpoint per subtask (two-phase commit, Flink's `ExactlyOnceKafkaWriter`).
 *
 * Records between two barriers go into one transaction. `prepareCommit`
 * (synchronous, at the barrier) seals it and opens the next one; it
 * resolves, once the sealed transaction's records are acknowledged, to a
 * committable (transactional id, producer id, epoch) that the checkpoint
 * stores and the committer commits when the checkpoint completes, or after
 * a restore. Records of the next transaction are sent only after the sealed
 * one's are acknowledged, which keeps their order per partition.
 *
 * Each transaction has its own transactional id (lingering-transactions.ts
 * explains the numbering); the next one is initialised while the current
 * one is filled, so the switch at a barrier costs nothing. On start and on
 * restore the transactions earlier attempts left open are aborted first.
 */
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';
import { FlinktsError } from '../../../api/errors.js';
import type { Counter } from '../../../api/metrics.js';
import type { SinkWriteContext, SinkWriter, SinkWriterContext } from '../../../api/sink.js';
import { brokerMaxTransactionTimeoutMs, connectAdmin, connectorError, createKafkaClient, retryOptions, TopicGuard } from './kafka-client.js';
import type { KafkaSinkSettings } from './kafka-sink-config.js';
import { beginTransaction, initTransactionalId, openCluster, type OpenTransaction, type SharedCluster, type TransactionHandle } from './kafkajs-transactions.js';
import { abortLingeringTransactions, transactionalIdOf, type KafkaWriterState } from './lingering-transactions.js';
import { SendQueue, toQueuedRecord, type TopicBatch } from './send-queue.js';

/** What the checkpoint stores of a sealed transaction, for the committer. */
export type KafkaCommittable = TransactionHandle;

/** One transaction of the writer: its number, its producer (being initialised) and its records. */
interface Slot {
  readonly n: number;
  readonly transaction: Promise<OpenTransaction>;
  readonly queue: SendQueue;
}

/** The EXACTLY_ONCE writer of one subtask (see the file header). */
export class TransactionalKafkaWriter<T> implements SinkWriter<T, KafkaCommittable> {
  private current: Slot;
  /** The transaction after the current one, initialised ahead of the barrier. */
  private next: { readonly n: number; readonly transaction: Promise<OpenTransaction> };
  private readonly sent: Counter;
  private readonly sentBytes: Counter;
  private readonly compression: number;
  private closed = false;

  private constructor(
    private readonly settings: KafkaSinkSettings<T>,
    private readonly prefix: string,
    private readonly context: SinkWriterContext,
    private readonly shared: SharedCluster,
    private readonly admin: Admin,
    private readonly topics: TopicGuard,
    firstNumber: number,
  ) {
    this.sent = context.metricGroup.counter('numRecordsSend');
    this.sentBytes = context.metricGroup.counter('numBytesSend');
    this.compression = settings.properties.compression === 'gzip' ? kafkajs.CompressionTypes.GZIP : kafkajs.CompressionTypes.None;
    const transaction = this.begin(firstNumber);
    this.current = { n: firstNumber, transaction, queue: this.queueFor(transaction, transaction) };
    this.next = this.prepareNext(firstNumber + 1, transaction);
  }

  /**
   * Connects, checks the topic and the transaction timeout against the
   * broker, aborts what earlier attempts left open, and opens the first
   * transaction.
   */
  static async create<T>(settings: KafkaSinkSettings<T>, context: SinkWriterContext): Promise<TransactionalKafkaWriter<T>> {
    const { brokers, properties } = settings;
    const prefix = settings.transactionalIdPrefix!;
    const kafka = createKafkaClient(properties);
    const admin = await connectAdmin(kafka, brokers);
    let shared: SharedCluster | undefined;
    try {
      const max = await brokerMaxTransactionTimeoutMs(admin, brokers);
      if (max !== undefined && properties.transactionTimeoutMs > max) {
        throw new FlinktsError(
          'CONFIG',
          `KafkaSink '${context.operatorName}': transaction.timeout.ms (${properties.transactionTimeoutMs} ms) exceeds the broker maximum transaction.max.timeout.ms (${max} ms) of ${brokers.join(',')}`,
          { hint: `set transaction.timeout.ms to at most ${max}, or raise transaction.max.timeout.ms on the broker` },
        );
      }
      const topics = new TopicGuard(admin, settings.topicCreation, brokers);
      if (settings.serializer.fixedTopic !== undefined) await topics.ensure([settings.serializer.fixedTopic]);
      try {
        shared = await openCluster(kafka, retryOptions(properties));
      } catch (error) {
        throw connectorError('connecting the transactional producer', brokers, error);
      }
      const restored = context.restoredState as KafkaWriterState[];
      const firstNumber = (context.restoredCheckpointId ?? 0) + 1;
      const prefixes = [prefix, ...new Set(restored.map((s) => s.transactionalIdPrefix).filter((p) => p !== prefix))];
      try {
        const fenced = await abortLingeringTransactions(shared, {
          prefixes,
          subtaskIndex: context.subtaskIndex,
          parallelism: context.parallelism,
          restoredParallelism: Math.max(0, ...restored.map((s) => s.parallelism)),
          firstNumber,
          transactionTimeoutMs: properties.transactionTimeoutMs,
        });
        context.metricGroup.counter('numLingeringTransactionsAborted').inc(fenced);
      } catch (error) {
        throw connectorError(`aborting lingering transactions of '${prefix}'`, brokers, error);
      }
      return new TransactionalKafkaWriter(settings, prefix, context, shared, admin, topics, firstNumber);
    } catch (error) {
      await shared?.cluster.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  write(element: T, context: SinkWriteContext): void | Promise<void> {
    const record = this.settings.serializer.serialize(element, { timestamp: context.timestamp() });
    return this.current.queue.enqueue(toQueuedRecord(record));
  }

  prepareCommit(checkpointId: number): Promise<readonly KafkaCommittable[]> {
    const sealed = this.current;
    // The transaction after the barrier of checkpoint c is number c + 1 (see lingering-transactions.ts);
    // the end of a bounded input without checkpointing has no number of its own.
    const n = checkpointId >= Number.MAX_SAFE_INTEGER ? sealed.n + 1 : Math.max(checkpointId + 1, sealed.n + 1);
    let transaction: Promise<OpenTransaction>;
    if (this.next.n === n) {
      transaction = this.next.transaction;
    } else {
      // Barriers were skipped: initialise the numbers in between too, so that a probe after a
      // failure does not stop at a gap and miss this transaction.
      const skipped = { from: sealed.n + 1, to: n - 1 };
      transaction = this.next.transaction.then(
        () => this.fill(skipped.from, skipped.to).then(() => this.begin(n)),
        () => this.fill(skipped.from, skipped.to).then(() => this.begin(n)),
      );
    }
    // Order per partition: the new transaction sends once the sealed one is acknowledged.
    const gate = Promise.all([transaction, sealed.queue.flush()]);
    this.current = { n, transaction, queue: this.queueFor(transaction, gate) };
    this.next = this.prepareNext(n + 1, transaction);
    return this.seal(sealed);
  }

  snapshotState(): readonly KafkaWriterState[] {
    return [{ transactionalIdPrefix: this.prefix, subtaskIndex: this.context.subtaskIndex, parallelism: this.context.parallelism }];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      // The open transaction will never be committed: abort it now rather than let it hold back
      // read_committed readers until it times out. Sealed ones are left alone (a restore commits them).
      // Bounded, so that a failover is not held up by an unreachable broker. The transaction
      // initialised ahead has nothing in it: it is dropped with the connection.
      const open = await settleWithin(this.current.transaction, 3_000);
      if (open !== undefined && this.current.queue.size > 0) await withTimeout(open.abort(), 3_000).catch(() => undefined);
    } finally {
      await this.shared.cluster.disconnect().catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
    }
  }

  private async seal(slot: Slot): Promise<readonly KafkaCommittable[]> {
    await slot.queue.flush();
    // No records: the transaction never started on the broker, and there is nothing to commit.
    if (slot.queue.size === 0) return [];
    const { transactionalId, producerId, epoch } = await slot.transaction;
    return [{ transactionalId, producerId, epoch }];
  }

  private begin(n: number): Promise<OpenTransaction> {
    const id = transactionalIdOf(this.prefix, this.context.subtaskIndex, n);
    return beginTransaction(this.shared, id, this.settings.properties.transactionTimeoutMs).catch((error: unknown) => {
      throw connectorError(`initialising transactional id '${id}'`, this.settings.brokers, error);
    });
  }

  /** Initialises the transaction after `n - 1` once the one before it is ready (ids are used in order). */
  private prepareNext(n: number, after: Promise<OpenTransaction>): { n: number; transaction: Promise<OpenTransaction> } {
    const transaction = after.then(
      () => this.begin(n),
      () => this.begin(n),
    );
    // It may never be used (skipped barriers, close): its failure must not go unhandled.
    transaction.catch(() => undefined);
    return { n, transaction };
  }

  private async fill(from: number, to: number): Promise<void> {
    for (let k = from; k <= to; k++) {
      const id = transactionalIdOf(this.prefix, this.context.subtaskIndex, k);
      await initTransactionalId(this.shared, id, this.settings.properties.transactionTimeoutMs).catch((error: unknown) => {
        throw connectorError(`initialising transactional id '${id}'`, this.settings.brokers, error);
      });
    }
  }

  private queueFor(transaction: Promise<OpenTransaction>, gate: Promise<unknown>): SendQueue {
    return new SendQueue(async (batch, records, bytes) => this.send(await transaction, batch, records, bytes), this.settings.properties, gate);
  }

  private async send(transaction: OpenTransaction, batch: TopicBatch[], records: number, bytes: number): Promise<void> {
    await this.topics.ensure(batch.map((b) => b.topic));
    try {
      await transaction.sendBatch(batch, this.compression);
    } catch (error) {
      throw connectorError(
        `sending ${records} records in transaction '${transaction.transactionalId}' to ${batch.map((b) => `'${b.topic}'`).join(', ')}`,
        this.settings.brokers,
        error,
      );
    }
    this.sent.inc(records);
    this.sentBytes.inc(bytes);
  }
}

/** The promise's value if it settles within `ms`, else undefined (a rejection too). */
async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return withTimeout(promise, ms).catch(() => undefined);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
