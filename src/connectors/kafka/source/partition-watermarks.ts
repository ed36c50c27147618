/**
 * Per-partition event time for the Kafka source (Flink's per-split
 * watermarks): each partition a reader reads has its own watermark generator;
 * the reader's watermark is the minimum over its partitions that are not
 * idle, and the reader's output is idle when all of them are (or when it
 * reads no partition at all, so that it never holds back the job's event
 * time). Periodic generators run every `pipeline.auto-watermark-interval`;
 * a partition without records for the strategy's idle timeout is idle until
 * its next record.
 */
import { FlinktsError } from '../../../api/errors.js';
import type { ReaderOutput } from '../../../api/source.js';
import type { Watermark } from '../../../api/time.js';
import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from '../../../api/watermark-strategy.js';

/** The event-time state of one partition. */
class PartitionClock implements WatermarkOutput {
  watermark = Number.NEGATIVE_INFINITY;
  idle = false;
  lastEventAt: number;

  constructor(
    readonly generator: WatermarkGenerator<unknown> | undefined,
    now: number,
  ) {
    this.lastEventAt = now;
  }

  emitWatermark(watermark: Watermark): void {
    if (watermark.timestamp > this.watermark) this.watermark = watermark.timestamp;
    this.idle = false;
  }

  markIdle(): void {
    this.idle = true;
  }

  markActive(): void {
    this.idle = false;
  }
}

/** Timestamps and watermarks of one reader, per partition. */
export class PartitionWatermarks {
  private readonly clocks = new Map<string, PartitionClock>();
  private readonly assign: (element: unknown, recordTimestamp: number | undefined) => number | undefined;
  private readonly active: boolean;
  private lastEmitted = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly strategy: WatermarkStrategy<unknown> | undefined,
    /** `pipeline.auto-watermark-interval`; 0 turns periodic emission (and idleness detection) off. */
    readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.assign = strategy?.createTimestampAssigner() ?? ((_element, recordTimestamp) => recordTimestamp);
    // Without a generator and without idleness the source emits no watermarks, as Flink's noWatermarks().
    this.active = strategy !== undefined && (strategy.hasWatermarks() || strategy.idleTimeoutMs !== undefined);
  }

  /** Whether periodic calls are needed. */
  get periodic(): boolean {
    return this.active && this.intervalMs > 0;
  }

  /** Starts tracking a partition. */
  add(key: string): void {
    if (this.clocks.has(key)) return;
    const generator = this.strategy?.createWatermarkGenerator();
    if (generator !== undefined && (typeof generator.onEvent !== 'function' || typeof generator.onPeriodicEmit !== 'function')) {
      throw new FlinktsError('USER_FUNCTION', 'the watermark generator factory returned an object without onEvent() and onPeriodicEmit()');
    }
    this.clocks.set(key, new PartitionClock(generator, this.now()));
  }

  /** Stops tracking a partition (it finished or moved): it no longer holds the minimum back. */
  remove(key: string): void {
    this.clocks.delete(key);
  }

  /** The event timestamp of a record of partition `key`; feeds the partition's generator. */
  onRecord(key: string, record: unknown, recordTimestamp: number): number {
    const timestamp = this.assign(record, recordTimestamp);
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
      throw new FlinktsError('USER_FUNCTION', `the timestamp assigner returned ${String(timestamp)} for a record of ${key.replace(/:(\d+)$/, ' partition $1')}`, {
        hint: 'return a finite epoch-millisecond number from withTimestampAssigner(...)',
      });
    }
    const clock = this.clocks.get(key);
    if (clock !== undefined && this.active) {
      clock.lastEventAt = this.now();
      clock.idle = false;
      clock.generator?.onEvent(record, timestamp, clock);
    }
    return timestamp;
  }

  /** The periodic step: idleness timeouts, then each generator's periodic emission. */
  onPeriodic(): void {
    if (!this.active) return;
    const now = this.now();
    const idleTimeout = this.strategy!.idleTimeoutMs;
    for (const clock of this.clocks.values()) {
      if (idleTimeout !== undefined && now - clock.lastEventAt >= idleTimeout) clock.markIdle();
      else clock.generator?.onPeriodicEmit(clock);
    }
  }

  /** Emits the combined watermark or idleness when it changed. */
  emit(output: ReaderOutput<unknown>): void {
    if (!this.active) return;
    let min = Number.POSITIVE_INFINITY;
    let anyActive = false;
    for (const clock of this.clocks.values()) {
      if (clock.idle) continue;
      anyActive = true;
      if (clock.watermark < min) min = clock.watermark;
    }
    if (!anyActive) {
      output.markIdle(true);
      return;
    }
    output.markIdle(false);
    if (min > this.lastEmitted && Number.isFinite(min)) {
      this.lastEmitted = min;
      output.emitWatermark(min);
    }
  }
}
