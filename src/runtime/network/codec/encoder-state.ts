/**
 * The encoder state shared by encoder.ts, encode-strings.ts and the generated
 * encoders: the buffer being filled and the write position, in one
 * module-level object (see encoder.ts for why), plus the helpers every writer
 * needs.
 * @module
 */

import type { EncoderState } from './encoders.js';
import { nativeStringsOf } from './node-buffer.js';

/** Thrown when the record does not fit; preallocated so a full buffer costs no allocation. */
export const OVERFLOW = { overflow: true };

/** The active encoder state. */
export const W: EncoderState = {
  target: new Uint8Array(0),
  view: new DataView(new ArrayBuffer(0)),
  native: nativeStringsOf(new Uint8Array(0)),
  pos: 0,
  end: 0,
};

/** Throws the does-not-fit signal. */
export function overflow(): never {
  throw OVERFLOW;
}

/** Bytes of `n` as a varint. */
export function varintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Writes a varint at the position; the caller has checked the space. */
export function putVarint(n: number): void {
  const t = W.target;
  let p = W.pos;
  while (n >= 0x80) {
    t[p++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  t[p++] = n;
  W.pos = p;
}
