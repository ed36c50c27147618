/**
 * The timer heap against a plain sort: random pushes and pops (seeded, so a
 * failure reproduces) must come out as `sort by (timestamp, seq)` would.
 */
import { describe, expect, it } from 'vitest';
import { TimerHeap, type HeapTimer } from '../../../../src/runtime/time/timer-heap.js';

/** mulberry32: a small deterministic PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const byTimeThenSeq = (a: HeapTimer, b: HeapTimer): number => a.timestamp - b.timestamp || a.seq - b.seq;

describe('TimerHeap', () => {
  it('is empty at first', () => {
    const heap = new TimerHeap();
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('pops in (timestamp, registration) order under random pushes and pops (seed %i)', (seed) => {
    const next = random(seed);
    const heap = new TimerHeap();
    const model: HeapTimer[] = [];
    let seq = 0;
    for (let step = 0; step < 2000; step++) {
      if (next() < 0.6 || model.length === 0) {
        // Few distinct timestamps, so ties are frequent.
        const timer: HeapTimer = { key: step, namespace: '', timestamp: Math.floor(next() * 20), seq: seq++, id: String(step) };
        heap.push(timer);
        model.push(timer);
      } else {
        model.sort(byTimeThenSeq);
        expect(heap.peek()).toBe(model[0]);
        expect(heap.pop()).toBe(model.shift());
      }
      expect(heap.size).toBe(model.length);
    }
    model.sort(byTimeThenSeq);
    const rest: HeapTimer[] = [];
    for (let t = heap.pop(); t !== undefined; t = heap.pop()) rest.push(t);
    expect(rest).toEqual(model);
  });
});
