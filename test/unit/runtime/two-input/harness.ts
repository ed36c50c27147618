import { TaskMetrics } from '../../../../src/runtime/task/task-metrics.js';
/**
 * Drives a two-input operator directly, wired as the operator chain wires
 * it: a real heap keyed state backend (when keyed) with the per-input key
 * context, real timer services on a fake processing-time clock, and an output
 * that records everything in order as text:
 * `value @ts`, `[tag] value @ts`, `wm:<ts>`.
 */
import { Configuration } from '../../../../src/api/configuration.js';
import { ParameterTool } from '../../../../src/api/parameter-tool.js';
import type { OperatorContext, Output, TwoInputStreamOperator } from '../../../../src/runtime/operators/operator.js';
import { withTwoInputKeyContext } from '../../../../src/runtime/operators/two-input/two-input-key-context.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import { createRuntimeContext } from '../../../../src/runtime/task/runtime-context.js';
import { HeapTimerService } from '../../../../src/runtime/time/timer-service.js';
import { FakeProcessingTimeService } from '../time/fake-processing-time.js';
import { OperatorState } from '../../../../src/runtime/task/chain-state.js';

export class RecordingOutput implements Output {
  readonly log: string[] = [];
  private read = 0;

  collect(value: unknown, timestamp: number | undefined): void {
    this.log.push(`${text(value)} @${timestamp}`);
  }

  collectSide(tagId: string, value: unknown, timestamp: number | undefined): void {
    this.log.push(`[${tagId}] ${text(value)} @${timestamp}`);
  }

  emitWatermark(watermark: number): void {
    this.log.push(`wm:${watermark}`);
  }

  emitWatermarkStatus(idle: boolean): void {
    this.log.push(idle ? 'idle' : 'active');
  }

  /** What was emitted since the last call. */
  take(): string[] {
    const fresh = this.log.slice(this.read);
    this.read = this.log.length;
    return fresh;
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface HarnessOptions {
  /** The key of input 1 / input 2 records; a keyed backend is created when either is set. */
  readonly key1?: (value: any) => unknown;
  readonly key2?: (value: any) => unknown;
  readonly name?: string;
}

export interface Harness<O extends TwoInputStreamOperator> {
  readonly op: O;
  readonly out: RecordingOutput;
  readonly clock: FakeProcessingTimeService;
  readonly backend: HeapKeyedStateBackend | undefined;
  /** Timer services handed out to the operator. */
  readonly timerServices: HeapTimerService[];
  readonly context: OperatorContext;
}

/** Builds, wires and opens the operator `create` makes. */
export async function harness<O extends TwoInputStreamOperator>(create: (context: OperatorContext) => O, options: HarnessOptions = {}): Promise<Harness<O>> {
  const name = options.name ?? 'TwoInput';
  const out = new RecordingOutput();
  const clock = new FakeProcessingTimeService(1000);
  const keyed = options.key1 !== undefined || options.key2 !== undefined;
  const backend = keyed ? new HeapKeyedStateBackend({ start: 0, end: 127 }, 128, () => clock.now()) : undefined;
  const timerServices: HeapTimerService[] = [];
  const info = { taskName: name, subtaskIndex: 0, parallelism: 1, maxParallelism: 128, attemptNumber: 0 };
  const context: OperatorContext = {
    operatorId: 'op',
    operatorName: name,
    subtaskIndex: 0,
    parallelism: 1,
    maxParallelism: 128,
    output: out,
    runtimeContext: createRuntimeContext(info, ParameterTool.fromMap({}), name, backend),
    parameters: new Configuration(),
    keySelector: options.key1,
    keyGroupRange: { start: 0, end: 127 },
    task: { processingTimeService: clock, autoWatermarkIntervalMs: 200, currentWatermark: () => 0, awaitAsync: () => undefined, checkpointingEnabled: false, restoredCheckpointId: undefined, metricGroup: new TaskMetrics() },
    keyedStateBackend: backend,
    operatorState: new OperatorState('op', 'test operator', backend, undefined),
    getInternalTimerService: (target) => {
      if (backend === undefined) throw new Error('not keyed');
      const service = new HeapTimerService(backend, clock, target);
      timerServices.push(service);
      return service;
    },
  };
  const op = create(context);
  if (backend !== undefined) withTwoInputKeyContext(op, backend, options.key1, options.key2);
  await op.open?.();
  return { op, out, clock, backend, timerServices, context };
}
