/**
 * Opening and closing user functions: checkpointed functions get their state
 * initialized, rich functions their runtime context and `open(parameters)`.
 */
import { isRichFunction } from '../../api/functions.js';
import type { OperatorContext } from './operator.js';

/** Gives a rich function its runtime context and opens it. */
export async function openFunction(fn: unknown, context: OperatorContext): Promise<void> {
  // As Flink's AbstractUdfStreamOperator: the runtime context first (setup), so initializeState can read
  // the subtask index and attempt number; then state (initializeState precedes open); then open.
  const rich = isRichFunction(fn);
  if (rich) fn.setRuntimeContext(context.runtimeContext);
  context.operatorState.registerFunction(fn);
  if (rich) await fn.open?.(context.parameters);
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
