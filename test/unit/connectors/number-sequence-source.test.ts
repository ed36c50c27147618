import { describe, expect, it } from 'vitest';
import { collectingOutput } from '../../../src/api/source.js';
import { NumberSequenceSource, sequenceRangeOf } from '../../../src/connectors/sequence/number-sequence-source.js';
import { createReader, readAll, readAllSubtasks } from './helpers.js';

/** The numbers from..to, built without the source's arithmetic. */
function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n++) out.push(n);
  return out;
}

describe('NumberSequenceSource', () => {
  it('is bounded and parallel', () => {
    const source = new NumberSequenceSource(1, 10);
    expect(source.boundedness).toBe('BOUNDED');
    expect((source as { maxSourceParallelism?: number }).maxSourceParallelism).toBeUndefined();
  });

  for (const parallelism of [1, 2, 3, 7]) {
    it(`splits -5..2500 over ${parallelism} subtasks: contiguous, ascending, disjoint, complete, even`, async () => {
      const perSubtask = await readAllSubtasks(new NumberSequenceSource(-5, 2500), parallelism);
      const count = 2500 - -5 + 1;
      // Contiguous ascending runs, handed out in subtask order.
      let next = -5;
      for (const numbers of perSubtask) {
        expect(numbers).toEqual(range(next, next + numbers.length - 1));
        next += numbers.length;
        // As even as possible: sizes differ by at most one, larger ones first.
        expect([Math.floor(count / parallelism), Math.ceil(count / parallelism)]).toContain(numbers.length);
      }
      expect(perSubtask.flat()).toEqual(range(-5, 2500));
      const sizes = perSubtask.map((n) => n.length);
      expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    });
  }

  it('gives the first count % p subtasks one number more (10 over 3: 4, 3, 3)', async () => {
    const perSubtask = await readAllSubtasks(new NumberSequenceSource(1, 10), 3);
    expect(perSubtask).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7],
      [8, 9, 10],
    ]);
  });

  it('leaves subtasks beyond the count empty', async () => {
    const perSubtask = await readAllSubtasks(new NumberSequenceSource(5, 6), 4);
    expect(perSubtask).toEqual([[5], [6], [], []]);
  });

  it('emits a single number when from == to', async () => {
    expect(await readAll(createReader(new NumberSequenceSource(42, 42)))).toEqual([42]);
  });

  it('emits at most 1024 numbers per poll and says MORE_AVAILABLE until the end', () => {
    const reader = createReader(new NumberSequenceSource(0, 2999));
    const batches: number[][] = [];
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      const batch: number[] = [];
      statuses.push(reader.pollNext(collectingOutput((n) => batch.push(n))));
      batches.push(batch);
    }
    expect(batches.map((b) => b.length)).toEqual([1024, 1024, 952]);
    expect(statuses).toEqual(['MORE_AVAILABLE', 'MORE_AVAILABLE', 'END_OF_INPUT']);
  });

  it('splits ranges larger than 2^53 numbers exactly', () => {
    const from = -Number.MAX_SAFE_INTEGER;
    const to = Number.MAX_SAFE_INTEGER;
    const first = sequenceRangeOf(from, to, 0, 2);
    const second = sequenceRangeOf(from, to, 1, 2);
    // 2 * MAX_SAFE + 1 numbers: the first half gets the extra one, the zero.
    expect(first).toEqual({ first: from, last: 0 });
    expect(second).toEqual({ first: 1, last: to });
  });
});
