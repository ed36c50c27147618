/**
 * Strings: ASCII by a charCodeAt loop (short strings) or natively through
 * Buffer#utf8Write (long ones: the native call costs about 50 ns, a JS loop
 * about 1.5 ns per char, measured), other strings as UTF-8, and strings with
 * lone surrogates as WTF-8 (each lone surrogate as its 3-byte form) so they
 * survive the trip unchanged.
 * @module
 */

import { W, overflow, putVarint, varintSize } from './encoder-state.js';
import { FIXASCII_MAX, T_ASCII, T_FIXASCII, T_UTF8, T_WTF8 } from './format.js';

/** Strings up to this length are encoded by a charCodeAt loop; longer ones natively (faster from about 40 chars, measured). */
const JS_STRING_MAX = 40;

/** Writes a string value at the position. */
export function writeString(s: string): void {
  const len = s.length;
  if (len > JS_STRING_MAX) {
    writeLongString(s);
    return;
  }
  // ASCII fast path. Any other string is longer in UTF-8, so "no room for the ASCII form" is exact.
  const t = W.target;
  let p = W.pos;
  if (len <= FIXASCII_MAX) {
    if (p + 1 + len > W.end) overflow();
    t[p++] = T_FIXASCII + len;
  } else {
    if (p + 2 + len > W.end) overflow();
    t[p++] = T_ASCII;
    t[p++] = len; // a one-byte varint: JS_STRING_MAX < 128
  }
  // Copy first, check once: a branch per char costs more than rewriting the rare non-ASCII string.
  let all = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    all |= c;
    t[p + i] = c;
  }
  if (all >= 0x80) writeStringJS(s);
  else W.pos = p + len;
}

function writeLongString(s: string): void {
  const len = s.length;
  const bound = len * 3;
  const p = W.pos;
  if (p + 6 + bound <= W.end) {
    // Reserve a header for the worst case and pad the varint: no second pass over the string.
    const width = varintSize(bound);
    const written = W.native.utf8Write(s, p + 1 + width, bound);
    if (written === len) {
      W.target[p] = T_ASCII;
    } else if (isWellFormed(s)) {
      W.target[p] = T_UTF8;
    } else {
      // Natively, lone surrogates became U+FFFD; the JS path keeps them (WTF-8).
      writeStringJS(s);
      return;
    }
    let n = written;
    let q = p + 1;
    for (let i = 1; i < width; i++, n >>>= 7) W.target[q++] = (n & 0x7f) | 0x80;
    W.target[q] = n;
    W.pos = p + 1 + width + written;
    return;
  }
  // Near the end of the buffer: measure exactly, so a string that fits is not refused.
  if (!isWellFormed(s)) {
    writeStringJS(s);
    return;
  }
  const bytes = Buffer.byteLength(s, 'utf8');
  if (p + 1 + varintSize(bytes) + bytes > W.end) overflow();
  W.target[W.pos++] = bytes === len ? T_ASCII : T_UTF8;
  putVarint(bytes);
  W.pos += W.native.utf8Write(s, W.pos, bytes);
}

function isWellFormed(s: string): boolean {
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/** Any string as UTF-8, lone surrogates as their 3-byte form (WTF-8), by a JS loop. */
function writeStringJS(s: string): void {
  const len = s.length;
  let bytes = 0;
  let lone = false;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if ((c & 0xfc00) === 0xd800 && i + 1 < len && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else {
      if ((c & 0xf800) === 0xd800) lone = true;
      bytes += 3;
    }
  }
  if (W.pos + 1 + varintSize(bytes) + bytes > W.end) overflow();
  W.target[W.pos++] = lone ? T_WTF8 : bytes === len ? T_ASCII : T_UTF8;
  putVarint(bytes);
  const t = W.target;
  let p = W.pos;
  for (let i = 0; i < len; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      t[p++] = c;
    } else if (c < 0x800) {
      t[p++] = 0xc0 | (c >> 6);
      t[p++] = 0x80 | (c & 0x3f);
    } else {
      if ((c & 0xfc00) === 0xd800 && i + 1 < len) {
        const d = s.charCodeAt(i + 1);
        if ((d & 0xfc00) === 0xdc00) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          t[p++] = 0xf0 | (c >> 18);
          t[p++] = 0x80 | ((c >> 12) & 0x3f);
          t[p++] = 0x80 | ((c >> 6) & 0x3f);
          t[p++] = 0x80 | (c & 0x3f);
          continue;
        }
      }
      t[p++] = 0xe0 | (c >> 12);
      t[p++] = 0x80 | ((c >> 6) & 0x3f);
      t[p++] = 0x80 | (c & 0x3f);
    }
  }
  W.pos = p;
}
