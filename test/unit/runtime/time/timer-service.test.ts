/**
 * The heap timer service with a fake processing-time service. Expected
 * firings are worked out by hand: a timer fires when the watermark (event
 * time) or the clock (processing time) reaches its timestamp, in timestamp
 * order and, for equal timestamps, in registration order.
 */
import { describe, expect, it } from 'vitest';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import { HeapTimerService, type InternalTimer, type Triggerable } from '../../../../src/runtime/time/timer-service.js';
import { FakeProcessingTimeService } from './fake-processing-time.js';

type Fired = [domain: 'event' | 'processing', key: unknown, namespace: string, timestamp: number];

function setup(onFire?: (timer: InternalTimer, domain: 'event' | 'processing') => void): {
  backend: HeapKeyedStateBackend;
  clock: FakeProcessingTimeService;
  timers: HeapTimerService;
  fired: Fired[];
  keysAtFire: unknown[];
} {
  const backend = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
  const clock = new FakeProcessingTimeService();
  const fired: Fired[] = [];
  const keysAtFire: unknown[] = [];
  const target: Triggerable = {
    onEventTime: (timer) => {
      fired.push(['event', timer.key, timer.namespace, timer.timestamp]);
      keysAtFire.push(backend.getCurrentKey());
      onFire?.(timer, 'event');
    },
    onProcessingTime: (timer) => {
      fired.push(['processing', timer.key, timer.namespace, timer.timestamp]);
      keysAtFire.push(backend.getCurrentKey());
      onFire?.(timer, 'processing');
    },
  };
  const timers = new HeapTimerService(backend, clock, target);
  return { backend, clock, timers, fired, keysAtFire };
}

/** Registers an event-time timer for `key`. */
function at(backend: HeapKeyedStateBackend, timers: HeapTimerService, key: unknown, time: number, namespace = ''): void {
  backend.setCurrentKey(key);
  timers.registerEventTimeTimer(namespace, time);
}

describe('event-time timers', () => {
  it('fire when the watermark passes them, in timestamp order, ties in registration order, with their key current', () => {
    const { backend, timers, fired, keysAtFire } = setup();
    at(backend, timers, 'a', 10);
    at(backend, timers, 'b', 5);
    at(backend, timers, 'c', 7);
    at(backend, timers, 'a', 5);
    at(backend, timers, { id: 1 }, 5);
    backend.setCurrentKey('outside');
    timers.advanceWatermark(4);
    expect(fired).toEqual([]);
    timers.advanceWatermark(7);
    expect(fired).toEqual([
      ['event', 'b', '', 5],
      ['event', 'a', '', 5],
      ['event', { id: 1 }, '', 5],
      ['event', 'c', '', 7],
    ]);
    expect(keysAtFire).toEqual(['b', 'a', { id: 1 }, 'c']);
    expect(backend.getCurrentKey()).toBe('outside');
    expect(timers.currentWatermark()).toBe(7);
    timers.advanceWatermark(10);
    expect(fired.slice(4)).toEqual([['event', 'a', '', 10]]);
    expect(timers.pending()).toEqual({ event: 0, processing: 0 });
  });

  it('keeps one timer per key, namespace and timestamp', () => {
    const { backend, timers, fired } = setup();
    at(backend, timers, 'a', 10);
    at(backend, timers, 'a', 10);
    at(backend, timers, 'a', 10, 'window-1');
    at(backend, timers, 'b', 10);
    at(backend, timers, { x: 1, y: 2 }, 10);
    at(backend, timers, { y: 2, x: 1 }, 10);
    // The number 1 and the string '1' are different keys.
    at(backend, timers, 1, 10);
    at(backend, timers, '1', 10);
    expect(timers.pending().event).toBe(6);
    timers.advanceWatermark(10);
    expect(fired).toEqual([
      ['event', 'a', '', 10],
      ['event', 'a', 'window-1', 10],
      ['event', 'b', '', 10],
      ['event', { x: 1, y: 2 }, '', 10],
      ['event', 1, '', 10],
      ['event', '1', '', 10],
    ]);
  });

  it('does not fire a deleted timer; deleting only affects the current key and namespace', () => {
    const { backend, timers, fired } = setup();
    at(backend, timers, 'a', 5);
    at(backend, timers, 'b', 5);
    at(backend, timers, 'a', 6, 'w');
    backend.setCurrentKey('a');
    timers.deleteEventTimeTimer('', 5);
    timers.deleteEventTimeTimer('', 6); // no such timer: the one at 6 is in namespace 'w'
    timers.deleteEventTimeTimer('', 99);
    expect(timers.pending().event).toBe(2);
    timers.advanceWatermark(100);
    expect(fired).toEqual([
      ['event', 'b', '', 5],
      ['event', 'a', 'w', 6],
    ]);
  });

  it('fires a timer deleted and registered again exactly once', () => {
    const { backend, timers, fired } = setup();
    at(backend, timers, 'a', 5);
    backend.setCurrentKey('a');
    timers.deleteEventTimeTimer('', 5);
    timers.registerEventTimeTimer('', 5);
    timers.advanceWatermark(5);
    timers.advanceWatermark(6);
    expect(fired).toEqual([['event', 'a', '', 5]]);
  });

  it('fires timers registered while firing when the same watermark already covers them', () => {
    const { backend, timers, fired } = setup((timer) => {
      // Each firing at t < 8 registers t + 3 for the same key (current during the callback).
      if (timer.timestamp < 8) timers.registerEventTimeTimer('', timer.timestamp + 3);
    });
    at(backend, timers, 'k', 2);
    timers.advanceWatermark(9);
    // 2 → 5 → 8 (≤ 9) fire now; 8 registers nothing.
    expect(fired.map((f) => f[3])).toEqual([2, 5, 8]);
    expect(timers.pending().event).toBe(0);
  });

  it('a timer at or before the current watermark fires at the next watermark', () => {
    const { backend, timers, fired } = setup();
    timers.advanceWatermark(50);
    at(backend, timers, 'late', 20);
    expect(fired).toEqual([]);
    timers.advanceWatermark(51);
    expect(fired).toEqual([['event', 'late', '', 20]]);
  });

  it('the maximum watermark fires everything, in order', () => {
    const { backend, timers, fired } = setup();
    const times = [40, 3, 1e12, 17, 3, 40, 8];
    times.forEach((t, i) => at(backend, timers, `k${i}`, t));
    timers.advanceWatermark(Number.POSITIVE_INFINITY);
    // Sorted by time, equal times by registration (index): 3 (k1), 3 (k4), 8 (k6), 17 (k3), 40 (k0), 40 (k5), 1e12 (k2).
    expect(fired.map((f) => `${f[1]}@${f[3]}`)).toEqual(['k1@3', 'k4@3', 'k6@8', 'k3@17', 'k0@40', 'k5@40', 'k2@1000000000000']);
  });
});

describe('processing-time timers', () => {
  it('schedule one callback for the earliest timer and move it when an earlier one comes', () => {
    const { backend, clock, timers } = setup();
    backend.setCurrentKey('a');
    timers.registerProcessingTimeTimer('', 100);
    expect(clock.pending()).toEqual([100]);
    backend.setCurrentKey('b');
    timers.registerProcessingTimeTimer('', 50);
    expect(clock.pending()).toEqual([50]);
    timers.registerProcessingTimeTimer('', 70);
    expect(clock.pending()).toEqual([50]);
    // The same timer again changes nothing.
    timers.registerProcessingTimeTimer('', 50);
    expect(clock.pending()).toEqual([50]);
    expect(timers.pending().processing).toBe(3);
  });

  it('fire on the clock with their key current, then reschedule for the next one', () => {
    const { backend, clock, timers, fired, keysAtFire } = setup();
    for (const [key, time] of [['a', 100], ['b', 50], ['c', 30], ['d', 50]] as const) {
      backend.setCurrentKey(key);
      timers.registerProcessingTimeTimer('', time);
    }
    backend.setCurrentKey('outside');
    clock.advanceTo(29);
    expect(fired).toEqual([]);
    clock.advanceTo(60);
    expect(fired).toEqual([
      ['processing', 'c', '', 30],
      ['processing', 'b', '', 50],
      ['processing', 'd', '', 50],
    ]);
    expect(keysAtFire).toEqual(['c', 'b', 'd']);
    expect(backend.getCurrentKey()).toBe('outside');
    expect(clock.pending()).toEqual([100]);
    expect(timers.currentProcessingTime()).toBe(60);
    clock.advanceTo(100);
    expect(fired.map((f) => f[1])).toEqual(['c', 'b', 'd', 'a']);
    expect(clock.pending()).toEqual([]);
  });

  it('a timer registered from a firing timer is scheduled and fires later', () => {
    const { backend, clock, timers, fired } = setup((timer, domain) => {
      if (domain === 'processing' && timer.timestamp < 300) timers.registerProcessingTimeTimer('', timer.timestamp + 100);
    });
    backend.setCurrentKey('k');
    timers.registerProcessingTimeTimer('', 100);
    clock.advanceTo(150);
    expect(fired.map((f) => f[3])).toEqual([100]);
    expect(clock.pending()).toEqual([200]);
    clock.advanceTo(1000);
    expect(fired.map((f) => f[3])).toEqual([100, 200, 300]);
    expect(clock.pending()).toEqual([]);
  });

  it('skip deleted timers', () => {
    const { backend, clock, timers, fired } = setup();
    backend.setCurrentKey('k');
    timers.registerProcessingTimeTimer('', 30);
    timers.registerProcessingTimeTimer('', 50);
    timers.deleteProcessingTimeTimer('', 30);
    expect(timers.pending().processing).toBe(1);
    clock.advanceTo(1000);
    expect(fired).toEqual([['processing', 'k', '', 50]]);
  });

  it('fireAllProcessingTimers fires every pending timer in order and cancels the callback', () => {
    const { backend, clock, timers, fired } = setup();
    for (const [key, time] of [['a', 500], ['b', 200], ['c', 900]] as const) {
      backend.setCurrentKey(key);
      timers.registerProcessingTimeTimer('', time);
    }
    backend.setCurrentKey('b');
    timers.deleteProcessingTimeTimer('', 200);
    timers.fireAllProcessingTimers();
    expect(fired).toEqual([
      ['processing', 'a', '', 500],
      ['processing', 'c', '', 900],
    ]);
    expect(clock.pending()).toEqual([]);
    clock.advanceTo(10_000);
    expect(fired).toHaveLength(2);
  });

  it('close cancels the scheduled callback', () => {
    const { backend, clock, timers, fired } = setup();
    backend.setCurrentKey('k');
    timers.registerProcessingTimeTimer('', 10);
    timers.close();
    expect(clock.pending()).toEqual([]);
    clock.advanceTo(100);
    expect(fired).toEqual([]);
  });

  it('event-time and processing-time timers are independent', () => {
    const { backend, clock, timers, fired } = setup();
    backend.setCurrentKey('k');
    timers.registerEventTimeTimer('', 10);
    timers.registerProcessingTimeTimer('', 10);
    timers.deleteEventTimeTimer('', 10);
    clock.advanceTo(10);
    timers.advanceWatermark(10);
    expect(fired).toEqual([['processing', 'k', '', 10]]);
  });
});
