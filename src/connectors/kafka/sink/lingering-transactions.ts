/**
 * Transactional ids of the exactly-once Kafka sink, and the probe that
 * aborts the transactions an earlier attempt or run left open (Flink's
 * `TransactionAborter`). An open transaction holds back every
 * `read_committed` reader of its partitions (the last stable offset stops
 * at it) until the broker times it out, so a writer clears them before it
 * writes.
 *
 * Ids are `<prefix>-<subtask>-<n>`: the transaction opened after the
 * barrier of checkpoint `c` has `n = c + 1`, the first one after a start
 * from checkpoint `r` (0 for none) `n = r + 1`. A writer never leaves a
 * gap: when barriers are skipped (a checkpoint aborted before its barrier
 * reached this subtask) it initialises the skipped numbers as well. So the
 * transactions that may still be open after the job restores checkpoint
 * `r` are those of the ids `n = r + 1, r + 2, ...` of every old subtask up
 * to the first id the broker has never seen, which `InitProducerId`
 * reports as epoch 0; while the transactions checkpoint `r` holds (to be
 * committed) have `n <= r` and are never touched.
 *
 * After a restore at a lower parallelism `p`, subtask `i` also probes the
 * old subtasks `i + p, i + 2p, ...`, as far as the restored state says there
 * were subtasks and then while the previous one had used ids.
 */
import { initTransactionalId, type SharedCluster } from './kafkajs-transactions.js';

/** The transactional id of transaction `n` of `subtask`. */
export function transactionalIdOf(prefix: string, subtask: number, n: number): string {
  return `${prefix}-${subtask}-${n}`;
}

/** The writer state of the exactly-once sink: enough to find what its subtask may have left open. */
export interface KafkaWriterState {
  readonly transactionalIdPrefix: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
}

/** What to probe. */
export interface ProbeScope {
  /** The sink's prefix, and any other prefix found in the restored state (the job changed it). */
  readonly prefixes: readonly string[];
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The largest parallelism in the restored state (0 on a fresh start). */
  readonly restoredParallelism: number;
  /** The first transaction number that may be open: restored checkpoint id + 1. */
  readonly firstNumber: number;
  readonly transactionTimeoutMs: number;
}

/**
 * Fences every transactional id of this subtask's scope from
 * `firstNumber` on up to the first unused one, which aborts their open
 * transactions. Returns how many used ids it fenced.
 */
export async function abortLingeringTransactions(shared: SharedCluster, scope: ProbeScope): Promise<number> {
  let fenced = 0;
  for (const prefix of scope.prefixes) {
    for (let subtask = scope.subtaskIndex; ; subtask += scope.parallelism) {
      const used = await probeSubtask(shared, prefix, subtask, scope.firstNumber, scope.transactionTimeoutMs);
      fenced += used;
      const next = subtask + scope.parallelism;
      // Subtasks beyond the new parallelism exist only if the restored state says so, or (a run
      // whose state we do not have) if this one had used ids.
      if (used === 0 && next >= scope.restoredParallelism) break;
    }
  }
  return fenced;
}

async function probeSubtask(shared: SharedCluster, prefix: string, subtask: number, first: number, timeoutMs: number): Promise<number> {
  for (let n = first; ; n++) {
    const epoch = await initTransactionalId(shared, transactionalIdOf(prefix, subtask, n), timeoutMs);
    if (epoch === 0) return n - first;
  }
}
