/**
 * The asynchronous operations of the REST API (checkpoint, savepoint and stop
 * triggers): a random trigger id per operation, its status while it runs and
 * its result or `failure-cause` once it completed. Completed operations are
 * kept for a while (Flink's `rest.async.store-duration`, 5 minutes), and the
 * store is bounded: when it is full of running operations, new ones are
 * refused rather than forgetting any.
 */
import { randomBytes } from 'node:crypto';
import { renderFailureCause, type AsyncOperationMessage } from './rest-messages.js';

/** Which status route serves an operation: checkpoints, or savepoints (savepoint and stop triggers). */
export type OperationKind = 'checkpoint' | 'savepoint';

interface Operation {
  readonly jobId: string;
  readonly kind: OperationKind;
  result: AsyncOperationMessage<unknown>;
  completedAt: number | undefined;
}

/** The operations of one REST server. */
export class OperationStore {
  private readonly operations = new Map<string, Operation>();

  constructor(
    private readonly maxOperations = 1000,
    private readonly retentionMs = 5 * 60_000,
  ) {}

  /**
   * Remembers the operation `pending` under a new trigger id and returns the
   * id, or `undefined` when the store is full of running operations.
   * `toResult` makes the `operation` of the status from the value.
   */
  start<T>(jobId: string, kind: OperationKind, pending: Promise<T>, toResult: (value: T) => unknown): string | undefined {
    if (!this.makeRoom()) {
      pending.catch(() => undefined);
      return undefined;
    }
    const triggerId = randomBytes(16).toString('hex');
    const operation: Operation = { jobId, kind, result: { status: { id: 'IN_PROGRESS' } }, completedAt: undefined };
    this.operations.set(triggerId, operation);
    const complete = (result: unknown): void => {
      operation.result = { status: { id: 'COMPLETED' }, operation: result };
      operation.completedAt = Date.now();
    };
    pending.then(
      (value) => complete(toResult(value)),
      (error: unknown) => complete({ 'failure-cause': renderFailureCause(error) }),
    );
    return triggerId;
  }

  /** The status of an operation of this job and kind, or `undefined` when there is none (or it was forgotten). */
  get(jobId: string, kind: OperationKind, triggerId: string): AsyncOperationMessage<unknown> | undefined {
    this.evict();
    const operation = this.operations.get(triggerId);
    return operation === undefined || operation.jobId !== jobId || operation.kind !== kind ? undefined : operation.result;
  }

  /** Forgets completed operations past their retention. */
  private evict(): void {
    const now = Date.now();
    for (const [id, operation] of this.operations) {
      if (operation.completedAt !== undefined && now - operation.completedAt >= this.retentionMs) this.operations.delete(id);
    }
  }

  /** Makes room for one more operation by forgetting the oldest completed ones; false when all are still running. */
  private makeRoom(): boolean {
    this.evict();
    for (const [id, operation] of this.operations) {
      if (this.operations.size < this.maxOperations) break;
      if (operation.completedAt !== undefined) this.operations.delete(id);
    }
    return this.operations.size < this.maxOperations;
  }
}
