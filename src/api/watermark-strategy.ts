/**
 * Event time, as Flink's `WatermarkStrategy`: a timestamp assigner (where the
 * event time of a record comes from) and a watermark generator (how far event
 * time has progressed), optionally with idleness detection.
 */
import { invalidArgument } from './errors.js';
import { toMillis, Watermark, type Duration } from './time.js';

/** Where a generator emits watermarks and idleness. */
export interface WatermarkOutput {
  emitWatermark(watermark: Watermark): void;
  /** No events for a while: downstream operators stop waiting for this input. */
  markIdle(): void;
  markActive(): void;
}

/** Decides watermarks from events (punctuated) and/or periodically. */
export interface WatermarkGenerator<T> {
  onEvent(event: T, eventTimestamp: number, output: WatermarkOutput): void;
  /** Called every `pipeline.auto-watermark-interval`. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** Extracts the event time (epoch ms) of a record. */
export type TimestampAssigner<T> =
  | ((element: T, recordTimestamp: number | undefined) => number)
  | { extractTimestamp(element: T, recordTimestamp: number | undefined): number };

/** Flink's BoundedOutOfOrdernessWatermarks: watermark = max timestamp seen − bound − 1. */
export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;

  constructor(private readonly outOfOrdernessMs: number) {
    this.maxTimestamp = Number.NEGATIVE_INFINITY;
  }

  onEvent(_event: T, eventTimestamp: number): void {
    if (eventTimestamp > this.maxTimestamp) this.maxTimestamp = eventTimestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.maxTimestamp === Number.NEGATIVE_INFINITY) return;
    output.emitWatermark(new Watermark(this.maxTimestamp - this.outOfOrdernessMs - 1));
  }
}

/** Options of a strategy, kept immutable: every `with*` returns a new strategy. */
interface StrategyParts<T> {
  readonly generator: (() => WatermarkGenerator<T>) | undefined;
  readonly assigner: TimestampAssigner<T> | undefined;
  readonly idleTimeoutMs: number | undefined;
}

export class WatermarkStrategy<T> {
  private constructor(private readonly parts: StrategyParts<T>) {}

  /** Timestamps only increase: watermark = max timestamp − 1. */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>({ generator: () => new BoundedOutOfOrdernessWatermarks<T>(0), assigner: undefined, idleTimeoutMs: undefined });
  }

  /** Events arrive at most `maxOutOfOrderness` late. */
  static forBoundedOutOfOrderness<T>(maxOutOfOrderness: Duration): WatermarkStrategy<T> {
    const bound = toMillis('WatermarkStrategy.forBoundedOutOfOrderness', maxOutOfOrderness);
    if (bound < 0) invalidArgument('WatermarkStrategy.forBoundedOutOfOrderness', `the bound must not be negative, got ${bound} ms`);
    return new WatermarkStrategy<T>({ generator: () => new BoundedOutOfOrdernessWatermarks<T>(bound), assigner: undefined, idleTimeoutMs: undefined });
  }

  /** A custom generator, created once per parallel instance. */
  static forGenerator<T>(factory: (() => WatermarkGenerator<T>) | { createWatermarkGenerator(): WatermarkGenerator<T> }): WatermarkStrategy<T> {
    const ok = typeof factory === 'function' || (typeof factory === 'object' && factory !== null && typeof factory.createWatermarkGenerator === 'function');
    if (!ok) invalidArgument('WatermarkStrategy.forGenerator', 'expected a factory function () => WatermarkGenerator or an object with createWatermarkGenerator()');
    const create = typeof factory === 'function' ? factory : () => factory.createWatermarkGenerator();
    return new WatermarkStrategy<T>({ generator: create, assigner: undefined, idleTimeoutMs: undefined });
  }

  /**
   * Ingestion time: every record gets the wall-clock time at which it enters
   * this operator as its timestamp, and watermarks follow that clock
   * (Flink's former `TimeCharacteristic.IngestionTime`).
   */
  static forIngestionTime<T>(): WatermarkStrategy<T> {
    return WatermarkStrategy.forMonotonousTimestamps<T>().withTimestampAssigner(() => Date.now());
  }

  /** No watermarks: event-time operators downstream never fire before the end of input. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>({ generator: undefined, assigner: undefined, idleTimeoutMs: undefined });
  }

  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    const ok = typeof assigner === 'function' || (typeof assigner === 'object' && assigner !== null && typeof assigner.extractTimestamp === 'function');
    if (!ok) invalidArgument('withTimestampAssigner', 'expected a function (element, recordTimestamp) => number or an object with extractTimestamp()');
    return new WatermarkStrategy<T>({ ...this.parts, assigner });
  }

  /** Marks the input idle after `idleTimeout` of processing time without events. */
  withIdleness(idleTimeout: Duration): WatermarkStrategy<T> {
    const ms = toMillis('withIdleness', idleTimeout);
    if (!(ms > 0)) invalidArgument('withIdleness', `the idle timeout must be positive, got ${ms} ms`);
    return new WatermarkStrategy<T>({ ...this.parts, idleTimeoutMs: ms });
  }

  /** Whether a timestamp assigner was set. */
  hasTimestampAssigner(): boolean {
    return this.parts.assigner !== undefined;
  }

  /** Whether this strategy emits watermarks at all. */
  hasWatermarks(): boolean {
    return this.parts.generator !== undefined;
  }

  /** @internal */
  createWatermarkGenerator(): WatermarkGenerator<T> | undefined {
    return this.parts.generator?.();
  }

  /** @internal the assigner, or the record's own timestamp. */
  createTimestampAssigner(): (element: T, recordTimestamp: number | undefined) => number | undefined {
    const assigner = this.parts.assigner;
    if (assigner === undefined) return (_element, recordTimestamp) => recordTimestamp;
    return typeof assigner === 'function' ? assigner : (element, recordTimestamp) => assigner.extractTimestamp(element, recordTimestamp);
  }

  /** @internal */
  get idleTimeoutMs(): number | undefined {
    return this.parts.idleTimeoutMs;
  }
}
