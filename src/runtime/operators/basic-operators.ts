/** The stateless one-input operators: map, flatMap, filter. */
import type { Collector } from '../../api/functions.js';
import { bindFunction, closeFunction, openFunction } from './function-lifecycle.js';
import type { OperatorContext, Output, StreamOperator } from './operator.js';

/** Wraps a user function's life cycle around an operator. */
abstract class UdfOperator implements StreamOperator {
  protected readonly output: Output;

  constructor(
    protected readonly fn: unknown,
    protected readonly context: OperatorContext,
  ) {
    this.output = context.output;
  }

  open(): Promise<void> {
    return openFunction(this.fn, this.context);
  }

  close(): Promise<void> {
    return closeFunction(this.fn);
  }

  abstract processElement(value: unknown, timestamp: number | undefined): void;
}

export class MapOperator extends UdfOperator {
  private readonly map: (value: unknown) => unknown = bindFunction(this.fn, 'map');

  processElement(value: unknown, timestamp: number | undefined): void {
    this.output.collect(this.map(value), timestamp);
  }
}

export class FilterOperator extends UdfOperator {
  private readonly filter: (value: unknown) => boolean = bindFunction(this.fn, 'filter');

  processElement(value: unknown, timestamp: number | undefined): void {
    if (this.filter(value)) this.output.collect(value, timestamp);
  }
}

/** Emits with the timestamp of the input record, as Flink's TimestampedCollector. */
export class TimestampedCollector implements Collector<unknown> {
  timestamp: number | undefined = undefined;

  constructor(private readonly output: Output) {}

  collect(record: unknown): void {
    this.output.collect(record, this.timestamp);
  }
}

export class FlatMapOperator extends UdfOperator {
  private readonly flatMap: (value: unknown, out: Collector<unknown>) => void | Iterable<unknown> = bindFunction(this.fn, 'flatMap');
  private readonly collector = new TimestampedCollector(this.output);

  processElement(value: unknown, timestamp: number | undefined): void {
    this.collector.timestamp = timestamp;
    const result = this.flatMap(value, this.collector);
    if (result !== undefined) {
      for (const record of result) this.output.collect(record, timestamp);
    }
  }
}
