import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TIMEOUT_MS, setLongTimeout } from '../../../src/runtime/time/long-timeout.js';

describe('setLongTimeout', () => {
  afterEach(() => vi.useRealTimers());

  it('fires after a delay longer than setTimeout accepts, not at once', () => {
    vi.useFakeTimers();
    const fired: number[] = [];
    const start = Date.now();
    const delay = 2 * MAX_TIMEOUT_MS + 5000;
    setLongTimeout(() => fired.push(Date.now() - start), delay);
    vi.advanceTimersByTime(MAX_TIMEOUT_MS);
    vi.advanceTimersByTime(MAX_TIMEOUT_MS);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(fired).toEqual([delay]);
  });

  it('can be cancelled between steps, and a negative delay fires at once', () => {
    vi.useFakeTimers();
    let fired = 0;
    const timer = setLongTimeout(() => fired++, MAX_TIMEOUT_MS + 10);
    vi.advanceTimersByTime(MAX_TIMEOUT_MS);
    timer.cancel();
    vi.advanceTimersByTime(100);
    expect(fired).toBe(0);
    setLongTimeout(() => fired++, -50);
    vi.advanceTimersByTime(0);
    expect(fired).toBe(1);
  });
});
