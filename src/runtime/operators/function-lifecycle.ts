/**
 * Opening and closing user functions: checkpointed functions get their state
 * initialized, rich functions their runtime context and `open(parameters)`.
 */
import { isRichFunction } from '../../api/functions.js';
import type { OperatorContext } from './operator.js';

/** Gives a rich function its runtime context and opens it. */
export async function openFunction(fn: unknown, context: OperatorContext): Promise<void> {
  // State first (Flink's initializeState precedes open), then the rich function life cycle.
  context.operatorState.registerFunction(fn);
  if (!isRichFunction(fn)) return;
  fn.setRuntimeContext(context.runtimeContext);
  await fn.open?.(context.parameters);
}

/** Closes a rich function. */
export async function closeFunction(fn: unknown): Promise<void> {
  if (isRichFunction(fn)) await fn.close?.();
}

/** Binds `method` of an object function, or returns the function itself. */
export function bindFunction<F extends (...args: any[]) => any>(fn: unknown, method: string): F {
  if (typeof fn === 'function') return fn as F;
  const target = fn as Record<string, F>;
  return target[method]!.bind(target) as F;
}
