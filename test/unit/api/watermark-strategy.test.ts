/**
 * WatermarkStrategy and its generators, driven directly with a recording
 * output. Expected watermarks follow Flink's definitions: bounded
 * out-of-orderness emits `max timestamp − bound − 1` on each periodic call,
 * monotonous timestamps are the bound 0.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { Time, Watermark } from '../../../src/api/time.js';
import { WatermarkStrategy, type WatermarkGenerator, type WatermarkOutput } from '../../../src/api/watermark-strategy.js';

/** Records what a generator emits, as strings: `wm:<ts>`, `idle`, `active`. */
class RecordingOutput implements WatermarkOutput {
  readonly emitted: string[] = [];
  emitWatermark(watermark: Watermark): void {
    this.emitted.push(`wm:${watermark.getTimestamp()}`);
  }
  markIdle(): void {
    this.emitted.push('idle');
  }
  markActive(): void {
    this.emitted.push('active');
  }
}

/** Feeds timestamps to a fresh generator of `strategy`; `'tick'` is a periodic call. */
function drive<T>(strategy: WatermarkStrategy<T>, steps: readonly (T | 'tick')[], timestampOf: (e: T) => number): string[] {
  const generator = strategy.createWatermarkGenerator()!;
  const output = new RecordingOutput();
  for (const step of steps) {
    if (step === 'tick') generator.onPeriodicEmit(output);
    else generator.onEvent(step, timestampOf(step), output);
  }
  return output.emitted;
}

function definitionError(call: () => unknown): FlinktsError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('JOB_DEFINITION');
    return error as FlinktsError;
  }
  throw new Error('expected a JOB_DEFINITION error');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('built-in generators', () => {
  const id = (n: number): number => n;

  it('forBoundedOutOfOrderness: periodic watermark = max timestamp − bound − 1; nothing before the first event', () => {
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness<number>(10);
    // tick: no event yet; 100, 90 → max 100 → 89; tick again → 89 again (the operator drops repeats);
    // 120 → 109; 95 (late) keeps max 120 → 109.
    expect(drive(strategy, ['tick', 100, 90, 'tick', 'tick', 120, 'tick', 95, 'tick'], id)).toEqual(['wm:89', 'wm:89', 'wm:109', 'wm:109']);
  });

  it('forBoundedOutOfOrderness takes a Time', () => {
    expect(drive(WatermarkStrategy.forBoundedOutOfOrderness<number>(Time.seconds(2)), [10_000, 'tick'], id)).toEqual(['wm:7999']);
  });

  it('forMonotonousTimestamps: watermark = max timestamp − 1, periodic only', () => {
    expect(drive(WatermarkStrategy.forMonotonousTimestamps<number>(), [5, 7, 'tick', 8, 'tick'], id)).toEqual(['wm:6', 'wm:7']);
  });

  it('creates a fresh generator per call (one per parallel instance)', () => {
    const strategy = WatermarkStrategy.forBoundedOutOfOrderness<number>(0);
    const first = strategy.createWatermarkGenerator()!;
    first.onEvent(1000, 1000, new RecordingOutput());
    expect(drive(strategy, [3, 'tick'], id)).toEqual(['wm:2']);
  });

  it('noWatermarks has neither a generator nor an assigner', () => {
    const strategy = WatermarkStrategy.noWatermarks<number>();
    expect(strategy.hasWatermarks()).toBe(false);
    expect(strategy.hasTimestampAssigner()).toBe(false);
    expect(strategy.createWatermarkGenerator()).toBeUndefined();
  });
});

describe('forGenerator', () => {
  interface Event {
    ts: number;
    mark?: boolean;
  }
  /** Punctuated: a watermark at the timestamp of every marked event; nothing periodic. */
  class Punctuated implements WatermarkGenerator<Event> {
    onEvent(event: Event, timestamp: number, output: WatermarkOutput): void {
      if (event.mark === true) output.emitWatermark(new Watermark(timestamp));
    }
    onPeriodicEmit(): void {}
  }

  it('runs a punctuated generator given as a factory function', () => {
    const strategy = WatermarkStrategy.forGenerator<Event>(() => new Punctuated());
    expect(strategy.hasWatermarks()).toBe(true);
    expect(drive(strategy, [{ ts: 1 }, { ts: 5, mark: true }, 'tick', { ts: 3 }, { ts: 9, mark: true }], (e) => e.ts)).toEqual(['wm:5', 'wm:9']);
  });

  it('accepts an object with createWatermarkGenerator()', () => {
    const strategy = WatermarkStrategy.forGenerator<Event>({ createWatermarkGenerator: () => new Punctuated() });
    expect(drive(strategy, [{ ts: 4, mark: true }], (e) => e.ts)).toEqual(['wm:4']);
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['an object without createWatermarkGenerator', {}],
  ])('refuses %s when the job is defined', (_, factory) => {
    const error = definitionError(() => WatermarkStrategy.forGenerator(factory as never));
    expect(error.message).toMatch(/^WatermarkStrategy\.forGenerator: /);
  });
});

describe('timestamp assigners', () => {
  interface Reading {
    at: number;
  }

  it('without an assigner the record keeps its own timestamp', () => {
    const assign = WatermarkStrategy.forMonotonousTimestamps<Reading>().createTimestampAssigner();
    expect(assign({ at: 5 }, 77)).toBe(77);
    expect(assign({ at: 5 }, undefined)).toBeUndefined();
  });

  it('takes a function of (element, recordTimestamp)', () => {
    const strategy = WatermarkStrategy.forMonotonousTimestamps<Reading>().withTimestampAssigner((r, previous) => r.at * 10 + (previous ?? 0));
    expect(strategy.hasTimestampAssigner()).toBe(true);
    const assign = strategy.createTimestampAssigner();
    expect(assign({ at: 5 }, undefined)).toBe(50);
    expect(assign({ at: 5 }, 3)).toBe(53);
  });

  it('takes an object with extractTimestamp, called as a method', () => {
    const assigner = {
      offset: 1000,
      extractTimestamp(r: Reading): number {
        return r.at + this.offset;
      },
    };
    const assign = WatermarkStrategy.noWatermarks<Reading>().withTimestampAssigner(assigner).createTimestampAssigner();
    expect(assign({ at: 5 }, undefined)).toBe(1005);
  });

  it.each([
    ['null', null],
    ['a string', 'at'],
    ['an object without extractTimestamp', { extract: () => 1 }],
  ])('refuses %s when the job is defined', (_, assigner) => {
    const error = definitionError(() => WatermarkStrategy.forMonotonousTimestamps().withTimestampAssigner(assigner as never));
    expect(error.message).toMatch(/^withTimestampAssigner: /);
  });

  it('forIngestionTime stamps each record with the wall clock and keeps monotonous watermarks', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_123);
    const strategy = WatermarkStrategy.forIngestionTime<Reading>();
    expect(strategy.createTimestampAssigner()({ at: 5 }, 9)).toBe(1_700_000_000_123);
    expect(drive(strategy, [{ at: 0 }, 'tick'], () => 1_700_000_000_123)).toEqual(['wm:1700000000122']);
  });
});

describe('options are immutable and validated', () => {
  it('every with* returns a new strategy and leaves the original alone', () => {
    const base = WatermarkStrategy.forBoundedOutOfOrderness<number>(5);
    const idle = base.withIdleness(Time.seconds(3));
    const assigned = idle.withTimestampAssigner((n) => n);
    expect(base.idleTimeoutMs).toBeUndefined();
    expect(base.hasTimestampAssigner()).toBe(false);
    expect(idle.idleTimeoutMs).toBe(3000);
    expect(assigned.idleTimeoutMs).toBe(3000);
    expect(assigned.hasTimestampAssigner()).toBe(true);
    expect(idle.hasTimestampAssigner()).toBe(false);
  });

  it.each([
    ['a negative bound', () => WatermarkStrategy.forBoundedOutOfOrderness(-1), 'WatermarkStrategy.forBoundedOutOfOrderness: the bound must not be negative, got -1 ms'],
    ['a negative Time bound', () => WatermarkStrategy.forBoundedOutOfOrderness(Time.seconds(-2)), 'WatermarkStrategy.forBoundedOutOfOrderness: the bound must not be negative, got -2000 ms'],
    ['a NaN bound', () => WatermarkStrategy.forBoundedOutOfOrderness(Number.NaN), /^WatermarkStrategy\.forBoundedOutOfOrderness: expected a duration/],
    ['a zero idle timeout', () => WatermarkStrategy.forMonotonousTimestamps().withIdleness(0), 'withIdleness: the idle timeout must be positive, got 0 ms'],
    ['a negative idle timeout', () => WatermarkStrategy.forMonotonousTimestamps().withIdleness(Time.milliseconds(-5)), 'withIdleness: the idle timeout must be positive, got -5 ms'],
    ['an infinite idle timeout', () => WatermarkStrategy.forMonotonousTimestamps().withIdleness(Number.POSITIVE_INFINITY), /^withIdleness: expected a duration/],
    ['a string idle timeout', () => WatermarkStrategy.forMonotonousTimestamps().withIdleness('10s' as never), /^withIdleness: expected a duration/],
  ])('%s is a JOB_DEFINITION error naming the call', (_, call, message) => {
    const error = definitionError(call);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
  });
});
