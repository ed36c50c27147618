/** The JSON rendering of state values (`savepoint inspect --state`), rule by rule. */
import { describe, expect, it } from 'vitest';
import { toJsonValue } from '../../../../src/runtime/checkpoint/state-json.js';

describe('toJsonValue', () => {
  it.each<[string, unknown, unknown]>([
    ['plain JSON', { a: [1, 'x', true, null], b: { c: -2.5 } }, { a: [1, 'x', true, null], b: { c: -2.5 } }],
    ['undefined', undefined, { $undefined: true }],
    ['NaN', Number.NaN, { $number: 'NaN' }],
    ['Infinity', Number.POSITIVE_INFINITY, { $number: 'Infinity' }],
    ['-Infinity', Number.NEGATIVE_INFINITY, { $number: '-Infinity' }],
    ['-0', -0, 0],
    ['bigint', -12345678901234567890n, { $bigint: '-12345678901234567890' }],
    ['Date', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), { $date: '2026-01-02T03:04:05.006Z' }],
    ['invalid Date', new Date(Number.NaN), { $date: null }],
    ['Map', new Map<unknown, unknown>([['a', 1], [2n, undefined]]), { $map: [['a', 1], [{ $bigint: '2' }, { $undefined: true }]] }],
    ['Set', new Set([1, 'b']), { $set: [1, 'b'] }],
    ['Buffer', Buffer.from('hi'), { $bytes: 'aGk=' }],
    ['Uint8Array', Uint8Array.of(0, 255), { $bytes: 'AP8=' }],
    ['ArrayBuffer', Uint8Array.of(1, 2).buffer, { $bytes: 'AQI=' }],
    ['Float64Array', Float64Array.of(1.5, Number.NaN), { $typedArray: { type: 'Float64Array', values: [1.5, { $number: 'NaN' }] } }],
    ['RegExp', /a+b/gi, { $regexp: '/a+b/gi' }],
    ['Error', new TypeError('bad'), { $error: { name: 'TypeError', message: 'bad' } }],
    ['an object with $ keys', { $map: 1, other: undefined }, { $object: { $map: 1, other: { $undefined: true } } }],
    ['an array with undefined', [undefined, 1], [{ $undefined: true }, 1]],
  ])('%s', (_what, value, expected) => {
    expect(toJsonValue(value)).toEqual(expected);
    // What it gives is JSON: it survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(toJsonValue(value)))).toEqual(expected);
  });

  it('marks cycles and renders shared (acyclic) references twice', () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { shared, again: shared };
    cyclic.self = cyclic;
    expect(toJsonValue(cyclic)).toEqual({ shared: { n: 1 }, again: { n: 1 }, self: { $cycle: true } });
  });
});
