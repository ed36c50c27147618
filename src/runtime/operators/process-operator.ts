/** `DataStream.process(ProcessFunction)`: per-element function with side outputs. */
import { FlinktsError } from '../../api/errors.js';
import type { ProcessFunction, ProcessFunctionContext, TimerService } from '../../api/functions.js';
import type { OutputTag } from '../../api/output-tag.js';
import { TimestampedCollector } from './basic-operators.js';
import { closeFunction, openFunction } from './function-lifecycle.js';
import type { OperatorContext, StreamOperator } from './operator.js';

export class ProcessOperator implements StreamOperator, ProcessFunctionContext {
  private readonly collector: TimestampedCollector;
  private currentTimestamp: number | undefined = undefined;
  private readonly timers: TimerService;

  constructor(
    private readonly fn: ProcessFunction<unknown, unknown>,
    private readonly context: OperatorContext,
  ) {
    this.collector = new TimestampedCollector(context.output);
    const noTimers = (): never => {
      throw new FlinktsError('USER_FUNCTION', `${context.operatorName}: setting timers is only supported on a keyed stream; use keyBy(...).process(...)`);
    };
    this.timers = {
      currentProcessingTime: () => Date.now(),
      currentWatermark: () => context.task.currentWatermark(),
      registerProcessingTimeTimer: noTimers,
      registerEventTimeTimer: noTimers,
      deleteProcessingTimeTimer: noTimers,
      deleteEventTimeTimer: noTimers,
    };
  }

  open(): Promise<void> {
    return openFunction(this.fn, this.context);
  }

  close(): Promise<void> {
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

  timestamp(): number | undefined {
    return this.currentTimestamp;
  }

  timerService(): TimerService {
    return this.timers;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.context.output.collectSide(tag.id, value, this.currentTimestamp);
  }
}
