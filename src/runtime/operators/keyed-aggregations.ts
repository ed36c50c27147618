/**
 * Rolling aggregations of a KeyedStream: `reduce` and `sum` / `min` / `max` /
 * `minBy` / `maxBy`. Each record updates its key's value in keyed state and
 * the updated value is emitted at once, as in Flink.
 */
import { FlinktsError } from '../../api/errors.js';
import type { AggregationKind } from '../../api/transformation.js';
import { KeyGroupedMap } from '../state/key-grouped-map.js';
import { bindFunction, closeFunction, openFunction } from './function-lifecycle.js';
import { FieldCopier, fieldGetter } from './field-access.js';
import type { OperatorContext, StreamOperator } from './operator.js';
import { preview } from './record-preview.js';

/** The per-key rolling combination of records. */
abstract class RollingOperator implements StreamOperator {
  /** Keeps its own per-key table; the key is computed once per record here. */
  readonly managesKeyContext = true;
  private readonly state: KeyGroupedMap<unknown>;
  private readonly key: (value: unknown) => unknown;

  constructor(protected readonly context: OperatorContext) {
    if (context.keySelector === undefined) {
      throw new FlinktsError('INVALID_GRAPH', `${context.operatorName}: rolling aggregations need a keyed stream`);
    }
    this.key = context.keySelector;
    this.state = new KeyGroupedMap(context.keyGroupRange, context.maxParallelism);
  }

  processElement(value: unknown, timestamp: number | undefined): void {
    const key = this.key(value);
    // The entry is updated in place: one lookup per record.
    const entry = this.state.entry(key);
    let next: unknown;
    if (entry === undefined) {
      next = this.first(value);
      this.state.insert(key, next);
    } else {
      next = this.combine(entry.value, value);
      entry.value = next;
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
