/**
 * The merging window set on its own (Flink's MergingWindowSetTest cases):
 * which window an added window ends up in, which state window keeps the
 * contents, and what the merge callback is told.
 */
import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows } from '../../../../src/api/windowing/session-windows.js';
import { TimeWindow, type Window } from '../../../../src/api/windowing/windows.js';
import { MergingWindowSet } from '../../../../src/runtime/windowing/merging-window-set.js';
import { WindowNamespaces } from '../../../../src/runtime/windowing/window-namespaces.js';
import { windowText } from './helpers.js';

function setUp() {
  const namespaces = new WindowNamespaces();
  const set = new MergingWindowSet(EventTimeSessionWindows.withGap(10), namespaces, undefined);
  const merges: string[] = [];
  const add = (start: number, end: number): string => {
    const result = set.addWindow(new TimeWindow(start, end), (result: Window, merged, stateWindow, mergedStateWindows) => {
      merges.push(`${windowText(result)} <- ${merged.map(windowText).join(' ')} state ${stateWindow} absorbs [${mergedStateWindows.join(' ')}]`);
    });
    return windowText(result);
  };
  return { set, add, merges, namespaces };
}

describe('MergingWindowSet', () => {
  it('a window alone is its own state window; no merge is reported', () => {
    const { set, add, merges } = setUp();
    expect(add(0, 10)).toBe('[0,10)');
    expect(set.getStateWindow('0|10')).toBe('0|10');
    expect(merges).toEqual([]);
  });

  it('adding a window inside an existing one returns the existing one without a merge', () => {
    const { set, add, merges } = setUp();
    add(0, 10);
    add(5, 15); // grows to [0,15): a merge
    merges.length = 0;
    expect(add(5, 15)).toBe('[0,15)'); // equal to a window merged before: absorbed, nothing to merge
    expect(merges).toEqual([]);
    expect(set.getStateWindow('0|15')).toBe('0|10');
  });

  it('growing a window keeps its state window; the new window is never among the merged ones', () => {
    const { set, add, merges } = setUp();
    add(0, 10);
    expect(add(5, 15)).toBe('[0,15)');
    expect(merges).toEqual(['[0,15) <- [0,10) state 0|10 absorbs []']);
    expect(set.getStateWindow('0|15')).toBe('0|10');
    expect(set.getStateWindow('0|10')).toBeUndefined();
  });

  it('a bridging window merges two windows: the earlier one keeps the state, the other is absorbed', () => {
    const { set, add, merges } = setUp();
    add(0, 10);
    add(20, 30);
    expect(add(8, 22)).toBe('[0,30)');
    expect(merges).toEqual(['[0,30) <- [0,10) [20,30) state 0|10 absorbs [20|30]']);
    expect(set.persist()).toEqual([['0|30', '0|10']]);
  });

  it('retired windows leave the set; an empty set persists as nothing', () => {
    const { set, add } = setUp();
    add(0, 10);
    set.retireWindow('0|10');
    expect(set.persist()).toBeUndefined();
    expect(() => set.retireWindow('0|10')).toThrow('window 0|10 is not in the in-flight window set');
  });

  it('is restored from its persisted form', () => {
    const namespaces = new WindowNamespaces();
    const set = new MergingWindowSet(EventTimeSessionWindows.withGap(10), namespaces, [['0|30', '0|10']]);
    const merged: string[] = [];
    const result = set.addWindow(new TimeWindow(25, 40), (r, m, s, ms) => merged.push(`${windowText(r)} ${m.map(windowText).join(' ')} ${s} ${ms.join(' ')}`));
    expect(windowText(result)).toBe('[0,40)');
    expect(merged).toEqual(['[0,40) [0,30) 0|10 ']);
  });
});
