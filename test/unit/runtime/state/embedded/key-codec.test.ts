/**
 * The embedded store's key encoding: keys equal by value encode equal (and
 * others differently), primitives decode back exactly, long keys are hashed,
 * and row keys split back into their components.
 */
import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey, encodeNamespace, entryKey, keyId, MAX_INLINE_KEY_BYTES, parseRowKey, prefixRange } from '../../../../../src/runtime/state/embedded/key-codec.js';

describe('key encoding', () => {
  it('primitives round-trip, including -0 as 0, NaN, bigint and lone surrogates', () => {
    for (const key of [0, 1, -1.5, 2 ** 53, NaN, 'abc', '', 'é😀', '\ud800x', true, false, null, undefined, 123n, -5n]) {
      const encoded = encodeKey(key);
      expect(encoded.decodable).toBe(true);
      expect(decodeKey(encoded.bytes)).toEqual({ ok: true, key });
      expect(encoded.id).toBe(keyId(key));
    }
    expect(encodeKey(-0).bytes).toEqual(encodeKey(0).bytes);
    expect(keyId(-0)).toBe(keyId(0));
  });

  it('distinguishes types and compares composites by value', () => {
    const distinct = [1, '1', true, 'true', null, 'null', undefined, [1], ['1'], { a: 1 }, 1n];
    const ids = distinct.map((k) => encodeKey(k).bytes.toString('hex'));
    expect(new Set(ids).size).toBe(distinct.length);
    expect(encodeKey({ b: [1, 2], a: 'x' }).bytes).toEqual(encodeKey({ a: 'x', b: [1, 2] }).bytes);
    expect(encodeKey({ a: 1 }).decodable).toBe(false);
    expect(encodeKey({ b: 1, a: 2 }).id).toBe(keyId({ a: 2, b: 1 }));
  });

  it('long keys and namespaces are stored by hash and are not decodable', () => {
    const long = encodeKey('x'.repeat(MAX_INLINE_KEY_BYTES));
    expect(long.decodable).toBe(false);
    expect(long.bytes.length).toBe(33);
    expect(long.bytes).not.toEqual(encodeKey('x'.repeat(MAX_INLINE_KEY_BYTES + 1)).bytes);
    expect(encodeNamespace('n'.repeat(1000)).decodable).toBe(false);
    expect(encodeNamespace('12|34').decodable).toBe(true);
  });

  it('row keys: key group first, components self-delimiting, a map row extends its entry key', () => {
    const key = encodeKey('k').bytes;
    const namespace = encodeNamespace('w').bytes;
    const row = entryKey(300, 7, key, namespace);
    const parsed = parseRowKey(row);
    expect(parsed).toMatchObject({ keyGroup: 300, stateId: 7, entryEnd: row.length });
    expect(decodeKey(row, parsed.keyStart, parsed.keyEnd).key).toBe('k');
    const mapRow = Buffer.concat([row, encodeKey(5).bytes]);
    expect(parseRowKey(mapRow).entryEnd).toBe(row.length);
    const { start, end } = prefixRange(row);
    expect(Buffer.compare(start, mapRow) <= 0 && Buffer.compare(mapRow, end) < 0).toBe(true);
    // Key 'k' with namespace 'wx' is not inside the range of ('k', 'w').
    const other = entryKey(300, 7, key, encodeNamespace('wx').bytes);
    expect(Buffer.compare(other, start) >= 0 && Buffer.compare(other, end) < 0).toBe(false);
  });
});
