/**
 * A sink that drops every record, as Flink's `DiscardingSink`: for benchmarks
 * and tests that measure everything but the sink.
 *
 * Delivery guarantee: not applicable; nothing is delivered anywhere.
 */
import type { SinkContext } from '../../api/functions.js';

/** Drops every record it is given. */
export class DiscardingSink<T> {
  /** Does nothing with `value`. */
  invoke(_value: T, _context: SinkContext): void {}
}
