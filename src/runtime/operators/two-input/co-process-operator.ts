/**
 * `connect(...).process(CoProcessFunction | KeyedCoProcessFunction)`, as
 * Flink's CoProcessOperator / KeyedCoProcessOperator: per-element functions
 * with side outputs; on keyed inputs also keyed state, timers, `onTimer`
 * and the current key.
 */
import type { KeyedCoProcessFunction, KeyedCoProcessFunctionOnTimerContext, CoProcessFunction } from '../../../api/co-functions.js';
import type { Collector, TimeDomain, TimerService } from '../../../api/functions.js';
import type { OutputTag } from '../../../api/output-tag.js';
import type { InternalTimer, Triggerable } from '../../time/timer-service.js';
import type { OperatorContext } from '../operator.js';
import { AbstractTwoInputOperator } from './abstract-two-input-operator.js';

type AnyCoProcessFunction = CoProcessFunction<unknown, unknown, unknown> | KeyedCoProcessFunction<unknown, unknown, unknown, unknown>;

/** Runs a (Keyed)CoProcessFunction; it is its own context (timestamp, timers, side outputs, key). */
export class CoProcessOperator extends AbstractTwoInputOperator implements Triggerable, KeyedCoProcessFunctionOnTimerContext<unknown> {
  private readonly service: TimerService;
  private currentTimestamp: number | undefined = undefined;
  private domain: TimeDomain = 'EVENT_TIME';

  constructor(
    private readonly process: AnyCoProcessFunction,
    context: OperatorContext,
  ) {
    super(process, context);
    this.service = this.createTimerService(this);
  }

  processElement1(value: unknown, timestamp: number | undefined): void {
    this.setTimestamp(timestamp);
    this.settle(this.process.processElement1(value, this, this.collector));
  }

  processElement2(value: unknown, timestamp: number | undefined): void {
    this.setTimestamp(timestamp);
    this.settle(this.process.processElement2(value, this, this.collector));
  }

  onEventTime(timer: InternalTimer): void {
    this.fire(timer, 'EVENT_TIME', timer.timestamp);
  }

  onProcessingTime(timer: InternalTimer): void {
    this.fire(timer, 'PROCESSING_TIME', undefined);
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
    return this.currentKey();
  }

  timeDomain(): TimeDomain {
    return this.domain;
  }

  private setTimestamp(timestamp: number | undefined): void {
    this.currentTimestamp = timestamp;
    this.collector.timestamp = timestamp;
  }

  private fire(timer: InternalTimer, domain: TimeDomain, timestamp: number | undefined): void {
    this.domain = domain;
    this.setTimestamp(timestamp);
    // A plain object given as the function may have no onTimer.
    if (typeof this.process.onTimer === 'function') this.process.onTimer(timer.timestamp, this, this.collector as Collector<unknown>);
  }
}
