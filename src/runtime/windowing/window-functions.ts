/**
 * The window function as the window operator calls it (Flink's
 * InternalWindowFunction): one shape for `reduce` / `aggregate` alone (emit
 * the pre-aggregated value), `apply` with a (All)WindowFunction and `process`
 * with a Process(All)WindowFunction, keyed or not. Also the reduce functions
 * behind `sum` / `min` / `max` / `minBy` / `maxBy` on windows.
 */
import { FlinktsError } from '../../api/errors.js';
import type { Collector } from '../../api/functions.js';
import type { AggregationKind } from '../../api/transformation.js';
import type { ProcessWindowFunctionContext } from '../../api/windowing/functions.js';
import type { IncrementalSpec, WindowFunctionSpec } from '../../api/windowing/spec.js';
import type { Window } from '../../api/windowing/windows.js';
import { FieldCopier, fieldGetter } from '../operators/field-access.js';
import { bindFunction } from '../operators/function-lifecycle.js';
import { preview } from '../operators/record-preview.js';

/** Evaluates a fired window. */
export interface InternalWindowFunction {
  /** The user function with a life cycle (opened and closed by the operator), if any. */
  readonly userFunction: unknown;
  /** `input`: the window's elements, or the one pre-aggregated value. */
  process(key: unknown, window: Window, input: Iterable<unknown>, ctx: ProcessWindowFunctionContext, out: Collector<unknown>): void;
  /** The window is cleaned up (Process(All)WindowFunction.clear). */
  clear(ctx: ProcessWindowFunctionContext): void;
}

const noClear = (): void => {};

/** The internal function for a window function spec (undefined: emit the incremental result as is). */
export function internalWindowFunction(spec: WindowFunctionSpec | undefined, nonKeyed: boolean): InternalWindowFunction {
  if (spec === undefined) {
    return {
      userFunction: undefined,
      process: (_key, _window, input, _ctx, out) => {
        for (const value of input) out.collect(value);
      },
      clear: noClear,
    };
  }
  const fn = spec.fn;
  if (spec.kind === 'apply') {
    if (nonKeyed) {
      const apply = bindFunction<(w: Window, v: Iterable<unknown>, o: Collector<unknown>) => void>(fn, 'apply');
      return { userFunction: fn, process: (_key, window, input, _ctx, out) => apply(window, input, out), clear: noClear };
    }
    const apply = bindFunction<(k: unknown, w: Window, v: Iterable<unknown>, o: Collector<unknown>) => void>(fn, 'apply');
    return { userFunction: fn, process: (key, window, input, _ctx, out) => apply(key, window, input, out), clear: noClear };
  }
  const target = fn as {
    process(...args: unknown[]): void;
    clear?(ctx: ProcessWindowFunctionContext): void;
  };
  const clear = typeof target.clear === 'function' ? (ctx: ProcessWindowFunctionContext) => target.clear!(ctx) : noClear;
  if (nonKeyed) {
    return { userFunction: fn, process: (_key, _window, input, ctx, out) => target.process(ctx, input, out), clear };
  }
  return { userFunction: fn, process: (key, _window, input, ctx, out) => target.process(key, ctx, input, out), clear };
}

/** The reduce function of an incremental spec of kind `reduce` or `field`. */
export function reduceFunctionOf(spec: IncrementalSpec & { kind: 'reduce' | 'field' }): (a: unknown, b: unknown) => unknown {
  if (spec.kind === 'reduce') return bindFunction(spec.fn, 'reduce');
  return fieldReducer(spec.aggregation, spec.field, spec.first);
}

/**
 * `sum` / `min` / `max` / `minBy` / `maxBy` as a reduce function (Flink's
 * SumAggregator / ComparableAggregator): `sum`, `min`, `max` keep the other
 * fields of the first element; `minBy` / `maxBy` return whole elements.
 */
export function fieldReducer(aggregation: AggregationKind, field: string | number, first: boolean): (a: unknown, b: unknown) => unknown {
  const get = fieldGetter(field);
  const copier = new FieldCopier(field);
  const read = (record: unknown): number | string => {
    const value = get(record);
    if (typeof value !== 'number' && !(typeof value === 'string' && aggregation !== 'sum')) {
      throw new FlinktsError(
        'USER_FUNCTION',
        `${aggregation}(${JSON.stringify(field)}): the field is ${value === undefined ? 'missing' : `not a number (${typeof value})`} in record ${preview(record)}`,
      );
    }
    return value as number | string;
  };
  switch (aggregation) {
    case 'sum':
      return (a, b) => copier.with(a, (read(a) as number) + (read(b) as number));
    case 'min':
      return (a, b) => {
        const x = read(a);
        const y = read(b);
        return y < x ? copier.with(a, y) : a;
      };
    case 'max':
      return (a, b) => {
        const x = read(a);
        const y = read(b);
        return y > x ? copier.with(a, y) : a;
      };
    case 'minBy':
      return (a, b) => {
        const x = read(a);
        const y = read(b);
        return y < x || (!first && y === x) ? b : a;
      };
    case 'maxBy':
      return (a, b) => {
        const x = read(a);
        const y = read(b);
        return y > x || (!first && y === x) ? b : a;
      };
  }
}
