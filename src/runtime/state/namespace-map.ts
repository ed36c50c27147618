/**
 * The values of one key of one heap state, by namespace: the part of `Map`
 * the heap backend uses, with the first namespace held inline. Most keys
 * have state in one namespace (`''`, or the one window a key is in), so most
 * keys need no hash table of their own: a third of the memory of a `Map`, and
 * one pointer less to follow for every key a snapshot writes.
 */
export class NamespaceMap<V> {
  /** The inline namespace; `undefined` when the slot is free. */
  private first: string | undefined = undefined;
  private firstValue: V | undefined = undefined;
  /** Every other namespace. */
  private rest: Map<string, V> | undefined = undefined;

  get size(): number {
    return (this.first === undefined ? 0 : 1) + (this.rest?.size ?? 0);
  }

  get(namespace: string): V | undefined {
    return namespace === this.first ? this.firstValue : this.rest?.get(namespace);
  }

  has(namespace: string): boolean {
    return namespace === this.first || (this.rest?.has(namespace) ?? false);
  }

  set(namespace: string, value: V): this {
    if (namespace === this.first) {
      this.firstValue = value;
    } else if (this.first === undefined && this.rest?.has(namespace) !== true) {
      this.first = namespace;
      this.firstValue = value;
    } else {
      (this.rest ??= new Map()).set(namespace, value);
    }
    return this;
  }

  delete(namespace: string): boolean {
    if (namespace === this.first) {
      this.first = undefined;
      this.firstValue = undefined;
      return true;
    }
    return this.rest?.delete(namespace) ?? false;
  }

  /** Calls `visit` for every namespace; `context` is passed through (so a caller needs no closure per map). */
  forEach<C>(visit: (value: V, namespace: string, context: C) => void, context?: C): void {
    if (this.first !== undefined) visit(this.firstValue as V, this.first, context as C);
    this.rest?.forEach((value, namespace) => visit(value, namespace, context as C));
  }

  *entries(): IterableIterator<[string, V]> {
    if (this.first !== undefined) yield [this.first, this.firstValue as V];
    if (this.rest !== undefined) yield* this.rest.entries();
  }

  *keys(): IterableIterator<string> {
    for (const [namespace] of this.entries()) yield namespace;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }
}
