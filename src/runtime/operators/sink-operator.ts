/**
 * Runs a `SinkFunction`. An `invoke` that returns a promise pauses the task's
 * input until it settles; records that reach the sink meanwhile (from the same
 * input record) wait in order.
 */
import type { SinkContext } from '../../api/functions.js';
import { bindFunction, closeFunction, openFunction } from './function-lifecycle.js';
import type { OperatorContext, StreamOperator } from './operator.js';

type Invoke = (value: unknown, context: SinkContext) => void | Promise<void>;

export class SinkOperator implements StreamOperator, SinkContext {
  private readonly invoke: Invoke;
  private currentTimestamp: number | undefined = undefined;
  private pending: Promise<void> | null = null;
  private readonly waiting: { value: unknown; timestamp: number | undefined }[] = [];

  constructor(
    private readonly fn: unknown,
    private readonly context: OperatorContext,
  ) {
    this.invoke = bindFunction(fn, 'invoke');
  }

  open(): Promise<void> {
    return openFunction(this.fn, this.context);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    if (this.pending !== null) {
      this.waiting.push({ value, timestamp });
      return;
    }
    this.currentTimestamp = timestamp;
    const result = this.invoke(value, this);
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      this.pending = this.drain(result as Promise<void>);
      this.context.task.awaitAsync(this.pending, this.context.operatorName);
    }
  }

  async finish(): Promise<void> {
    if (this.pending !== null) await this.pending;
    const fn = this.fn as { finish?: () => void | Promise<void> };
    if (typeof fn === 'object' && fn !== null && typeof fn.finish === 'function') await fn.finish();
  }

  close(): Promise<void> {
    return closeFunction(this.fn);
  }

  currentProcessingTime(): number {
    return Date.now();
  }

  currentWatermark(): number {
    return this.context.task.currentWatermark();
  }

  timestamp(): number | undefined {
    return this.currentTimestamp;
  }

  private async drain(first: Promise<void>): Promise<void> {
    try {
      await first;
      while (this.waiting.length > 0) {
        const next = this.waiting.shift()!;
        this.currentTimestamp = next.timestamp;
        await this.invoke(next.value, this);
      }
    } finally {
      this.pending = null;
    }
  }
}
