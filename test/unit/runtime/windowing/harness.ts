import { TaskMetrics } from '../../../../src/runtime/task/task-metrics.js';
/**
 * Drives a WindowOperator directly, as a task would: the real keyed state
 * backend (`hashmap`, or `embedded` after `useBackend('embedded')`) and timer
 * service, a controllable processing-time clock and an output that records
 * what the operator emits.
 */
import { Configuration } from '../../../../src/api/configuration.js';
import { ParameterTool } from '../../../../src/api/parameter-tool.js';
import type { SingleOutputStreamOperator } from '../../../../src/api/datastream.js';
import { WindowedStream, AllWindowedStream } from '../../../../src/api/windowed-stream.js';
import type { WindowAssigner } from '../../../../src/api/windowing/assigners.js';
import type { WindowOperatorSpec } from '../../../../src/api/windowing/spec.js';
import type { Window } from '../../../../src/api/windowing/windows.js';
import type { OperatorContext, Output } from '../../../../src/runtime/operators/operator.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import type { KeyedStateBackend } from '../../../../src/runtime/state/keyed-state-backend.js';
import { createEmbeddedKeyedStateBackend, type EmbeddedKeyedStateBackend } from '../../../../src/runtime/state/embedded/index.js';
import { HeapTimerService, type ProcessingTimeService } from '../../../../src/runtime/time/timer-service.js';
import { createRuntimeContext } from '../../../../src/runtime/task/runtime-context.js';
import { WindowOperator } from '../../../../src/runtime/windowing/window-operator.js';
import { OperatorState } from '../../../../src/runtime/task/chain-state.js';

/** Records the spec a windowed stream would record, instead of building a job. */
export function specOf<T = any, W extends Window = Window>(
  assigner: WindowAssigner<any, W>,
  apply: (stream: WindowedStream<T, string, W>) => SingleOutputStreamOperator<any>,
): WindowOperatorSpec {
  let captured: WindowOperatorSpec | undefined;
  const stream = new WindowedStream<T, string, W>(assigner, (_name, spec) => {
    if (spec.kind === 'window') captured = spec.window;
    return undefined as unknown as SingleOutputStreamOperator<unknown>;
  });
  apply(stream);
  return captured!;
}

/** As {@link specOf}, for `windowAll`. */
export function allSpecOf<T = any, W extends Window = Window>(
  assigner: WindowAssigner<any, W>,
  apply: (stream: AllWindowedStream<T, W>) => SingleOutputStreamOperator<any>,
): WindowOperatorSpec {
  let captured: WindowOperatorSpec | undefined;
  const stream = new AllWindowedStream<T, W>(assigner, (_name, spec) => {
    if (spec.kind === 'window') captured = spec.window;
    return undefined as unknown as SingleOutputStreamOperator<unknown>;
  });
  apply(stream);
  return captured!;
}

/** The keyed state backends a harness can run on. */
export const BACKENDS = ['hashmap', 'embedded'] as const;
export type BackendKind = (typeof BACKENDS)[number];

let backendKind: BackendKind = 'hashmap';
const undisposed = new Set<KeyedStateBackend>();

/** The backend harnesses made from now on use (tests parameterized over {@link BACKENDS} set it in `beforeEach`). */
export function useBackend(kind: BackendKind): void {
  backendKind = kind;
}

/** Disposes the backends of every harness not disposed yet (an `afterEach` of tests that use `embedded`). */
export async function disposeHarnesses(): Promise<void> {
  const backends = [...undisposed];
  undisposed.clear();
  await Promise.all(backends.map((b) => b.dispose()));
}

function createBackend(): KeyedStateBackend {
  const range = { start: 0, end: 127 };
  // Small cache bounds, so tests also go through the store, not the cache alone.
  const backend = backendKind === 'hashmap' ? new HeapKeyedStateBackend(range, 128) : createEmbeddedKeyedStateBackend({ keyGroupRange: range, maxParallelism: 128, name: 'window-harness', cacheEntries: 4 });
  undisposed.add(backend);
  return backend;
}

/** What the operator emitted: a record with its timestamp. */
export interface Emitted {
  readonly value: unknown;
  readonly timestamp: number | undefined;
}

export class WindowHarness {
  readonly records: Emitted[] = [];
  readonly side = new Map<string, Emitted[]>();
  readonly watermarks: number[] = [];
  readonly backend = createBackend();
  readonly operator: WindowOperator;
  timerService: HeapTimerService | undefined;
  private now: number;
  private scheduled: { time: number; callback: () => void; cancelled: boolean }[] = [];

  constructor(spec: WindowOperatorSpec, options: { key?: (value: any) => unknown; processingTime?: number } = {}) {
    this.now = options.processingTime ?? 0;
    const time: ProcessingTimeService = {
      now: () => this.now,
      schedule: (at, callback) => {
        const entry = { time: at, callback, cancelled: false };
        this.scheduled.push(entry);
        return () => {
          entry.cancelled = true;
        };
      },
    };
    const output: Output = {
      collect: (value, timestamp) => this.records.push({ value, timestamp }),
      collectSide: (tag, value, timestamp) => this.side.set(tag, [...(this.side.get(tag) ?? []), { value, timestamp }]),
      emitWatermark: (watermark) => this.watermarks.push(watermark),
      emitWatermarkStatus: () => {},
    };
    const taskInfo = { taskName: 'test', subtaskIndex: 0, parallelism: 1, maxParallelism: 128, attemptNumber: 0 };
    const context: OperatorContext = {
      operatorId: '0'.repeat(32),
      operatorName: 'Window(test)',
      subtaskIndex: 0,
      parallelism: 1,
      maxParallelism: 128,
      output,
      runtimeContext: createRuntimeContext(taskInfo, ParameterTool.fromMap({}), 'Window(test)', this.backend),
      parameters: new Configuration(),
      keySelector: options.key ?? ((value: any) => value.key),
      keyGroupRange: { start: 0, end: 127 },
      task: {
        awaitAsync: () => {},
        currentWatermark: () => this.timerService?.currentWatermark() ?? Number.NEGATIVE_INFINITY,
        processingTimeService: time,
        autoWatermarkIntervalMs: 200,
        checkpointingEnabled: false,
        restoredCheckpointId: undefined,
        metricGroup: new TaskMetrics(),
      },
      keyedStateBackend: this.backend,
    operatorState: new OperatorState('op', 'test operator', this.backend, undefined),
      getInternalTimerService: (target) => (this.timerService = new HeapTimerService(this.backend, time, target)),
    };
    this.operator = new WindowOperator(spec, context);
  }

  async open(): Promise<this> {
    await this.operator.open();
    return this;
  }

  element(value: unknown, timestamp?: number): this {
    this.operator.processElement(value, timestamp);
    return this;
  }

  watermark(watermark: number): this {
    this.operator.processWatermark(watermark);
    return this;
  }

  /** Sets the clock and runs the callbacks that are due, in time order. */
  processingTime(time: number): this {
    this.now = time;
    for (;;) {
      const due = this.scheduled.filter((s) => !s.cancelled && s.time <= time).sort((a, b) => a.time - b.time)[0];
      if (due === undefined) break;
      this.scheduled.splice(this.scheduled.indexOf(due), 1);
      due.callback();
    }
    return this;
  }

  finish(): this {
    this.operator.finish();
    return this;
  }

  /** The emitted values, and clears them. */
  take(): unknown[] {
    return this.records.splice(0).map((r) => r.value);
  }

  /** The emitted values with timestamps, and clears them. */
  takeWithTimestamps(): Emitted[] {
    return this.records.splice(0);
  }

  /** The number of keys that still have any keyed state (embedded: of (key, namespace) entries, equal when 0 or 1). */
  keysWithState(): number {
    let keys = 0;
    for (const name of this.backend.stateNames()) keys = Math.max(keys, this.entriesOf(name));
    return keys;
  }

  /** Keys (heap) or (key, namespace) entries (embedded) with state `name`. */
  entriesOf(name: string): number {
    const backend = this.backend;
    if (backend instanceof HeapKeyedStateBackend) return backend.tableOf(name)?.size ?? 0;
    return (backend as EmbeddedKeyedStateBackend).countEntries(name);
  }

  /** Releases the backend (an embedded one deletes its directory). */
  async dispose(): Promise<void> {
    undisposed.delete(this.backend);
    await this.backend.dispose();
  }
}
