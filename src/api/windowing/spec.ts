/**
 * What a window transformation records: the assigner, trigger, evictor,
 * lateness settings and the window function. Plain data plus user objects;
 * the runtime builds the window operator from it.
 */
import type { ReduceFunction } from '../functions.js';
import type { OutputTag } from '../output-tag.js';
import type { AggregateFunction } from '../state.js';
import type { AggregationKind } from '../transformation.js';
import type { WindowAssigner } from './assigners.js';
import type { Evictor } from './evictors.js';
import type { Trigger } from './trigger.js';

/** How elements are combined as they arrive (undefined: the window keeps every element). */
export type IncrementalSpec =
  | { readonly kind: 'reduce'; readonly fn: ReduceFunction<any> }
  | { readonly kind: 'aggregate'; readonly fn: AggregateFunction<any, any, any> }
  /** `sum` / `min` / `max` / `minBy` / `maxBy` on a field: a reduce built by the runtime. */
  | { readonly kind: 'field'; readonly aggregation: AggregationKind; readonly field: string | number; readonly first: boolean };

/**
 * The user function that evaluates a fired window: `apply` for a
 * (All)WindowFunction, `process` for a Process(All)WindowFunction.
 * Undefined: the incremental result itself is emitted.
 */
export interface WindowFunctionSpec {
  readonly kind: 'apply' | 'process';
  readonly fn: unknown;
}

/** Everything the window operator needs. */
export interface WindowOperatorSpec {
  readonly assigner: WindowAssigner<any, any>;
  readonly trigger: Trigger<any, any>;
  readonly evictor: Evictor<any, any> | undefined;
  /** Milliseconds; event-time windows keep their state until `maxTimestamp + allowedLateness`. */
  readonly allowedLateness: number;
  /** Where elements that arrive after their windows were cleaned up go (dropped when undefined). */
  readonly lateDataTag: OutputTag<any> | undefined;
  /** `windowAll`: the functions take no key. */
  readonly nonKeyed: boolean;
  readonly incremental: IncrementalSpec | undefined;
  readonly windowFunction: WindowFunctionSpec | undefined;
}
