/**
 * Sets the key of each record as the keyed state backend's current key
 * before the operator sees it (Flink's setKeyContextElement), so any function
 * after `keyBy` can use keyed state.
 */
import type { StreamOperator } from '../operators/operator.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';

export function withKeyContext(operator: StreamOperator, backend: KeyedStateBackend, key: (value: unknown) => unknown): StreamOperator {
  if (operator.managesKeyContext === true) return operator;
  const process = operator.processElement.bind(operator);
  // Keep the operator object (its other hooks and fields) and route records through the key context.
  operator.processElement = (value: unknown, timestamp: number | undefined): void => {
    backend.setCurrentKey(key(value));
    process(value, timestamp);
  };
  return operator;
}
