/**
 * Rolling aggregations of a KeyedStream: `reduce` and `sum` / `min` / `max` /
 * `minBy` / `maxBy`. Each record updates its key's value in keyed state (value
 * state `rolling-aggregate`, so checkpoints hold it) and the updated value is
 * emitted at once, as in Flink.
 */
import { FlinktsError } from '../../api/errors.js';
import { ValueStateDescriptor, type ValueState } from '../../api/state.js';
import type { AggregationKind } from '../../api/transformation.js';
import { HeapKeyedStateBackend } from '../state/heap-keyed-state-backend.js';
import type { KeyGroupedMap } from '../state/key-grouped-map.js';
import type { InternalKvState } from '../state/heap-states.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import { bindFunction, closeFunction, openFunction } from './function-lifecycle.js';
import { FieldCopier, fieldGetter } from './field-access.js';
import type { OperatorContext, StreamOperator } from './operator.js';
import { preview } from './record-preview.js';

/** The keyed state of a rolling aggregation: the aggregate so far, per key. */
export const ROLLING_AGGREGATE = 'rolling-aggregate';

/** The per-key rolling combination of records. */
abstract class RollingOperator implements StreamOperator {
  /** The key is computed once per record here (and set as the backend's current key). */
  readonly managesKeyContext = true;
  private readonly key: (value: unknown) => unknown;
  private readonly backend: KeyedStateBackend;
  /** Any backend but the heap one: the aggregate as value state. */
  private readonly state: (InternalKvState & ValueState<unknown>) | undefined;
  /** The heap backend: a table of the aggregates, updated in place, one lookup per record. */
  private readonly table: KeyGroupedMap<unknown> | undefined;

  constructor(protected readonly context: OperatorContext) {
    if (context.keySelector === undefined || context.keyedStateBackend === undefined) {
      throw new FlinktsError('INVALID_GRAPH', `${context.operatorName}: rolling aggregations need a keyed stream`);
    }
    this.key = context.keySelector;
    this.backend = context.keyedStateBackend;
    if (this.backend instanceof HeapKeyedStateBackend) {
      this.table = this.backend.rawValueTable(ROLLING_AGGREGATE);
    } else {
      this.state = this.backend.getState<InternalKvState & ValueState<unknown>>(new ValueStateDescriptor<unknown>(ROLLING_AGGREGATE));
    }
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    const key = this.key(value);
    const backend = this.backend;
    // Rich functions may use keyed state of their own.
    backend.setCurrentKey(key);
    const table = this.table;
    let next: unknown;
    if (table !== undefined) {
      const entry = table.entryOfCanonical(backend.currentKeyCanonical());
      if (entry === undefined) {
        next = this.first(value);
        table.insert(key, next);
      } else {
        next = this.combine(entry.value, value);
        entry.value = next;
      }
    } else {
      const state = this.state!;
      const previous = state.value();
      next = previous === undefined ? this.first(value) : this.combine(previous, value);
      state.update(next);
    }
    this.context.output.collect(next, timestamp);
  }

  /** The state for the first record of a key. */
  protected first(value: unknown): unknown {
    return value;
  }

  protected abstract combine(previous: unknown, value: unknown): unknown;
}

/** `reduce(fn)`. */
export class RollingReduceOperator extends RollingOperator {
  private readonly reduce: (a: unknown, b: unknown) => unknown;

  constructor(
    private readonly fn: unknown,
    context: OperatorContext,
  ) {
    super(context);
    this.reduce = bindFunction(fn, 'reduce');
  }

  open(): Promise<void> {
    return openFunction(this.fn, this.context);
  }

  close(): Promise<void> {
    return closeFunction(this.fn);
  }

  protected combine(previous: unknown, value: unknown): unknown {
    return this.reduce(previous, value);
  }
}

/** `sum` / `min` / `max` / `minBy` / `maxBy` on a field name or tuple index. */
export class RollingAggregationOperator extends RollingOperator {
  private readonly get: (record: unknown) => unknown;
  private readonly copier: FieldCopier;

  constructor(
    private readonly aggregation: AggregationKind,
    private readonly field: string | number,
    private readonly first_: boolean,
    context: OperatorContext,
  ) {
    super(context);
    this.get = fieldGetter(field);
    this.copier = new FieldCopier(field);
  }

  protected override first(value: unknown): unknown {
    this.read(value); // validate the field on the first record too
    return value;
  }

  protected combine(previous: unknown, value: unknown): unknown {
    const a = this.read(previous);
    const b = this.read(value);
    switch (this.aggregation) {
      case 'sum':
        return this.withField(previous, (a as number) + (b as number));
      case 'min':
        return b < a ? this.withField(previous, b) : previous;
      case 'max':
        return b > a ? this.withField(previous, b) : previous;
      case 'minBy':
        return b < a || (!this.first_ && b === a) ? value : previous;
      case 'maxBy':
        return b > a || (!this.first_ && b === a) ? value : previous;
    }
  }

  /** The aggregated field of a record (a record that is itself a number is field 0). */
  private read(record: unknown): number | string {
    const value = this.get(record);
    if (typeof value !== 'number' && !(typeof value === 'string' && this.aggregation !== 'sum')) {
      throw new FlinktsError(
        'USER_FUNCTION',
        `${this.aggregation}(${JSON.stringify(this.field)}): the field is ${value === undefined ? 'missing' : `not a number (${typeof value})`} in record ${preview(record)}`,
      );
    }
    return value as number | string;
  }

  /** A copy of `record` with the aggregated field replaced; other fields stay those of the key's first record. */
  private withField(record: unknown, value: number | string): unknown {
    return this.copier.with(record, value);
  }
}
