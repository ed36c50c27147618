import { describe, expect, it } from 'vitest';
import { TimerQueue, type QueuedTimer } from '../../../../src/runtime/time/timer-queue.js';

/** Drains and returns `key@namespace@time` strings in firing order. */
function drainAll(queue: TimerQueue, upTo = Number.POSITIVE_INFINITY, beforeSeq?: number): string[] {
  const fired: string[] = [];
  queue.drain(upTo, (t) => fired.push(`${String(t.key)}@${t.namespace}@${t.timestamp}`), beforeSeq);
  return fired;
}

describe('TimerQueue', () => {
  it('fires in timestamp order, ties in registration order', () => {
    const q = new TimerQueue();
    q.add('b', 'b', '', 20);
    q.add('a', 'a', '', 10);
    q.add('c', 'c', 'w1', 20);
    q.add('a', 'a', 'w2', 20);
    expect(drainAll(q)).toEqual(['a@@10', 'b@@20', 'c@w1@20', 'a@w2@20']);
    expect(q.size).toBe(0);
  });

  it('keeps one timer per key, namespace and timestamp, and tells whether it added one', () => {
    const q = new TimerQueue();
    expect(q.add('a', 'a', '', 5)).toBe(true);
    expect(q.add('a', 'a', '', 5)).toBe(false);
    expect(q.add(1, 1, '', 5)).toBe(true);
    expect(q.add('1', '1', '', 5)).toBe(true); // the string '1' and the number 1 are different keys
    expect(q.size).toBe(3);
  });

  it('fires only up to the given time and leaves the rest', () => {
    const q = new TimerQueue();
    for (const t of [30, 10, 20, 40]) q.add('k', 'k', '', t);
    expect(drainAll(q, 25)).toEqual(['k@@10', 'k@@20']);
    expect(q.peekTime()).toBe(30);
    expect(q.size).toBe(2);
  });

  it('skips deleted timers, including when the whole timestamp is gone', () => {
    const q = new TimerQueue();
    q.add('a', 'a', '', 10);
    q.add('b', 'b', '', 10);
    q.add('a', 'a', '', 20);
    q.delete('a', '', 10);
    q.delete('a', '', 20);
    expect(q.size).toBe(1);
    expect(q.peekTime()).toBe(10);
    expect(drainAll(q)).toEqual(['b@@10']);
    expect(q.peekTime()).toBeUndefined();
  });

  it('fires timers registered while draining when they are due', () => {
    const q = new TimerQueue();
    q.add('a', 'a', '', 10);
    const fired: QueuedTimer[] = [];
    q.drain(15, (t) => {
      fired.push(t);
      if (t.key === 'a') {
        q.add('b', 'b', '', 10); // same timestamp, after its bucket was taken
        q.add('c', 'c', '', 12);
        q.add('d', 'd', '', 99);
      }
    });
    expect(fired.map((t) => `${String(t.key)}@${t.timestamp}`)).toEqual(['a@10', 'b@10', 'c@12']);
    expect(q.size).toBe(1);
  });

  it('with beforeSeq fires only timers registered before it and keeps the newer ones', () => {
    const q = new TimerQueue();
    q.add('a', 'a', '', 10);
    const cutoff = q.nextSeq;
    const fired: string[] = [];
    q.drain(
      Number.POSITIVE_INFINITY,
      (t) => {
        fired.push(String(t.key));
        q.add('again', 'again', '', 10); // re-arming: must not loop forever
      },
      cutoff,
    );
    expect(fired).toEqual(['a']);
    expect(q.size).toBe(1);
    expect(q.peekTime()).toBe(10);
  });

  it('orders many random timestamps like a sort', () => {
    const q = new TimerQueue();
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const times = Array.from({ length: 500 }, () => Math.floor(random() * 1000));
    times.forEach((t, i) => q.add(i, i, '', t));
    const firedTimes: number[] = [];
    q.drain(Number.POSITIVE_INFINITY, (t) => firedTimes.push(t.timestamp));
    expect(firedTimes).toEqual([...times].sort((a, b) => a - b));
  });
});
