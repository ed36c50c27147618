/**
 * Correct read_committed filtering of aborted-transaction records for the
 * Kafka source's kafkajs consumer.
 *
 * kafkajs 2.2.4 (`consumer/filterAbortedMessages.js`) walks the broker's
 * aborted-transaction list assuming it is sorted by first offset and takes at
 * most one entry per record ("if" where Kafka's Java consumer has "while").
 * The broker sorts that list by abort-marker offset, so when two aborted
 * transactions interleave in a partition (e.g. two KafkaSink subtasks at
 * parallelism > 1 after a failure) records of an aborted transaction leak to
 * a read_committed reader, which breaks exactly-once end to end.
 *
 * The fix, the Java consumer's algorithm (`Fetcher.CompletedFetch`): per
 * fetched partition, order the aborted transactions by first offset; walking
 * the records in offset order, every aborted transaction whose first offset
 * is at or below the record makes its producer "aborting" (a proper while),
 * an abort marker of that producer ends it, and a transactional record of an
 * aborting producer is dropped. The list is only in the Fetch response, which
 * kafkajs keeps to itself, so {@link filterAbortedTransactions} hooks the
 * fetches of one Kafka client instance (nothing global): it runs the
 * algorithm on every read_committed response, remembers the aborted record
 * objects, and empties the response's list so kafkajs' own filter is a
 * no-op. The records then stay in the kafkajs batch, so the batch's last
 * offset (the position after it) is exact; the fetcher drops the remembered
 * ones before they reach the reader.
 */
import type { Kafka } from 'kafkajs';
import { FlinktsError } from '../../../api/errors.js';

/** A record of a Fetch response as kafkajs decodes it (control records included). */
export interface FetchedRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}

/** An entry of a Fetch response's aborted-transaction list. */
export interface AbortedTransaction {
  readonly producerId: string;
  readonly firstOffset: string;
}

/**
 * The records of `records` (one partition's fetched records in offset order,
 * control records included) that belong to aborted transactions, given the
 * response's aborted-transaction list (in any order).
 */
export function abortedRecords<R extends FetchedRecord>(records: readonly R[], abortedTransactions: readonly AbortedTransaction[]): Set<R> {
  const aborted = new Set<R>();
  if (abortedTransactions.length === 0) return aborted;
  const pending = abortedTransactions.map((t) => ({ producerId: t.producerId, firstOffset: BigInt(t.firstOffset) }));
  pending.sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const aborting = new Set<string>();
  let next = 0;
  for (const record of records) {
    const offset = BigInt(record.offset);
    while (next < pending.length && pending[next]!.firstOffset <= offset) aborting.add(pending[next++]!.producerId);
    const { producerId, inTransaction } = record.batchContext;
    if (record.isControlRecord === true) {
      if (isAbortMarker(record.key)) aborting.delete(producerId);
    } else if (inTransaction && aborting.has(producerId)) {
      aborted.add(record);
    }
  }
  return aborted;
}

/** A control record's key is version (int16) and type (int16): type 0 aborts, 1 commits. */
function isAbortMarker(key: Buffer | null): boolean {
  return key !== null && key.length >= 4 && key.readInt16BE(2) === 0;
}

const HOOKED = Symbol('flinkts:abortedTransactionFilter');

/** The parts of kafkajs' internal cluster, broker and Fetch response the hook touches. */
interface FetchResponse {
  responses: { partitions: { abortedTransactions?: AbortedTransaction[]; messages?: FetchedRecord[] }[] }[];
}
interface InternalBroker {
  fetch(request: unknown): Promise<FetchResponse>;
  [HOOKED]?: true;
}
interface InternalCluster {
  findBroker(request: unknown): Promise<InternalBroker>;
}
type CreateCluster = (options: unknown) => InternalCluster;

/**
 * Makes every consumer later created from `kafka` (this instance only) get
 * Fetch responses with correctly filtered aborted transactions: returns the
 * set of record objects that belong to aborted transactions; the caller drops
 * them from kafkajs' batches. Throws an INTERNAL error when the kafkajs
 * internals it relies on (kafkajs 2.2.x) are not there, rather than reading
 * aborted records silently.
 */
export function filterAbortedTransactions(kafka: Kafka): WeakSet<object> {
  const aborted = new WeakSet<object>();
  const holder = kafka as unknown as Record<symbol, CreateCluster | undefined>;
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = key === undefined ? undefined : holder[key];
  if (key === undefined || typeof create !== 'function') {
    throw new FlinktsError('INTERNAL', 'KafkaSource: the installed kafkajs has no internal createCluster hook (kafkajs 2.2.x expected); cannot filter aborted transactions for isolation.level=read_committed');
  }
  holder[key] = (options: unknown) => {
    const cluster = create(options);
    const findBroker = cluster.findBroker.bind(cluster);
    cluster.findBroker = async (request: unknown) => {
      const broker = await findBroker(request);
      if (broker[HOOKED] === true) return broker;
      const fetch = broker.fetch.bind(broker);
      broker.fetch = async (fetchRequest: unknown) => {
        const response = await fetch(fetchRequest);
        for (const topic of response.responses) {
          for (const partition of topic.partitions) {
            const list = partition.abortedTransactions ?? [];
            if (list.length === 0) continue;
            for (const record of abortedRecords(partition.messages ?? [], list)) aborted.add(record);
            // kafkajs' own (wrong) filter then lets everything through; the caller drops what we found.
            partition.abortedTransactions = [];
          }
        }
        return response;
      };
      broker[HOOKED] = true;
      return broker;
    };
    return cluster;
  };
  return aborted;
}
