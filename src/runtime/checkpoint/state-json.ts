/**
 * State values as JSON, for `savepoint inspect --state`. State is stored with
 * MessagePack structured cloning (`state-sections.ts`), which keeps values
 * JSON has no form for; they are written as one-key objects whose key starts
 * with `$`:
 *
 * | value | JSON |
 * |---|---|
 * | `undefined` | `{"$undefined":true}` |
 * | `NaN`, `Infinity`, `-Infinity` | `{"$number":"NaN"}` (…`"Infinity"`, `"-Infinity"`) |
 * | bigint `12n` | `{"$bigint":"12"}` |
 * | `Date` | `{"$date":"2026-01-01T00:00:00.000Z"}` (`null` for an invalid date) |
 * | `Map` | `{"$map":[[key,value],…]}` in insertion order |
 * | `Set` | `{"$set":[value,…]}` in insertion order |
 * | `Uint8Array`, `Buffer`, `ArrayBuffer` | `{"$bytes":"<base64>"}` |
 * | other typed arrays | `{"$typedArray":{"type":"Float64Array","values":[…]}}` |
 * | `RegExp` | `{"$regexp":"/a+/g"}` |
 * | `Error` | `{"$error":{"name":"TypeError","message":"…"}}` |
 * | an object reached again inside itself | `{"$cycle":true}` |
 * | a plain object with a key starting with `$` | `{"$object":{…the object…}}` |
 *
 * The last rule keeps the rendering unambiguous: an object whose single key
 * starts with `$` is always one of these forms. `-0` is written as `0`.
 * Values nested inside these forms are rendered by the same rules.
 */

/** A JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** `value` as JSON according to the table in the module comment. */
export function toJsonValue(value: unknown): JsonValue {
  return render(value, new Set());
}

function render(value: unknown, ancestors: Set<object>): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value === 0 ? 0 : value;
      return { $number: String(value) };
    case 'bigint':
      return { $bigint: value.toString() };
    case 'undefined':
      return { $undefined: true };
    case 'object':
      if (value === null) return null;
      if (ancestors.has(value)) return { $cycle: true };
      ancestors.add(value);
      try {
        return renderObject(value, ancestors);
      } finally {
        ancestors.delete(value);
      }
    default:
      // Symbols and functions never come out of a snapshot; render them visibly rather than dropping them.
      return { $unsupported: typeof value };
  }
}

function renderObject(value: object, ancestors: Set<object>): JsonValue {
  if (Array.isArray(value)) return Array.from(value, (element: unknown) => render(element, ancestors));
  if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (value instanceof Map) return { $map: [...value].map(([k, v]) => [render(k, ancestors), render(v, ancestors)]) };
  if (value instanceof Set) return { $set: [...value].map((element) => render(element, ancestors)) };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof ArrayBuffer) return { $bytes: Buffer.from(value).toString('base64') };
  if (ArrayBuffer.isView(value)) {
    const values = value instanceof DataView ? [...new Uint8Array(value.buffer, value.byteOffset, value.byteLength)] : Array.from(value as unknown as ArrayLike<number | bigint>);
    return { $typedArray: { type: value.constructor.name, values: values.map((element) => render(element, ancestors)) } };
  }
  if (value instanceof RegExp) return { $regexp: String(value) };
  if (value instanceof Error) return { $error: { name: value.name, message: value.message } };
  const out: { [key: string]: JsonValue } = {};
  let dollar = false;
  for (const [key, element] of Object.entries(value)) {
    if (key.startsWith('$')) dollar = true;
    out[key] = render(element, ancestors);
  }
  return dollar ? { $object: out } : out;
}
