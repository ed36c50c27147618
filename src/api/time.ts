/**
 * Durations and watermarks. Durations may be given as `Time.seconds(10)` (as
 * in Flink) or as plain milliseconds.
 */
import { invalidArgument } from './errors.js';

/** A span of time in milliseconds. */
export class Time {
  private constructor(readonly ms: number) {}

  static milliseconds(n: number): Time {
    return new Time(n);
  }

  static seconds(n: number): Time {
    return new Time(n * 1000);
  }

  static minutes(n: number): Time {
    return new Time(n * 60_000);
  }

  static hours(n: number): Time {
    return new Time(n * 3_600_000);
  }

  static days(n: number): Time {
    return new Time(n * 86_400_000);
  }

  static of(n: number, unit: 'ms' | 's' | 'min' | 'h' | 'd' = 'ms'): Time {
    const factor = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[unit];
    return new Time(n * factor);
  }

  toMilliseconds(): number {
    return this.ms;
  }
}

/** `Time.seconds(5)` or `5000`. */
export type Duration = Time | number;

/** The milliseconds of a duration; throws naming `call` when it is not a finite number. */
export function toMillis(call: string, duration: Duration): number {
  const ms = duration instanceof Time ? duration.ms : duration;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) invalidArgument(call, `expected a duration (Time or milliseconds), got ${String(duration)}`);
  return ms;
}

/** A watermark: no more elements with a timestamp ≤ `timestamp` are expected. */
export class Watermark {
  static readonly MAX_WATERMARK = new Watermark(Number.POSITIVE_INFINITY);

  constructor(readonly timestamp: number) {}

  getTimestamp(): number {
    return this.timestamp;
  }
}
