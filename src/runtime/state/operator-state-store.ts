/**
 * Operator state of one operator subtask (Flink's `OperatorStateStore`):
 * named lists redistributed by even split or as a union when the
 * parallelism changes, and broadcast maps. Sources keep their splits here,
 * `CheckpointedFunction`s their own lists.
 */
import type { BroadcastState } from '../../api/co-functions.js';
import type { OperatorListState, OperatorStateStore } from '../../api/checkpointing.js';
import { FlinktsError } from '../../api/errors.js';
import type { ListStateDescriptor, MapStateDescriptor } from '../../api/state.js';
import type { OperatorStateMode } from '../checkpoint/metadata.js';
import { HeapBroadcastState } from './broadcast-state.js';

/** One named list of restored or snapshotted operator state. */
export interface OperatorStateList {
  readonly name: string;
  readonly mode: OperatorStateMode;
  readonly elements: readonly unknown[];
}

class HeapOperatorListState<T> implements OperatorListState<T> {
  constructor(public elements: T[]) {}

  get(): Iterable<T> {
    return this.elements;
  }

  add(value: T): void {
    if (value === undefined || value === null) throw new FlinktsError('USER_FUNCTION', 'operator list state: cannot add null or undefined');
    this.elements.push(value);
  }

  addAll(values: readonly T[]): void {
    for (const value of values) this.add(value);
  }

  update(values: readonly T[]): void {
    this.elements = [];
    this.addAll(values);
  }

  clear(): void {
    this.elements = [];
  }
}

export class HeapOperatorStateStore implements OperatorStateStore {
  private readonly lists = new Map<string, { mode: 'split' | 'union'; state: HeapOperatorListState<unknown> }>();
  private readonly broadcast = new Map<string, HeapBroadcastState<unknown, unknown>>();
  private readonly restored: Map<string, OperatorStateList>;

  constructor(
    private readonly operatorName: string,
    restored: readonly OperatorStateList[] | undefined,
  ) {
    this.restored = new Map((restored ?? []).map((list) => [list.name, list]));
  }

  /** Whether this store was restored from a snapshot. */
  readonly isRestored = (): boolean => this.restored.size > 0;

  getListState<T>(descriptor: ListStateDescriptor<T>): OperatorListState<T> {
    return this.list(descriptor, 'split');
  }

  getUnionListState<T>(descriptor: ListStateDescriptor<T>): OperatorListState<T> {
    return this.list(descriptor, 'union');
  }

  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    let state = this.broadcast.get(descriptor.name);
    if (state === undefined) {
      this.checkUnique(descriptor.name, 'broadcast');
      state = new HeapBroadcastState();
      for (const [key, value] of (this.restoredList(descriptor.name, 'broadcast')?.elements ?? []) as [unknown, unknown][]) state.put(key, value);
      this.broadcast.set(descriptor.name, state);
    }
    return state as HeapBroadcastState<K, V>;
  }

  /** Every list as it is now, for a snapshot. */
  snapshot(): OperatorStateList[] {
    const out: OperatorStateList[] = [];
    for (const [name, { mode, state }] of this.lists) out.push({ name, mode, elements: [...state.elements] });
    for (const [name, state] of this.broadcast) out.push({ name, mode: 'broadcast', elements: [...state.entries()] });
    return out;
  }

  private list<T>(descriptor: ListStateDescriptor<T>, mode: 'split' | 'union'): OperatorListState<T> {
    const existing = this.lists.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.mode !== mode) throw this.modeConflict(descriptor.name, existing.mode, mode);
      return existing.state as HeapOperatorListState<T>;
    }
    this.checkUnique(descriptor.name, mode);
    const state = new HeapOperatorListState<T>([...((this.restoredList(descriptor.name, mode)?.elements ?? []) as T[])]);
    this.lists.set(descriptor.name, { mode, state: state as HeapOperatorListState<unknown> });
    return state;
  }

  private restoredList(name: string, mode: OperatorStateMode): OperatorStateList | undefined {
    const list = this.restored.get(name);
    if (list !== undefined && list.mode !== mode) throw this.modeConflict(name, list.mode, mode);
    return list;
  }

  private checkUnique(name: string, mode: OperatorStateMode): void {
    const other = this.broadcast.has(name) ? 'broadcast' : this.lists.get(name)?.mode;
    if (other !== undefined && other !== mode) throw this.modeConflict(name, other, mode);
  }

  private modeConflict(name: string, was: OperatorStateMode, now: OperatorStateMode): FlinktsError {
    return new FlinktsError('STATE_INCOMPATIBLE', `${this.operatorName}: operator state '${name}' is ${was} state and is now requested as ${now} state`);
  }
}

/**
 * The operator state of new subtask `index` of `parallelism` from the lists
 * of every old subtask, as Flink redistributes it: `split` lists are
 * concatenated and cut into contiguous, even shares; `union` lists give every
 * new subtask all elements; `broadcast` maps are equal everywhere, so each
 * new subtask takes the first old subtask's.
 */
export function redistributeOperatorState(old: readonly (readonly OperatorStateList[])[], index: number, parallelism: number): OperatorStateList[] {
  // Per name, the list of every old subtask (empty where a subtask had none).
  const byName = new Map<string, { mode: OperatorStateMode; parts: (readonly unknown[])[] }>();
  old.forEach((lists, oldIndex) => {
    for (const list of lists) {
      const entry = byName.get(list.name) ?? { mode: list.mode, parts: old.map(() => []) };
      entry.parts[oldIndex] = list.elements;
      byName.set(list.name, entry);
    }
  });
  const out: OperatorStateList[] = [];
  for (const [name, { mode, parts }] of byName) {
    if (mode === 'broadcast') {
      out.push({ name, mode, elements: parts.find((p) => p.length > 0) ?? [] });
    } else if (mode === 'union' || old.length === parallelism) {
      // Same parallelism: each subtask keeps its own list (split mode), as Flink does.
      out.push({ name, mode, elements: mode === 'union' ? parts.flat() : parts[index] ?? [] });
    } else {
      const all = parts.flat();
      const base = Math.floor(all.length / parallelism);
      const extra = all.length % parallelism;
      const start = index * base + Math.min(index, extra);
      out.push({ name, mode, elements: all.slice(start, start + base + (index < extra ? 1 : 0)) });
    }
  }
  return out;
}
