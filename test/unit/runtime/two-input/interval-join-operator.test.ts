/**
 * IntervalJoinOperator driven directly: both inputs keyed by `k`. Expected
 * pairs are worked out by hand from the join condition
 * `l.ts + lower (<|<=) r.ts (<|<=) l.ts + upper` and Flink's rules: elements
 * behind the combined watermark are late (dropped or side-output), a pair's
 * timestamp is the larger of both, and cleanup timers empty the buffers.
 */
import { describe, expect, it } from 'vitest';
import { ProcessJoinFunction, type ProcessJoinFunctionContext } from '../../../../src/api/co-functions.js';
import type { Collector } from '../../../../src/api/functions.js';
import { OutputTag } from '../../../../src/api/output-tag.js';
import { IntervalJoinOperator, type IntervalJoinSettings } from '../../../../src/runtime/operators/interval-join-operator.js';
import { harness } from './harness.js';

interface E {
  k: string;
  id: string;
}

class Pair extends ProcessJoinFunction<E, E, string> {
  processElement(l: E, r: E, ctx: ProcessJoinFunctionContext, out: Collector<string>): void {
    out.collect(`${l.id}+${r.id} (${ctx.getLeftTimestamp()},${ctx.getRightTimestamp()})->${ctx.getTimestamp()}`);
  }
}

const settings = (lower: number, upper: number, lowerInclusive = true, upperInclusive = true): IntervalJoinSettings => ({
  lowerBound: lower,
  upperBound: upper,
  lowerBoundInclusive: lowerInclusive,
  upperBoundInclusive: upperInclusive,
  leftLateDataTag: undefined,
  rightLateDataTag: undefined,
});

async function join(s: IntervalJoinSettings) {
  return harness((c) => new IntervalJoinOperator(new Pair(), s, c), { key1: (e: E) => e.k, key2: (e: E) => e.k, name: 'Interval Join' });
}

/** Left L@10; right elements at 7..13 (r7 .. r13), arriving after it. Which join, per bound combination. */
describe('interval join bounds: between(-2, 2) with L@10 and right elements at 7..13', () => {
  const table: [string, boolean, boolean, string[]][] = [
    // inclusive both: 8 <= r <= 12
    ['[-2, 2]', true, true, ['r8', 'r9', 'r10', 'r11', 'r12']],
    // lower exclusive: 8 < r <= 12
    ['(-2, 2]', false, true, ['r9', 'r10', 'r11', 'r12']],
    // upper exclusive: 8 <= r < 12
    ['[-2, 2)', true, false, ['r8', 'r9', 'r10', 'r11']],
    // both exclusive: 8 < r < 12
    ['(-2, 2)', false, false, ['r9', 'r10', 'r11']],
  ];
  for (const [label, lowerInclusive, upperInclusive, joined] of table) {
    it(`${label}: left first joins ${joined.join(' ')}`, async () => {
      const { op, out } = await join(settings(-2, 2, lowerInclusive, upperInclusive));
      op.processElement1({ k: 'a', id: 'L' }, 10);
      for (let ts = 7; ts <= 13; ts++) op.processElement2({ k: 'a', id: `r${ts}` }, ts);
      expect(out.take()).toEqual(joined.map((r) => `L+${r} (10,${r.slice(1)})->${Math.max(10, Number(r.slice(1)))} @${Math.max(10, Number(r.slice(1)))}`));
    });

    it(`${label}: right first (out of order) joins the same`, async () => {
      const { op, out } = await join(settings(-2, 2, lowerInclusive, upperInclusive));
      for (let ts = 13; ts >= 7; ts--) op.processElement2({ k: 'a', id: `r${ts}` }, ts);
      op.processElement1({ k: 'a', id: 'L' }, 10);
      // The left element scans the right buffer in timestamp insertion order (13 down to 7).
      const expected = [...joined].reverse().map((r) => `L+${r} (10,${r.slice(1)})->${Math.max(10, Number(r.slice(1)))} @${Math.max(10, Number(r.slice(1)))}`);
      expect(out.take()).toEqual(expected);
    });
  }
});

describe('interval join', () => {
  it('joins per key only', async () => {
    const { op, out } = await join(settings(0, 5));
    op.processElement1({ k: 'a', id: 'La' }, 1);
    op.processElement1({ k: 'b', id: 'Lb' }, 1);
    op.processElement2({ k: 'b', id: 'Rb' }, 3);
    expect(out.take()).toEqual(['Lb+Rb (1,3)->3 @3']);
  });

  it('between(1, 3) with a positive window: the right element must come after the left one', async () => {
    const { op, out } = await join(settings(1, 3));
    op.processElement2({ k: 'a', id: 'R' }, 10);
    op.processElement1({ k: 'a', id: 'L6' }, 6); // 7..9: no
    op.processElement1({ k: 'a', id: 'L7' }, 7); // 8..10: yes
    op.processElement1({ k: 'a', id: 'L9' }, 9); // 10..12: yes
    op.processElement1({ k: 'a', id: 'L10' }, 10); // 11..13: no
    expect(out.take()).toEqual(['L7+R (7,10)->10 @10', 'L9+R (9,10)->10 @10']);
  });

  it('drops elements behind the combined watermark, or sends them to the late side outputs', async () => {
    const leftLate = new OutputTag<E>('left-late');
    const rightLate = new OutputTag<E>('right-late');
    const s = { ...settings(-1, 1), leftLateDataTag: leftLate, rightLateDataTag: rightLate };
    const { op, out } = await join(s);
    op.processWatermark1(10);
    op.processWatermark2(10);
    op.processElement1({ k: 'a', id: 'L9' }, 9); // 9 < 10: late
    op.processElement2({ k: 'a', id: 'R8' }, 8); // late
    op.processElement1({ k: 'a', id: 'L10' }, 10); // not late (10 is not < 10)
    op.processElement2({ k: 'a', id: 'R10' }, 10);
    expect(out.take()).toEqual(['wm:10', '[left-late] {"k":"a","id":"L9"} @9', '[right-late] {"k":"a","id":"R8"} @8', 'L10+R10 (10,10)->10 @10']);
  });

  it('cleans up buffered elements once the watermark shows no partner can come', async () => {
    // between(-2, 3): a left element at t is kept until the watermark reaches t + 3,
    // a right element at t until t + 2 (its partners are left elements in [t - 3, t + 2]).
    const { op, out, backend } = await join(settings(-2, 3));
    op.processElement1({ k: 'a', id: 'L10' }, 10);
    op.processElement2({ k: 'a', id: 'R10' }, 10);
    backend!.setCurrentKey('a');
    expect(op.buffers()).toEqual({ left: new Map([[10, [{ k: 'a', id: 'L10' }]]]), right: new Map([[10, [{ k: 'a', id: 'R10' }]]]) });
    op.processWatermark1(12);
    op.processWatermark2(12); // right cleanup timer at 12 fires
    backend!.setCurrentKey('a');
    expect(op.buffers()).toEqual({ left: new Map([[10, [{ k: 'a', id: 'L10' }]]]), right: new Map() });
    op.processWatermark1(13);
    op.processWatermark2(13); // left cleanup timer at 13 fires
    backend!.setCurrentKey('a');
    expect(op.buffers()).toEqual({ left: new Map(), right: new Map() });
    expect(out.take()).toEqual(['L10+R10 (10,10)->10 @10', 'wm:12', 'wm:13']);
  });

  it('several elements with one timestamp share a bucket and all join', async () => {
    const { op, out } = await join(settings(0, 0));
    op.processElement1({ k: 'a', id: 'L1' }, 5);
    op.processElement1({ k: 'a', id: 'L2' }, 5);
    op.processElement2({ k: 'a', id: 'R' }, 5);
    expect(out.take()).toEqual(['L1+R (5,5)->5 @5', 'L2+R (5,5)->5 @5']);
  });

  it('an element without a timestamp fails, naming the operator and what to do', async () => {
    const { op } = await join(settings(0, 1));
    expect(() => op.processElement2({ k: 'a', id: 'R' }, undefined)).toThrow(
      'Interval Join: an element of the right input has no event timestamp; interval joins need timestamps: use assignTimestampsAndWatermarks(...) upstream',
    );
  });
});
