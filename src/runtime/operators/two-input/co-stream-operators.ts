/** `connect(...).map(CoMapFunction)` and `connect(...).flatMap(CoFlatMapFunction)`, as Flink's CoStreamMap / CoStreamFlatMap. */
import type { Collector } from '../../../api/functions.js';
import { bindFunction } from '../function-lifecycle.js';
import { AbstractTwoInputOperator } from './abstract-two-input-operator.js';

/** Calls `map1` / `map2`; the result keeps the input record's timestamp. */
export class CoStreamMap extends AbstractTwoInputOperator {
  private readonly map1: (value: unknown) => unknown = bindFunction(this.fn, 'map1');
  private readonly map2: (value: unknown) => unknown = bindFunction(this.fn, 'map2');

  processElement1(value: unknown, timestamp: number | undefined): void {
    this.context.output.collect(this.map1(value), timestamp);
  }

  processElement2(value: unknown, timestamp: number | undefined): void {
    this.context.output.collect(this.map2(value), timestamp);
  }
}

type FlatMap = (value: unknown, out: Collector<unknown>) => void | Iterable<unknown>;

/** Calls `flatMap1` / `flatMap2`; they emit through the collector or return an iterable. */
export class CoStreamFlatMap extends AbstractTwoInputOperator {
  private readonly flatMap1: FlatMap = bindFunction(this.fn, 'flatMap1');
  private readonly flatMap2: FlatMap = bindFunction(this.fn, 'flatMap2');

  processElement1(value: unknown, timestamp: number | undefined): void {
    this.apply(this.flatMap1, value, timestamp);
  }

  processElement2(value: unknown, timestamp: number | undefined): void {
    this.apply(this.flatMap2, value, timestamp);
  }

  private apply(flatMap: FlatMap, value: unknown, timestamp: number | undefined): void {
    this.collector.timestamp = timestamp;
    const result = flatMap(value, this.collector);
    if (result !== undefined) {
      for (const record of result) this.context.output.collect(record, timestamp);
    }
  }
}
