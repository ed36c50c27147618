/**
 * The values of one key of one heap state, by namespace: the part of `Map`
 * the heap backend uses, with the first namespace held inline. Most keys
 * have state in one namespace (`''`, or the one window a key is in), so most
 * keys need no hash table of their own: a third of the memory of a `Map`, and
 * one pointer less to follow for every key a snapshot writes.
 */
import type { ValueColumns } from './value-columns.js';

export class NamespaceMap<V> {
  /** The inline namespace; `undefined` when the slot is free. */
  private first: string | undefined = undefined;
  private firstValue: V | undefined = undefined;
  /** ≥ 0: the inline namespace's value is in the table's columns, in this slot (see value-columns.ts). */
  private cell = -1;
  /** Every other namespace whose value is an object here. */
  private rest: Map<string, V> | undefined = undefined;
  /** Every other namespace whose value is in the columns: its slot. */
  private restSlots: Map<string, number> | undefined = undefined;

  /**
   * With `columns`, values live in them when they fit. In a state table the
   * map is also the key's entry (see state-table.ts): `key`, `keyGroup` and
   * `slot` (its position in its key group's list) are the entry's.
   */
  constructor(
    private readonly columns?: ValueColumns,
    readonly key: unknown = undefined,
    readonly keyGroup = 0,
    public slot = 0,
  ) {}

  /** The entry's value: the map itself. */
  get value(): this {
    return this;
  }

  get size(): number {
    return (this.first === undefined ? 0 : 1) + (this.rest?.size ?? 0) + (this.restSlots?.size ?? 0);
  }

  get(namespace: string): V | undefined {
    if (namespace === this.first) return this.cell >= 0 ? (this.columns!.read(this.cell) as V) : this.firstValue;
    const slot = this.restSlots?.get(namespace);
    return slot !== undefined ? (this.columns!.read(slot) as V) : this.rest?.get(namespace);
  }

  has(namespace: string): boolean {
    return namespace === this.first || (this.rest?.has(namespace) ?? false) || (this.restSlots?.has(namespace) ?? false);
  }

  set(namespace: string, value: V): this {
    if (namespace === this.first) this.setFirst(value, true);
    else if (this.first === undefined && !this.has(namespace)) {
      this.first = namespace;
      this.setFirst(value, false);
    } else this.setRest(namespace, value);
    return this;
  }

  delete(namespace: string): boolean {
    if (namespace === this.first) {
      this.dropFirst();
      this.first = undefined;
      return true;
    }
    const slot = this.restSlots?.get(namespace);
    if (slot !== undefined) {
      this.columns!.release(slot);
      this.restSlots!.delete(namespace);
      return true;
    }
    const deleted = this.rest?.delete(namespace) ?? false;
    if (deleted && this.columns !== undefined) this.columns.outside--;
    return deleted;
  }

  /** Moves every value out of the columns into this map (they are objects again). */
  leaveColumns(): void {
    const columns = this.columns;
    if (columns === undefined) return;
    if (this.cell >= 0) {
      this.firstValue = columns.read(this.cell) as V;
      columns.release(this.cell);
      this.cell = -1;
      columns.outside++;
    }
    for (const [namespace, slot] of this.restSlots ?? []) {
      (this.rest ??= new Map()).set(namespace, columns.read(slot) as V);
      columns.release(slot);
      columns.outside++;
    }
    this.restSlots = undefined;
  }

  /** Removes every namespace (before the key's entry is dropped from its table). */
  clear(): void {
    for (const namespace of [...this.keys()]) this.delete(namespace);
  }

  /** Calls `visit` for every namespace; `context` is passed through (so a caller needs no closure per map). */
  forEach<C>(visit: (value: V, namespace: string, context: C) => void, context?: C): void {
    if (this.first !== undefined) visit(this.get(this.first) as V, this.first, context as C);
    this.restSlots?.forEach((slot, namespace) => visit(this.columns!.read(slot) as V, namespace, context as C));
    this.rest?.forEach((value, namespace) => visit(value, namespace, context as C));
  }

  *entries(): IterableIterator<[string, V]> {
    if (this.first !== undefined) yield [this.first, this.get(this.first) as V];
    if (this.restSlots !== undefined) for (const [namespace, slot] of this.restSlots) yield [namespace, this.columns!.read(slot) as V];
    if (this.rest !== undefined) yield* this.rest.entries();
  }

  *keys(): IterableIterator<string> {
    for (const [namespace] of this.entries()) yield namespace;
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** Stores the inline namespace's value: in the columns when it fits (`had`: the namespace had a value). */
  private setFirst(value: V, had: boolean): void {
    const columns = this.columns;
    if (columns === undefined) {
      this.firstValue = value;
      return;
    }
    if (columns.fits(this.key, value)) {
      if (this.cell >= 0) {
        columns.write(this.cell, value);
        return;
      }
      if (had) columns.outside--;
      this.firstValue = undefined;
      this.cell = columns.allocate(this.key as number, this.keyGroup, this.first!, value);
      return;
    }
    if (this.cell >= 0) {
      columns.release(this.cell);
      this.cell = -1;
      columns.outside++;
    } else if (!had) {
      columns.outside++;
    }
    this.firstValue = value;
  }

  /** Stores the value of a namespace other than the inline one. */
  private setRest(namespace: string, value: V): void {
    const columns = this.columns;
    if (columns === undefined) {
      (this.rest ??= new Map()).set(namespace, value);
      return;
    }
    const slot = this.restSlots?.get(namespace);
    if (columns.fits(this.key, value)) {
      if (slot !== undefined) return columns.write(slot, value);
      if (this.rest?.delete(namespace) === true) columns.outside--;
      (this.restSlots ??= new Map()).set(namespace, columns.allocate(this.key as number, this.keyGroup, namespace, value));
      return;
    }
    if (slot !== undefined) {
      columns.release(slot);
      this.restSlots!.delete(namespace);
    }
    const rest = (this.rest ??= new Map());
    if (!rest.has(namespace)) columns.outside++;
    rest.set(namespace, value);
  }

  /** Forgets the inline namespace's value (its slot, or its count as a value outside the columns). */
  private dropFirst(): void {
    if (this.cell >= 0) {
      this.columns!.release(this.cell);
      this.cell = -1;
    } else if (this.columns !== undefined) {
      this.columns.outside--;
    }
    this.firstValue = undefined;
  }
}
