/** Operator state: list, union list and broadcast state, and their redistribution when the parallelism changes. */
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { ListStateDescriptor, MapStateDescriptor } from '../../../../src/api/state.js';
import { HeapOperatorStateStore, redistributeOperatorState, type OperatorStateList } from '../../../../src/runtime/state/operator-state-store.js';

describe('HeapOperatorStateStore', () => {
  it('keeps list, union list and broadcast state and snapshots them with their modes', () => {
    const store = new HeapOperatorStateStore('op', undefined);
    expect(store.isRestored()).toBe(false);
    const list = store.getListState(new ListStateDescriptor<number>('offsets'));
    list.addAll([1, 2]);
    list.add(3);
    store.getUnionListState(new ListStateDescriptor<string>('seen')).update(['a']);
    store.getBroadcastState(new MapStateDescriptor<string, number>('rules')).put('r', 7);
    expect(store.snapshot()).toEqual([
      { name: 'offsets', mode: 'split', elements: [1, 2, 3] },
      { name: 'seen', mode: 'union', elements: ['a'] },
      { name: 'rules', mode: 'broadcast', elements: [['r', 7]] },
    ]);
  });

  it('starts from restored lists, and refuses a name asked for in another mode', () => {
    const store = new HeapOperatorStateStore('op', [{ name: 'offsets', mode: 'split', elements: [4, 5] }]);
    expect(store.isRestored()).toBe(true);
    expect([...store.getListState(new ListStateDescriptor<number>('offsets')).get()]).toEqual([4, 5]);
    const again = (): unknown => store.getUnionListState(new ListStateDescriptor<number>('offsets'));
    expect(again).toThrow(FlinktsError);
    expect(again).toThrow("op: operator state 'offsets' is split state and is now requested as union state");
    expect(() => store.getListState(new ListStateDescriptor<number>('offsets')).add(null as unknown as number)).toThrow('cannot add null or undefined');
  });
});

describe('redistributeOperatorState', () => {
  // Three old subtasks: split lists of 2, 3 and 0 elements, a union list on two of them, equal broadcast maps.
  const old: OperatorStateList[][] = [
    [
      { name: 's', mode: 'split', elements: ['a', 'b'] },
      { name: 'u', mode: 'union', elements: [1] },
      { name: 'b', mode: 'broadcast', elements: [['k', 1]] },
    ],
    [
      { name: 's', mode: 'split', elements: ['c', 'd', 'e'] },
      { name: 'u', mode: 'union', elements: [2] },
      { name: 'b', mode: 'broadcast', elements: [['k', 1]] },
    ],
    [{ name: 'b', mode: 'broadcast', elements: [['k', 1]] }],
  ];
  const share = (index: number, parallelism: number, name: string): readonly unknown[] =>
    redistributeOperatorState(old, index, parallelism).find((l) => l.name === name)?.elements ?? [];

  it('keeps each subtask its own split list at the same parallelism', () => {
    expect([0, 1, 2].map((i) => share(i, 3, 's'))).toEqual([['a', 'b'], ['c', 'd', 'e'], []]);
  });

  it('cuts the concatenated split lists into contiguous, even shares at another parallelism', () => {
    expect([0, 1].map((i) => share(i, 2, 's'))).toEqual([['a', 'b', 'c'], ['d', 'e']]);
    expect([0, 1, 2, 3].map((i) => share(i, 4, 's'))).toEqual([['a', 'b'], ['c'], ['d'], ['e']]);
    expect(share(0, 1, 's')).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('gives every subtask all union elements and the broadcast map', () => {
    expect([0, 1, 2, 3].map((i) => share(i, 4, 'u'))).toEqual([[1, 2], [1, 2], [1, 2], [1, 2]]);
    expect(share(3, 4, 'b')).toEqual([['k', 1]]);
  });
});
