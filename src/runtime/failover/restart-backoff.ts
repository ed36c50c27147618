/**
 * Restart strategies at run time, as Flink's `RestartBackoffTimeStrategy`:
 * the JobMaster reports each job failure with `notifyFailure`, then asks
 * `canRestart()` and, if so, waits `getBackoffTime()` ms before it deploys the
 * job again. Which strategy applies is decided by `createRestartBackoff`
 * (the job's own, else the cluster configuration's, else the default), and
 * which failures are worth a restart at all by `isRecoverable`.
 *
 * Time comes from an injectable clock and jitter from an injectable random
 * source, so tests can compute every delay by hand.
 */
import { FlinktsError } from '../../api/errors.js';
import {
  checkRestartStrategy,
  type ExponentialDelayRestartStrategyConfiguration,
  type FailureRateRestartStrategyConfiguration,
  type FixedDelayRestartStrategyConfiguration,
  type RestartStrategyConfiguration,
} from '../../api/restart-strategy.js';
import type { SerializedError } from '../worker/protocol.js';
import { resolveRestartStrategy, type RestartStrategySources } from './restart-configuration.js';

export { isRecoverable, NON_RECOVERABLE_ERROR_CODES } from './failure-classification.js';
export {
  resolveRestartStrategy,
  restartStrategyFromConfiguration,
  RESTART_STRATEGY_KEYS,
  type ConfigurationValues,
  type RestartStrategySources,
} from './restart-configuration.js';

/**
 * Decides whether a failed job restarts and after how long. Call
 * `notifyFailure` once per job failure (a global failover), not once per
 * failed task: tasks failing because the job is being cancelled are the same
 * failure.
 */
export interface RestartBackoffTimeStrategy {
  /** The strategy's configuration (what the job runs with, for reports). */
  readonly configuration: RestartStrategyConfiguration;
  /**
   * Records a failure at `timestampMs` (default: now on the strategy's
   * clock). Returns whether it counts as a new restart attempt: the
   * exponential-delay strategy merges failures that happen while a restart
   * is still pending into that restart, as Flink does.
   */
  notifyFailure(cause: SerializedError, timestampMs?: number): boolean;
  /** Whether the job may restart after the failures notified so far. */
  canRestart(): boolean;
  /** How long to wait before restarting, in ms (only meaningful after `notifyFailure`). */
  getBackoffTime(): number;
}

/** Injectable time and randomness; the defaults are `Date.now` and `Math.random`. */
export interface RestartBackoffEnvironment {
  /** The current time in ms; failure timestamps must be on the same clock. */
  readonly clock?: () => number;
  /** A number in [0, 1), as `Math.random`; draws the jitter of exponential delays. */
  readonly random?: () => number;
}

/** What {@link createRestartBackoff} needs besides the job's own strategy. */
export interface CreateRestartBackoffOptions extends RestartStrategySources, RestartBackoffEnvironment {}

/**
 * The restart strategy of a job, chosen as Flink does: the job's own
 * configuration (`env.setRestartStrategy`), else the cluster's
 * `restart-strategy.type`, else `exponential-delay` with Flink's defaults
 * when checkpointing is enabled and `none` otherwise.
 *
 * @throws FlinktsError `JOB_DEFINITION` for an invalid job strategy,
 *   `CONFIG` for an invalid `restart-strategy.*` configuration.
 */
export function createRestartBackoff(job: RestartStrategyConfiguration | undefined, options: CreateRestartBackoffOptions): RestartBackoffTimeStrategy {
  return restartBackoffFor(resolveRestartStrategy(job, options), options);
}

/** The strategy for a configuration that is already chosen. */
export function restartBackoffFor(configuration: RestartStrategyConfiguration, environment: RestartBackoffEnvironment = {}): RestartBackoffTimeStrategy {
  const clock = environment.clock ?? Date.now;
  switch (configuration.type) {
    case 'none':
      return new NoRestartBackoffTimeStrategy();
    case 'fixed-delay':
      return new FixedDelayRestartBackoffTimeStrategy(configuration);
    case 'failure-rate':
      return new FailureRateRestartBackoffTimeStrategy(configuration, clock);
    case 'exponential-delay':
      return new ExponentialDelayRestartBackoffTimeStrategy(configuration, clock, environment.random ?? Math.random);
  }
}

/** Never restarts. */
export class NoRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  readonly configuration = { type: 'none' } as const;

  notifyFailure(_cause: SerializedError, _timestampMs?: number): boolean {
    return true;
  }

  canRestart(): boolean {
    return false;
  }

  getBackoffTime(): number {
    return 0;
  }

  toString(): string {
    return 'NoRestartBackoffTimeStrategy';
  }
}

/** Restarts `restartAttempts` times with a fixed delay; failure `restartAttempts + 1` fails the job. */
export class FixedDelayRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  readonly configuration: FixedDelayRestartStrategyConfiguration;
  private failures = 0;

  constructor(configuration: FixedDelayRestartStrategyConfiguration) {
    this.configuration = checkRestartStrategy('FixedDelayRestartBackoffTimeStrategy', configuration) as FixedDelayRestartStrategyConfiguration;
  }

  notifyFailure(_cause: SerializedError, _timestampMs?: number): boolean {
    this.failures++;
    return true;
  }

  canRestart(): boolean {
    return this.failures <= this.configuration.restartAttempts;
  }

  getBackoffTime(): number {
    return this.configuration.delayMs;
  }

  toString(): string {
    const { restartAttempts, delayMs } = this.configuration;
    return `FixedDelayRestartBackoffTimeStrategy(maxNumberRestartAttempts=${restartAttempts}, backoffTimeMS=${delayMs})`;
  }
}

/**
 * Restarts with a fixed delay unless the latest failure is failure number
 * `maxFailuresPerInterval + 1` within `failureIntervalMs`: the window slides
 * with the failures. As Flink's, two failures exactly one interval apart
 * count as within it.
 */
export class FailureRateRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  readonly configuration: FailureRateRestartStrategyConfiguration;
  /** The timestamps of the latest `maxFailuresPerInterval + 1` failures, oldest first. */
  private readonly timestamps: number[] = [];

  constructor(
    configuration: FailureRateRestartStrategyConfiguration,
    private readonly clock: () => number = Date.now,
  ) {
    this.configuration = checkRestartStrategy('FailureRateRestartBackoffTimeStrategy', configuration) as FailureRateRestartStrategyConfiguration;
  }

  notifyFailure(_cause: SerializedError, timestampMs: number = this.clock()): boolean {
    if (this.timestamps.length > this.configuration.maxFailuresPerInterval) this.timestamps.shift();
    this.timestamps.push(timestampMs);
    return true;
  }

  canRestart(): boolean {
    const { timestamps } = this;
    if (timestamps.length <= this.configuration.maxFailuresPerInterval) return true;
    // Flink compares with the clock when asked; the JobMaster asks right after notifying, so the latest
    // failure stands for "now" and the answer depends on the failures alone.
    return timestamps[timestamps.length - 1]! - timestamps[0]! > this.configuration.failureIntervalMs;
  }

  getBackoffTime(): number {
    return this.configuration.delayMs;
  }

  toString(): string {
    const { failureIntervalMs, delayMs, maxFailuresPerInterval } = this.configuration;
    return `FailureRateRestartBackoffTimeStrategy(failuresIntervalMS=${failureIntervalMs}, backoffTimeMS=${delayMs}, maxFailuresPerInterval=${maxFailuresPerInterval})`;
  }
}

/**
 * Flink's (1.19+) exponential delay: restart attempt *n* (from 0) waits
 * `initial × multiplier^n`, plus a jitter drawn uniformly from the whole
 * milliseconds in ± `jitterFactor` of that value, the sum clamped to
 * [initial, max]. A failure while a restart is pending (before the restart
 * time) is merged into it and does not count. A failure at least
 * `resetBackoffThresholdMs` after the previous restart time starts over at
 * the initial backoff and resets the attempt count, which
 * `attemptsBeforeResetBackoff` bounds.
 */
export class ExponentialDelayRestartBackoffTimeStrategy implements RestartBackoffTimeStrategy {
  readonly configuration: ExponentialDelayRestartStrategyConfiguration;
  /** Attempts since the last reset; the next backoff uses this exponent. */
  private attempt = 0;
  /** When the pending (or last) restart happens; -∞ before the first failure. */
  private nextRestartTimestamp = Number.NEGATIVE_INFINITY;

  constructor(
    configuration: ExponentialDelayRestartStrategyConfiguration,
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.configuration = checkRestartStrategy('ExponentialDelayRestartBackoffTimeStrategy', configuration) as ExponentialDelayRestartStrategyConfiguration;
  }

  notifyFailure(_cause: SerializedError, timestampMs: number = this.clock()): boolean {
    if (timestampMs <= this.nextRestartTimestamp) return false;
    if (timestampMs - this.nextRestartTimestamp >= this.configuration.resetBackoffThresholdMs) this.attempt = 0;
    this.nextRestartTimestamp = timestampMs + this.backoff(this.attempt);
    this.attempt++;
    return true;
  }

  canRestart(): boolean {
    return this.attempt <= this.configuration.attemptsBeforeResetBackoff;
  }

  getBackoffTime(): number {
    if (this.nextRestartTimestamp === Number.NEGATIVE_INFINITY) {
      throw new FlinktsError('INTERNAL', 'ExponentialDelayRestartBackoffTimeStrategy.getBackoffTime called before notifyFailure');
    }
    return Math.max(0, this.nextRestartTimestamp - this.clock());
  }

  toString(): string {
    const c = this.configuration;
    return (
      `ExponentialDelayRestartBackoffTimeStrategy(initialBackoffMS=${c.initialBackoffMs}, maxBackoffMS=${c.maxBackoffMs}, ` +
      `backoffMultiplier=${c.backoffMultiplier}, resetBackoffThresholdMS=${c.resetBackoffThresholdMs}, jitterFactor=${c.jitterFactor}, ` +
      `attemptsBeforeResetBackoff=${c.attemptsBeforeResetBackoff}, currentRestartAttempt=${this.attempt}, nextRestartTimestamp=${this.nextRestartTimestamp})`
    );
  }

  /** The backoff of attempt `n`: as Flink, jitter applies to the uncapped value before clamping. */
  private backoff(n: number): number {
    const { initialBackoffMs, maxBackoffMs, backoffMultiplier } = this.configuration;
    const base = Math.trunc(initialBackoffMs * backoffMultiplier ** n);
    // Beyond the float range no jitter can bring it back below the maximum.
    if (!Number.isFinite(base)) return maxBackoffMs;
    return Math.max(initialBackoffMs, Math.min(base + this.jitter(base), maxBackoffMs));
  }

  /** A whole number drawn uniformly from [-offset, offset], offset = ⌊backoff × jitterFactor⌋. */
  private jitter(backoffMs: number): number {
    if (this.configuration.jitterFactor === 0) return 0;
    const offset = Math.trunc(backoffMs * this.configuration.jitterFactor);
    // min() keeps a random source that returns 1 (outside [0, 1)) within the bound.
    return -offset + Math.min(2 * offset, Math.floor(this.random() * (2 * offset + 1)));
  }
}
