/**
 * Evictors on their own: given a window's contents, which elements remain.
 * Expected results follow Flink's definitions: CountEvictor keeps the last n,
 * TimeEvictor drops timestamps ≤ max − size, DeltaEvictor drops elements
 * whose delta to the last element is ≥ threshold.
 */
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { CountEvictor, DeltaEvictor, TimeEvictor, TimestampedValue, type Evictor } from '../../../../src/api/windowing/evictors.js';
import { GlobalWindow } from '../../../../src/api/windowing/windows.js';

const ctx = { getCurrentProcessingTime: () => 0, getCurrentWatermark: () => 0 };
const elements = (pairs: [number, number | undefined][]) => pairs.map(([v, ts]) => new TimestampedValue(v, ts));

function run(evictor: Evictor<number>, pairs: [number, number | undefined][]): { before: number[]; after: number[] } {
  const list = elements(pairs);
  evictor.evictBefore(list, list.length, GlobalWindow.get(), ctx);
  const before = list.map((e) => e.value);
  evictor.evictAfter(list, list.length, GlobalWindow.get(), ctx);
  return { before, after: list.map((e) => e.value) };
}

const FIVE: [number, number | undefined][] = [[1, 10], [2, 11], [3, 15], [4, 12], [5, 20]];

describe('evictors', () => {
  // [name, evictor, what the function sees, what the window keeps]
  const cases: [string, Evictor<number>, number[], number[]][] = [
    ['CountEvictor.of(3): the last 3 before the function', CountEvictor.of(3), [3, 4, 5], [3, 4, 5]],
    ['CountEvictor.of(3, true): all 5 seen, the last 3 kept', CountEvictor.of(3, true), [1, 2, 3, 4, 5], [3, 4, 5]],
    ['CountEvictor.of(9): nothing to evict', CountEvictor.of(9), [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]],
    // max ts 20, size 8 → cutoff 12: 10, 11, 12 go (≤ 12), 15 and 20 stay.
    ['TimeEvictor.of(8)', TimeEvictor.of(8), [3, 5], [3, 5]],
    ['TimeEvictor.of(8, true)', TimeEvictor.of(8, true), [1, 2, 3, 4, 5], [3, 5]],
    // cutoff 20 − 0 = 20: every timestamp is ≤ 20, the maximum too, so everything goes.
    ['TimeEvictor.of(0)', TimeEvictor.of(0), [], []],
    // delta to the last (5): 4, 3, 2, 1, 0; threshold 2 evicts deltas ≥ 2 → 4 and 5 stay.
    ['DeltaEvictor.of(2, |a − b|)', DeltaEvictor.of(2, (a: number, b: number) => Math.abs(a - b)), [4, 5], [4, 5]],
    ['DeltaEvictor.of(2, getDelta, true)', DeltaEvictor.of(2, { getDelta: (a: number, b: number) => Math.abs(a - b) }, true), [1, 2, 3, 4, 5], [4, 5]],
  ];
  it.each(cases)('%s', (_name, evictor, seen, kept) => {
    expect(run(evictor, FIVE)).toEqual({ before: seen, after: kept });
  });

  it('TimeEvictor leaves elements without timestamps alone (judged by the first, as Flink)', () => {
    expect(run(TimeEvictor.of(1), [[1, undefined], [2, undefined]])).toEqual({ before: [1, 2], after: [1, 2] });
  });

  it('evictors leave an empty window empty', () => {
    expect(run(CountEvictor.of(1), [])).toEqual({ before: [], after: [] });
    expect(run(TimeEvictor.of(1), [])).toEqual({ before: [], after: [] });
    expect(run(DeltaEvictor.of(1, () => 5), [])).toEqual({ before: [], after: [] });
  });

  it.each([
    ['CountEvictor.of(0)', () => CountEvictor.of(0), /^CountEvictor\.of\(0\): the count must be a positive integer$/],
    ['CountEvictor.of(1.5)', () => CountEvictor.of(1.5), /the count must be a positive integer/],
    ['TimeEvictor.of(-1)', () => TimeEvictor.of(-1), /^TimeEvictor\.of\(-1\): the time must not be negative$/],
    ['DeltaEvictor.of(1, 5)', () => DeltaEvictor.of(1, 5 as never), /^DeltaEvictor\.of: expected a delta function/],
  ])('%s is refused when the job is defined', (_name, call, message) => {
    expect(call).toThrow(FlinktsError);
    expect(call).toThrow(message);
  });
});
