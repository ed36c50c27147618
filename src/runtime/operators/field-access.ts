/**
 * Fast access to one field of records, for the rolling aggregations: a
 * getter compiled for the field, and a copier that returns a copy of a record
 * with the field replaced. Copies are built by a function compiled per record
 * shape (the same object literal every time keeps V8's objects fast); field
 * and key names are embedded with JSON.stringify, so no record content can
 * become code. Field names come from the job definition.
 */

/** Reads `field` of a record (a record that is itself a number is field 0). */
export function fieldGetter(field: string | number): (record: unknown) => unknown {
  const read = new Function('r', `return r[${JSON.stringify(field)}];`) as (record: unknown) => unknown;
  if (field !== 0) {
    return (record) => (record !== null && typeof record === 'object' ? read(record) : undefined);
  }
  return (record) => (typeof record === 'number' ? record : record !== null && typeof record === 'object' ? read(record) : undefined);
}

type Copier = (record: unknown, value: unknown) => unknown;

/** Copies records with one field replaced. */
export class FieldCopier {
  private keys: readonly string[] = [];
  private copier: Copier | undefined;
  private readonly copiers = new Map<string, Copier>();

  constructor(private readonly field: string | number) {}

  /** A copy of `record` whose `field` is `value`; other fields are kept. */
  with(record: unknown, value: unknown): unknown {
    if (typeof record === 'number') return value;
    if (Array.isArray(record)) {
      const copy = record.slice();
      copy[this.field as number] = value;
      return copy;
    }
    if (this.copier !== undefined && this.hasCachedShape(record as object)) return this.copier(record, value);
    return this.copierFor(record as object)(record, value);
  }

  /** Whether `record` has exactly the cached keys, in order (no allocation). */
  private hasCachedShape(record: object): boolean {
    const keys = this.keys;
    let i = 0;
    for (const key in record) {
      if (key !== keys[i++]) return false;
    }
    return i === keys.length;
  }

  private copierFor(record: object): Copier {
    const keys = Object.keys(record);
    const signature = keys.join('\u0000');
    let copier = this.copiers.get(signature);
    if (copier === undefined) {
      const field = String(this.field);
      const props = keys.map((k) => `${JSON.stringify(k)}: ${k === field ? 'v' : `r[${JSON.stringify(k)}]`}`);
      if (!keys.includes(field)) props.push(`${JSON.stringify(field)}: v`);
      copier = new Function('r', 'v', `return { ${props.join(', ')} };`) as Copier;
      if (this.copiers.size < 64) this.copiers.set(signature, copier);
    }
    this.keys = keys;
    this.copier = copier;
    return copier;
  }
}
