/**
 * Keyed state sections, format 2 (typed columns): every shape of entry reads
 * back exactly as written, typed columns are used where the values allow and
 * the structured-clone fallback everywhere else; format 1 sections still
 * read; malformed sections fail with a TypeError naming what is wrong.
 */
import { Packr } from 'msgpackr';
import { CheckpointFormatError } from '../../../../src/runtime/checkpoint/checkpoint-errors.js';
import type { KeyedStateFile, StateFileReader } from '../../../../src/runtime/checkpoint/metadata.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import { describe, expect, it } from 'vitest';
import { decodeKeyGroupSection, DELETED, encodeKeyGroupSection, KeyGroupSectionBuilder, type KeyedEntryRecord } from '../../../../src/runtime/checkpoint/state-sections.js';

const container = new Packr({ useRecords: false, mapsAsObjects: true });

/** The columns a section was written with: the kind of its key and value columns. */
function kinds(bytes: Buffer): { keys: string; values: string } {
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('FKS2');
  const body = container.unpack(bytes.subarray(4)) as { k: unknown[]; v: unknown[] };
  return { keys: String(body.k[0]), values: String(body.v[0]) };
}

function roundTrip(entries: KeyedEntryRecord[]): KeyedEntryRecord[] {
  return decodeKeyGroupSection(encodeKeyGroupSection(entries));
}

describe('keyed state sections (format 2)', () => {
  it('packs integers, doubles, strings, plain objects of them and one-element lists as typed columns', () => {
    const cases: { entries: KeyedEntryRecord[]; keys: string; values: string }[] = [
      { entries: [['count', 1, '', 7], ['count', -(2 ** 31), '', 2 ** 31 - 1]], keys: 'i', values: 'i' },
      { entries: [['avg', 0.5, '', 1.25], ['avg', 2 ** 40, '', Number.NaN], ['avg', 3, '', -0], ['avg', 4, '', Infinity]], keys: 'f', values: 'f' },
      { entries: [['name', 'a', '', 'x'], ['name', 'ünïcode ✓', '', ''], ['name', '😀 astral', '', 'z'.repeat(300)]], keys: 'S', values: 'S' },
      {
        entries: [
          ['acc', 1, '0|10', { count: 1, sum: 0.5, label: 'a' }],
          ['acc', 2, '10|20', { count: 2, sum: 3, label: '' }],
        ],
        keys: 'i',
        values: 'o',
      },
      { entries: [['timers/0/event', 5, '0|10', [9]], ['timers/0/processing', 6, '', [1.5]]], keys: 'i', values: 'l' },
    ];
    for (const { entries, keys, values } of cases) {
      const bytes = encodeKeyGroupSection(entries);
      expect(kinds(bytes)).toEqual({ keys, values });
      const back = decodeKeyGroupSection(bytes);
      expect(back).toEqual(entries);
      // toEqual treats -0 and 0 alike; the format must not.
      back.forEach(([, key, , value], i) => {
        expect(Object.is(key, entries[i]![1])).toBe(true);
        if (typeof value === 'number') expect(Object.is(value, entries[i]![3])).toBe(true);
      });
    }
  });

  it('falls back to structured clone for everything else, keeping types and shared references', () => {
    const shared = { id: 1 };
    const cyclic: { self?: unknown; n: number } = { n: 1 };
    cyclic.self = cyclic;
    const entries: KeyedEntryRecord[] = [
      ['m', [1, 'a'], '', new Map<unknown, unknown>([[1, ['k', 'v']], ['x', new Set([1, 2])]])],
      ['m', { b: 2, a: 1 }, 'ns', { when: new Date(5), big: 2n ** 70n, none: undefined, pair: [shared, shared] }],
      ['m', 3, '', cyclic],
      ['m', 4, '', new Uint8Array([1, 2, 3])],
      ['m', 5, '', [1, 2]],
      ['m', 6, '', { count: 1, nested: { x: 1 } }],
      ['m', 7, '', null],
    ];
    const bytes = encodeKeyGroupSection(entries);
    expect(kinds(bytes)).toEqual({ keys: 'x', values: 'x' });
    const back = decodeKeyGroupSection(bytes);
    expect(back.map(([name, key, namespace]) => [name, key, namespace])).toEqual(entries.map(([name, key, namespace]) => [name, key, namespace]));
    const map = back[0]![3] as Map<unknown, unknown>;
    expect(map).toBeInstanceOf(Map);
    expect(map.get(1)).toEqual(['k', 'v']);
    expect(map.get('x')).toEqual(new Set([1, 2]));
    const rich = back[1]![3] as { when: Date; big: bigint; none: undefined; pair: unknown[] };
    expect(rich.when).toEqual(new Date(5));
    expect(rich.big).toBe(2n ** 70n);
    expect('none' in rich && rich.none === undefined).toBe(true);
    expect(rich.pair[0]).toBe(rich.pair[1]);
    const back3 = back[2]![3] as typeof cyclic;
    expect(back3.self).toBe(back3);
    expect(back[3]![3]).toEqual(new Uint8Array([1, 2, 3]));
    expect(back.slice(4).map((e) => e[3])).toEqual([[1, 2], { count: 1, nested: { x: 1 } }, null]);
  });

  it('does not type a column whose values differ in shape: objects with other fields, in another order, of another class', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const shapes: unknown[][] = [
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],
      [{ a: 1 }, { a: 1, b: 2 }],
      [{ a: 1, b: 2 }, { a: 1 }],
      [{ a: 1 }, { a: '1' }, { a: true }],
      [{ a: 1 }, new Point(1)],
      [1, '1'],
      ['1', 1],
      [[1], [1, 2]],
      [[1], ['a']],
      [1, DELETED],
    ];
    for (const values of shapes) {
      const entries: KeyedEntryRecord[] = values.map((value, i) => ['s', i, '', value]);
      const bytes = encodeKeyGroupSection(entries);
      const back = decodeKeyGroupSection(bytes);
      expect(back.map((e) => e[3])).toEqual(values.map((v) => (v instanceof Point ? { x: 1 } : v)));
      for (const [i, value] of back.entries()) {
        if (typeof value[3] === 'object' && value[3] !== null && !Array.isArray(value[3])) expect(Object.keys(value[3])).toEqual(Object.keys(values[i]!));
      }
    }
  });

  it('a builder of lists of one writes each value as [value], typed or not', () => {
    for (const [values, kind] of [
      [[5, 6.5], 'l'],
      [['a', 'b'], 'l'],
      [[{ a: 1 }, { a: 2 }], 'x'],
      [[new Map([[1, 2]]), 3], 'x'],
    ] as const) {
      const builder = new KeyGroupSectionBuilder(true);
      values.forEach((v, i) => builder.add('timers/0/event', i, '0|10', v));
      const bytes = builder.finish();
      expect(kinds(bytes).values).toBe(kind);
      expect(decodeKeyGroupSection(bytes)).toEqual(values.map((v, i) => ['timers/0/event', i, '0|10', [v]]));
    }
  });

  it('keeps state names, namespaces, order and DELETED markers of a mixed section', () => {
    const entries: KeyedEntryRecord[] = [];
    for (let i = 0; i < 300; i++) entries.push([i % 3 === 0 ? 'a' : 'b', i, i % 5 === 0 ? '' : `${i % 7}|${(i % 7) + 10}`, i % 11 === 0 ? DELETED : i * 2]);
    const back = roundTrip(entries);
    expect(back).toEqual(entries);
    expect(back.filter((e) => e[3] === DELETED)).toHaveLength(28);
  });

  it("writes a column of more than 2^26 characters string by string ('s'), and reads it back", () => {
    const big = 'a'.repeat(2 ** 25 + 1);
    const entries: KeyedEntryRecord[] = [
      ['text', 1, '', big],
      ['text', 2, '', `${big}b`],
    ];
    const bytes = encodeKeyGroupSection(entries);
    expect(kinds(bytes)).toEqual({ keys: 'i', values: 's' });
    expect(decodeKeyGroupSection(bytes)).toEqual(entries);
  });

  it("still reads string columns written string by string ('s', before 'S')", () => {
    const body = { n: 2, s: ['name'], ns: [''], k: ['s', ['a', 'b']], v: ['o', ['label'], [['s', ['x', 'ÿ✓']]]] };
    const bytes = Buffer.concat([Buffer.from('FKS2', 'latin1'), container.pack(body)]);
    expect(decodeKeyGroupSection(bytes)).toEqual([
      ['name', 'a', '', { label: 'x' }],
      ['name', 'b', '', { label: 'ÿ✓' }],
    ]);
  });

  it('still reads format 1 sections (rows of [state, key, namespace, value])', () => {
    const rows = [
      ['count', 1, '', 5],
      ['seen', 'k', '0|10', new Map([['x', 1]])],
      ['gone', 2, '', { __flinktsDeleted: 1 }],
    ];
    const bytes = new Packr({ structuredClone: true }).pack(rows);
    expect(decodeKeyGroupSection(bytes)).toEqual([
      ['count', 1, '', 5],
      ['seen', 'k', '0|10', new Map([['x', 1]])],
      ['gone', 2, '', DELETED],
    ]);
  });

  it('refuses malformed sections with a TypeError naming the problem', () => {
    const good = encodeKeyGroupSection([['c', 1, '', 1], ['c', 2, '', 2]]);
    const body = container.unpack(good.subarray(4)) as Record<string, unknown>;
    const section = (patch: Record<string, unknown>) => Buffer.concat([Buffer.from('FKS2', 'latin1'), container.pack({ ...body, ...patch })]);
    expect(() => decodeKeyGroupSection(section({ n: 3 }))).toThrow(/column of kind 'i' does not hold 3 numbers/);
    expect(() => decodeKeyGroupSection(section({ n: -1 }))).toThrow(/does not say how many entries/);
    expect(() => decodeKeyGroupSection(section({ s: [] }))).toThrow(/lists no state names/);
    expect(() => decodeKeyGroupSection(section({ s: ['a', 'b'] }))).toThrow(/with 2 states has no state column/);
    expect(() => decodeKeyGroupSection(section({ v: ['z', 1] }))).toThrow(/column of kind 'z' is unknown/);
    expect(() => decodeKeyGroupSection(section({ v: ['s', ['a']] }))).toThrow(/does not hold 2 strings/);
    const lengths = (...n: number[]) => new Uint8Array(new Int32Array(n).buffer);
    expect(() => decodeKeyGroupSection(section({ v: ['S', 'abc', lengths(1)] }))).toThrow(/does not hold 2 strings/);
    expect(() => decodeKeyGroupSection(section({ v: ['S', 'abc', lengths(1, 3)] }))).toThrow(/lengths beyond its 3 characters/);
    expect(() => decodeKeyGroupSection(section({ v: ['S', 'abc', lengths(1, 1)] }))).toThrow(/1 characters beyond its lengths/);
    expect(() => decodeKeyGroupSection(section({ v: ['S', 'abc', lengths(-1, 4)] }))).toThrow(/lengths beyond/);
    expect(() => decodeKeyGroupSection(new Packr().pack({ not: 'rows' }))).toThrow(/not a list of entries/);
  });

  it('a restore that meets a section that does not decode fails with a CheckpointFormatError naming the file and key group', async () => {
    const file = { path: 'op-0-1.keyed', location: 'exclusive', size: 8, sha256: '0'.repeat(64), sections: [[3, 0, 8]], delta: false } as unknown as KeyedStateFile;
    const reader = { readSection: async () => Buffer.concat([Buffer.from('FKS2', 'latin1'), container.pack({ n: 2 })]) } as unknown as StateFileReader;
    const backend = new HeapKeyedStateBackend({ start: 0, end: 7 }, 8);
    const restoring = backend.restore([{ keyGroupRange: { start: 0, end: 7 }, files: [file], states: [{ name: 'c', kind: 'value' }] }], reader);
    await expect(restoring).rejects.toBeInstanceOf(CheckpointFormatError);
    await expect(restoring).rejects.toThrow('op-0-1.keyed: the section of key group 3 does not decode: a keyed state section lists no state names');
  });
});
