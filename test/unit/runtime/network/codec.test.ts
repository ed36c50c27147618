/**
 * The record codec of network exchanges. Every expected value is the input
 * itself (or, for Uint8Array → Buffer and class instances → plain objects,
 * the input converted by hand), compared with assert.deepStrictEqual, which
 * tells -0 from 0, NaN from null, holes from undefined and checks prototypes.
 */
import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { BufferBuilder, BufferReader, ENTRY_EVENT, ENTRY_RECORD } from '../../../../src/runtime/network/codec.js';

type Entry = { kind: 'record'; value: unknown; timestamp: number | undefined } | { kind: 'event'; k: number; a: number; b: number };

function readAll(bytes: Uint8Array, reader = new BufferReader()): Entry[] {
  const out: Entry[] = [];
  reader.begin(bytes);
  while (reader.hasNext()) {
    if (reader.next() === ENTRY_RECORD) out.push({ kind: 'record', value: reader.value, timestamp: reader.timestamp });
    else out.push({ kind: 'event', k: reader.eventKind, a: reader.eventA, b: reader.eventB });
  }
  return out;
}

/** Writes all values (each must fit) into one buffer and returns the written bytes. */
function encode(values: unknown[], size = 32 * 1024, timestamp?: number): Uint8Array {
  const builder = new BufferBuilder();
  const target = new Uint8Array(size);
  builder.begin(target);
  for (const v of values) ok(builder.tryWriteRecord(v, timestamp), 'record does not fit');
  strictEqual(builder.recordCount, values.length);
  return target.subarray(0, builder.size);
}

function values(entries: Entry[]): unknown[] {
  return entries.map((e) => (e.kind === 'record' ? e.value : e));
}

function roundTrip(input: unknown[], expected: unknown[] = input): void {
  deepStrictEqual(values(readAll(encode(input))), expected);
}

function serializationError(fn: () => unknown): FlinktsError {
  try {
    fn();
  } catch (e) {
    ok(e instanceof FlinktsError, `not a FlinktsError: ${String(e)}`);
    strictEqual(e.code, 'SERIALIZATION');
    return e;
  }
  throw new Error('did not throw');
}

/** Seeded PRNG (mulberry32): the property test is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('codec: values', () => {
  it('round-trips numbers, keeping -0, NaN, ±Infinity and large and negative ints', () => {
    roundTrip([0, 1, 63, 64, 255, 256, -1, -64, -0, NaN, Infinity, -Infinity, 0.1, -2.5, 1e300, Number.MIN_VALUE]);
    roundTrip([2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), 1_700_000_000_000]);
    const [negZero] = values(readAll(encode([-0])));
    ok(Object.is(negZero, -0));
  });

  it('round-trips ASCII, non-ASCII and astral strings of every length class', () => {
    const lengths = [0, 1, 8, 9, 24, 25, 31, 32, 40, 41, 127, 128, 1000, 20_000];
    roundTrip(lengths.map((n) => 'abcdefghij'.repeat(Math.ceil(n / 10)).slice(0, n)));
    roundTrip(['é', 'héllo wörld', '日本語', '😀', 'a😀b𝄞c', 'é'.repeat(40), 'é'.repeat(41), '日本'.repeat(500), '😀'.repeat(300)]);
    roundTrip(['x'.repeat(40) + 'é', 'é' + 'x'.repeat(100), '\u0000\u007f\u0080\u07ff\u0800\uffff']);
  });

  it('keeps lone surrogates (written as WTF-8) instead of replacing them with U+FFFD', () => {
    const strings = ['\ud800', '\udfff', 'a\ud800b', 'x\udc00', '\udbff\udfff', '\udc00\ud800', 'x'.repeat(50) + '\ud83d', '\ud83d' + 'é'.repeat(60)];
    roundTrip(strings);
    roundTrip([{ ['k\ud800']: 1 }]);
  });

  it('round-trips booleans, null, undefined, bigint, Date, bytes, Map and Set', () => {
    roundTrip([true, false, null, undefined]);
    roundTrip([0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, -(2n ** 63n) - 1n, 2n ** 200n + 7n, -(3n ** 100n)]);
    roundTrip([new Date(0), new Date(1_700_000_000_123), new Date(-1)]);
    // deepStrictEqual finds no Invalid Date equal to another (NaN !== NaN): check it by hand.
    const [invalid] = values(readAll(encode([new Date(NaN)])));
    ok(invalid instanceof Date && Number.isNaN(invalid.getTime()));
    roundTrip([new Uint8Array([1, 2, 255]), new Uint8Array(0), Buffer.from('abc')], [Buffer.from([1, 2, 255]), Buffer.alloc(0), Buffer.from('abc')]);
    roundTrip([new Map(), new Map<unknown, unknown>([[1, 'a'], ['k', { x: 1 }], [{ o: 1 }, [2]], [null, undefined]])]);
    roundTrip([new Set(), new Set([1, 'a', null, 2n, NaN, [1]])]);
  });

  it('round-trips arrays, objects and their nesting, empty ones included', () => {
    roundTrip([[], {}, [[]], [{}], { a: {} }, { a: [] }, ['hello', 1], [1, 'a', null, undefined, true, 1.5]]);
    roundTrip([{ a: 1, b: 'x', c: { d: [1, 2, { e: new Map([['f', new Set([{ g: 1 }])]]) }] } }]);
    roundTrip([{ a: undefined }, { a: null }, { 1: 'a', b: 2, 0: 'c' }, { '': 1, 'a b': 2, 'a"b': 3, 'c\\d': 4, '\u2028': 5 }]);
    roundTrip([{ v: 1, next: { v: 2, next: { v: 3, next: null } } }]);
    roundTrip([{ 'é': 1, '日本': { '😀': 2 } }]);
  });

  it('reads arrays with holes back with undefined in them', () => {
    // eslint-disable-next-line no-sparse-arrays
    deepStrictEqual(values(readAll(encode([[1, , 3]]))), [[1, undefined, 3]]);
  });

  it('writes class instances and null-prototype objects as plain objects of their own enumerable properties', () => {
    class Point {
      x = 1;
      y = 'a';
      get sum(): number {
        return 0;
      }
      method(): number {
        return 0;
      }
    }
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = [1];
    const hidden = { shown: 1 };
    Object.defineProperty(hidden, 'hidden', { value: 2, enumerable: false });
    roundTrip([new Point(), bare, hidden, { [Symbol('s')]: 1, t: 2 }], [{ x: 1, y: 'a' }, { k: [1] }, { shown: 1 }, { t: 2 }]);
  });

  it('keeps an own __proto__ key as data and never evaluates key names', () => {
    const evil = '"}); throw new Error("injected"); ({"';
    const input = [JSON.parse('{"__proto__": {"x": 1}, "a": 2}'), { [evil]: 1, ['constructor']: 2, toString: 3 }];
    const [proto, other] = values(readAll(encode(input))) as Record<string, unknown>[];
    strictEqual(Object.getPrototypeOf(proto), Object.prototype);
    deepStrictEqual(Object.keys(proto), ['__proto__', 'a']);
    deepStrictEqual(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value, { x: 1 });
    deepStrictEqual(other, input[1]);
  });

  it('writes objects with many keys, and more shapes than the shape tree holds, key by key', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 200; i++) wide[`k${i}`] = i;
    roundTrip([wide, wide]);
    const builder = new BufferBuilder();
    const inputs: unknown[] = [];
    for (let i = 0; i < 6000; i++) inputs.push({ [`id${i}`]: i, n: 1 });
    const got: unknown[] = [];
    const target = new Uint8Array(32 * 1024);
    builder.begin(target);
    for (const v of inputs) {
      if (!builder.tryWriteRecord(v, undefined)) {
        got.push(...values(readAll(target.subarray(0, builder.size))));
        builder.begin(target);
        ok(builder.tryWriteRecord(v, undefined));
      }
    }
    got.push(...values(readAll(target.subarray(0, builder.size))));
    deepStrictEqual(got, inputs);
  });

  it('round-trips every kind of field value through a shape written often (a generated encoder)', () => {
    const fieldValues = [0, 63, 64, -1, -0, NaN, 1.5, 2 ** 40, 'abc', '', 'x'.repeat(31), 'x'.repeat(32), 'é', 'x'.repeat(31) + 'é',
      'a\ud800', 'long '.repeat(30), null, undefined, true, 7n, [1, 'a'], { n: { m: 1 } }, new Date(5), new Map([[1, 2]])];
    // A computed `['__proto__']` key and JSON.parse both make an own property named __proto__.
    const input = fieldValues.flatMap((v, i) => [
      { a: v, b: fieldValues[(i + 1) % fieldValues.length], ['__proto__']: i },
      JSON.parse(`{"a": ${i}, "b": 0, "__proto__": ${i}}`) as unknown,
    ]);
    roundTrip([...input, ...input, ...input]);
  });

  it('keeps builders and readers apart when their calls interleave', () => {
    const [b1, b2] = [new BufferBuilder(), new BufferBuilder()];
    const [t1, t2] = [new Uint8Array(512), new Uint8Array(512)];
    b1.begin(t1);
    b2.begin(t2);
    for (let i = 0; i < 10; i++) {
      ok(b1.tryWriteRecord({ one: i }, i));
      ok(b2.tryWriteRecord({ two: [i] }, undefined));
    }
    const [r1, r2] = [new BufferReader(), new BufferReader()];
    r1.begin(t1.subarray(0, b1.size));
    r2.begin(t2.subarray(0, b2.size));
    for (let i = 0; i < 10; i++) {
      strictEqual(r1.next(), ENTRY_RECORD);
      strictEqual(r2.next(), ENTRY_RECORD);
      deepStrictEqual([r1.value, r1.timestamp, r2.value, r2.timestamp], [{ one: i }, i, { two: [i] }, undefined]);
    }
    ok(!r1.hasNext() && !r2.hasNext());
    serializationError(() => r1.next());
  });

  it('carries timestamps', () => {
    const builder = new BufferBuilder();
    const target = new Uint8Array(1024);
    builder.begin(target);
    const stamps = [undefined, 0, -0, 1_700_000_000_000, -5, 1.5, NaN, Infinity];
    for (const ts of stamps) ok(builder.tryWriteRecord('r', ts));
    const got = readAll(target.subarray(0, builder.size)).map((e) => (e.kind === 'record' ? e.timestamp : 'event'));
    deepStrictEqual(got, stamps);
    ok(Object.is(got[2], -0));
    serializationError(() => builder.tryWriteRecord('r', '5' as unknown as number));
  });
});

describe('codec: buffers', () => {
  it('defines a shape once per buffer and refers to it afterwards', () => {
    const builder = new BufferBuilder();
    const target = new Uint8Array(1024);
    builder.begin(target);
    builder.tryWriteRecord({ key: 12, value: 3 }, undefined);
    const first = builder.size;
    builder.tryWriteRecord({ key: 13, value: 4 }, undefined);
    ok(builder.size - first < first, 'the second record repeats the key names');
    const twice = builder.size;
    builder.begin(new Uint8Array(1024));
    builder.tryWriteRecord({ key: 12, value: 3 }, undefined);
    strictEqual(builder.size, first, 'a new buffer defines the shape again');
    deepStrictEqual(values(readAll(target.subarray(0, twice))), [{ key: 12, value: 3 }, { key: 13, value: 4 }]);
  });

  it('decodes any buffer on its own, in any order, whichever writer and reader saw what before', () => {
    const rand = prng(7);
    const shapes = [(i: number) => ({ a: i }), (i: number) => ({ a: i, b: 'x' }), (i: number) => ({ b: [i], c: { d: i } }), (i: number) => [i, { e: i }]];
    const writers = [new BufferBuilder(), new BufferBuilder()];
    const buffers: { bytes: Uint8Array; expected: unknown[] }[] = [];
    for (let n = 0; n < 200; n++) {
      const target = new Uint8Array(64 + Math.floor(rand() * 400));
      const writer = writers[n % 2];
      writer.begin(target);
      const expected: unknown[] = [];
      for (;;) {
        const v = shapes[Math.floor(rand() * (1 + Math.min(3, n / 20)))](n);
        if (!writer.tryWriteRecord(v, n)) break;
        expected.push(v);
      }
      buffers.push({ bytes: target.subarray(0, writer.size), expected });
    }
    const reader = new BufferReader();
    const order = buffers.map((_, i) => i).sort(() => rand() - 0.5);
    for (const i of order) deepStrictEqual(values(readAll(buffers[i].bytes, reader)), buffers[i].expected);
    deepStrictEqual(values(readAll(buffers[137].bytes)), buffers[137].expected);
  });

  it('interleaves events with records', () => {
    const builder = new BufferBuilder();
    const target = new Uint8Array(256);
    builder.begin(target);
    ok(builder.tryWriteEvent(0, 1, 2));
    ok(builder.tryWriteRecord({ a: 1 }, 10));
    ok(builder.tryWriteEvent(255, -0, NaN));
    ok(builder.tryWriteEvent(7, Infinity, -1.5e300));
    ok(builder.tryWriteRecord({ a: 2 }, undefined));
    strictEqual(builder.recordCount, 2);
    const got = readAll(target.subarray(0, builder.size));
    deepStrictEqual(got, [
      { kind: 'event', k: 0, a: 1, b: 2 },
      { kind: 'record', value: { a: 1 }, timestamp: 10 },
      { kind: 'event', k: 255, a: -0, b: NaN },
      { kind: 'event', k: 7, a: Infinity, b: -1.5e300 },
      { kind: 'record', value: { a: 2 }, timestamp: undefined },
    ]);
    const reader = new BufferReader();
    reader.begin(target.subarray(0, builder.size));
    strictEqual(reader.next(), ENTRY_EVENT);
    serializationError(() => builder.tryWriteEvent(256, 0, 0));
    serializationError(() => builder.tryWriteEvent(1.5, 0, 0));
  });

  it('refuses what does not fit, leaving the buffer as it was, and accepts an exact fit', () => {
    // Sizes by hand from the format: entry header + float64 timestamp, shape definition (tag, count, keys 's' and
    // 'n' as 2-byte strings), the string (tag, [varint length,] chars), float64 1.5 (tag + 8).
    const cases = [
      { record: { s: 'y'.repeat(30), n: 1.5 }, size: 1 + 8 + 6 + (1 + 30) + 9 },
      { record: { s: 'y'.repeat(60), n: 1.5 }, size: 1 + 8 + 6 + (1 + 1 + 60) + 9 },
      { record: { s: 'é'.repeat(50), n: 1.5 }, size: 1 + 8 + 6 + (1 + 1 + 100) + 9 },
    ];
    for (const { record, size } of cases) {
      const builder = new BufferBuilder();
      const fits = new Uint8Array(size);
      builder.begin(fits);
      ok(builder.tryWriteRecord(record, 5));
      strictEqual(builder.size, size);
      ok(!builder.tryWriteEvent(1, 0, 0));
      ok(!builder.tryWriteRecord(0, undefined));
      strictEqual(builder.size, size);
      strictEqual(builder.recordCount, 1);
      deepStrictEqual(values(readAll(fits)), [record]);
      builder.begin(new Uint8Array(size - 1));
      ok(!builder.tryWriteRecord(record, 5));
      strictEqual(builder.size, 0);
      strictEqual(builder.recordCount, 0);
    }
  });

  it('rolls back shape definitions written only for a record that did not fit', () => {
    const builder = new BufferBuilder();
    const target = new Uint8Array(48);
    builder.begin(target);
    ok(builder.tryWriteRecord({ a: 1 }, undefined));
    const before = target.slice(0, builder.size);
    ok(!builder.tryWriteRecord({ outer: { inner: 1 }, pad: 'x'.repeat(40) }, undefined));
    deepStrictEqual(target.slice(0, builder.size), before);
    ok(builder.tryWriteRecord({ outer: { inner: 2 } }, undefined));
    ok(builder.tryWriteRecord({ outer: { inner: 3 }, pad: 'p' }, undefined));
    deepStrictEqual(values(readAll(target.subarray(0, builder.size))), [{ a: 1 }, { outer: { inner: 2 } }, { outer: { inner: 3 }, pad: 'p' }]);
    // The runtime retries on a fresh buffer.
    const fresh = new Uint8Array(256);
    builder.begin(fresh);
    ok(builder.tryWriteRecord({ outer: { inner: 4 }, pad: 'x'.repeat(40) }, undefined));
    deepStrictEqual(values(readAll(fresh.subarray(0, builder.size))), [{ outer: { inner: 4 }, pad: 'x'.repeat(40) }]);
  });

  it('encodes an oversized record alone into an exactly sized buffer', () => {
    const value = { text: 'z'.repeat(100_000), list: Array.from({ length: 50_000 }, (_, i) => i * 3), nested: { s: 'é'.repeat(40_000) } };
    const builder = new BufferBuilder();
    builder.begin(new Uint8Array(32 * 1024));
    ok(!builder.tryWriteRecord(value, 99));
    const bytes = BufferBuilder.encodeOversized(value, 99);
    strictEqual(bytes.byteLength, bytes.buffer.byteLength);
    deepStrictEqual(readAll(bytes), [{ kind: 'record', value, timestamp: 99 }]);
  });

  it('uses more than 128 shapes in one buffer', () => {
    const input: unknown[] = [];
    for (let i = 0; i < 300; i++) input.push({ [`f${i}`]: i });
    for (let i = 0; i < 300; i++) input.push({ [`f${i}`]: -i });
    deepStrictEqual(values(readAll(encode(input, 64 * 1024))), input);
  });

  it('reports corrupt buffers as SERIALIZATION errors', () => {
    const first = { a: 'hello', b: [1, 2.5, 'x'.repeat(50)] };
    const boundary = encode([first], 1024, 3).length;
    const bytes = encode([first, { a: 'é', b: [], c: new Map([[1, 2n ** 70n]]) }], 1024, 3);
    for (let cut = 1; cut < bytes.length; cut++) {
      const reader = new BufferReader();
      reader.begin(bytes.slice(0, cut));
      const read = (): number => {
        let n = 0;
        for (; reader.hasNext(); n++) reader.next();
        return n;
      };
      if (cut === boundary) strictEqual(read(), 1);
      else serializationError(read);
    }
    const reader = new BufferReader();
    reader.begin(new Uint8Array([0, 0x7f]));
    serializationError(() => reader.next());
  });
});

describe('codec: errors', () => {
  it('names the field of a function or symbol', () => {
    expect(serializationError(() => encode([{ a: { b: [1, 2, () => 1] } }])).message).toContain("record field 'a.b[2]'");
    expect(serializationError(() => encode([Symbol('s')])).message).toContain('record value');
    expect(serializationError(() => encode([{ 'a b': { c: Symbol('s') } }])).message).toContain(`record field '["a b"].c'`);
    expect(serializationError(() => encode([{ m: new Map([['k', () => 0]]) }])).message).toContain(`record field 'm.get("k")'`);
    expect(serializationError(() => encode([{ s: new Set([1, Symbol('s')]) }])).message).toContain("record field 's.values()[1]'");
    expect(serializationError(() => encode([{ f: new Float64Array(2) }])).message).toContain("record field 'f' is a Float64Array");
    expect(serializationError(() => encode([{ get x(): number { throw new Error('boom'); } }])).message).toMatch(/record field 'x'.*boom/);
  });

  it('refuses nesting deeper than 64 levels, and cycles', () => {
    const nest = (n: number): unknown => (n === 0 ? 1 : [nest(n - 1)]);
    roundTrip([nest(64)]);
    expect(serializationError(() => encode([nest(65)])).message).toContain('64 levels');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(serializationError(() => encode([cyclic])).message).toMatch(/record field 'self(\.self)+' is nested deeper than 64 levels/);
  });

  it('leaves the buffer as it was after an error, shape definitions included', () => {
    const builder = new BufferBuilder();
    const target = new Uint8Array(1024);
    builder.begin(target);
    ok(builder.tryWriteRecord({ a: 1 }, undefined));
    const size = builder.size;
    serializationError(() => builder.tryWriteRecord({ z: { y: 1, f: () => 0 } }, undefined));
    serializationError(() => builder.tryWriteRecord({ a: Symbol('s') }, undefined));
    strictEqual(builder.size, size);
    strictEqual(builder.recordCount, 1);
    ok(builder.tryWriteRecord({ z: { y: 1, f: 2 } }, undefined));
    deepStrictEqual(values(readAll(target.subarray(0, builder.size))), [{ a: 1 }, { z: { y: 1, f: 2 } }]);
  });

  it('refuses an encode started from a getter during another one', () => {
    const other = new BufferBuilder();
    other.begin(new Uint8Array(64));
    const builder = new BufferBuilder();
    builder.begin(new Uint8Array(64));
    const sneaky = { get x(): number { other.tryWriteRecord(1, undefined); return 1; } };
    serializationError(() => builder.tryWriteRecord(sneaky, undefined));
    strictEqual(builder.size, 0);
    ok(builder.tryWriteRecord({ x: 1 }, undefined));
  });
});

describe('codec: property', () => {
  it('round-trips thousands of random values through small buffers', () => {
    const rand = prng(20240601);
    const int = (n: number): number => Math.floor(rand() * n);
    const keys = ['id', 'name', 'ts', 'v', 'tags', 'é', '', '0', '__proto__'];
    const chars = ['a', 'Z', ' ', '"', '\\', 'é', 'ß', '日', '😀', '\ud800', '\udc00', '\u0000'];
    const str = (): string => {
      const n = [0, 1, 5, 20, 31, 41, 90][int(7)];
      const ascii = rand() < 0.6;
      let s = '';
      for (let i = 0; i < n; i++) s += ascii ? String.fromCharCode(32 + int(95)) : chars[int(chars.length)];
      return s;
    };
    const num = (): number => [int(64), int(1e6) - 5e5, rand() * 1e9, -0, NaN, Infinity, -Infinity, 2 ** 40 + int(100), -(2 ** 31) - int(5)][int(9)];
    /** A random value and what it reads back as. */
    const gen = (depth: number): [unknown, unknown] => {
      const pick = depth >= 4 ? int(7) : int(13);
      switch (pick) {
        case 0: case 1: return [num(), undefined];
        case 2: case 3: return [str(), undefined];
        case 4: return [[true, false, null, undefined][int(4)], undefined];
        case 5: return [BigInt(int(1e6)) * (rand() < 0.5 ? 1n : -(2n ** BigInt(int(100)))), undefined];
        case 6: { const d = new Date(int(2e12)); return [d, d]; }
        case 7: { const bytes = Uint8Array.from({ length: int(20) }, () => int(256)); return [bytes, Buffer.from(bytes)]; }
        case 8: case 9: {
          const o: Record<string, unknown> = {};
          const e: Record<string, unknown> = {};
          for (let i = int(6); i > 0; i--) {
            const k = rand() < 0.8 ? keys[int(keys.length)] : str();
            const [v, x] = gen(depth + 1);
            Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
            Object.defineProperty(e, k, { value: x === undefined ? v : x, enumerable: true, writable: true, configurable: true });
          }
          return [o, e];
        }
        case 10: {
          const pairs = Array.from({ length: int(5) }, () => gen(depth + 1));
          return [pairs.map((p) => p[0]), pairs.map((p) => (p[1] === undefined ? p[0] : p[1]))];
        }
        case 11: {
          const entries = Array.from({ length: int(4) }, () => [str(), gen(depth + 1)] as const);
          return [new Map(entries.map(([k, p]) => [k, p[0]])), new Map(entries.map(([k, p]) => [k, p[1] === undefined ? p[0] : p[1]]))];
        }
        default: {
          const items = Array.from({ length: int(4) }, () => num());
          return [new Set(items), new Set(items)];
        }
      }
    };
    const builder = new BufferBuilder();
    const buffers: { bytes: Uint8Array; expected: Entry[] }[] = [];
    let target = new Uint8Array(2048);
    let expected: Entry[] = [];
    builder.begin(target);
    const flush = (): void => {
      buffers.push({ bytes: target.subarray(0, builder.size), expected });
      target = new Uint8Array(256 + int(4096));
      expected = [];
      builder.begin(target);
    };
    for (let i = 0; i < 5000; i++) {
      const [value, readBack] = gen(0);
      const timestamp = rand() < 0.5 ? undefined : int(1e13);
      const entry: Entry = { kind: 'record', value: readBack === undefined ? value : readBack, timestamp };
      if (i % 97 === 0 && builder.tryWriteEvent(i % 256, i, -i)) expected.push({ kind: 'event', k: i % 256, a: i, b: -i });
      if (builder.tryWriteRecord(value, timestamp)) {
        expected.push(entry);
        continue;
      }
      flush();
      if (builder.tryWriteRecord(value, timestamp)) expected.push(entry);
      else buffers.push({ bytes: BufferBuilder.encodeOversized(value, timestamp), expected: [entry] });
    }
    flush();
    const reader = new BufferReader();
    const order = buffers.map((_, i) => i).sort(() => rand() - 0.5);
    for (const i of order) deepStrictEqual(readAll(buffers[i].bytes, reader), buffers[i].expected);
  });
});
