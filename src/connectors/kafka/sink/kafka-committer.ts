/**
 * The committer of the exactly-once Kafka sink: commits the transactions a
 * completed checkpoint sealed (or the restored checkpoint's, again) by
 * their (transactional id, producer id, epoch), whichever process wrote
 * them (kafkajs-transactions.ts sends the `EndTxn`).
 *
 * Idempotent, as the sink contract requires: a transaction committed
 * already is success (the coordinator answers a repeated commit with the
 * same epoch with success), and so is one the broker no longer knows (its
 * transactional id expired long after the commit). A transaction the broker
 * aborted is a hard error and counts in `numTransactionsExpired`
 * (RELIABILITY K1): its records are lost, which no restart can repair, so
 * the error is not retried and the job fails instead of looping.
 */
import { FlinktsError } from '../../../api/errors.js';
import type { Counter } from '../../../api/metrics.js';
import type { Committer, SinkWriterContext } from '../../../api/sink.js';
import { connectorError, createKafkaClient, protocolErrorType, retryOptions } from './kafka-client.js';
import type { KafkaSinkSettings } from './kafka-sink-config.js';
import { endTransaction, openCluster, type SharedCluster } from './kafkajs-transactions.js';
import type { KafkaCommittable } from './transactional-writer.js';

/** Broker answers to a commit that mean the transaction was aborted, not committed. */
const ABORTED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_TXN_STATE']);

/** Commits the sealed transactions of one sink subtask's checkpoints (see the file header). */
export class KafkaCommitter<T> implements Committer<KafkaCommittable> {
  private shared: Promise<SharedCluster> | undefined;
  private readonly committed: Counter;
  private readonly expired: Counter;
  private readonly unknown: Counter;

  constructor(
    private readonly settings: KafkaSinkSettings<T>,
    private readonly context: SinkWriterContext,
  ) {
    this.committed = context.metricGroup.counter('numTransactionsCommitted');
    this.expired = context.metricGroup.counter('numTransactionsExpired');
    this.unknown = context.metricGroup.counter('numTransactionsUnknownAtCommit');
  }

  async commit(committables: readonly KafkaCommittable[]): Promise<void> {
    // In checkpoint order: a later transaction becomes visible after an earlier one.
    for (const committable of committables) await this.commitOne(committable);
  }

  async close(): Promise<void> {
    const shared = this.shared;
    this.shared = undefined;
    if (shared !== undefined) await (await shared.catch(() => undefined))?.cluster.disconnect().catch(() => undefined);
  }

  private async commitOne(committable: KafkaCommittable): Promise<void> {
    const { brokers, properties } = this.settings;
    const shared = await this.cluster();
    for (let attempt = 0; ; attempt++) {
      try {
        await endTransaction(shared, committable, true);
        this.committed.inc();
        return;
      } catch (error) {
        const type = protocolErrorType(error);
        if (type === 'INVALID_PRODUCER_ID_MAPPING') {
          // The broker no longer knows the id (it expires transactional.id.expiration.ms after its last use).
          this.unknown.inc();
          return;
        }
        if (type !== undefined && ABORTED.has(type)) {
          this.expired.inc();
          throw this.expiredError(committable, type, error);
        }
        const retriable = (error as { retriable?: unknown }).retriable !== false;
        if (!retriable || attempt >= properties.retries) {
          throw connectorError(`committing transaction '${committable.transactionalId}'`, brokers, error);
        }
        // CONCURRENT_TRANSACTIONS (an earlier commit of it still completing), a coordinator moving or loading.
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2_000)));
      }
    }
  }

  private cluster(): Promise<SharedCluster> {
    if (this.shared === undefined) {
      const { brokers, properties } = this.settings;
      const kafka = createKafkaClient(properties);
      this.shared = openCluster(kafka, retryOptions(properties)).catch((error: unknown) => {
        this.shared = undefined;
        throw connectorError('connecting the committer', brokers, error);
      });
    }
    return this.shared;
  }

  private expiredError(committable: KafkaCommittable, type: string, cause: unknown): FlinktsError {
    const { transactionalId, producerId, epoch } = committable;
    const timeout = this.settings.properties.transactionTimeoutMs;
    // CONFIG: restarting from the same checkpoint fails the same way, so the job ends FAILED
    // instead of looping; what prevents it is a longer transaction.timeout.ms.
    return new FlinktsError(
      'CONFIG',
      `KafkaSink '${this.context.operatorName}': transaction '${transactionalId}' (producer id ${producerId}, epoch ${epoch}) was aborted by the broker before it could be committed (${type}); its records are lost. It outlived transaction.timeout.ms (${timeout} ms), e.g. during an outage or a slow restart, or another producer took over the transactional id.`,
      {
        cause,
        hint: 'raise transaction.timeout.ms (up to the broker maximum transaction.max.timeout.ms) above the longest outage to survive; to go on, start the job from a later checkpoint or without one',
      },
    );
  }
}
