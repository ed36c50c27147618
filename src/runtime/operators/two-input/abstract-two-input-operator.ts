/**
 * What every two-input operator shares: the user function's life cycle, the
 * combined watermark of both inputs (Flink's `AbstractStreamOperator`:
 * the minimum of both, an idle input left out, never moving back), and the
 * timer service of keyed operators, advanced by that combined watermark.
 */
import { FlinktsError } from '../../../api/errors.js';
import type { TimerService } from '../../../api/functions.js';
import { VOID_NAMESPACE } from '../../state/heap-keyed-state-backend.js';
import type { HeapTimerService, Triggerable } from '../../time/timer-service.js';
import { TimestampedCollector } from '../basic-operators.js';
import { closeFunction, openFunction } from '../function-lifecycle.js';
import type { OperatorContext, TwoInputStreamOperator } from '../operator.js';

/** Base class of the two-input operators: subclasses implement `processElement1/2`. */
export abstract class AbstractTwoInputOperator implements TwoInputStreamOperator {
  protected readonly collector: TimestampedCollector;
  /** The timers of a keyed operator that asked for them (see {@link createTimerService}). */
  protected internalTimers: HeapTimerService | undefined;
  private watermark1 = Number.NEGATIVE_INFINITY;
  private watermark2 = Number.NEGATIVE_INFINITY;
  private idle1 = false;
  private idle2 = false;
  private combined = Number.NEGATIVE_INFINITY;

  constructor(
    protected readonly fn: unknown,
    protected readonly context: OperatorContext,
  ) {
    this.collector = new TimestampedCollector(context.output);
  }

  open(): Promise<void> {
    return openFunction(this.fn, this.context);
  }

  close(): Promise<void> {
    this.internalTimers?.close();
    return closeFunction(this.fn);
  }

  abstract processElement1(value: unknown, timestamp: number | undefined): void;
  abstract processElement2(value: unknown, timestamp: number | undefined): void;

  processWatermark1(watermark: number): void {
    if (watermark > this.watermark1) this.watermark1 = watermark;
    this.combine();
  }

  processWatermark2(watermark: number): void {
    if (watermark > this.watermark2) this.watermark2 = watermark;
    this.combine();
  }

  processWatermarkStatus1(idle: boolean): void {
    this.idle1 = idle;
    this.combine();
  }

  processWatermarkStatus2(idle: boolean): void {
    this.idle2 = idle;
    this.combine();
  }

  /** The combined watermark of both inputs (−∞ before both, or the active one, have one). */
  currentWatermark(): number {
    return this.combined;
  }

  /** The combined watermark advanced: fire event-time timers up to it, then forward it. */
  protected processWatermark(watermark: number): void {
    this.internalTimers?.advanceWatermark(watermark);
    this.context.output.emitWatermark(watermark);
  }

  /**
   * The timer service functions see. On a keyed operator, timers of the
   * current key call `target` back; elsewhere registering one fails, naming the operator.
   */
  protected createTimerService(target: Triggerable): TimerService {
    const { context } = this;
    if (context.keyedStateBackend === undefined) {
      const noTimers = (): never => {
        throw new FlinktsError(
          'USER_FUNCTION',
          `${context.operatorName}: setting timers is only supported on keyed streams; connect two keyed streams, e.g. connect(...).keyBy(key1, key2)`,
        );
      };
      return {
        currentProcessingTime: () => context.task.processingTimeService.now(),
        currentWatermark: () => this.combined,
        registerProcessingTimeTimer: noTimers,
        registerEventTimeTimer: noTimers,
        deleteProcessingTimeTimer: noTimers,
        deleteEventTimeTimer: noTimers,
      };
    }
    const timers = context.getInternalTimerService(target);
    this.internalTimers = timers;
    return {
      currentProcessingTime: () => timers.currentProcessingTime(),
      currentWatermark: () => timers.currentWatermark(),
      registerEventTimeTimer: (time) => timers.registerEventTimeTimer(VOID_NAMESPACE, time),
      registerProcessingTimeTimer: (time) => timers.registerProcessingTimeTimer(VOID_NAMESPACE, time),
      deleteEventTimeTimer: (time) => timers.deleteEventTimeTimer(VOID_NAMESPACE, time),
      deleteProcessingTimeTimer: (time) => timers.deleteProcessingTimeTimer(VOID_NAMESPACE, time),
    };
  }

  /** Pauses the task's input while a user function's promise is pending. */
  protected settle(result: unknown): void {
    if (result !== undefined && result !== null && typeof (result as Promise<void>).then === 'function') {
      this.context.task.awaitAsync(result as Promise<void>, this.context.operatorName);
    }
  }

  /** The current key; only keyed operators have one. */
  protected currentKey(): unknown {
    const backend = this.context.keyedStateBackend;
    if (backend === undefined) throw new FlinktsError('USER_FUNCTION', `${this.context.operatorName}: getCurrentKey() needs keyed inputs`);
    return backend.getCurrentKey();
  }

  private combine(): void {
    if (this.idle1 && this.idle2) return;
    const min = this.idle1 ? this.watermark2 : this.idle2 ? this.watermark1 : Math.min(this.watermark1, this.watermark2);
    if (min > this.combined) {
      this.combined = min;
      this.processWatermark(min);
    }
  }
}
