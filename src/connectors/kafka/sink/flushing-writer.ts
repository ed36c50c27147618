/**
 * The Kafka sink's writer for NONE and AT_LEAST_ONCE: one producer per
 * subtask sending batches (send-queue.ts).
 *
 * - NONE: `prepareCommit` resolves at once; records still on their way when
 *   the job fails are lost. A failed send fails the next write.
 * - AT_LEAST_ONCE (acks=all): `prepareCommit` resolves when every record
 *   written before the barrier is acknowledged, so a completed checkpoint
 *   never covers a record Kafka does not have; after a restore the records
 *   since that checkpoint are written again (duplicates, never loss).
 */
import kafkajs from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import type { Counter } from '../../../api/metrics.js';
import type { SinkWriteContext, SinkWriter, SinkWriterContext } from '../../../api/sink.js';
import { connectAdmin, connectorError, createKafkaClient, TopicGuard } from './kafka-client.js';
import type { KafkaSinkSettings } from './kafka-sink-config.js';
import { SendQueue, toQueuedRecord, type TopicBatch } from './send-queue.js';

/** How long `close` waits for records still on their way (NONE, or a bounded job's last ones). */
const CLOSE_FLUSH_TIMEOUT_MS = 10_000;

/** The NONE / AT_LEAST_ONCE writer of one subtask (see the file header). */
export class FlushingKafkaWriter<T> implements SinkWriter<T, never> {
  private readonly queue: SendQueue;
  private readonly sent: Counter;
  private readonly sentBytes: Counter;

  private constructor(
    private readonly settings: KafkaSinkSettings<T>,
    private readonly admin: Admin,
    private readonly producer: Producer,
    private readonly topics: TopicGuard,
    context: SinkWriterContext,
  ) {
    this.sent = context.metricGroup.counter('numRecordsSend');
    this.sentBytes = context.metricGroup.counter('numBytesSend');
    const { properties } = settings;
    const compression = properties.compression === 'gzip' ? kafkajs.CompressionTypes.GZIP : kafkajs.CompressionTypes.None;
    const acks = settings.guarantee === 'AT_LEAST_ONCE' ? -1 : properties.acks;
    this.queue = new SendQueue((batch, records, bytes) => this.sendBatch(batch, records, bytes, acks, compression), properties);
  }

  /** Connects, checks the fixed topic and starts the producer. */
  static async create<T>(settings: KafkaSinkSettings<T>, context: SinkWriterContext): Promise<FlushingKafkaWriter<T>> {
    const { brokers, properties } = settings;
    const kafka = createKafkaClient(properties);
    const admin = await connectAdmin(kafka, brokers);
    try {
      const topics = new TopicGuard(admin, settings.topicCreation, brokers);
      if (settings.serializer.fixedTopic !== undefined) await topics.ensure([settings.serializer.fixedTopic]);
      const producer = kafka.producer({
        allowAutoTopicCreation: false,
        createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
        retry: { retries: properties.retries },
      });
      try {
        await producer.connect();
      } catch (error) {
        throw connectorError('connecting the producer', brokers, error);
      }
      return new FlushingKafkaWriter(settings, admin, producer, topics, context);
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      throw error;
    }
  }

  write(element: T, context: SinkWriteContext): void | Promise<void> {
    const record = this.settings.serializer.serialize(element, { timestamp: context.timestamp() });
    return this.queue.enqueue(toQueuedRecord(record));
  }

  prepareCommit(): Promise<readonly never[]> {
    if (this.settings.guarantee === 'NONE') {
      const error = this.queue.error;
      return error === undefined ? Promise.resolve([]) : Promise.reject(error);
    }
    return this.queue.flush().then(() => []);
  }

  async close(): Promise<void> {
    try {
      // A bounded job's last records, and under NONE whatever is still queued: give them a moment.
      await Promise.race([this.queue.flush().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, CLOSE_FLUSH_TIMEOUT_MS).unref())]);
    } finally {
      await this.producer.disconnect().catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
    }
  }

  private async sendBatch(batch: TopicBatch[], records: number, bytes: number, acks: number, compression: number): Promise<void> {
    await this.topics.ensure(batch.map((b) => b.topic));
    try {
      await this.producer.sendBatch({ topicMessages: batch, acks, compression });
    } catch (error) {
      throw connectorError(`sending ${records} records to ${batch.map((b) => `'${b.topic}'`).join(', ')}`, this.settings.brokers, error);
    }
    this.sent.inc(records);
    this.sentBytes.inc(bytes);
  }
}
