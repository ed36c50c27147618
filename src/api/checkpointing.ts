/**
 * Checkpointing as a job author sees it, as Flink's: `env.enableCheckpointing`
 * with a `CheckpointConfig`, functions that keep operator state
 * (`CheckpointedFunction`) and functions that hear about completed
 * checkpoints (`CheckpointListener`).
 */
import { invalidArgument } from './errors.js';
import type { ListStateDescriptor, MapStateDescriptor } from './state.js';
import type { BroadcastState } from './co-functions.js';

/** `EXACTLY_ONCE`: aligned barriers; `AT_LEAST_ONCE`: no alignment (records after a barrier may be in the snapshot). */
export type CheckpointingMode = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
export const CheckpointingMode = { EXACTLY_ONCE: 'EXACTLY_ONCE', AT_LEAST_ONCE: 'AT_LEAST_ONCE' } as const;

/** What happens to retained checkpoints when the job is cancelled. */
export type ExternalizedCheckpointRetention = 'RETAIN_ON_CANCELLATION' | 'DELETE_ON_CANCELLATION';
export const ExternalizedCheckpointRetention = {
  RETAIN_ON_CANCELLATION: 'RETAIN_ON_CANCELLATION',
  DELETE_ON_CANCELLATION: 'DELETE_ON_CANCELLATION',
} as const;

/** The checkpoint settings a job sets in code (each overrides its configuration option). */
export interface CheckpointSettings {
  readonly intervalMs: number;
  readonly mode?: CheckpointingMode;
  readonly timeoutMs?: number;
  readonly minPauseMs?: number;
  readonly tolerableFailures?: number;
  readonly retention?: ExternalizedCheckpointRetention;
  readonly numRetained?: number;
  readonly directory?: string;
}

function checkNonNegative(call: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) invalidArgument(call, `expected a number ≥ 0, got ${String(value)}`);
}

/** As Flink's `CheckpointConfig`; unset fields take their configuration option. */
export class CheckpointConfig {
  private settings: { -readonly [K in keyof CheckpointSettings]?: CheckpointSettings[K] } = {};

  /** @internal */
  enable(intervalMs: number, mode: CheckpointingMode | undefined): void {
    if (!Number.isFinite(intervalMs) || intervalMs < 10) invalidArgument(`enableCheckpointing(${String(intervalMs)})`, 'the interval must be at least 10 ms');
    if (mode !== undefined && mode !== 'EXACTLY_ONCE' && mode !== 'AT_LEAST_ONCE') {
      invalidArgument(`enableCheckpointing(${intervalMs}, ${String(mode)})`, "the mode must be 'EXACTLY_ONCE' or 'AT_LEAST_ONCE'");
    }
    this.settings.intervalMs = intervalMs;
    if (mode !== undefined) this.settings.mode = mode;
  }

  isCheckpointingEnabled(): boolean {
    return this.settings.intervalMs !== undefined;
  }

  setCheckpointingMode(mode: CheckpointingMode): this {
    if (mode !== 'EXACTLY_ONCE' && mode !== 'AT_LEAST_ONCE') invalidArgument(`setCheckpointingMode(${String(mode)})`, "expected 'EXACTLY_ONCE' or 'AT_LEAST_ONCE'");
    this.settings.mode = mode;
    return this;
  }

  setCheckpointTimeout(timeoutMs: number): this {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 1) invalidArgument(`setCheckpointTimeout(${String(timeoutMs)})`, 'the timeout must be at least 1 ms');
    this.settings.timeoutMs = timeoutMs;
    return this;
  }

  setMinPauseBetweenCheckpoints(pauseMs: number): this {
    checkNonNegative(`setMinPauseBetweenCheckpoints(${String(pauseMs)})`, pauseMs);
    this.settings.minPauseMs = pauseMs;
    return this;
  }

  setTolerableCheckpointFailureNumber(failures: number): this {
    if (!Number.isInteger(failures) || failures < 0) invalidArgument(`setTolerableCheckpointFailureNumber(${String(failures)})`, 'expected an integer ≥ 0');
    this.settings.tolerableFailures = failures;
    return this;
  }

  setExternalizedCheckpointRetention(retention: ExternalizedCheckpointRetention): this {
    if (retention !== 'RETAIN_ON_CANCELLATION' && retention !== 'DELETE_ON_CANCELLATION') {
      invalidArgument(`setExternalizedCheckpointRetention(${String(retention)})`, "expected 'RETAIN_ON_CANCELLATION' or 'DELETE_ON_CANCELLATION'");
    }
    this.settings.retention = retention;
    return this;
  }

  /** How many completed checkpoints are kept (`state.checkpoints.num-retained`). */
  setNumRetainedCheckpoints(count: number): this {
    if (!Number.isInteger(count) || count < 1) invalidArgument(`setNumRetainedCheckpoints(${String(count)})`, 'expected an integer ≥ 1');
    this.settings.numRetained = count;
    return this;
  }

  /** Where checkpoints are written (`state.checkpoints.dir`). */
  setCheckpointStorage(directory: string): this {
    if (typeof directory !== 'string' || directory.length === 0) invalidArgument('setCheckpointStorage()', 'expected a directory path');
    this.settings.directory = directory;
    return this;
  }

  /** @internal the settings, or undefined when checkpointing is off. */
  toSettings(): CheckpointSettings | undefined {
    const { intervalMs } = this.settings;
    return intervalMs === undefined ? undefined : { ...this.settings, intervalMs };
  }
}

/** A list of operator state (not keyed): each parallel instance has its own. */
export interface OperatorListState<T> {
  get(): Iterable<T>;
  add(value: T): void;
  addAll(values: readonly T[]): void;
  update(values: readonly T[]): void;
  clear(): void;
}

/** Operator state of one parallel instance. */
export interface OperatorStateStore {
  /** Redistributed on rescaling by even split: each new instance gets a contiguous share of all elements. */
  getListState<T>(descriptor: ListStateDescriptor<T>): OperatorListState<T>;
  /** Redistributed on rescaling as a whole: every new instance gets all elements of all instances. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): OperatorListState<T>;
  /** The same map on every instance. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

export interface FunctionInitializationContext {
  /** Whether the state comes from a checkpoint or savepoint (false on a fresh start). */
  isRestored(): boolean;
  getOperatorStateStore(): OperatorStateStore;
}

export interface FunctionSnapshotContext {
  getCheckpointId(): number;
  /** When the checkpoint was triggered, epoch ms. */
  getCheckpointTimestamp(): number;
}

/** A function that keeps operator state: its state lives in the store and is snapshotted with the checkpoint. */
export interface CheckpointedFunction {
  /** Called at a checkpoint, before the store is snapshotted: bring operator state up to date. */
  snapshotState(context: FunctionSnapshotContext): void;
  /** Called before `open`, on a fresh start and on restore. */
  initializeState(context: FunctionInitializationContext): void;
}

/** A function told when checkpoints complete (the commit point of exactly-once sinks). */
export interface CheckpointListener {
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void;
}

export function isCheckpointedFunction(fn: unknown): fn is CheckpointedFunction {
  return typeof fn === 'object' && fn !== null && typeof (fn as CheckpointedFunction).snapshotState === 'function' && typeof (fn as CheckpointedFunction).initializeState === 'function';
}

export function isCheckpointListener(fn: unknown): fn is CheckpointListener {
  return typeof fn === 'object' && fn !== null && typeof (fn as CheckpointListener).notifyCheckpointComplete === 'function';
}
