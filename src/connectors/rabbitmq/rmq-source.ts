/**
 * `RMQSource`: the messages of one RabbitMQ queue (Flink's `RMQSource`).
 *
 * Delivery guarantee, as in Flink, decided by checkpointing and correlation ids:
 * - **exactly-once** with checkpointing (mode EXACTLY_ONCE), `usesCorrelationId = true`
 *   and parallelism 1. Messages are acknowledged only when the checkpoint that
 *   covers them completes, inside a channel transaction (`tx.select`; ack of
 *   every delivery up to the checkpoint's last delivery tag; `tx.commit`), so a
 *   failure before that commit makes RabbitMQ redeliver them. The correlation
 *   ids emitted since the last committed ack are checkpointed state; a
 *   redelivered message whose id was already emitted is dropped (counted in
 *   `numRecordsDeduplicated`) and acknowledged with the next checkpoint. The
 *   publisher must give every message a unique correlation id.
 * - **at-least-once** with checkpointing and without correlation ids: the
 *   same acknowledgement, no deduplication; any parallelism.
 * - **no guarantee** (Flink's auto-ack mode) without checkpointing: each
 *   message is acknowledged as soon as it has been emitted; records in flight
 *   when the job fails are lost.
 * `usesCorrelationId = true` asks for exactly-once: the job then refuses to
 * build, naming each condition that fails, unless checkpointing is on in
 * EXACTLY_ONCE mode and the source runs at parallelism 1 (`validate`). The
 * `deliveryGuarantee` option asks for a guarantee explicitly; at-least-once
 * needs checkpointing, and 'NONE' acknowledges on emission even with it.
 *
 * Settings: an `RMQConnectionConfig` (host/port/virtual host/credentials or a
 * URI; `setPrefetchCount` bounds the unacknowledged messages, hence the
 * source's buffer: with acknowledgement on checkpoint, a subtask reads at most
 * prefetch-count messages per checkpoint interval); the queue, which must
 * exist unless `declareQueue` says how to declare it; a deserializer; a
 * `BadRecordPolicy` (default fail) for messages that do not deserialize or
 * lack a correlation id when one is needed (provenance: queue, delivery tag,
 * correlation id). Unbounded, unless the deserializer's `isEndOfStream` ends it.
 */
import { FlinktsError } from '../../api/errors.js';
import type { JobBuildContext } from '../../api/sink.js';
import type { Source, SourceReader, SourceReaderContext } from '../../api/source.js';
import { BadRecordPolicy } from '../bad-records.js';
import { declarationOf, type RMQQueueDeclaration } from './channels.js';
import type { RMQConnectionConfig } from './connection-config.js';
import { RMQSourceReader } from './rmq-source-reader.js';
import { toDeserializationSchema, type RMQDeserializationSchema, type RMQDeserializer } from './schemas.js';

/** A delivery guarantee, as Flink's `DeliveryGuarantee` names them. */
export type RMQDeliveryGuarantee = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE' | 'NONE';

/** Options of an {@link RMQSource}. */
export interface RMQSourceOptions {
  /** The guarantee asked for; by default the one Flink's settings imply (see the module comment). */
  readonly deliveryGuarantee?: RMQDeliveryGuarantee;
  /** What to do with a message that cannot be read (default fail). */
  readonly badRecordPolicy?: BadRecordPolicy;
  /** Declare the queue (create it if absent) with these settings; by default it must exist. */
  readonly declareQueue?: RMQQueueDeclaration | boolean;
  /**
   * How long correlation ids restored from a checkpoint are kept when their
   * message is not redelivered (its ack had been committed before the
   * failure), ms; default 10 min. Redeliveries arrive as soon as the broker
   * noticed the failed connection, well within that.
   */
  readonly restoredIdsRetentionMs?: number;
}

/** The guarantee a source gives with these settings. */
export function effectiveGuarantee(requested: RMQDeliveryGuarantee | undefined, usesCorrelationId: boolean, checkpointingEnabled: boolean): RMQDeliveryGuarantee {
  if (requested !== undefined) return requested;
  if (usesCorrelationId) return 'EXACTLY_ONCE';
  return checkpointingEnabled ? 'AT_LEAST_ONCE' : 'NONE';
}

const GUARANTEES: readonly RMQDeliveryGuarantee[] = ['EXACTLY_ONCE', 'AT_LEAST_ONCE', 'NONE'];
const DEFAULT_RESTORED_IDS_RETENTION_MS = 600_000;

/** A source reading one RabbitMQ queue. */
export class RMQSource<T> implements Source<T> {
  readonly boundedness = 'CONTINUOUS_UNBOUNDED' as const;
  readonly deserializer: RMQDeserializationSchema<T>;
  readonly badRecordPolicy: BadRecordPolicy;
  readonly restoredIdsRetentionMs: number;

  constructor(
    readonly connectionConfig: RMQConnectionConfig,
    readonly queueName: string,
    readonly usesCorrelationId: boolean,
    deserializer: RMQDeserializer<T>,
    readonly options: RMQSourceOptions = {},
  ) {
    const who = `new RMQSource(..., '${String(queueName)}', ...)`;
    if (typeof connectionConfig?.connect !== 'function') throw new FlinktsError('USAGE', `${who}: expected an RMQConnectionConfig (RMQConnectionConfig.builder()...build())`);
    if (typeof queueName !== 'string' || queueName === '') throw new FlinktsError('USAGE', `${who}: expected a queue name`);
    if (typeof usesCorrelationId !== 'boolean') throw new FlinktsError('USAGE', `${who}: usesCorrelationId must be true or false`);
    this.deserializer = toDeserializationSchema(deserializer, who);
    if (options.deliveryGuarantee !== undefined && !GUARANTEES.includes(options.deliveryGuarantee)) {
      throw new FlinktsError('USAGE', `${who}: deliveryGuarantee must be one of ${GUARANTEES.join(', ')}`);
    }
    this.badRecordPolicy = options.badRecordPolicy ?? BadRecordPolicy.fail();
    this.restoredIdsRetentionMs = options.restoredIdsRetentionMs ?? DEFAULT_RESTORED_IDS_RETENTION_MS;
    if (!Number.isInteger(this.restoredIdsRetentionMs) || this.restoredIdsRetentionMs < 0) {
      throw new FlinktsError('USAGE', `${who}: restoredIdsRetentionMs must be a non-negative integer (ms)`);
    }
  }

  /** `RMQSource 'orders'`, for messages. */
  get description(): string {
    return `RMQSource '${this.queueName}'`;
  }

  /**
   * Refuses a job whose settings cannot give the guarantee asked for: for
   * exactly-once, each of checkpointing (EXACTLY_ONCE mode), correlation ids
   * and parallelism 1 that is missing is named.
   */
  validate(job: JobBuildContext): void {
    const requested = this.options.deliveryGuarantee;
    const guarantee = effectiveGuarantee(requested, this.usesCorrelationId, job.checkpointingEnabled);
    const why = requested === undefined ? 'usesCorrelationId = true asks for exactly-once' : `deliveryGuarantee is ${requested}`;
    if (guarantee === 'EXACTLY_ONCE') {
      const failed: string[] = [];
      if (!job.checkpointingEnabled) failed.push('checkpointing is disabled');
      else if (job.checkpointingMode !== 'EXACTLY_ONCE') failed.push(`the checkpointing mode is ${job.checkpointingMode}`);
      if (!this.usesCorrelationId) failed.push('usesCorrelationId is false');
      if (job.parallelism !== 1) failed.push(`its parallelism is ${job.parallelism}`);
      if (failed.length === 0) return;
      throw new FlinktsError(
        'CONFIG',
        `${this.description} (operator '${job.operatorName}'): exactly-once needs checkpointing in EXACTLY_ONCE mode, correlation ids and parallelism 1, but ${failed.join(', ')}`,
        {
          hint: `${why}; enable checkpointing (env.enableCheckpointing(ms)), publish with unique correlation ids and set the source's parallelism to 1 (fromSource(...).setParallelism(1)), or ask for deliveryGuarantee 'AT_LEAST_ONCE'`,
        },
      );
    }
    if (guarantee === 'AT_LEAST_ONCE' && !job.checkpointingEnabled) {
      throw new FlinktsError('CONFIG', `${this.description} (operator '${job.operatorName}'): at-least-once needs checkpointing, but checkpointing is disabled`, {
        hint: "enable checkpointing (env.enableCheckpointing(ms)), or ask for deliveryGuarantee 'NONE'",
      });
    }
  }

  createReader(context: SourceReaderContext): SourceReader<T> {
    const checkpointing = context.checkpointingEnabled ?? false;
    const guarantee = effectiveGuarantee(this.options.deliveryGuarantee, this.usesCorrelationId, checkpointing);
    const ackOnCheckpoint = checkpointing && guarantee !== 'NONE';
    return new RMQSourceReader<T>({
      source: this,
      context,
      ackOnCheckpoint,
      deduplicate: ackOnCheckpoint && this.usesCorrelationId,
      declareQueue: declarationOf(this.options.declareQueue),
    });
  }
}
