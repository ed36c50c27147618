/**
 * Where a window operator keeps the contents of each window: in the keyed
 * state backend, namespaced by window, as Flink's `window-contents` state.
 * Incremental functions keep one value per window (reducing / aggregating
 * state); `apply` / `process` and any window with an evictor keep every
 * element (list state; with an evictor, with its timestamp).
 *
 * With the heap backend, elements go straight into the state's table (the hot
 * path: one index lookup, which also tells whether the window is new). Any
 * other backend (`embedded`) is written through the state objects only, which
 * store every change (their values are copies); `add` then cannot tell a new
 * window cheaply and answers "new", which only costs the operator a
 * deduplicated timer registration.
 */
import type { ListState, ReducingState } from '../../api/state.js';
import { AggregatingStateDescriptor, ListStateDescriptor, ReducingStateDescriptor } from '../../api/state.js';
import { TimestampedValue, type Evictor, type EvictorContext } from '../../api/windowing/evictors.js';
import type { IncrementalSpec } from '../../api/windowing/spec.js';
import type { Window } from '../../api/windowing/windows.js';
import { HeapKeyedStateBackend, type StateTable } from '../state/heap-keyed-state-backend.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import type { InternalKvState } from '../state/heap-states.js';
import { NamespaceMap } from '../state/namespace-map.js';
import { reduceFunctionOf } from './window-functions.js';

/** The state descriptor name, as in Flink. */
export const WINDOW_CONTENTS = 'window-contents';

/** The contents of the windows of the current key. */
export interface WindowContents {
  setNamespace(namespace: string): void;
  /** Adds an element to the current window; returns whether the window had contents before. */
  add(value: unknown, timestamp: number | undefined): boolean;
  /** Calls `emit` with the input of the window function, unless the window is empty (evicting first when configured). */
  fire(window: Window, emit: (input: Iterable<unknown>) => void): void;
  clear(): void;
  /** Merges the contents of `sources` into `target` (merging windows). */
  mergeNamespaces(target: string, sources: readonly string[]): void;
}

/** Builds the contents holder for a window operator. */
export function createWindowContents(
  backend: KeyedStateBackend,
  incremental: IncrementalSpec | undefined,
  evictor: Evictor | undefined,
  evictorContext: EvictorContext,
): WindowContents {
  const heap = backend instanceof HeapKeyedStateBackend ? backend : undefined;
  if (evictor !== undefined) {
    const list = backend.getState<InternalKvState & ListState<Stored>>(new ListStateDescriptor<Stored>(WINDOW_CONTENTS));
    const combine = incremental === undefined ? undefined : combiner(incremental);
    return heap !== undefined ? new EvictingContents(heap, list, combine, evictor, evictorContext) : new StateEvictingContents(list, combine, evictor, evictorContext);
  }
  if (incremental === undefined) {
    const list = backend.getState<InternalKvState & ListState<unknown>>(new ListStateDescriptor<unknown>(WINDOW_CONTENTS));
    return heap !== undefined ? new ListContents(heap, list) : new StateListContents(list);
  }
  if (incremental.kind === 'aggregate') {
    const fn = incremental.fn;
    // Typed as reducing state: both have get() (an aggregating state's gives the result) and add().
    const state = backend.getState<InternalKvState & ReducingState<unknown>>(new AggregatingStateDescriptor(WINDOW_CONTENTS, fn));
    if (heap === undefined) return new StateSingleValueContents(state);
    return new SingleValueContents(heap, state, (value) => fn.add(value, fn.createAccumulator()), (acc, value) => fn.add(value, acc));
  }
  const reduce = reduceFunctionOf(incremental);
  const state = backend.getState<InternalKvState & ReducingState<unknown>>(new ReducingStateDescriptor(WINDOW_CONTENTS, reduce));
  return heap !== undefined ? new SingleValueContents(heap, state, (value) => value, reduce) : new StateSingleValueContents(state);
}

/**
 * Contents in one keyed state: adding goes straight to the state's table
 * (one key lookup per element, and it tells whether the window is new); the
 * stored form is the one the state object reads, writes, merges and
 * snapshots (a raw value per namespace: window states have no TTL).
 */
abstract class TableContents<V> {
  protected namespace = '';
  private readonly table: StateTable;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    protected readonly state: InternalKvState,
  ) {
    this.table = backend.tableOf(state.name)!;
  }

  setNamespace(namespace: string): void {
    this.namespace = namespace;
    this.state.setCurrentNamespace(namespace);
  }

  clear(): void {
    this.state.clear();
  }

  mergeNamespaces(target: string, sources: readonly string[]): void {
    this.state.mergeNamespaces!(target, sources);
  }

  /** The namespaces of the current key (created when missing). */
  protected namespaces(): NamespaceMap<V> {
    const backend = this.backend;
    const entry = this.table.entryOfCanonical(backend.currentKeyCanonical());
    if (entry === undefined) return this.table.insertKey(backend.getCurrentKey(), backend.currentKeyCanonical()).value as NamespaceMap<V>;
    // A released (empty) entry comes back into use.
    if (entry.value.size === 0) this.table.reclaim();
    return entry.value as NamespaceMap<V>;
  }
}

/** `reduce` / `aggregate` / field aggregations: one value (or accumulator) per window, updated per element. */
class SingleValueContents extends TableContents<unknown> implements WindowContents {
  constructor(
    backend: HeapKeyedStateBackend,
    private readonly reducing: InternalKvState & ReducingState<unknown>,
    private readonly first: (value: unknown) => unknown,
    private readonly combine: (accumulated: unknown, value: unknown) => unknown,
  ) {
    super(backend, reducing);
  }

  add(value: unknown): boolean {
    const namespaces = this.namespaces();
    const accumulated = namespaces.get(this.namespace);
    namespaces.set(this.namespace, accumulated === undefined ? this.first(value) : this.combine(accumulated, value));
    return accumulated !== undefined;
  }

  fire(_window: Window, emit: (input: Iterable<unknown>) => void): void {
    const value = this.reducing.get();
    if (value !== undefined) emit([value]);
  }
}

/** `apply` / `process`: every element of the window. */
class ListContents extends TableContents<unknown[]> implements WindowContents {
  constructor(
    backend: HeapKeyedStateBackend,
    private readonly list: InternalKvState & ListState<unknown>,
  ) {
    super(backend, list);
  }

  add(value: unknown): boolean {
    return appendTo(this.namespaces(), this.namespace, value);
  }

  fire(_window: Window, emit: (input: Iterable<unknown>) => void): void {
    const elements = [...this.list.get()];
    if (elements.length > 0) emit(elements);
  }
}

/** Appends to the list of `namespace`; whether it existed. */
function appendTo<T>(namespaces: NamespaceMap<T[]>, namespace: string, value: T): boolean {
  const list = namespaces.get(namespace);
  if (list === undefined) {
    namespaces.set(namespace, [value]);
    return false;
  }
  list.push(value);
  return true;
}

/** A stored element of an evicting window: the value and its timestamp. */
type Stored = [value: unknown, timestamp: number | undefined];

/**
 * Windows with an evictor (Flink's EvictingWindowOperator): every element is
 * kept with its timestamp; on firing the evictor removes elements before and
 * after the function, which sees the rest (pre-aggregated by the reduce or
 * aggregate function if one was given), and the survivors are kept.
 */
class EvictingContents extends TableContents<Stored[]> implements WindowContents {
  constructor(
    backend: HeapKeyedStateBackend,
    private readonly list: InternalKvState & ListState<Stored>,
    private readonly combine: ((values: unknown[]) => unknown[]) | undefined,
    private readonly evictor: Evictor,
    private readonly context: EvictorContext,
  ) {
    super(backend, list);
  }

  add(value: unknown, timestamp: number | undefined): boolean {
    return appendTo(this.namespaces(), this.namespace, [value, timestamp]);
  }

  fire(window: Window, emit: (input: Iterable<unknown>) => void): void {
    fireEvicting(this.list, this.combine, this.evictor, this.context, window, emit);
  }
}

/** Evicts, evaluates over what remains and keeps the survivors (both evicting contents). */
function fireEvicting(
  list: ListState<Stored>,
  combine: ((values: unknown[]) => unknown[]) | undefined,
  evictor: Evictor,
  context: EvictorContext,
  window: Window,
  emit: (input: Iterable<unknown>) => void,
): void {
  const elements: TimestampedValue<unknown>[] = [];
  for (const [value, timestamp] of list.get()) elements.push(new TimestampedValue(value, timestamp));
  if (elements.length === 0) return;
  evictor.evictBefore(elements, elements.length, window, context);
  const values = elements.map((e) => e.value);
  const input = combine === undefined ? values : combine(values);
  if (input.length > 0) emit(input);
  evictor.evictAfter(elements, elements.length, window, context);
  list.update(elements.map((e): Stored => [e.value, e.timestamp]));
}

/**
 * Contents of any backend other than the heap one, through the state objects
 * alone: every `add` is stored by the state (values read back are copies).
 * `add` answers "new window" (see the header).
 */
abstract class StateContents implements Pick<WindowContents, 'setNamespace' | 'clear' | 'mergeNamespaces'> {
  constructor(protected readonly state: InternalKvState) {}

  setNamespace(namespace: string): void {
    this.state.setCurrentNamespace(namespace);
  }

  clear(): void {
    this.state.clear();
  }

  mergeNamespaces(target: string, sources: readonly string[]): void {
    this.state.mergeNamespaces!(target, sources);
  }
}

/** `reduce` / `aggregate` over the state's own `add` (the same first / combine rules as the heap path). */
class StateSingleValueContents extends StateContents implements WindowContents {
  constructor(private readonly reducing: InternalKvState & ReducingState<unknown>) {
    super(reducing);
  }

  add(value: unknown): boolean {
    this.reducing.add(value);
    return false;
  }

  fire(_window: Window, emit: (input: Iterable<unknown>) => void): void {
    const value = this.reducing.get();
    if (value !== undefined) emit([value]);
  }
}

/** `apply` / `process` over list state. */
class StateListContents extends StateContents implements WindowContents {
  constructor(private readonly list: InternalKvState & ListState<unknown>) {
    super(list);
  }

  add(value: unknown): boolean {
    this.list.add(value);
    return false;
  }

  fire(_window: Window, emit: (input: Iterable<unknown>) => void): void {
    const elements = [...this.list.get()];
    if (elements.length > 0) emit(elements);
  }
}

/** Windows with an evictor over list state. */
class StateEvictingContents extends StateContents implements WindowContents {
  constructor(
    private readonly list: InternalKvState & ListState<Stored>,
    private readonly combine: ((values: unknown[]) => unknown[]) | undefined,
    private readonly evictor: Evictor,
    private readonly context: EvictorContext,
  ) {
    super(list);
  }

  add(value: unknown, timestamp: number | undefined): boolean {
    this.list.add([value, timestamp]);
    return false;
  }

  fire(window: Window, emit: (input: Iterable<unknown>) => void): void {
    fireEvicting(this.list, this.combine, this.evictor, this.context, window, emit);
  }
}

/** Pre-aggregates the remaining elements of an evicting window (Flink's Reduce/AggregateApply functions). */
function combiner(incremental: IncrementalSpec): (values: unknown[]) => unknown[] {
  if (incremental.kind === 'aggregate') {
    const fn = incremental.fn;
    return (values) => {
      let acc = fn.createAccumulator();
      for (const value of values) acc = fn.add(value, acc);
      return [fn.getResult(acc)];
    };
  }
  const reduce = reduceFunctionOf(incremental);
  return (values) => {
    if (values.length === 0) return [];
    let acc = values[0];
    for (let i = 1; i < values.length; i++) acc = reduce(acc, values[i]);
    return [acc];
  };
}
