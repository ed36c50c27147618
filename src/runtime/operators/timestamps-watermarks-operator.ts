/**
 * `assignTimestampsAndWatermarks`: gives every record its event timestamp and
 * runs the strategy's watermark generator (per event, and periodically every
 * `pipeline.auto-watermark-interval`), with idleness detection. Watermarks
 * from upstream are ignored except the final one of a bounded input, as in
 * Flink's TimestampsAndWatermarksOperator.
 */
import { FlinktsError } from '../../api/errors.js';
import type { Watermark } from '../../api/time.js';
import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from '../../api/watermark-strategy.js';
import type { OperatorContext, StreamOperator } from './operator.js';
import { preview } from './record-preview.js';

export class TimestampsAndWatermarksOperator implements StreamOperator, WatermarkOutput {
  private readonly assign: (element: unknown, recordTimestamp: number | undefined) => number | undefined;
  private generator: WatermarkGenerator<unknown> | undefined;
  private lastEmitted = Number.NEGATIVE_INFINITY;
  private idle = false;
  private lastEventAt = 0;
  private cancelPeriodic: (() => void) | undefined;

  constructor(
    private readonly strategy: WatermarkStrategy<unknown>,
    private readonly context: OperatorContext,
  ) {
    this.assign = strategy.createTimestampAssigner();
  }

  open(): void {
    this.generator = this.strategy.createWatermarkGenerator();
    if (this.strategy.hasWatermarks() && (typeof this.generator?.onEvent !== 'function' || typeof this.generator.onPeriodicEmit !== 'function')) {
      throw new FlinktsError('USER_FUNCTION', `the watermark generator factory returned ${preview(this.generator)}, not an object with onEvent() and onPeriodicEmit()`);
    }
    this.lastEventAt = this.now();
    const interval = this.context.task.autoWatermarkIntervalMs;
    if ((this.generator !== undefined || this.strategy.idleTimeoutMs !== undefined) && interval > 0) this.schedulePeriodic(interval);
  }

  processElement(value: unknown, recordTimestamp: number | undefined): void {
    const timestamp = this.assign(value, recordTimestamp);
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      throw new FlinktsError(
        'USER_FUNCTION',
        `the timestamp assigner returned ${timestamp === undefined ? 'undefined (the record has no timestamp and no assigner was set)' : String(timestamp)} for record ${preview(value)}`,
        { hint: 'return a finite epoch-millisecond number from withTimestampAssigner(...)' },
      );
    }
    if (this.strategy.idleTimeoutMs !== undefined) {
      this.lastEventAt = this.now();
      if (this.idle) this.markActive();
    }
    // The record leaves before any watermark it causes (as Flink), so it is never behind its own watermark.
    this.context.output.collect(value, timestamp);
    this.generator?.onEvent(value, timestamp, this);
  }

  processWatermark(watermark: number): void {
    // Only the end of a bounded input passes: this operator makes the watermarks.
    if (watermark === Number.POSITIVE_INFINITY) this.advance(watermark);
  }

  finish(): void {
    this.stop();
  }

  close(): void {
    this.stop();
  }

  emitWatermark(watermark: Watermark): void {
    this.advance(watermark.timestamp);
  }

  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.context.output.emitWatermarkStatus(true);
  }

  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.context.output.emitWatermarkStatus(false);
  }

  /** Emits a higher watermark; an idle output becomes active for it, or downstream would leave it out of the minimum. */
  private advance(timestamp: number): void {
    if (timestamp <= this.lastEmitted) return;
    this.markActive();
    this.lastEmitted = timestamp;
    this.context.output.emitWatermark(timestamp);
  }

  private schedulePeriodic(interval: number): void {
    const tick = (): void => {
      const idleTimeout = this.strategy.idleTimeoutMs;
      if (idleTimeout !== undefined && this.now() - this.lastEventAt >= idleTimeout) this.markIdle();
      else this.generator?.onPeriodicEmit(this);
      this.cancelPeriodic = this.context.task.processingTimeService.schedule(this.now() + interval, tick);
    };
    this.cancelPeriodic = this.context.task.processingTimeService.schedule(this.now() + interval, tick);
  }

  private now(): number {
    return this.context.task.processingTimeService.now();
  }

  private stop(): void {
    this.cancelPeriodic?.();
    this.cancelPeriodic = undefined;
  }
}
