/**
 * The window operator, as Flink's WindowOperator / EvictingWindowOperator:
 * assigns each element to windows, keeps their contents in the keyed state
 * backend (namespace = window), asks the trigger what to do on every element
 * and timer, evaluates the window function on FIRE, drops contents on PURGE,
 * and cleans a window up at `maxTimestamp + allowedLateness` (event time) or
 * `maxTimestamp` (processing time). Merging assigners (sessions) go through
 * a per-key MergingWindowSet. Elements of windows that were already cleaned
 * up are late: dropped, or sent to the late-data side output.
 */
import { FlinktsError } from '../../api/errors.js';
import { ValueStateDescriptor, type ValueState } from '../../api/state.js';
import { MergingWindowAssigner, type WindowAssigner, type WindowAssignerContext } from '../../api/windowing/assigners.js';
import type { EvictorContext } from '../../api/windowing/evictors.js';
import type { WindowOperatorSpec } from '../../api/windowing/spec.js';
import type { Trigger } from '../../api/windowing/trigger.js';
import { EventTimeTrigger } from '../../api/windowing/triggers.js';
import { MAX_TIMESTAMP, type Window } from '../../api/windowing/windows.js';
import { TimestampedCollector } from '../operators/basic-operators.js';
import { closeFunction, openFunction } from '../operators/function-lifecycle.js';
import type { OperatorContext, StreamOperator } from '../operators/operator.js';
import { HeapKeyedStateBackend } from '../state/heap-keyed-state-backend.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import type { InternalKvState } from '../state/heap-states.js';
import type { HeapTimerService, InternalTimer, Triggerable } from '../time/timer-service.js';
import { MergingWindowSet, type MergingWindowSetState } from './merging-window-set.js';
import { WindowProcessContext, WindowTriggerContext } from './window-contexts.js';
import { createWindowContents, type WindowContents } from './window-contents.js';
import { internalWindowFunction, type InternalWindowFunction } from './window-functions.js';
import { WindowNamespaces } from './window-namespaces.js';

export class WindowOperator implements StreamOperator, Triggerable {
  /** The operator sets the current key itself (once per element). */
  readonly managesKeyContext = true;
  /** Late elements dropped (no late-data side output), as Flink's numLateRecordsDropped. */
  lateRecordsDropped = 0;

  private readonly assigner: WindowAssigner<unknown, Window>;
  private readonly trigger: Trigger<unknown, Window>;
  /** The trigger is the built-in EventTimeTrigger, whose per-element work is known. */
  private readonly eventTimeTrigger: boolean;
  /**
   * EventTimeTrigger on event-time windows without lateness: the cleanup timer is the trigger's own
   * timer at maxTimestamp, so it is registered once (by the trigger) and not deleted when it fires.
   */
  private readonly cleanupIsTriggerTimer: boolean;
  /** The window and namespace `emitContents` evaluates (set by `emit`). */
  private emitting: { window: Window; namespace: string } = { window: undefined as unknown as Window, namespace: '' };
  private readonly merging: MergingWindowAssigner<unknown, Window> | undefined;
  private readonly eventTime: boolean;
  private readonly allowedLateness: number;
  private readonly lateTagId: string | undefined;
  private readonly key: (value: unknown) => unknown;
  private readonly backend: KeyedStateBackend;
  private readonly timers: HeapTimerService;
  private readonly namespaces = new WindowNamespaces();
  private readonly contents: WindowContents;
  private readonly function: InternalWindowFunction;
  private readonly triggerContext: WindowTriggerContext;
  private readonly processContext: WindowProcessContext;
  private readonly collector: TimestampedCollector;
  private readonly assignerContext: WindowAssignerContext;
  private readonly mergingSetState: (InternalKvState & ValueState<MergingWindowSet | MergingWindowSetState>) | undefined;
  /**
   * The heap backend holds the merging window set as a live object, changed in
   * place; any other backend stores copies, so the set is stored in its
   * persisted form and written back after every change.
   */
  private readonly liveMergingSet: boolean;

  constructor(
    spec: WindowOperatorSpec,
    private readonly context: OperatorContext,
  ) {
    if (context.keySelector === undefined || context.keyedStateBackend === undefined) {
      throw new FlinktsError('INVALID_GRAPH', `${context.operatorName}: window operators need a keyed stream (keyBy(...).window(...) or windowAll(...))`);
    }
    this.key = context.keySelector;
    this.backend = context.keyedStateBackend;
    this.liveMergingSet = this.backend instanceof HeapKeyedStateBackend;
    this.assigner = spec.assigner;
    this.trigger = spec.trigger;
    this.eventTimeTrigger = spec.trigger === EventTimeTrigger.create();
    this.cleanupIsTriggerTimer = this.eventTimeTrigger && spec.assigner.isEventTime() && spec.allowedLateness === 0;
    this.merging = spec.assigner instanceof MergingWindowAssigner ? spec.assigner : undefined;
    this.eventTime = spec.assigner.isEventTime();
    this.allowedLateness = spec.allowedLateness;
    this.lateTagId = spec.lateDataTag?.id;
    this.timers = context.getInternalTimerService(this);
    const timers = this.timers;
    this.assignerContext = { getCurrentProcessingTime: () => timers.currentProcessingTime() };
    const evictorContext: EvictorContext = {
      getCurrentProcessingTime: () => timers.currentProcessingTime(),
      getCurrentWatermark: () => timers.currentWatermark(),
    };
    this.contents = createWindowContents(this.backend, spec.incremental, spec.evictor, evictorContext);
    this.function = internalWindowFunction(spec.windowFunction, spec.nonKeyed);
    this.triggerContext = new WindowTriggerContext(this.backend, timers);
    this.processContext = new WindowProcessContext(this.backend, timers, context.output, this.merging !== undefined, context.operatorName);
    this.collector = new TimestampedCollector(context.output);
    if (this.merging !== undefined) {
      this.mergingSetState = this.backend.getState<InternalKvState & ValueState<MergingWindowSet | MergingWindowSetState>>(
        new ValueStateDescriptor<MergingWindowSet | MergingWindowSetState>('merging-window-set'),
      );
    }
  }

  open(): Promise<void> {
    return openFunction(this.function.userFunction, this.context);
  }

  close(): Promise<void> {
    this.timers.close();
    return closeFunction(this.function.userFunction);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    this.backend.setCurrentKey(this.key(value));
    const windows = this.assigner.assignWindows(value, timestamp, this.assignerContext);
    const skipped = this.merging === undefined ? this.addToWindows(windows, value, timestamp) : this.addToMergingWindows(this.merging, windows, value, timestamp);
    if (skipped && this.isElementLate(timestamp)) {
      if (this.lateTagId !== undefined) this.context.output.collectSide(this.lateTagId, value, timestamp);
      else this.lateRecordsDropped++;
    }
  }

  /** Fires the event-time timers the watermark passed, then forwards it. */
  processWatermark(watermark: number): void {
    this.timers.advanceWatermark(watermark);
    this.context.output.emitWatermark(watermark);
  }

  /**
   * End of input: the pending processing-time timers fire once, so
   * processing-time windows emit what they hold; timers that triggers
   * register meanwhile are ignored (a continuous trigger would never end).
   */
  finish(): void {
    this.triggerContext.finishing = true;
    this.timers.fireAllProcessingTimers();
  }

  onEventTime(timer: InternalTimer): void {
    this.onTimer(timer, true);
  }

  onProcessingTime(timer: InternalTimer): void {
    this.onTimer(timer, false);
  }

  /** Adds an element to non-merging windows; true when every window was late. */
  private addToWindows(windows: readonly Window[], value: unknown, timestamp: number | undefined): boolean {
    let skipped = true;
    for (const window of windows) {
      if (this.isWindowLate(window)) continue;
      skipped = false;
      const namespace = this.namespaces.of(window);
      this.contents.setNamespace(namespace);
      const existed = this.contents.add(value, timestamp);
      if (existed && this.eventTimeTrigger) {
        // EventTimeTrigger already registered its timer (or the window fires at once, as below) and the
        // cleanup timer is pending: the first element of the window registered them (see docs/architecture.md).
        if (window.maxTimestamp() <= this.timers.currentWatermark()) this.emit(window, namespace);
        continue;
      }
      this.onElementResult(window, namespace, value, timestamp);
      // A window with contents has its cleanup timer: only an empty (new or purged) window registers it.
      if (!existed && !this.cleanupIsTriggerTimer) this.registerCleanupTimer(window, namespace);
    }
    return skipped;
  }

  /** Adds an element to merging windows (sessions); true when every window was late. */
  private addToMergingWindows(assigner: MergingWindowAssigner<unknown, Window>, windows: readonly Window[], value: unknown, timestamp: number | undefined): boolean {
    const set = this.mergingWindowSet(assigner);
    let skipped = true;
    for (const window of windows) {
      const actual = set.addWindow(window, (mergeResult, mergedWindows, stateWindowResult, mergedStateWindows) => {
        this.checkMergeResult(mergeResult);
        const resultNamespace = this.namespaces.of(mergeResult);
        const ctx = this.triggerContext.set(mergeResult, resultNamespace);
        ctx.mergedNamespaces = mergedWindows.map((w) => this.namespaces.of(w));
        try {
          this.trigger.onMerge(mergeResult, ctx);
        } finally {
          ctx.mergedNamespaces = [];
        }
        for (const merged of mergedWindows) {
          const namespace = this.namespaces.of(merged);
          this.trigger.clear(merged, this.triggerContext.set(merged, namespace));
          this.deleteCleanupTimer(merged, namespace);
        }
        this.contents.mergeNamespaces(stateWindowResult, mergedStateWindows);
      });
      const namespace = this.namespaces.of(actual);
      if (this.isWindowLate(actual)) {
        set.retireWindow(namespace);
        continue;
      }
      skipped = false;
      const stateWindow = set.getStateWindow(namespace);
      if (stateWindow === undefined) throw new FlinktsError('INTERNAL', `${this.context.operatorName}: window ${String(actual)} has no state window`);
      this.contents.setNamespace(stateWindow);
      this.contents.add(value, timestamp);
      this.onElementResult(actual, namespace, value, timestamp);
      this.registerCleanupTimer(actual, namespace);
    }
    this.persist(set);
    return skipped;
  }

  /** Asks the trigger about a new element of `window` (contents already pointed at its state window). */
  private onElementResult(window: Window, namespace: string, value: unknown, timestamp: number | undefined): void {
    const result = this.trigger.onElement(value, timestamp, window, this.triggerContext.set(window, namespace));
    if (result.isFire()) this.emit(window, namespace);
    if (result.isPurge()) this.contents.clear();
  }

  private onTimer(timer: InternalTimer, eventTime: boolean): void {
    const namespace = timer.namespace;
    const window = this.namespaces.window(namespace);
    let set: MergingWindowSet | undefined;
    if (this.merging !== undefined) {
      set = this.mergingWindowSet(this.merging);
      const stateWindow = set.getStateWindow(namespace);
      // A timer of a window that was merged away: its trigger should have deleted it.
      if (stateWindow === undefined) return;
      this.contents.setNamespace(stateWindow);
    } else {
      this.contents.setNamespace(namespace);
    }
    const ctx = this.triggerContext.set(window, namespace);
    const result = eventTime ? this.trigger.onEventTime(timer.timestamp, window, ctx) : this.trigger.onProcessingTime(timer.timestamp, window, ctx);
    if (result.isFire()) this.emit(window, namespace);
    if (result.isPurge()) this.contents.clear();
    if (this.eventTime === eventTime && timer.timestamp === this.cleanupTime(window)) this.clearAllState(window, namespace, set);
    if (set !== undefined) this.persist(set);
  }

  /** Evaluates the window function over the current contents; records carry the window's maxTimestamp. */
  private emit(window: Window, namespace: string): void {
    this.emitting.window = window;
    this.emitting.namespace = namespace;
    this.contents.fire(window, this.emitContents);
  }

  private readonly emitContents = (input: Iterable<unknown>): void => {
    const { window, namespace } = this.emitting;
    this.collector.timestamp = window.maxTimestamp();
    this.function.process(this.backend.getCurrentKey(), window, input, this.processContext.set(window, namespace), this.collector);
  };

  private clearAllState(window: Window, namespace: string, set: MergingWindowSet | undefined): void {
    this.contents.clear();
    // EventTimeTrigger.clear only deletes its timer, which is the one firing now when it is also the cleanup timer.
    if (!this.cleanupIsTriggerTimer) this.trigger.clear(window, this.triggerContext.set(window, namespace));
    this.function.clear(this.processContext.set(window, namespace));
    if (set !== undefined) set.retireWindow(namespace);
    this.namespaces.release(namespace);
  }

  /** When the window's state goes: event time keeps it for the allowed lateness. */
  private cleanupTime(window: Window): number {
    const maxTimestamp = window.maxTimestamp();
    if (!this.eventTime) return maxTimestamp;
    return Math.min(maxTimestamp + this.allowedLateness, MAX_TIMESTAMP);
  }

  private registerCleanupTimer(window: Window, namespace: string): void {
    const time = this.cleanupTime(window);
    if (time >= MAX_TIMESTAMP) return;
    if (this.eventTime) this.timers.registerEventTimeTimer(namespace, time);
    else this.timers.registerProcessingTimeTimer(namespace, time);
  }

  private deleteCleanupTimer(window: Window, namespace: string): void {
    const time = this.cleanupTime(window);
    if (time >= MAX_TIMESTAMP) return;
    if (this.eventTime) this.timers.deleteEventTimeTimer(namespace, time);
    else this.timers.deleteProcessingTimeTimer(namespace, time);
  }

  /** An event-time window whose cleanup time the watermark reached takes no more elements. */
  private isWindowLate(window: Window): boolean {
    return this.eventTime && this.cleanupTime(window) <= this.timers.currentWatermark();
  }

  private isElementLate(timestamp: number | undefined): boolean {
    return this.eventTime && timestamp !== undefined && timestamp + this.allowedLateness <= this.timers.currentWatermark();
  }

  /** Merging must never move a window's end behind the watermark (or the clock). */
  private checkMergeResult(mergeResult: Window): void {
    if (this.eventTime && mergeResult.maxTimestamp() + this.allowedLateness <= this.timers.currentWatermark()) {
      throw new FlinktsError(
        'USER_FUNCTION',
        `${this.context.operatorName}: merging windows produced ${String(mergeResult)}, whose end is before the current watermark ${this.timers.currentWatermark()}; a merging assigner must never shrink windows`,
      );
    }
    if (!this.eventTime && mergeResult.maxTimestamp() <= this.timers.currentProcessingTime()) {
      throw new FlinktsError(
        'USER_FUNCTION',
        `${this.context.operatorName}: merging windows produced ${String(mergeResult)}, whose end is before the current processing time; a merging assigner must never shrink windows`,
      );
    }
  }

  private mergingWindowSet(assigner: MergingWindowAssigner<unknown, Window>): MergingWindowSet {
    const state = this.mergingSetState!;
    state.setCurrentNamespace('');
    // Heap backend: the live set is the state value (references); snapshots store set.persist().
    const stored = state.value();
    if (stored instanceof MergingWindowSet) return stored;
    // The persisted form (a restored key, or any backend that stores copies) is rebuilt; the heap keeps the rebuilt set.
    const set = new MergingWindowSet(assigner, this.namespaces, stored);
    if (this.liveMergingSet) state.update(set);
    return set;
  }

  /** After a change to the current key's set: an empty set goes; a backend of copies gets the persisted form again. */
  private persist(set: MergingWindowSet): void {
    const state = this.mergingSetState!;
    if (this.liveMergingSet && !set.isEmpty) return;
    state.setCurrentNamespace('');
    if (set.isEmpty) state.clear();
    else state.update(set.persist());
  }
}
