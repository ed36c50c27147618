/**
 * The contexts a window operator hands to user code: the trigger context
 * (timers and state of one window of the current key) and the context of
 * Process(All)WindowFunction (window, time, per-window and global state,
 * side outputs). One instance of each per operator, pointed at the current
 * window before every call.
 */
import { FlinktsError } from '../../api/errors.js';
import type { OutputTag } from '../../api/output-tag.js';
import type { AnyStateDescriptor, KeyedStateStore, StateDescriptor } from '../../api/state.js';
import type { OnMergeContext } from '../../api/windowing/trigger.js';
import type { ProcessWindowFunctionContext } from '../../api/windowing/functions.js';
import type { Window } from '../../api/windowing/windows.js';
import type { Output } from '../operators/operator.js';
import { VOID_NAMESPACE } from '../state/heap-keyed-state-backend.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import type { InternalKvState } from '../state/heap-states.js';
import type { InternalTimerService } from '../time/timer-service.js';

/**
 * The backend's view of `descriptor`, one per descriptor object: triggers and
 * window functions ask on every call, and each view only holds a namespace,
 * which the caller sets before use.
 */
function viewCache(backend: KeyedStateBackend): (descriptor: AnyStateDescriptor) => InternalKvState {
  const views = new WeakMap<AnyStateDescriptor, InternalKvState>();
  return (descriptor) => {
    let view = views.get(descriptor);
    if (view === undefined) {
      view = backend.getState<InternalKvState>(descriptor);
      views.set(descriptor, view);
    }
    return view;
  };
}

/** Keyed state in one namespace. */
function stateStore(backend: KeyedStateBackend, namespace: () => string): KeyedStateStore {
  const view = viewCache(backend);
  const get = <S>(descriptor: AnyStateDescriptor): S => {
    const state = view(descriptor);
    state.setCurrentNamespace(namespace());
    return state as S;
  };
  return {
    getState: (d) => get(d),
    getListState: (d) => get(d),
    getMapState: (d) => get(d),
    getReducingState: (d) => get(d),
    getAggregatingState: (d) => get(d),
  };
}

/** Trigger context of the current key and window; `mergedNamespaces` is set during `onMerge`. */
export class WindowTriggerContext implements OnMergeContext {
  window!: Window;
  namespace = '';
  mergedNamespaces: readonly string[] = [];
  /** Set while the operator fires its last processing-time timers at the end of input: new ones are ignored. */
  finishing = false;
  private readonly view: (descriptor: AnyStateDescriptor) => InternalKvState;

  constructor(
    backend: KeyedStateBackend,
    private readonly timers: InternalTimerService,
  ) {
    this.view = viewCache(backend);
  }

  /** Points the context at `window` (namespace `namespace`). */
  set(window: Window, namespace: string): this {
    this.window = window;
    this.namespace = namespace;
    return this;
  }

  getCurrentProcessingTime(): number {
    return this.timers.currentProcessingTime();
  }

  getCurrentWatermark(): number {
    return this.timers.currentWatermark();
  }

  registerProcessingTimeTimer(time: number): void {
    if (!this.finishing) this.timers.registerProcessingTimeTimer(this.namespace, time);
  }

  registerEventTimeTimer(time: number): void {
    this.timers.registerEventTimeTimer(this.namespace, time);
  }

  deleteProcessingTimeTimer(time: number): void {
    this.timers.deleteProcessingTimeTimer(this.namespace, time);
  }

  deleteEventTimeTimer(time: number): void {
    this.timers.deleteEventTimeTimer(this.namespace, time);
  }

  getPartitionedState<S>(descriptor: StateDescriptor<S, any>): S {
    const state = this.view(descriptor as AnyStateDescriptor);
    state.setCurrentNamespace(this.namespace);
    return state as S;
  }

  mergePartitionedState(descriptor: StateDescriptor<any, any>): void {
    if (this.mergedNamespaces.length === 0) return;
    const state = this.view(descriptor as AnyStateDescriptor);
    if (state.mergeNamespaces === undefined) {
      throw new FlinktsError('USER_FUNCTION', `mergePartitionedState('${descriptor.name}'): ${state.kind} state cannot be merged; use list, reducing or aggregating state`);
    }
    state.mergeNamespaces(this.namespace, this.mergedNamespaces);
  }
}

/** The context of Process(All)WindowFunction.process / clear. */
export class WindowProcessContext implements ProcessWindowFunctionContext {
  private current!: Window;
  private currentNamespace = '';
  private readonly perWindow: KeyedStateStore;
  private readonly global: KeyedStateStore;

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly timers: InternalTimerService,
    private readonly output_: Output,
    merging: boolean,
    operatorName: string,
  ) {
    const perWindow = stateStore(backend, () => this.currentNamespace);
    const refuse = (): never => {
      throw new FlinktsError('USER_FUNCTION', `${operatorName}: per-window state (windowState()) is not available with merging (session) windows; use globalState() or the runtime context`);
    };
    this.perWindow = merging
      ? { getState: refuse, getListState: refuse, getMapState: refuse, getReducingState: refuse, getAggregatingState: refuse }
      : perWindow;
    this.global = stateStore(backend, () => VOID_NAMESPACE);
  }

  /** Points the context at `window` (namespace `namespace`). */
  set(window: Window, namespace: string): this {
    this.current = window;
    this.currentNamespace = namespace;
    return this;
  }

  window(): Window {
    return this.current;
  }

  timestamp(): number {
    return this.current.maxTimestamp();
  }

  currentProcessingTime(): number {
    return this.timers.currentProcessingTime();
  }

  currentWatermark(): number {
    return this.timers.currentWatermark();
  }

  windowState(): KeyedStateStore {
    return this.perWindow;
  }

  globalState(): KeyedStateStore {
    return this.global;
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.output_.collectSide(tag.id, value, this.current.maxTimestamp());
  }

  getCurrentKey(): unknown {
    return this.backend.getCurrentKey();
  }
}
