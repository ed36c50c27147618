/**
 * The key context of a keyed two-input operator: before each record the
 * key of its own input becomes the backend's current key (Flink's
 * `setKeyContextElement1/2`). An input without a key selector (the broadcast
 * side) leaves the key alone.
 */
import type { TwoInputStreamOperator } from '../operator.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';

/** Routes the records of each keyed input through the key context; returns the same operator. */
export function withTwoInputKeyContext(
  operator: TwoInputStreamOperator,
  backend: KeyedStateBackend,
  key1: ((value: unknown) => unknown) | undefined,
  key2: ((value: unknown) => unknown) | undefined,
): TwoInputStreamOperator {
  // Keep the operator object (its other hooks and fields) and route records through the key context.
  if (key1 !== undefined) {
    const process1 = operator.processElement1.bind(operator);
    operator.processElement1 = (value: unknown, timestamp: number | undefined): void => {
      backend.setCurrentKey(key1(value));
      process1(value, timestamp);
    };
  }
  if (key2 !== undefined) {
    const process2 = operator.processElement2.bind(operator);
    operator.processElement2 = (value: unknown, timestamp: number | undefined): void => {
      backend.setCurrentKey(key2(value));
      process2(value, timestamp);
    };
  }
  return operator;
}
