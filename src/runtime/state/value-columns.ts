/**
 * Column storage for the values of one heap state table whose keys are
 * numbers and whose values are numbers, or plain objects of numbers with the
 * same fields (counters, sums, `{ count, sum }` accumulators: most keyed
 * state). Each such value lives in a *slot*: its key, key group, namespace and
 * fields are entries of typed arrays, not an object on the JS heap. A snapshot
 * of a table whose values are all in slots reads only these arrays (see
 * {@link snapshotColumns}): no walk of a million objects scattered over the
 * heap, and nothing the garbage collector keeps moving between checkpoints.
 *
 * A value read back is a new object each time (or the number itself), as
 * with any Flink backend but the heap one: changing it changes the state
 * only through `update`. Values of any other shape (and values of keys that
 * are not numbers) stay objects in their `NamespaceMap`; the table counts
 * them, and while there are any its snapshots take the general path.
 */

/** What the values of a table are: undecided, numbers, plain objects with these fields, or not columnar. */
type Shape = undefined | 'number' | readonly string[] | false;

const INITIAL_SLOTS = 1024;

export class ValueColumns {
  private shape: Shape = undefined;
  /** The shape's accessors: whether a value has it, and a value's fields to and from a slot (generated per shape). */
  private check: (value: unknown) => boolean = () => false;
  private store: (fields: Float64Array[], slot: number, value: unknown) => void = () => undefined;
  private build: ((fields: readonly Float64Array[], slot: number) => unknown) | undefined;
  // Allocated with the first slot: a table that never has one (other shapes) costs nothing.
  keys = new Float64Array(0);
  groups = new Int32Array(0);
  /** Per slot its namespace's id, or -1 for a free slot. */
  namespaceIds = new Int32Array(0);
  fields: Float64Array[] = [];
  /** Slots ever used (every slot at or above is free). */
  used = 0;
  private freeSlots = new Int32Array(0);
  private freeCount = 0;
  /** Namespace ids: the namespace of each id, and how many slots use it (an id with none is reused). */
  readonly namespaces: (string | undefined)[] = [];
  private namespaceRefs = new Int32Array(16);
  private readonly namespaceIndex = new Map<string, number>();
  private freeNamespaceIds: number[] = [];
  private lastNamespaceId = 0;
  /** Values of the table that are not in slots (of other shapes, or of keys that are not numbers). */
  outside = 0;

  /** The namespaces in use (of at least one slot). */
  get namespacesInUse(): number {
    return this.namespaceIndex.size;
  }

  /** The field names of object values, `undefined` for numbers (once decided). */
  get fieldNames(): readonly string[] | undefined {
    return Array.isArray(this.shape) ? this.shape : undefined;
  }

  /** Whether the table's values are decided to be columnar (numbers, or objects of one shape). */
  get columnar(): boolean {
    return this.shape !== undefined && this.shape !== false;
  }

  /** From now on no value fits (values already in slots stay until their owners move them out). */
  disable(): void {
    this.shape = false;
    this.check = () => false;
  }

  /** Whether `value` of key `key` can live in a slot (the first value decides the table's shape). */
  fits(key: unknown, value: unknown): boolean {
    if (typeof key !== 'number') return false;
    if (this.shape === undefined) this.decide(value);
    return this.check(value);
  }

  /** Takes a free slot for a value of `key` in `namespace`, and writes the value (which {@link fits}). */
  allocate(key: number, keyGroup: number, namespace: string, value: unknown): number {
    const slot = this.freeCount > 0 ? this.freeSlots[--this.freeCount]! : this.used++;
    if (slot >= this.keys.length) this.grow();
    this.keys[slot] = key;
    this.groups[slot] = keyGroup;
    this.namespaceIds[slot] = this.namespaceId(namespace);
    this.write(slot, value);
    return slot;
  }

  /** Writes a value (which {@link fits}) into its slot. */
  write(slot: number, value: unknown): void {
    this.store(this.fields, slot, value);
  }

  /** The value in a slot: the number, or a new object. */
  read(slot: number): unknown {
    return this.build === undefined ? this.fields[0]![slot] : this.build(this.fields, slot);
  }

  /** Frees a slot. */
  release(slot: number): void {
    const id = this.namespaceIds[slot]!;
    this.namespaceIds[slot] = -1;
    if (--this.namespaceRefs[id]! === 0) {
      this.namespaceIndex.delete(this.namespaces[id]!);
      this.namespaces[id] = undefined;
      this.freeNamespaceIds.push(id);
    }
    if (this.freeCount === this.freeSlots.length) this.freeSlots = grown(this.freeSlots, Math.max(INITIAL_SLOTS, this.freeSlots.length * 2));
    this.freeSlots[this.freeCount++] = slot;
  }

  private namespaceId(namespace: string): number {
    // Runs of values share a namespace (a window's): the last one's id needs no look-up while it is in use.
    const last = this.lastNamespaceId;
    if (namespace === this.namespaces[last] && this.namespaceRefs[last]! > 0) {
      this.namespaceRefs[last]!++;
      return last;
    }
    let id = this.namespaceIndex.get(namespace);
    if (id === undefined) {
      id = this.freeNamespaceIds.pop() ?? this.namespaces.length;
      this.namespaces[id] = namespace;
      this.namespaceIndex.set(namespace, id);
      if (id >= this.namespaceRefs.length) this.namespaceRefs = grown(this.namespaceRefs, this.namespaceRefs.length * 2);
    }
    this.namespaceRefs[id]!++;
    this.lastNamespaceId = id;
    return id;
  }

  private decide(value: unknown): void {
    if (typeof value === 'number') {
      this.shape = 'number';
      this.fields = [new Float64Array(this.keys.length)];
      this.check = (v) => typeof v === 'number';
      this.store = (fields, slot, v) => {
        fields[0]![slot] = v as number;
      };
      return;
    }
    const names = isPlainObject(value) ? Object.keys(value) : [];
    // `__proto__` as a field name would set the prototype of the objects built from a literal.
    if (names.length === 0 || names.includes('__proto__') || !hasFields(value, names)) {
      this.shape = false;
      return;
    }
    this.shape = names;
    this.fields = names.map(() => new Float64Array(this.keys.length));
    // Accessors with the field names written out: each reads and writes the fields through property accesses
    // that V8 keeps monomorphic, and the objects built share one hidden class, as the user's own do.
    // Field names are quoted by JSON.stringify (and __proto__ is excluded above).
    const fields = names.map((name) => `v[${JSON.stringify(name)}]`);
    const generated = (...source: string[]): ((...args: never[]) => unknown) => new Function(...source) as (...args: never[]) => unknown;
    // A plain object whose fields are numbers, and whose own enumerable keys are exactly `names` in order.
    const check = generated(
      'names',
      `return (v) => {
        if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype || !(${fields.map((f) => `typeof ${f} === 'number'`).join(' && ')})) return false;
        let n = 0;
        for (const k in v) if (k !== names[n++]) return false;
        return n === ${names.length};
      };`,
    ) as (n: readonly string[]) => (v: unknown) => boolean;
    this.check = check(names);
    this.store = generated('f', 's', 'v', fields.map((f, i) => `f[${i}][s] = ${f};`).join(' ')) as (fields: Float64Array[], slot: number, v: unknown) => void;
    this.build = generated('f', 's', `return { ${names.map((name, i) => `${JSON.stringify(name)}: f[${i}][s]`).join(', ')} };`) as (fields: readonly Float64Array[], slot: number) => unknown;
  }

  private grow(): void {
    const capacity = Math.max(INITIAL_SLOTS, this.keys.length * 2);
    this.keys = grown(this.keys, capacity);
    this.groups = grown(this.groups, capacity);
    const ids = new Int32Array(capacity).fill(-1);
    ids.set(this.namespaceIds);
    this.namespaceIds = ids;
    this.fields = this.fields.map((column) => grown(column, capacity));
  }
}

function grown<A extends Int32Array | Float64Array>(array: A, capacity: number): A {
  const copy = new (array.constructor as new (length: number) => A)(capacity);
  copy.set(array);
  return copy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Whether `value` is a plain object with exactly the fields `names`, in that order, each a number. */
function hasFields(value: unknown, names: readonly string[]): boolean {
  if (!isPlainObject(value)) return false;
  let f = 0;
  // for…in visits own enumerable keys in Object.keys order, allocating nothing (plain objects inherit no enumerable keys).
  for (const key in value) {
    if (key !== names[f] || typeof value[key] !== 'number') return false;
    f++;
  }
  return f === names.length;
}
