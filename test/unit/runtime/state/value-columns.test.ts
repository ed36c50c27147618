/**
 * Values in columns (value-columns.ts, namespace-map.ts, column-snapshot.ts):
 * a table driven by random sets and deletes over several namespaces holds
 * exactly what a plain `Map` model holds; the count of values outside the
 * columns is what the model says (values that are not numbers or objects of
 * the table's shape, keys that are not numbers); and a snapshot of a table
 * whose values are all in columns decodes to exactly the model's entries,
 * the same as the general path writes.
 */
import { describe, expect, it } from 'vitest';
import { assignToKeyGroup } from '../../../../src/graph/key-groups.js';
import { decodeKeyGroupSection, packSection, type KeyedEntryRecord } from '../../../../src/runtime/checkpoint/state-sections.js';
import { encodeColumnSections } from '../../../../src/runtime/state/column-snapshot.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import type { InternalKvState } from '../../../../src/runtime/state/heap-states.js';
import { StateTable } from '../../../../src/runtime/state/state-table.js';
import { AggregatingStateDescriptor, StateTtlConfig, ValueStateDescriptor, type ValueState } from '../../../../src/api/state.js';
import { decodeSection } from '../../../../src/runtime/checkpoint/state-sections.js';

const RANGE = { start: 0, end: 127 };

function random(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** Applies `set` / `delete` to the table and to the model alike. */
function driver(table: StateTable) {
  const model = new Map<string, { key: unknown; namespace: string; value: unknown }>();
  const id = (key: unknown, namespace: string) => `${typeof key}:${String(Object.is(key, -0) ? '-0' : key)}|${namespace}`;
  return {
    model,
    set(key: unknown, namespace: string, value: unknown) {
      const entry = table.entry(key) ?? table.insertKey(key);
      entry.value.set(namespace, value);
      model.set(id(key, namespace), { key, namespace, value });
    },
    delete(key: unknown, namespace: string) {
      const entry = table.entry(key);
      entry?.value.delete(namespace);
      if (entry !== undefined && entry.value.size === 0) table.delete(key);
      model.delete(id(key, namespace));
    },
    contents(): Map<string, unknown> {
      const out = new Map<string, unknown>();
      for (const entry of table.entries()) for (const [namespace, value] of entry.value) out.set(id(entry.key, namespace), value);
      return out;
    },
    expected(): Map<string, unknown> {
      return new Map([...model].map(([k, v]) => [k, v.value]));
    },
  };
}

/** The snapshot of `tables` from the columns, decoded: key group → records, or undefined when the column path declines. */
function columnSnapshot(tables: { name: string; table: StateTable }[]): Map<number, KeyedEntryRecord[]> | undefined {
  const out = new Map<number, KeyedEntryRecord[]>();
  const ok = encodeColumnSections(tables, RANGE, (keyGroup, columns) => out.set(keyGroup, decodeKeyGroupSection(packSection(columns, true))));
  return ok ? out : undefined;
}

const sortRecords = (records: KeyedEntryRecord[]) => [...records].sort((a, b) => `${a[0]}|${String(a[1])}|${a[2]}`.localeCompare(`${b[0]}|${String(b[1])}|${b[2]}`));

describe('values in columns', () => {
  it('hold exactly what a Map holds under random sets and deletes of objects over several namespaces', () => {
    const table = new StateTable(RANGE, 128);
    const d = driver(table);
    const next = random(7);
    for (let step = 0; step < 20_000; step++) {
      const key = Math.floor(next() * 500);
      const namespace = `w${Math.floor(next() * 4)}`;
      if (next() < 0.3) d.delete(key, namespace);
      else d.set(key, namespace, { count: Math.floor(next() * 100), sum: next() * 1000 - 500 });
    }
    expect(d.contents()).toEqual(d.expected());
    expect(table.columns.outside).toBe(0);
    // Every value is in a slot: the slots in use are the model's entries.
    let live = 0;
    for (let slot = 0; slot < table.columns.used; slot++) if (table.columns.namespaceIds[slot]! >= 0) live++;
    expect(live).toBe(d.model.size);

    const snapshot = columnSnapshot([{ name: 'acc', table }])!;
    const expected = new Map<number, KeyedEntryRecord[]>();
    for (const { key, namespace, value } of d.model.values()) {
      const group = assignToKeyGroup(key, 128);
      expected.set(group, [...(expected.get(group) ?? []), ['acc', key, namespace, value]]);
    }
    expect(new Map([...snapshot].map(([g, r]) => [g, sortRecords(r)]))).toEqual(new Map([...expected].sort((a, b) => a[0] - b[0]).map(([g, r]) => [g, sortRecords(r)])));
    expect([...snapshot.keys()]).toEqual([...snapshot.keys()].sort((a, b) => a - b));
  });

  it('count values of other shapes, and keys that are not numbers, as outside; the snapshot then declines', () => {
    const table = new StateTable(RANGE, 128);
    const d = driver(table);
    d.set(1, '', { count: 1, sum: 2 }); // decides the shape
    d.set(2, '', { sum: 2, count: 1 }); // other field order
    d.set(3, '', { count: 1, sum: 'x' }); // a field that is not a number
    d.set('k', '', { count: 1, sum: 2 }); // a key that is not a number
    d.set(4, '', 7); // a number
    d.set(5, 'a', { count: 1, sum: 2 });
    d.set(5, 'b', [1, 2]); // a second namespace, outside
    expect(table.columns.outside).toBe(5);
    expect(columnSnapshot([{ name: 'acc', table }])).toBeUndefined();
    expect(d.contents()).toEqual(d.expected());
    // Values move in and out of the columns as they change shape.
    d.set(2, '', { count: 3, sum: 4 });
    d.set(3, '', { count: 3, sum: 4 });
    d.delete('k', '');
    d.set(4, '', { count: 5, sum: 6 });
    d.set(5, 'b', { count: 0, sum: -0 });
    expect(table.columns.outside).toBe(0);
    expect(d.contents()).toEqual(d.expected());
    const snapshot = columnSnapshot([{ name: 'acc', table }])!;
    const records = [...snapshot.values()].flat();
    expect(records).toHaveLength(d.model.size);
    expect(Object.is((records.find((r) => r[1] === 5 && r[2] === 'b')![3] as { sum: number }).sum, -0)).toBe(true);
    d.set(1, '', { count: 1, sum: 2, extra: 3 }); // an extra field
    expect(table.columns.outside).toBe(1);
  });

  it('keep numbers as numbers, of any kind, with ±0, NaN and infinities exact', () => {
    const table = new StateTable(RANGE, 128);
    const d = driver(table);
    const values = [0, -0, 1.5, -(2 ** 31), 2 ** 31, NaN, Infinity, -Infinity, 2 ** 53];
    values.forEach((v, i) => d.set(i * 3.5, '', v));
    expect(table.columns.outside).toBe(0);
    const records = [...columnSnapshot([{ name: 'n', table }])!.values()].flat();
    expect(records).toHaveLength(values.length);
    for (const [, key, , value] of records) expect(Object.is(value, values[(key as number) / 3.5])).toBe(true);
  });

  it('read back a new object each time (changing it changes the state only through an update)', () => {
    const table = new StateTable(RANGE, 128);
    const entry = table.insertKey(1);
    entry.value.set('', { count: 1, sum: 1 });
    const read = entry.value.get('') as { count: number };
    read.count = 99;
    expect(entry.value.get('')).toEqual({ count: 1, sum: 1 });
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(Object.keys(read)).toEqual(['count', 'sum']);
  });

  it('never build objects with __proto__ as a field (such tables keep objects)', () => {
    const table = new StateTable(RANGE, 128);
    const value = JSON.parse('{"__proto__": 1, "a": 2}') as object;
    table.insertKey(1).value.set('', value);
    expect(table.columns.columnar).toBe(false);
    expect(table.entry(1)!.value.get('')).toBe(value);
  });

  it('write sections from the columns that decode to exactly the states\' entries, several tables in one section', async () => {
    const backend = new HeapKeyedStateBackend(RANGE, 128);
    const a = backend.getState<never>(new AggregatingStateDescriptor('a', { createAccumulator: () => ({ n: 0 }), add: (v: number, acc: { n: number }) => ({ n: acc.n + v }), getResult: (acc) => acc, merge: (x, y) => ({ n: x.n + y.n }) }));
    const b = backend.getState<never>(new ValueStateDescriptor<{ n: number }>('b'));
    for (let key = 0; key < 3000; key++) {
      backend.setCurrentKey(key);
      (a as { setCurrentNamespace(ns: string): void }).setCurrentNamespace(`w${key % 3}`);
      (a as { add(v: number): void }).add(key);
      if (key % 2 === 0) (b as { update(v: { n: number }): void }).update({ n: -key });
    }
    const sections = new Map<number, Uint8Array>();
    const files = {
      openKeyedStateFile: () => ({ write: (g: number, bytes: Uint8Array) => sections.set(g, Uint8Array.from(bytes)), sections: 0, close: async () => ({}) as never, abort: () => undefined }),
      writeKeyedStateFile: async () => ({}) as never,
      writeOperatorStateFile: async () => ({}) as never,
    };
    await backend.snapshot({ checkpointId: 1, format: 'native', files })();
    const records = [...sections.values()].flatMap((bytes) => decodeKeyGroupSection(bytes));
    const expected: KeyedEntryRecord[] = [];
    for (let key = 0; key < 3000; key++) {
      expected.push(['a', key, `w${key % 3}`, { n: key }]);
      if (key % 2 === 0) expected.push(['b', key, '', { n: -key }]);
    }
    expect(sortRecords(records)).toEqual(sortRecords(expected));
    // The sections came from the columns (both tables are all in columns, of one shape).
    expect(columnSnapshot([{ name: 'a', table: backend.tableOf('a')! }, { name: 'b', table: backend.tableOf('b')! }])).toBeDefined();
    expect(decodeSection(sections.values().next().value!).singleNamespace).toBe(false);
    for (const [group, bytes] of sections) for (const [, key] of decodeKeyGroupSection(bytes)) expect(assignToKeyGroup(key, 128)).toBe(group);
  });
  it('leave values with a time-to-live as objects, so a read that refreshes the stamp keeps the value alive', () => {
    let now = 0;
    const backend = new HeapKeyedStateBackend(RANGE, 128, () => now);
    const descriptor = new ValueStateDescriptor<number>('n');
    descriptor.enableTimeToLive(StateTtlConfig.newBuilder(100).updateTtlOnReadAndWrite().build());
    const state = backend.getState<ValueState<number> & InternalKvState>(descriptor);
    backend.setCurrentKey(1);
    state.update(5);
    now = 60;
    expect(state.value()).toBe(5); // refreshes the stamp to 60
    now = 150;
    expect(state.value()).toBe(5); // alive until 160
    now = 400;
    expect(state.value()).toBeUndefined();
    expect(backend.tableOf('n')!.columns.columnar).toBe(false);
  });
});
