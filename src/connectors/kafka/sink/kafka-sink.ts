/**
 * Kafka sink for `stream.sinkTo(sink)` (Flink's `KafkaSink`), on kafkajs.
 *
 * Delivery guarantee, by `setDeliveryGuarantee`:
 * - `NONE` (the default): at-most-once; records in flight when the job
 *   fails are lost.
 * - `AT_LEAST_ONCE`: acks=all, and a checkpoint completes only after every
 *   record written before its barrier is acknowledged; needs checkpointing
 *   (without it, this is NONE plus a flush at the end of a bounded job).
 *   A restore writes the records since that checkpoint again (duplicates).
 * - `EXACTLY_ONCE`: a Kafka transaction per checkpoint and subtask,
 *   committed when the checkpoint completes (again after a restore);
 *   consumers with `isolation.level=read_committed` see each record once.
 *   Needs checkpointing and `setTransactionalIdPrefix(prefix)`, unique per
 *   job (a second running job with the same prefix on the same cluster is
 *   refused); `transaction.timeout.ms` (default 60000) must exceed the
 *   checkpoint interval plus the time a restart takes, and must not exceed
 *   the broker's `transaction.max.timeout.ms` (checked at start). Records
 *   become visible with the checkpoint, i.e. up to one interval later.
 *
 * Settings: `setBootstrapServers` and `setRecordSerializer` (topic or topic
 * selector, value and optional key serializer, headers) are required;
 * `setProperty` takes the producer properties listed in kafka-sink-config.ts.
 * A topic that does not exist is an error naming it unless
 * `setCreateTopicIfMissing(true)`.
 *
 * @example
 * stream.sinkTo(
 *   KafkaSink.builder<string>()
 *     .setBootstrapServers('127.0.0.1:9092')
 *     .setRecordSerializer(KafkaRecordSerializationSchema.builder<string>().setTopic('out').setValueSerializationSchema(new StringSerializationSchema()).build())
 *     .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
 *     .setTransactionalIdPrefix('my-job')
 *     .build(),
 * );
 */
import { FlinktsError } from '../../../api/errors.js';
import type { Committer, JobBuildContext, Sink, SinkWriter, SinkWriterContext } from '../../../api/sink.js';
import { KafkaCommitter } from './kafka-committer.js';
import { parseBootstrapServers } from '../common/kafka-config.js';
import { checkSinkProperty, DeliveryGuarantee, resolveProperties, type KafkaSinkSettings } from './kafka-sink-config.js';
import { FlushingKafkaWriter } from './flushing-writer.js';
import type { KafkaRecordSerializationSchema } from './record-serialization-schema.js';
import { TransactionalKafkaWriter, type KafkaCommittable } from './transactional-writer.js';

/** Kafka brokers accept at most this transaction timeout unless configured otherwise (`transaction.max.timeout.ms`). */
const BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT_MS = 900_000;

/** Writes a stream to Kafka topics; see the file header for its guarantees. */
export class KafkaSink<T> implements Sink<T, KafkaCommittable> {
  /** Flink's `KafkaSink.builder()`. */
  static builder<T>(): KafkaSinkBuilder<T> {
    return new KafkaSinkBuilder<T>();
  }

  /** Use {@link KafkaSink.builder}. */
  constructor(private readonly settings: KafkaSinkSettings<T>) {}

  /** The sink's delivery guarantee. */
  get deliveryGuarantee(): DeliveryGuarantee {
    return this.settings.guarantee;
  }

  async createWriter(context: SinkWriterContext): Promise<SinkWriter<T, KafkaCommittable>> {
    if (this.settings.guarantee === 'EXACTLY_ONCE') return TransactionalKafkaWriter.create(this.settings, context);
    return FlushingKafkaWriter.create(this.settings, context);
  }

  /** Commits sealed transactions (EXACTLY_ONCE; other guarantees produce nothing to commit). */
  createCommitter(context: SinkWriterContext): Committer<KafkaCommittable> {
    return new KafkaCommitter(this.settings, context);
  }

  validate(job: JobBuildContext): void {
    const { guarantee, transactionalIdPrefix, properties } = this.settings;
    if (guarantee !== 'EXACTLY_ONCE') return;
    const name = `KafkaSink '${job.operatorName}'`;
    if (transactionalIdPrefix === undefined) {
      throw new FlinktsError('CONFIG', `${name}: delivery guarantee EXACTLY_ONCE needs a transactional id prefix`, {
        hint: 'call setTransactionalIdPrefix(prefix) with a prefix unique to this job: it names the Kafka transactions of its subtasks',
      });
    }
    if (!job.checkpointingEnabled) {
      throw new FlinktsError('CONFIG', `${name}: delivery guarantee EXACTLY_ONCE needs checkpointing (transactions are committed when a checkpoint completes)`, {
        hint: 'call env.enableCheckpointing(intervalMs), or use DeliveryGuarantee.AT_LEAST_ONCE or NONE',
      });
    }
    const timeout = properties.transactionTimeoutMs;
    const needed = (job.checkpointIntervalMs ?? 0) + (job.restartDelayMs ?? 0);
    if (timeout < needed) {
      warn(
        `${name}: transaction.timeout.ms (${timeout} ms) is below the checkpoint interval plus the restart delay (${needed} ms): ` +
          'a transaction may time out before its checkpoint commits it, and its records would be lost (the job then fails)',
      );
    }
    if (timeout > BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT_MS) {
      warn(
        `${name}: transaction.timeout.ms (${timeout} ms) is above the default broker maximum transaction.max.timeout.ms (${BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT_MS} ms); ` +
          "the sink fails at start unless the broker's maximum is raised",
      );
    }
  }

  /** EXACTLY_ONCE: the transactional id prefix on this cluster, which no two running jobs may share (RELIABILITY K2). */
  exclusiveResources(): readonly string[] {
    const { guarantee, transactionalIdPrefix, brokers } = this.settings;
    if (guarantee !== 'EXACTLY_ONCE' || transactionalIdPrefix === undefined) return [];
    return [`kafka-transactional-id:${[...brokers].sort().join(',')}/${transactionalIdPrefix}`];
  }
}

/** Builds a {@link KafkaSink}. */
export class KafkaSinkBuilder<T> {
  private brokers: string[] | undefined;
  private serializer: KafkaRecordSerializationSchema<T> | undefined;
  private guarantee: DeliveryGuarantee = DeliveryGuarantee.NONE;
  private transactionalIdPrefix: string | undefined;
  private readonly properties = new Map<string, string>();
  private topicCreation: { numPartitions: number; replicationFactor: number } | undefined;

  /** `host:port[,host:port...]` or a list of them. */
  setBootstrapServers(servers: string | readonly string[]): this {
    this.brokers = parseBootstrapServers(typeof servers === 'string' ? servers : servers.join(','), 'KafkaSink.setBootstrapServers');
    return this;
  }

  /** How elements become Kafka records (`KafkaRecordSerializationSchema.builder()`). */
  setRecordSerializer(serializer: KafkaRecordSerializationSchema<T>): this {
    if (typeof serializer?.serialize !== 'function') throw new FlinktsError('USAGE', 'KafkaSink.setRecordSerializer: expected a KafkaRecordSerializationSchema (KafkaRecordSerializationSchema.builder()...build())');
    this.serializer = serializer;
    return this;
  }

  /** NONE (default), AT_LEAST_ONCE or EXACTLY_ONCE. */
  setDeliveryGuarantee(guarantee: DeliveryGuarantee): this {
    if (!Object.values(DeliveryGuarantee).includes(guarantee)) {
      throw new FlinktsError('USAGE', `KafkaSink.setDeliveryGuarantee: ${JSON.stringify(guarantee)} is not one of ${Object.values(DeliveryGuarantee).join(', ')}`);
    }
    this.guarantee = guarantee;
    return this;
  }

  /** The prefix of the transactional ids (EXACTLY_ONCE): unique per job, stable across its restarts. */
  setTransactionalIdPrefix(prefix: string): this {
    if (typeof prefix !== 'string' || !/^[A-Za-z0-9._-]{1,200}$/.test(prefix)) {
      throw new FlinktsError('USAGE', `KafkaSink.setTransactionalIdPrefix: ${JSON.stringify(prefix)} is not a valid prefix (1-200 characters of letters, digits, '.', '_', '-')`);
    }
    this.transactionalIdPrefix = prefix;
    return this;
  }

  /** A client or producer property (Java client names; common/kafka-config.ts and kafka-sink-config.ts list them). */
  setProperty(key: string, value: string | number | boolean): this {
    const [k, v] = checkSinkProperty(key, value);
    this.properties.set(k, v);
    return this;
  }

  /**
   * Whether a topic that does not exist is created (with the broker's default
   * partitions and replication unless given) rather than failing the job.
   */
  setCreateTopicIfMissing(create: boolean, options: { numPartitions?: number; replicationFactor?: number } = {}): this {
    this.topicCreation = create ? { numPartitions: options.numPartitions ?? -1, replicationFactor: options.replicationFactor ?? -1 } : undefined;
    return this;
  }

  build(): KafkaSink<T> {
    if (this.brokers === undefined) throw new FlinktsError('USAGE', 'KafkaSink: setBootstrapServers(servers) is required');
    if (this.serializer === undefined) throw new FlinktsError('USAGE', 'KafkaSink: setRecordSerializer(serializer) is required');
    return new KafkaSink<T>({
      brokers: this.brokers,
      serializer: this.serializer,
      guarantee: this.guarantee,
      transactionalIdPrefix: this.transactionalIdPrefix,
      properties: resolveProperties(this.brokers, this.properties),
      topicCreation: this.topicCreation,
    });
  }
}

function warn(message: string): void {
  process.stderr.write(`Warning: ${message}\n`);
}
