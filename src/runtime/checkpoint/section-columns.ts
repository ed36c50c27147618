/**
 * Columns of a keyed state section (format 2): the keys, or the values, of a
 * section's entries as one column, typed by what they hold, so that the common
 * shapes of keyed state (numbers, strings, plain objects of numbers and
 * strings, one-element lists of them) are written as packed arrays instead of
 * one MessagePack value per entry. A column whose values have any other shape
 * is one structured-clone MessagePack array (`x`), with every guarantee of
 * format 1: `Map`, `Set`, `Date`, `bigint`, `undefined`, typed arrays, shared
 * and cyclic references survive.
 *
 *   ['i', bytes]              int32, little-endian (−0 is not an int32 here)
 *   ['f', bytes]              float64, little-endian (every other number)
 *   ['S', text, lengths]      strings: all of them as one text, and the length
 *                             of each (UTF-16 code units, int32)
 *   ['s', string[]]           strings, one MessagePack string each (columns
 *                             too long to join, and sections written before 'S')
 *   ['o', fields, columns]    plain objects with exactly `fields`, in that
 *                             order, each field an `i`, `f`, `S` or `s` column
 *   ['l', column]             arrays of one element (timers: `[timestamp]`)
 *   ['x', bytes]              anything else
 */
import { Packr } from 'msgpackr';

export type Column =
  | readonly ['i', Uint8Array]
  | readonly ['f', Uint8Array]
  | readonly ['S', string, Uint8Array]
  | readonly ['s', readonly string[]]
  | readonly ['o', readonly string[], readonly Column[]]
  | readonly ['l', Column]
  | readonly ['x', Uint8Array];

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decoded bytes are copies (`copyBuffers`): a `Buffer` in restored state must not keep a whole file's bytes alive. */
function structured(): Packr {
  return new Packr({ structuredClone: true, copyBuffers: true });
}

/** The column of `values` (all of them: its length is the section's entry count). */
export function toColumn(values: readonly unknown[], wire: (value: unknown) => unknown = (v) => v): Column {
  return typedColumn(values) ?? ['x', structured().pack(values.map(wire))];
}

/** The column of the one-element lists `[value]` of each of `values`. */
export function listColumn(values: readonly unknown[]): Column {
  const inner = typedColumn(values);
  return inner === undefined || inner[0] === 'o' || inner[0] === 'l' ? ['x', structured().pack(values.map((v) => [v]))] : ['l', inner];
}

function typedColumn(values: readonly unknown[]): Column | undefined {
  const first = values[0];
  if (typeof first === 'number') return numberColumn(values);
  if (typeof first === 'string') return values.every((v) => typeof v === 'string') ? stringColumn(values as string[]) : undefined;
  if (isPlainObject(first)) return objectColumn(values, Object.keys(first));
  if (isSingleton(first)) {
    if (!values.every(isSingleton)) return undefined;
    const column = listColumn(values.map((v) => (v as unknown[])[0]));
    return column[0] === 'l' ? column : undefined;
  }
  return undefined;
}

function numberColumn(values: readonly unknown[]): Column | undefined {
  // One pass: int32 until a value is not one, then float64 (copying what was read).
  const n = values.length;
  let ints: Int32Array | undefined = new Int32Array(n);
  let floats: Float64Array | undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number') return undefined;
    if (ints !== undefined) {
      if (isInt32(v)) {
        ints[i] = v;
        continue;
      }
      floats = new Float64Array(n);
      floats.set(ints.subarray(0, i));
      ints = undefined;
    }
    floats![i] = v;
  }
  const bytes = new Uint8Array((ints ?? floats!).buffer);
  return [ints !== undefined ? 'i' : 'f', LITTLE_ENDIAN ? bytes : swap(bytes, ints !== undefined ? 4 : 8)];
}

/** The column of numbers already in a typed array (a view; its bytes are not copied on little-endian machines). */
export function typedArrayColumn(numbers: Int32Array | Float64Array): Column {
  const bytes = new Uint8Array(numbers.buffer, numbers.byteOffset, numbers.byteLength);
  const width = numbers.BYTES_PER_ELEMENT;
  return [width === 4 ? 'i' : 'f', LITTLE_ENDIAN ? bytes : swap(Uint8Array.from(bytes), width)];
}

/** Whether `v` is an int32 (−0 is not: an int32 column would read it back as 0). */
export function isInt32(v: number): boolean {
  return (v | 0) === v && (v !== 0 || 1 / v > 0);
}

/** The column of numbers gathered in a float64 array: int32 when every one is (copied into `ints`, room for as many), else float64. */
export function float64Column(values: Float64Array, ints: Int32Array): Column {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!isInt32(v)) return typedArrayColumn(values);
    ints[i] = v;
  }
  return typedArrayColumn(ints.subarray(0, values.length));
}

/** Strings longer than this together are written one by one (a joined text must stay far below V8's string limit). */
const MAX_JOINED_LENGTH = 1 << 26;

/**
 * One text (one MessagePack string) and the lengths: written with one UTF-8
 * encoding instead of one per string, and read back as slices of one decoded
 * text, which V8 keeps as references into it (a restore of millions of
 * strings allocates a fraction of their bytes, and copies nothing). Very
 * large columns are written string by string. As in every UTF-8 form (and the `s` column), a lone surrogate reads
 * back as U+FFFD; the lengths stay right, as both are one code unit.
 */
function stringColumn(values: readonly string[]): Column {
  const lengths = new Int32Array(values.length);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += lengths[i] = values[i]!.length;
  if (total > MAX_JOINED_LENGTH) return ['s', values];
  const text = values.join('');
  const lengthBytes = new Uint8Array(lengths.buffer);
  return ['S', text, LITTLE_ENDIAN ? lengthBytes : swap(lengthBytes, 4)];
}

function objectColumn(values: readonly unknown[], fields: readonly string[]): Column | undefined {
  if (fields.length === 0) return undefined;
  const byField = fields.map(() => new Array<unknown>(values.length));
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as Record<string, unknown>;
    if (!isPlainObject(v)) return undefined;
    // Exactly `fields`, in order (for…in visits own enumerable keys in Object.keys order, allocating nothing).
    let f = 0;
    for (const key in v) {
      if (key !== fields[f]) return undefined;
      byField[f++]![i] = v[key];
    }
    if (f !== fields.length) return undefined;
  }
  const columns: Column[] = [];
  for (const fieldValues of byField) {
    const column = typedColumn(fieldValues);
    if (column === undefined || (column[0] !== 'i' && column[0] !== 'f' && column[0] !== 'S' && column[0] !== 's')) return undefined;
    columns.push(column);
  }
  return ['o', fields, columns];
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function isSingleton(value: unknown): boolean {
  return Array.isArray(value) && value.length === 1 && Object.getPrototypeOf(value) === Array.prototype && 0 in value;
}

/** The values of a column; `fromWire` maps what an `x` column decodes to. Throws a TypeError on a malformed column. */
export function fromColumn(column: unknown, count: number, fromWire: (value: unknown) => unknown = (v) => v): unknown[] {
  if (!Array.isArray(column) || typeof column[0] !== 'string') throw new TypeError('a column is not [kind, …]');
  const fail = (why: string): never => {
    throw new TypeError(`a column of kind '${String(column[0])}' ${why}`);
  };
  switch (column[0]) {
    case 'i':
    case 'f': {
      const width = column[0] === 'i' ? 4 : 8;
      const bytes = column[1] as unknown;
      if (!(bytes instanceof Uint8Array) || bytes.byteLength !== count * width) fail(`does not hold ${count} numbers`);
      const copy = new Uint8Array((bytes as Uint8Array).byteLength);
      copy.set(bytes as Uint8Array);
      if (!LITTLE_ENDIAN) swap(copy, width);
      return Array.from(width === 4 ? new Int32Array(copy.buffer) : new Float64Array(copy.buffer));
    }
    case 'S': {
      const [, text, lengthBytes] = column as unknown[];
      if (typeof text !== 'string' || !(lengthBytes instanceof Uint8Array) || lengthBytes.byteLength !== count * 4) fail(`does not hold ${count} strings`);
      const lengths = new Int32Array(count);
      new Uint8Array(lengths.buffer).set(lengthBytes as Uint8Array);
      if (!LITTLE_ENDIAN) swap(new Uint8Array(lengths.buffer), 4);
      const all = text as string;
      const out = new Array<string>(count);
      let at = 0;
      for (let i = 0; i < count; i++) {
        const length = lengths[i]!;
        if (length < 0 || at + length > all.length) fail(`has lengths beyond its ${all.length} characters`);
        out[i] = all.slice(at, (at += length));
      }
      if (at !== all.length) fail(`has ${all.length - at} characters beyond its lengths`);
      return out;
    }
    case 's': {
      const strings = column[1] as unknown;
      if (!Array.isArray(strings) || strings.length !== count || !strings.every((s) => typeof s === 'string')) fail(`does not hold ${count} strings`);
      return strings as string[];
    }
    case 'o': {
      const [, fields, columns] = column as unknown[];
      if (!Array.isArray(fields) || !Array.isArray(columns) || fields.length !== columns.length || !fields.every((f) => typeof f === 'string')) {
        fail('does not list its fields and their columns');
      }
      const fieldValues = (columns as unknown[]).map((c) => fromColumn(c, count));
      const names = fields as string[];
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) {
        const object: Record<string, unknown> = {};
        for (let f = 0; f < names.length; f++) object[names[f]!] = fieldValues[f]![i];
        out[i] = object;
      }
      return out;
    }
    case 'l':
      return fromColumn(column[1], count).map((v) => [v]);
    case 'x': {
      const bytes = column[1] as unknown;
      if (!(bytes instanceof Uint8Array)) fail('holds no bytes');
      const values = structured().unpack(bytes as Uint8Array) as unknown;
      if (!Array.isArray(values) || values.length !== count) fail(`does not hold ${count} values`);
      return (values as unknown[]).map(fromWire);
    }
    default:
      return fail('is unknown');
  }
}

/** Reverses the byte order of each `width`-byte number (big-endian machines). */
function swap(bytes: Uint8Array, width: number): Uint8Array {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  return bytes;
}
