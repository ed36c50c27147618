/**
 * `setTimeout` for any delay: Node accepts at most 2^31 - 1 ms (≈ 24.8 days)
 * and fires at once (with a warning) for more, so a longer delay waits in
 * steps of that size.
 */

/** The longest delay `setTimeout` accepts. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A pending {@link setLongTimeout}. */
export interface LongTimeout {
  cancel(): void;
}

/** Runs `callback` once `delayMs` (any length, negative = now) has passed; `unref` lets the process exit meanwhile. */
export function setLongTimeout(callback: () => void, delayMs: number, options: { readonly unref?: boolean } = {}): LongTimeout {
  const due = Date.now() + Math.max(0, delayMs);
  let handle: NodeJS.Timeout;
  const arm = (): void => {
    const remaining = Math.max(0, due - Date.now());
    handle = setTimeout(remaining > MAX_TIMEOUT_MS ? arm : callback, Math.min(remaining, MAX_TIMEOUT_MS));
    if (options.unref === true) handle.unref();
  };
  arm();
  return { cancel: () => clearTimeout(handle) };
}
