/**
 * Restart strategies as a job author chooses them, as Flink's
 * `RestartStrategies`: what the JobMaster does when the job fails: restart it
 * after a delay, or give up and let it end FAILED.
 *
 * The factories return plain, structured-cloneable configuration objects (a
 * discriminated union on `type`): they travel to the JobMaster with the job's
 * settings, and the runtime (`src/runtime/failover/`) turns them into the
 * strategy that counts failures and computes delays.
 *
 * @example
 * env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, Time.seconds(10)));
 */
import { invalidArgument } from './errors.js';
import { Time, type Duration } from './time.js';

/** Never restart: the first failure fails the job. */
export interface NoRestartStrategyConfiguration {
  readonly type: 'none';
}

/** Restart up to `restartAttempts` times, waiting `delayMs` before each restart. */
export interface FixedDelayRestartStrategyConfiguration {
  readonly type: 'fixed-delay';
  /** Restarts before the job fails: failure number `restartAttempts + 1` fails it. */
  readonly restartAttempts: number;
  /** Wait before each restart, in ms. */
  readonly delayMs: number;
}

/** Restart unless more than `maxFailuresPerInterval` failures happen within any `failureIntervalMs`. */
export interface FailureRateRestartStrategyConfiguration {
  readonly type: 'failure-rate';
  /** Failures tolerated within one interval; one more within the interval fails the job. */
  readonly maxFailuresPerInterval: number;
  /** Length of the sliding window over which failures are counted, in ms. */
  readonly failureIntervalMs: number;
  /** Wait before each restart, in ms. */
  readonly delayMs: number;
}

/**
 * Restart with a delay that starts at `initialBackoffMs` and grows by
 * `backoffMultiplier` per failure up to `maxBackoffMs`, randomised by
 * ± `jitterFactor`; it returns to the initial delay once the job ran
 * `resetBackoffThresholdMs` without failing.
 */
export interface ExponentialDelayRestartStrategyConfiguration {
  readonly type: 'exponential-delay';
  /** Delay before the first restart, in ms. */
  readonly initialBackoffMs: number;
  /** The largest delay, in ms. */
  readonly maxBackoffMs: number;
  /** Factor the delay grows by per failure; > 1. */
  readonly backoffMultiplier: number;
  /** How long the job must run without a failure for the delay (and the attempt count) to reset, in ms. */
  readonly resetBackoffThresholdMs: number;
  /** Random spread of each delay as a fraction of it, in [0, 1]. */
  readonly jitterFactor: number;
  /** Restarts allowed before the job fails, counted since the delay was last reset. */
  readonly attemptsBeforeResetBackoff: number;
}

/** A restart strategy, as `RestartStrategies` creates it and `env.setRestartStrategy` takes it. */
export type RestartStrategyConfiguration =
  | NoRestartStrategyConfiguration
  | FixedDelayRestartStrategyConfiguration
  | FailureRateRestartStrategyConfiguration
  | ExponentialDelayRestartStrategyConfiguration;

/** The kinds of restart strategy. */
export type RestartStrategyType = RestartStrategyConfiguration['type'];

/** Flink's `Integer.MAX_VALUE`, which Flink's docs call "infinite" for attempt counts. */
export const INFINITE_RESTART_ATTEMPTS = 2_147_483_647;

/**
 * Flink's defaults (1.19/1.20) of the `restart-strategy.*` options: the
 * configuration options and the runtime share them, so they cannot drift.
 */
export const RESTART_STRATEGY_DEFAULTS = {
  fixedDelay: { restartAttempts: 1, delayMs: 1_000 },
  failureRate: { maxFailuresPerInterval: 1, failureIntervalMs: 60_000, delayMs: 1_000 },
  exponentialDelay: {
    initialBackoffMs: 1_000,
    maxBackoffMs: 60_000,
    backoffMultiplier: 1.5,
    resetBackoffThresholdMs: 3_600_000,
    jitterFactor: 0.1,
    attemptsBeforeResetBackoff: INFINITE_RESTART_ATTEMPTS,
  },
} as const;

/** Factories of restart strategies, as Flink's `RestartStrategies`. Every argument is checked here. */
export class RestartStrategies {
  private constructor() {}

  /** The job fails on its first failure. */
  static noRestart(): NoRestartStrategyConfiguration {
    return { type: 'none' };
  }

  /**
   * Restarts the job up to `restartAttempts` times, waiting `delay` before
   * each restart; the next failure fails the job.
   *
   * @param restartAttempts - a whole number ≥ 0.
   * @param delay - `Time` or milliseconds, ≥ 0.
   */
  static fixedDelayRestart(restartAttempts: number, delay: Duration): FixedDelayRestartStrategyConfiguration {
    const call = 'RestartStrategies.fixedDelayRestart';
    return {
      type: 'fixed-delay',
      restartAttempts: wholeNumber(call, 'restartAttempts', restartAttempts, 0),
      delayMs: millis(call, 'delay', delay, 0),
    };
  }

  /**
   * Restarts the job after `delay` unless this failure is more than
   * `maxFailuresPerInterval` within the last `failureInterval` (a sliding
   * window), in which case the job fails.
   *
   * @param maxFailuresPerInterval - a whole number ≥ 1.
   * @param failureInterval - `Time` or milliseconds, ≥ 1 ms.
   * @param delay - `Time` or milliseconds, ≥ 0.
   */
  static failureRateRestart(maxFailuresPerInterval: number, failureInterval: Duration, delay: Duration): FailureRateRestartStrategyConfiguration {
    const call = 'RestartStrategies.failureRateRestart';
    return {
      type: 'failure-rate',
      maxFailuresPerInterval: wholeNumber(call, 'maxFailuresPerInterval', maxFailuresPerInterval, 1),
      failureIntervalMs: millis(call, 'failureInterval', failureInterval, 1),
      delayMs: millis(call, 'delay', delay, 0),
    };
  }

  /**
   * Restarts the job after `initialBackoff`, then after delays that grow by
   * `backoffMultiplier` up to `maxBackoff`, each spread randomly by
   * ± `jitterFactor` of itself; after `resetBackoffThreshold` without a
   * failure the delay starts over. With `attemptsBeforeResetBackoff` the job
   * fails once that many restarts happened since the last reset (default:
   * unlimited, as Flink's "infinite").
   *
   * @param initialBackoff - `Time` or milliseconds, ≥ 1 ms.
   * @param maxBackoff - `Time` or milliseconds, ≥ `initialBackoff`.
   * @param backoffMultiplier - a number > 1.
   * @param resetBackoffThreshold - `Time` or milliseconds, ≥ 1 ms.
   * @param jitterFactor - a number in [0, 1].
   * @param attemptsBeforeResetBackoff - a whole number ≥ 1.
   */
  static exponentialDelayRestart(
    initialBackoff: Duration,
    maxBackoff: Duration,
    backoffMultiplier: number,
    resetBackoffThreshold: Duration,
    jitterFactor: number,
    attemptsBeforeResetBackoff: number = INFINITE_RESTART_ATTEMPTS,
  ): ExponentialDelayRestartStrategyConfiguration {
    const call = 'RestartStrategies.exponentialDelayRestart';
    const initialBackoffMs = millis(call, 'initialBackoff', initialBackoff, 1);
    const maxBackoffMs = millis(call, 'maxBackoff', maxBackoff, 1);
    if (initialBackoffMs > maxBackoffMs) {
      invalidArgument(call, `initialBackoff (${initialBackoffMs} ms) must not exceed maxBackoff (${maxBackoffMs} ms)`);
    }
    return {
      type: 'exponential-delay',
      initialBackoffMs,
      maxBackoffMs,
      backoffMultiplier: multiplier(call, 'backoffMultiplier', backoffMultiplier),
      resetBackoffThresholdMs: millis(call, 'resetBackoffThreshold', resetBackoffThreshold, 1),
      jitterFactor: fraction(call, 'jitterFactor', jitterFactor),
      attemptsBeforeResetBackoff: wholeNumber(call, 'attemptsBeforeResetBackoff', attemptsBeforeResetBackoff, 1),
    };
  }
}

/**
 * Checks a restart strategy configuration that did not come from
 * {@link RestartStrategies} (an object literal, or one that crossed a thread)
 * and returns a plain copy of it.
 *
 * @param call - the API call to name in errors, e.g. `env.setRestartStrategy`.
 * @throws FlinktsError `JOB_DEFINITION` naming `call` and the bad field.
 */
export function checkRestartStrategy(call: string, configuration: unknown): RestartStrategyConfiguration {
  if (typeof configuration !== 'object' || configuration === null) {
    invalidArgument(call, `expected a restart strategy from RestartStrategies, got ${show(configuration)}`);
  }
  const c = configuration as Record<string, unknown>;
  const type = c['type'];
  switch (type) {
    case 'none':
      return { type };
    case 'fixed-delay':
      return { type, restartAttempts: wholeNumber(call, 'restartAttempts', c['restartAttempts'], 0), delayMs: plainMillis(call, 'delayMs', c['delayMs'], 0) };
    case 'failure-rate':
      return {
        type,
        maxFailuresPerInterval: wholeNumber(call, 'maxFailuresPerInterval', c['maxFailuresPerInterval'], 1),
        failureIntervalMs: plainMillis(call, 'failureIntervalMs', c['failureIntervalMs'], 1),
        delayMs: plainMillis(call, 'delayMs', c['delayMs'], 0),
      };
    case 'exponential-delay': {
      const initialBackoffMs = plainMillis(call, 'initialBackoffMs', c['initialBackoffMs'], 1);
      const maxBackoffMs = plainMillis(call, 'maxBackoffMs', c['maxBackoffMs'], 1);
      if (initialBackoffMs > maxBackoffMs) {
        invalidArgument(call, `initialBackoffMs (${initialBackoffMs}) must not exceed maxBackoffMs (${maxBackoffMs})`);
      }
      return {
        type,
        initialBackoffMs,
        maxBackoffMs,
        backoffMultiplier: multiplier(call, 'backoffMultiplier', c['backoffMultiplier']),
        resetBackoffThresholdMs: plainMillis(call, 'resetBackoffThresholdMs', c['resetBackoffThresholdMs'], 1),
        jitterFactor: fraction(call, 'jitterFactor', c['jitterFactor']),
        attemptsBeforeResetBackoff: wholeNumber(call, 'attemptsBeforeResetBackoff', c['attemptsBeforeResetBackoff'], 1),
      };
    }
    default:
      return invalidArgument(call, `unknown restart strategy type ${show(type)}: expected 'none', 'fixed-delay', 'failure-rate' or 'exponential-delay'`);
  }
}

function wholeNumber(call: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    invalidArgument(call, `${name} must be a whole number ≥ ${min}, got ${show(value)}`);
  }
  return value;
}

/** A `Duration` argument in ms. */
function millis(call: string, name: string, value: unknown, min: number): number {
  const ms = value instanceof Time ? value.toMilliseconds() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < min) {
    invalidArgument(call, `${name} must be a duration ≥ ${min} ms (Time or milliseconds), got ${show(value)}`);
  }
  return ms;
}

/** A field that holds milliseconds as a number. */
function plainMillis(call: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    invalidArgument(call, `${name} must be a number of milliseconds ≥ ${min}, got ${show(value)}`);
  }
  return value;
}

function multiplier(call: string, name: string, value: unknown): number {
  // Flink requires > 1: a factor of 1 would be a fixed delay that never ends.
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 1) {
    invalidArgument(call, `${name} must be a number > 1, got ${show(value)}`);
  }
  return value;
}

function fraction(call: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    invalidArgument(call, `${name} must be a number from 0 to 1, got ${show(value)}`);
  }
  return value;
}

function show(value: unknown): string {
  if (value instanceof Time) return `${value.toMilliseconds()} ms`;
  if (typeof value === 'string') return `'${value}'`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}
