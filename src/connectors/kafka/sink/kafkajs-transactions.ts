/**
 * The one module that reaches into kafkajs internals, for what its public
 * producer API cannot do and an exactly-once sink needs (Flink's Kafka
 * connector does the same to the Java producer by reflection, in
 * `FlinkKafkaInternalProducer`):
 *
 * - read the producer id and epoch of a transaction, so that they go into
 *   the checkpoint as its committable;
 * - commit a transaction by (transactional id, producer id, epoch) from
 *   another producer, process or run than the one that wrote it: an
 *   `EndTxn` request to the transactional id's coordinator, exactly what the
 *   writing producer would have sent;
 * - initialise a transactional id without producing (`InitProducerId`),
 *   which aborts whatever transaction of that id is still open and tells,
 *   by the returned epoch (0 = first use), whether the id was ever used:
 *   the probe that finds lingering transactions;
 * - run many short-lived transactional producers over one cluster
 *   connection instead of a TCP connection each.
 *
 * It relies on kafkajs 2.2.x: `Kafka`'s private cluster factory (a symbol
 * described `private:Kafka:createCluster`), and the modules
 * `src/producer/eosManager`, `src/producer/messageProducer` and
 * `src/retry`. A kafkajs upgrade must re-check them (the sink's
 * integration tests do); `openCluster` fails with a clear error if the
 * symbol is gone.
 */
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import type { Kafka, Logger, Message, RetryOptions } from 'kafkajs';
import { FlinktsError } from '../../../api/errors.js';

const require = createRequire(import.meta.url);

/** kafkajs' per-transactional-id state machine (`src/producer/eosManager`). */
interface EosManager {
  initProducerId(): Promise<void>;
  getProducerId(): number;
  getProducerEpoch(): number;
  beginTransaction(): void;
  abort(): Promise<void>;
}

/** The subset of kafkajs' `Cluster` used here. */
export interface KafkaJsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(args: { groupId: string; coordinatorType: number }): Promise<KafkaJsBroker>;
}

interface KafkaJsBroker {
  endTxn(args: { transactionalId: string; producerId: number; producerEpoch: number; transactionResult: boolean }): Promise<unknown>;
}

interface TopicMessages {
  topic: string;
  messages: Message[];
}

type SendBatch = (batch: { acks: number; timeout?: number; compression?: number; topicMessages: TopicMessages[] }) => Promise<unknown>;

const createEosManager = require('kafkajs/src/producer/eosManager/index.js') as (options: {
  logger: Logger;
  cluster: KafkaJsCluster;
  transactionTimeout: number;
  transactional: boolean;
  transactionalId: string;
}) => EosManager;

const createMessageProducer = require('kafkajs/src/producer/messageProducer.js') as (options: {
  logger: Logger;
  cluster: KafkaJsCluster;
  partitioner: unknown;
  eosManager: EosManager;
  idempotent: boolean;
  retrier: unknown;
  getConnectionStatus: () => string;
}) => { sendBatch: SendBatch };

const createRetry = require('kafkajs/src/retry/index.js') as (options: RetryOptions) => unknown;

/** kafkajs' coordinator type of a transactional id (`src/protocol/coordinatorTypes`). */
const TRANSACTION_COORDINATOR = 1;
const CLUSTER_FACTORY = 'private:Kafka:createCluster';

/** A connection to the cluster that transactions of one writer or committer share. */
export interface SharedCluster {
  readonly cluster: KafkaJsCluster;
  readonly logger: Logger;
  readonly retry: RetryOptions;
}

/** Opens a cluster connection from the `Kafka` client's settings (brokers, client id, timeouts, logging). */
export async function openCluster(kafka: Kafka, retry: RetryOptions): Promise<SharedCluster> {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CLUSTER_FACTORY);
  if (symbol === undefined) {
    throw new FlinktsError('INTERNAL', `kafkajs changed: its Kafka client has no '${CLUSTER_FACTORY}' (the exactly-once Kafka sink needs kafkajs 2.2.x)`);
  }
  const factory = (kafka as unknown as Record<symbol, (options: object) => KafkaJsCluster>)[symbol]!;
  // Topics are never created as a side effect of sending (the sink checks and creates them itself).
  const cluster = factory.call(kafka, { allowAutoTopicCreation: false, metadataMaxAge: 300_000 });
  await cluster.connect();
  return { cluster, logger: kafka.logger(), retry };
}

/** A transaction as the committer commits it, possibly in another process. */
export interface TransactionHandle {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly epoch: number;
}

/** An open transaction of one transactional id, for sending records into it. */
export interface OpenTransaction extends TransactionHandle {
  /** Sends records in the transaction; resolves when the broker acknowledged them (acks=all). */
  sendBatch(topicMessages: TopicMessages[], compression: number): Promise<void>;
  /** Aborts the transaction if anything was sent in it. */
  abort(): Promise<void>;
}

/**
 * Initialises `transactionalId` (aborting any transaction of it still open)
 * and begins a transaction. Nothing reaches the broker's transaction state
 * until the first send, so the transaction timeout starts then.
 */
export async function beginTransaction(shared: SharedCluster, transactionalId: string, transactionTimeoutMs: number): Promise<OpenTransaction> {
  const { cluster, logger, retry } = shared;
  const eos = createEosManager({ logger, cluster, transactionTimeout: transactionTimeoutMs, transactional: true, transactionalId });
  await eos.initProducerId();
  eos.beginTransaction();
  const { sendBatch } = createMessageProducer({
    logger,
    cluster,
    partitioner: kafkajs.Partitioners.DefaultPartitioner(),
    eosManager: eos,
    idempotent: true,
    retrier: createRetry(retry),
    // Connected for as long as the writer runs (the shared cluster closes with it).
    getConnectionStatus: () => 'connected',
  });
  return {
    transactionalId,
    producerId: eos.getProducerId(),
    epoch: eos.getProducerEpoch(),
    sendBatch: async (topicMessages, compression) => {
      await sendBatch({ acks: -1, compression, topicMessages });
    },
    abort: () => eos.abort(),
  };
}

/**
 * `InitProducerId` for `transactionalId` without producing: aborts its open
 * transaction, if any, and fences its producers. Returns the new epoch: 0
 * when the broker had never seen the id.
 */
export async function initTransactionalId(shared: SharedCluster, transactionalId: string, transactionTimeoutMs: number): Promise<number> {
  const eos = createEosManager({ logger: shared.logger, cluster: shared.cluster, transactionTimeout: transactionTimeoutMs, transactional: true, transactionalId });
  await eos.initProducerId();
  return eos.getProducerEpoch();
}

/**
 * Sends `EndTxn` (commit or abort) for a transaction by its handle, to the
 * coordinator of its transactional id. Errors are kafkajs' protocol errors
 * (`type` e.g. `INVALID_PRODUCER_EPOCH`, `CONCURRENT_TRANSACTIONS`); the
 * caller decides what they mean.
 */
export async function endTransaction(shared: SharedCluster, handle: TransactionHandle, commit: boolean): Promise<void> {
  const coordinator = await shared.cluster.findGroupCoordinator({ groupId: handle.transactionalId, coordinatorType: TRANSACTION_COORDINATOR });
  await coordinator.endTxn({
    transactionalId: handle.transactionalId,
    producerId: handle.producerId,
    producerEpoch: handle.epoch,
    transactionResult: commit,
  });
}
