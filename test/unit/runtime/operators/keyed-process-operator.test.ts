import { TaskMetrics } from '../../../../src/runtime/task/task-metrics.js';
/**
 * KeyedProcessOperator driven directly, wired as the operator chain wires it
 * (key context per record, a heap backend, a timer service on a fake
 * processing-time clock). Expected outputs are worked out by hand in each test.
 */
import { describe, expect, it } from 'vitest';
import { Configuration } from '../../../../src/api/configuration.js';
import {
  KeyedProcessFunction,
  type Collector,
  type KeyedProcessFunctionContext,
  type OnTimerContext,
} from '../../../../src/api/functions.js';
import { OutputTag } from '../../../../src/api/output-tag.js';
import { ParameterTool } from '../../../../src/api/parameter-tool.js';
import { ValueStateDescriptor, type ValueState } from '../../../../src/api/state.js';
import { KeyedProcessOperator } from '../../../../src/runtime/operators/keyed-process-operator.js';
import type { OperatorContext, Output } from '../../../../src/runtime/operators/operator.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import { withKeyContext } from '../../../../src/runtime/task/key-context.js';
import { createRuntimeContext } from '../../../../src/runtime/task/runtime-context.js';
import { HeapTimerService } from '../../../../src/runtime/time/timer-service.js';
import { FakeProcessingTimeService } from '../time/fake-processing-time.js';
import { OperatorState } from '../../../../src/runtime/task/chain-state.js';

interface Cmd {
  key: string;
  /** Register an event-time timer at this time. */
  at?: number;
  /** Delete the event-time timer at this time. */
  del?: number;
  /** Register a processing-time timer this long after now. */
  after?: number;
  /** Send the element to the side output. */
  side?: boolean;
}

const LATE = new OutputTag<string>('late');

/** Counts per key, reports what its context says, and side-outputs on request. */
class Probe extends KeyedProcessFunction<string, Cmd, string> {
  private count!: ValueState<number>;

  override open(): void {
    this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count', 0));
  }

  processElement(cmd: Cmd, ctx: KeyedProcessFunctionContext<string>, out: Collector<string>): void {
    const n = this.count.value()! + 1;
    this.count.update(n);
    const timers = ctx.timerService();
    if (cmd.at !== undefined) timers.registerEventTimeTimer(cmd.at);
    if (cmd.del !== undefined) timers.deleteEventTimeTimer(cmd.del);
    if (cmd.after !== undefined) timers.registerProcessingTimeTimer(timers.currentProcessingTime() + cmd.after);
    if (cmd.side === true) ctx.output(LATE, `side ${ctx.getCurrentKey()}`);
    out.collect(`${ctx.getCurrentKey()} n=${n} ts=${ctx.timestamp()} wm=${timers.currentWatermark()}`);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`timer ${ctx.getCurrentKey()}@${timestamp} ${ctx.timeDomain()} n=${this.count.value()} ts=${ctx.timestamp()}`);
    ctx.output(LATE, `side-timer ${ctx.getCurrentKey()}@${timestamp}`);
  }
}

class Recording implements Output {
  readonly log: string[] = [];
  collect(value: unknown, timestamp: number | undefined): void {
    this.log.push(`${String(value)} @${timestamp}`);
  }
  collectSide(tagId: string, value: unknown, timestamp: number | undefined): void {
    this.log.push(`[${tagId}] ${String(value)} @${timestamp}`);
  }
  emitWatermark(watermark: number): void {
    this.log.push(`wm:${watermark}`);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.log.push(idle ? 'idle' : 'active');
  }
  private read = 0;
  take(): string[] {
    const fresh = this.log.slice(this.read);
    this.read = this.log.length;
    return fresh;
  }
}

async function harness(): Promise<{ op: KeyedProcessOperator; out: Recording; clock: FakeProcessingTimeService; timers: () => HeapTimerService }> {
  const out = new Recording();
  const clock = new FakeProcessingTimeService(1000);
  const backend = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128, () => clock.now());
  let timerService: HeapTimerService | undefined;
  const info = { taskName: 'KeyedProcess', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, attemptNumber: 0 };
  const context = {
    operatorId: 'op',
    operatorName: 'KeyedProcess',
    subtaskIndex: 0,
    parallelism: 1,
    maxParallelism: 128,
    output: out,
    runtimeContext: createRuntimeContext(info, ParameterTool.fromMap({}), 'KeyedProcess', backend),
    parameters: new Configuration(),
    keySelector: (c: unknown) => (c as Cmd).key,
    keyGroupRange: { start: 0, end: 127 },
    task: { processingTimeService: clock, autoWatermarkIntervalMs: 200, currentWatermark: () => 0, awaitAsync: () => undefined, checkpointingEnabled: false, restoredCheckpointId: undefined, metricGroup: new TaskMetrics() },
    keyedStateBackend: backend,
    operatorState: new OperatorState('op', 'test operator', backend, undefined),
    getInternalTimerService: (target) => (timerService = new HeapTimerService(backend, clock, target)),
  } satisfies OperatorContext;
  const op = new KeyedProcessOperator(new Probe() as KeyedProcessFunction<unknown, unknown, unknown>, context);
  withKeyContext(op, backend, context.keySelector);
  await op.open();
  return { op, out, clock, timers: () => timerService! };
}

describe('KeyedProcessOperator', () => {
  it('keeps state per key and gives the function the key, timestamp and watermark', async () => {
    const { op, out } = await harness();
    op.processElement({ key: 'a' }, 5);
    op.processElement({ key: 'b' }, undefined);
    op.processWatermark(7);
    op.processElement({ key: 'a' }, 9);
    expect(out.take()).toEqual(['a n=1 ts=5 wm=-Infinity @5', 'b n=1 ts=undefined wm=-Infinity @undefined', 'wm:7', 'a n=2 ts=9 wm=7 @9']);
  });

  it('fires event-time timers once per key and time, as the watermark passes, before forwarding it', async () => {
    const { op, out, timers } = await harness();
    op.processElement({ key: 'a', at: 11 }, 1);
    op.processElement({ key: 'b', at: 13 }, 3);
    op.processElement({ key: 'a', at: 15 }, 5);
    op.processElement({ key: 'a', at: 11 }, 6); // the same timer again
    op.processElement({ key: 'b', at: 11 }, 7); // another key, same time
    expect(timers().pending()).toEqual({ event: 4, processing: 0 });
    out.take();
    op.processWatermark(12);
    expect(out.take()).toEqual([
      'timer a@11 EVENT_TIME n=3 ts=11 @11',
      '[late] side-timer a@11 @11',
      'timer b@11 EVENT_TIME n=2 ts=11 @11',
      '[late] side-timer b@11 @11',
      'wm:12',
    ]);
    op.processWatermark(Number.POSITIVE_INFINITY);
    expect(out.take()).toEqual([
      'timer b@13 EVENT_TIME n=2 ts=13 @13',
      '[late] side-timer b@13 @13',
      'timer a@15 EVENT_TIME n=3 ts=15 @15',
      '[late] side-timer a@15 @15',
      'wm:Infinity',
    ]);
  });

  it('does not fire a deleted timer; deletion is per key', async () => {
    const { op, out } = await harness();
    op.processElement({ key: 'a', at: 20 }, 1);
    op.processElement({ key: 'b', at: 20 }, 1);
    op.processElement({ key: 'b', del: 20 }, 2);
    op.processElement({ key: 'a', del: 99 }, 2);
    out.take();
    op.processWatermark(100);
    expect(out.take()).toEqual(['timer a@20 EVENT_TIME n=2 ts=20 @20', '[late] side-timer a@20 @20', 'wm:100']);
  });

  it('fires processing-time timers on the clock; their output has no timestamp, ctx.timestamp() is the timer time', async () => {
    const { op, out, clock } = await harness();
    op.processElement({ key: 'a', after: 500 }, 1); // timer at 1500
    op.processElement({ key: 'b', after: 200 }, 2); // timer at 1200
    op.processElement({ key: 'a', after: 500 }, 3); // 1500 again: deduplicated
    out.take();
    clock.advanceTo(1499);
    expect(out.take()).toEqual(['timer b@1200 PROCESSING_TIME n=1 ts=1200 @undefined', '[late] side-timer b@1200 @1200']);
    clock.advanceTo(2000);
    expect(out.take()).toEqual(['timer a@1500 PROCESSING_TIME n=2 ts=1500 @undefined', '[late] side-timer a@1500 @1500']);
  });

  it('side outputs from processElement carry the element timestamp', async () => {
    const { op, out } = await harness();
    op.processElement({ key: 'z', side: true }, 42);
    expect(out.take()).toEqual(['[late] side z @42', 'z n=1 ts=42 wm=-Infinity @42']);
  });

  it('close stops processing-time timers', async () => {
    const { op, out, clock } = await harness();
    op.processElement({ key: 'a', after: 10 }, 1);
    await op.close();
    out.take();
    clock.advanceTo(5000);
    expect(out.take()).toEqual([]);
  });
});
