/**
 * Merging the namespaces of a reducing or aggregating state (session
 * windows), the same for every backend: each source namespace's value is
 * combined into the target's and the source is cleared.
 */
export function mergeNamespaceValues<V>(
  target: string,
  sources: readonly string[],
  load: (namespace: string) => V | undefined,
  store: (value: V | undefined, namespace: string) => void,
  combine: (a: V, b: V) => V,
): void {
  let merged = load(target);
  for (const source of sources) {
    const value = load(source);
    store(undefined, source);
    if (value !== undefined) merged = merged === undefined ? value : combine(merged, value);
  }
  if (merged !== undefined) store(merged, target);
}
