/**
 * The operator contract: `processElement` is required; the life-cycle and
 * time hooks are optional. Operators are built per subtask from the
 * transformation's spec and wired to their outputs by the operator chain.
 */
import type { Configuration } from '../../api/configuration.js';
import type { RuntimeContext } from '../../api/functions.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import type { OperatorState } from '../task/chain-state.js';
import type { MetricGroup } from '../../api/metrics.js';
import type { KeyGroupRange } from '../state/key-grouped-map.js';
import type { HeapTimerService, ProcessingTimeService, Triggerable } from '../time/timer-service.js';

/** Where an operator emits: the next chained operator(s) and/or the network. */
export interface Output {
  collect(value: unknown, timestamp: number | undefined): void;
  /** Emits to the side output `tagId`; dropped when nobody consumes that tag. */
  collectSide(tagId: string, value: unknown, timestamp: number | undefined): void;
  emitWatermark(watermark: number): void;
  /** Idleness of this stream: idle inputs are left out of downstream watermarks. */
  emitWatermarkStatus(idle: boolean): void;
}

/** One operator of a chain. */
export interface StreamOperator {
  open?(): void | Promise<void>;
  processElement(value: unknown, timestamp: number | undefined): void;
  /** Called with the task's combined input watermark when it advances. */
  processWatermark?(watermark: number): void;
  /** End of input: emit what is still buffered. */
  finish?(): void | Promise<void>;
  close?(): void | Promise<void>;
  /**
   * Keyed operators normally get the key of each record set as the
   * backend's current key before `processElement`; an operator that computes
   * keys itself sets this to true.
   */
  readonly managesKeyContext?: boolean;
}

/**
 * An operator with two inputs (`connect`, broadcast connections, interval
 * joins), as Flink's `TwoInputStreamOperator`. It always heads its chain; the
 * task reads both inputs from one gate and calls `processElement1` or
 * `processElement2` by the input a record arrived on. Watermarks and
 * idleness arrive per input (each already the minimum over that input's
 * channels); the operator emits the minimum of both inputs, leaving an idle
 * input out, as Flink's `AbstractStreamOperator` does.
 */
export interface TwoInputStreamOperator {
  open?(): void | Promise<void>;
  processElement1(value: unknown, timestamp: number | undefined): void;
  processElement2(value: unknown, timestamp: number | undefined): void;
  processWatermark1(watermark: number): void;
  processWatermark2(watermark: number): void;
  /** Input 1 became idle (`true`) or active again (`false`). */
  processWatermarkStatus1(idle: boolean): void;
  processWatermarkStatus2(idle: boolean): void;
  /** Every channel of input `input` ended (the other may still run). */
  endInput?(input: 1 | 2): void;
  /** End of both inputs: emit what is still buffered. */
  finish?(): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** What the task offers its operators. */
export interface TaskHooks {
  /** Pauses the task's input until `promise` settles (async sinks). */
  awaitAsync(promise: Promise<unknown>, operatorName: string): void;
  currentWatermark(): number;
  /** Timers in processing time, run by the task between steps. */
  readonly processingTimeService: ProcessingTimeService;
  /** The interval of periodic watermark emission (`pipeline.auto-watermark-interval`). */
  readonly autoWatermarkIntervalMs: number;
  /** Whether the job checkpoints (two-phase-commit sinks then commit per checkpoint, else at the end of input). */
  readonly checkpointingEnabled: boolean;
  /** The id of the checkpoint or savepoint the job restored from, if any. */
  readonly restoredCheckpointId: number | undefined;
  /** The task's counters, reported with the job's metrics. */
  readonly metricGroup: MetricGroup;
}

/** Everything an operator factory needs. */
export interface OperatorContext {
  readonly operatorId: string;
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly output: Output;
  readonly runtimeContext: RuntimeContext;
  readonly parameters: Configuration;
  /** Set for keyed operators. */
  readonly keySelector: ((value: unknown) => unknown) | undefined;
  readonly keyGroupRange: KeyGroupRange;
  readonly task: TaskHooks;
  /** The keyed state of a keyed operator (undefined for non-keyed ones): the job's backend, `hashmap` or `embedded`. */
  readonly keyedStateBackend: KeyedStateBackend | undefined;
  /** Operator state and the functions that take part in checkpoints. */
  readonly operatorState: OperatorState;
  /** The timer service of a keyed operator; throws for non-keyed ones. */
  getInternalTimerService(target: Triggerable): HeapTimerService;
}
