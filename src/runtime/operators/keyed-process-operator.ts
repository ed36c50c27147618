/** `keyBy(...).process(KeyedProcessFunction)`: keyed state, the current key, and timers. */
import type {
  Collector,
  KeyedProcessFunction,
  OnTimerContext,
  TimeDomain,
  TimerService,
} from '../../api/functions.js';
import type { OutputTag } from '../../api/output-tag.js';
import { VOID_NAMESPACE } from '../state/heap-keyed-state-backend.js';
import type { HeapTimerService, InternalTimer, Triggerable } from '../time/timer-service.js';
import { TimestampedCollector } from './basic-operators.js';
import { closeFunction, openFunction } from './function-lifecycle.js';
import type { OperatorContext, StreamOperator } from './operator.js';

export class KeyedProcessOperator implements StreamOperator, Triggerable, OnTimerContext<unknown> {
  private readonly collector: TimestampedCollector;
  private readonly timers: HeapTimerService;
  private readonly service: TimerService;
  private currentTimestamp: number | undefined = undefined;
  private domain: TimeDomain = 'EVENT_TIME';

  constructor(
    private readonly fn: KeyedProcessFunction<unknown, unknown, unknown>,
    private readonly context: OperatorContext,
  ) {
    this.collector = new TimestampedCollector(context.output);
    this.timers = context.getInternalTimerService(this);
    const timers = this.timers;
    this.service = {
      currentProcessingTime: () => timers.currentProcessingTime(),
      currentWatermark: () => timers.currentWatermark(),
      registerEventTimeTimer: (time) => timers.registerEventTimeTimer(VOID_NAMESPACE, time),
      registerProcessingTimeTimer: (time) => timers.registerProcessingTimeTimer(VOID_NAMESPACE, time),
      deleteEventTimeTimer: (time) => timers.deleteEventTimeTimer(VOID_NAMESPACE, time),
      deleteProcessingTimeTimer: (time) => timers.deleteProcessingTimeTimer(VOID_NAMESPACE, time),
    };
  }

  open(): Promise<void> {
    return openFunction(this.fn, this.context);
  }

  /** End of input: pending processing-time timers fire now, so nothing waits forever (see docs/architecture.md). */
  finish(): void {
    this.timers.fireAllProcessingTimers();
  }

  close(): Promise<void> {
    this.timers.close();
    return closeFunction(this.fn);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.currentTimestamp = timestamp;
    this.collector.timestamp = timestamp;
    const result = this.fn.processElement(value, this, this.collector);
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
      this.context.task.awaitAsync(result as Promise<void>, this.context.operatorName);
    }
  }

  processWatermark(watermark: number): void {
    this.timers.advanceWatermark(watermark);
    this.context.output.emitWatermark(watermark);
  }

  onEventTime(timer: InternalTimer): void {
    this.fire(timer, 'EVENT_TIME');
  }

  onProcessingTime(timer: InternalTimer): void {
    this.fire(timer, 'PROCESSING_TIME');
  }

  timestamp(): number | undefined {
    return this.currentTimestamp;
  }

  timerService(): TimerService {
    return this.service;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.context.output.collectSide(tag.id, value, this.currentTimestamp);
  }

  getCurrentKey(): unknown {
    return this.context.keyedStateBackend!.getCurrentKey();
  }

  timeDomain(): TimeDomain {
    return this.domain;
  }

  /**
   * As Flink: `ctx.timestamp()` and side outputs carry the timer's time in both
   * domains; main output gets it only for event time (processing time erases it).
   */
  private fire(timer: InternalTimer, domain: TimeDomain): void {
    this.domain = domain;
    this.currentTimestamp = timer.timestamp;
    this.collector.timestamp = domain === 'EVENT_TIME' ? timer.timestamp : undefined;
    this.fn.onTimer(timer.timestamp, this, this.collector as Collector<unknown>);
  }
}
