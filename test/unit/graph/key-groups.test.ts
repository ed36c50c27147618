/**
 * Key groups against Flink. The range formulas are Flink's
 * `KeyGroupRangeAssignment` (worked out by hand below); the hash tables were
 * printed by a throw-away Java 17 program (not part of the repo) that copies
 * Flink's `MathUtils.murmurHash(int)` / `bitMix(int)` from flink-core and
 * applies them to Java's own `String.hashCode()`, `Integer.hashCode()`,
 * `Double.hashCode()` and `Boolean.hashCode()` of each key, printing
 * `hashCode`, `murmurHash(hashCode)` and `murmurHash(hashCode) % maxParallelism`.
 */
import { describe, expect, it } from 'vitest';
import { assignToKeyGroup, hashKey, keyGroupRangeFor, murmurHash, operatorIndexForKeyGroup } from '../../../src/graph/key-groups.js';

describe('keyGroupRangeFor / operatorIndexForKeyGroup', () => {
  it('splits 128 key groups over 3 subtasks as Flink does', () => {
    // start = ceil(i * 128 / 3) = (i*128 + 2) / 3, end = ((i+1)*128 - 1) / 3, integer division:
    // i=0: 2/3=0, 127/3=42; i=1: 130/3=43, 255/3=85; i=2: 258/3=86, 383/3=127.
    expect([0, 1, 2].map((i) => keyGroupRangeFor(128, 3, i))).toEqual([
      { start: 0, end: 42 },
      { start: 43, end: 85 },
      { start: 86, end: 127 },
    ]);
    // index = keyGroup * 3 / 128: 42 -> 126/128 = 0, 43 -> 129/128 = 1, 85 -> 255/128 = 1, 86 -> 258/128 = 2, 127 -> 381/128 = 2.
    expect([0, 42, 43, 85, 86, 127].map((kg) => operatorIndexForKeyGroup(128, 3, kg))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('splits 10 key groups over 4 subtasks as Flink does', () => {
    // i=0: 3/4=0, 9/4=2; i=1: 13/4=3, 19/4=4; i=2: 23/4=5, 29/4=7; i=3: 33/4=8, 39/4=9.
    expect([0, 1, 2, 3].map((i) => keyGroupRangeFor(10, 4, i))).toEqual([
      { start: 0, end: 2 },
      { start: 3, end: 4 },
      { start: 5, end: 7 },
      { start: 8, end: 9 },
    ]);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((kg) => operatorIndexForKeyGroup(10, 4, kg))).toEqual([0, 0, 0, 1, 1, 2, 2, 2, 3, 3]);
  });

  it('gives the whole range to a single subtask and one group each at parallelism = max parallelism', () => {
    expect(keyGroupRangeFor(128, 1, 0)).toEqual({ start: 0, end: 127 });
    expect(keyGroupRangeFor(128, 128, 5)).toEqual({ start: 5, end: 5 });
    expect(operatorIndexForKeyGroup(128, 128, 77)).toBe(77);
  });

  it('every key group of 128 is owned by exactly one subtask, the one operatorIndexForKeyGroup names, for p in 1..128', () => {
    const problems: string[] = [];
    for (let p = 1; p <= 128; p++) {
      const owners = new Array<number>(128).fill(-1);
      let next = 0;
      for (let i = 0; i < p; i++) {
        const { start, end } = keyGroupRangeFor(128, p, i);
        // Contiguous, in order, never empty.
        if (start !== next || end < start) problems.push(`p=${p} i=${i}: [${start}, ${end}] after ${next - 1}`);
        for (let kg = start; kg <= end; kg++) owners[kg] = i;
        next = end + 1;
      }
      if (next !== 128) problems.push(`p=${p}: the ranges end at ${next - 1}`);
      for (let kg = 0; kg < 128; kg++) {
        const index = operatorIndexForKeyGroup(128, p, kg);
        if (index !== owners[kg]) problems.push(`p=${p} kg=${kg}: index ${index}, range owner ${owners[kg]}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('murmurHash', () => {
  it('matches Flink MathUtils.murmurHash(int)', () => {
    const table: [number, number][] = [
      [0, 593689054],
      [1, 68075478],
      [-1, 1982413648],
      [42, 1134849565],
      [2147483647, 1653689534],
      [-2147483648, 1718298732],
      [0xcafebabe | 0, 2003420054],
      // The one int whose mix is Integer.MIN_VALUE, which Flink maps to 0 (found by trying all 2^32 ints in Java).
      [-2089875627, 0],
    ];
    for (const [code, expected] of table) expect(murmurHash(code), `murmurHash(${code})`).toBe(expected);
  });
});

describe('hashKey and assignToKeyGroup', () => {
  // [key, Java hashCode, murmurHash(hashCode), % 128, % 256, % 32768]
  const strings: [string, number, number, number, number, number][] = [
    ['', 0, 593689054, 94, 222, 31198],
    ['a', 97, 1455541201, 81, 209, 19409],
    ['b', 98, 516420758, 22, 150, 29846],
    ['hello', 99162322, 1715862179, 35, 163, 31395],
    ['world', 113318802, 2116508994, 66, 66, 23874],
    ['flink', 97520992, 1330823394, 98, 226, 16610],
    ['word', 3655434, 304538205, 93, 93, 25181],
    ['count', 94851343, 413272428, 108, 108, 2412],
    ['Hello, World!', 1498789909, 741723222, 86, 86, 19542],
    ['to be or not to be', -1284004970, 1582659069, 125, 253, 30205],
    ['\u00fcn\u00efc\u00f6d\u00e9', -609221899, 661184143, 15, 143, 24207],
    ['\u{1F642}', 1772965, 1373682627, 67, 195, 15299],
    ['user-42', -147182656, 1600933524, 20, 148, 20116],
    ['The quick brown fox jumps over the lazy dog', -609428141, 1974296731, 27, 155, 24731],
  ];
  // int32 numbers hash like java.lang.Integer.
  const ints: [number, number, number, number, number, number][] = [
    [0, 0, 593689054, 94, 222, 31198],
    [1, 1, 68075478, 86, 214, 16342],
    [-1, -1, 1982413648, 80, 80, 15184],
    [2, 2, 1085422463, 127, 127, 15231],
    [3, 3, 847579505, 113, 113, 2417],
    [42, 42, 1134849565, 29, 29, 28189],
    [127, 127, 1931274395, 27, 155, 26779],
    [128, 128, 132521001, 41, 41, 7209],
    [1000000, 1000000, 2127295249, 17, 17, 29457],
    [2147483647, 2147483647, 1653689534, 62, 190, 19646],
    [-2147483648, -2147483648, 1718298732, 108, 108, 10348],
    [-42, -42, 189366624, 96, 96, 352],
  ];
  // Other numbers hash like java.lang.Double.
  const doubles: [number, number, number, number, number, number][] = [
    [0.5, 1071644672, 241279884, 12, 140, 9100],
    [-1.5, -1074266112, 1688987191, 55, 55, 26167],
    [3.141592653589793, 340593891, 552755147, 75, 203, 24523],
    [1e10, 1644339295, 329833613, 13, 141, 23693],
    [2147483648, 1105199104, 196528796, 28, 156, 19100],
    [-2147483649, -1044381696, 1515304088, 24, 152, 13464],
    [0.1, -1507852285, 623961441, 97, 97, 25953],
    [Infinity, 2146435072, 663429370, 122, 250, 8442],
    [-Infinity, -1048576, 424838734, 78, 78, 1614],
    [1.7976931348623157e308, -2146435072, 566003308, 108, 108, 1644],
    [5e-324, 1, 68075478, 86, 214, 16342],
  ];
  const booleans: [boolean, number, number, number, number, number][] = [
    [true, 1231, 1090530765, 77, 205, 11725],
    [false, 1237, 1530821891, 3, 3, 32003],
  ];

  for (const [label, table] of [
    ['strings (String.hashCode)', strings],
    ['int32 numbers (Integer.hashCode)', ints],
    ['other numbers (Double.hashCode)', doubles],
    ['booleans (Boolean.hashCode)', booleans],
  ] as const) {
    it(`matches Flink for ${label}`, () => {
      for (const [key, hash, murmur, kg128, kg256, kg32768] of table) {
        const name = JSON.stringify(key) ?? String(key);
        expect(hashKey(key), `hashKey(${name})`).toBe(hash);
        expect(murmurHash(hashKey(key)), `murmur(${name})`).toBe(murmur);
        expect(assignToKeyGroup(key, 128), `kg128(${name})`).toBe(kg128);
        expect(assignToKeyGroup(key, 256), `kg256(${name})`).toBe(kg256);
        expect(assignToKeyGroup(key, 32768), `kg32768(${name})`).toBe(kg32768);
      }
    });
  }

  it('treats -0 as 0', () => {
    expect(assignToKeyGroup(-0, 128)).toBe(94);
  });

  it('keeps every key group below the max parallelism', () => {
    for (let i = 0; i < 10_000; i++) {
      const kg = assignToKeyGroup(`key-${i}`, 7);
      expect(kg >= 0 && kg < 7).toBe(true);
    }
  });
});
