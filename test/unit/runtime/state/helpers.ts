/** Shared set-up of the keyed-state unit tests: a backend with a settable clock. */
import type {
  AggregateFunction,
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  StateDescriptor,
  ValueState,
} from '../../../../src/api/state.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import type { InternalKvState } from '../../../../src/runtime/state/heap-states.js';

/** A processing-time clock the test moves by hand. */
export class ManualClock {
  now = 0;
  readonly read = (): number => this.now;
}

/** A backend owning every key group of max parallelism 128, on a manual clock. */
export function backendWithClock(clock = new ManualClock()): { backend: HeapKeyedStateBackend; clock: ManualClock } {
  return { backend: new HeapKeyedStateBackend({ start: 0, end: 127 }, 128, clock.read), clock };
}

/** The state object of a descriptor, typed as both the user view and the runtime view. */
export function stateOf<S>(backend: HeapKeyedStateBackend, descriptor: StateDescriptor<S, unknown>): S & InternalKvState {
  return backend.getState(descriptor as never) as unknown as S & InternalKvState;
}

export type AnyValueState<T> = ValueState<T> & InternalKvState;
export type AnyListState<T> = ListState<T> & InternalKvState;
export type AnyMapState<K, V> = MapState<K, V> & InternalKvState;
export type AnyReducingState<T> = ReducingState<T> & InternalKvState;
export type AnyAggregatingState<I, O> = AggregatingState<I, O> & InternalKvState;

/** The average of numbers: accumulator [sum, count]. */
export const AVERAGE: AggregateFunction<number, [number, number], number> = {
  createAccumulator: () => [0, 0],
  add: (value, [sum, count]) => [sum + value, count + 1],
  getResult: ([sum, count]) => sum / count,
  merge: ([s1, c1], [s2, c2]) => [s1 + s2, c1 + c2],
};
