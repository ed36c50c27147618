/**
 * The operator contract: `processElement` is required; the life-cycle and
 * time hooks are optional. Operators are built per subtask from the
 * transformation's spec and wired to their outputs by the operator chain.
 */
import type { Configuration } from '../../api/configuration.js';
import type { RuntimeContext } from '../../api/functions.js';
import type { KeyGroupRange } from '../state/key-grouped-map.js';

/** Where an operator emits: the next chained operator(s) and/or the network. */
export interface Output {
  collect(value: unknown, timestamp: number | undefined): void;
  /** Emits to the side output `tagId`; dropped when nobody consumes that tag. */
  collectSide(tagId: string, value: unknown, timestamp: number | undefined): void;
  emitWatermark(watermark: number): void;
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
}

/** What the task offers its operators. */
export interface TaskHooks {
  /** Pauses the task's input until `promise` settles (async sinks). */
  awaitAsync(promise: Promise<unknown>, operatorName: string): void;
  currentWatermark(): number;
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
}
