/**
 * Native string conversion on a byte range. Node's `Buffer` has
 * `latin1Slice` / `utf8Slice` / `utf8Write`, which skip the encoding-name
 * dispatch of `toString` / `write` (measurable on strings of tens of bytes);
 * they are undocumented, so fall back to the documented methods if absent.
 * @module
 */

/** The native string operations the codec uses on a buffer view. */
export interface NativeStrings {
  /** Bytes [start, end) as Latin-1 (the codec only uses it on ASCII). */
  latin1Slice(start: number, end: number): string;
  /** Bytes [start, end) decoded as UTF-8. */
  utf8Slice(start: number, end: number): string;
  /** Writes `s` as UTF-8 at `offset`, at most `length` bytes (never a partial character); returns bytes written. */
  utf8Write(s: string, offset: number, length: number): number;
}

const proto = Buffer.prototype as unknown as Partial<NativeStrings>;
const hasInternals =
  typeof proto.latin1Slice === 'function' && typeof proto.utf8Slice === 'function' && typeof proto.utf8Write === 'function';

/** A {@link NativeStrings} view of the same memory as `bytes` (no copy). */
export function nativeStringsOf(bytes: Uint8Array): NativeStrings {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (hasInternals) return buf as unknown as NativeStrings;
  return {
    latin1Slice: (start, end) => buf.toString('latin1', start, end),
    utf8Slice: (start, end) => buf.toString('utf8', start, end),
    utf8Write: (s, offset, length) => buf.write(s, offset, length, 'utf8'),
  };
}
