/**
 * The cluster's restart strategy, read from the `restart-strategy.*`
 * configuration options, and the choice between it, the job's own strategy
 * and the default, as Flink's `RestartBackoffTimeStrategyFactoryLoader`.
 *
 * The runtime may not import `src/config`, so it reads the options by key
 * from plain values: what `FlinktsConfig.toJSON()` returns (durations in ms,
 * `null` for an unset option). The options themselves are declared in
 * `src/config/options.ts`; a unit test keeps the keys and defaults of both
 * sides equal.
 */
import { FlinktsError } from '../../api/errors.js';
import {
  checkRestartStrategy,
  RESTART_STRATEGY_DEFAULTS,
  type RestartStrategyConfiguration,
  type RestartStrategyType,
} from '../../api/restart-strategy.js';

/** The keys of the restart strategy options (Flink's). */
export const RESTART_STRATEGY_KEYS = {
  type: 'restart-strategy.type',
  fixedDelayAttempts: 'restart-strategy.fixed-delay.attempts',
  fixedDelayDelay: 'restart-strategy.fixed-delay.delay',
  failureRateMaxFailuresPerInterval: 'restart-strategy.failure-rate.max-failures-per-interval',
  failureRateInterval: 'restart-strategy.failure-rate.failure-rate-interval',
  failureRateDelay: 'restart-strategy.failure-rate.delay',
  exponentialDelayInitialBackoff: 'restart-strategy.exponential-delay.initial-backoff',
  exponentialDelayMaxBackoff: 'restart-strategy.exponential-delay.max-backoff',
  exponentialDelayBackoffMultiplier: 'restart-strategy.exponential-delay.backoff-multiplier',
  exponentialDelayResetBackoffThreshold: 'restart-strategy.exponential-delay.reset-backoff-threshold',
  exponentialDelayJitterFactor: 'restart-strategy.exponential-delay.jitter-factor',
  exponentialDelayAttemptsBeforeResetBackoff: 'restart-strategy.exponential-delay.attempts-before-reset-backoff',
} as const;

/**
 * Every accepted spelling of `restart-strategy.type` (lower case), with the
 * strategy it names: Flink's names and aliases.
 */
export const RESTART_STRATEGY_TYPE_NAMES: ReadonlyMap<string, RestartStrategyType> = new Map<string, RestartStrategyType>([
  ['none', 'none'],
  ['off', 'none'],
  ['disable', 'none'],
  ['fixed-delay', 'fixed-delay'],
  ['fixeddelay', 'fixed-delay'],
  ['failure-rate', 'failure-rate'],
  ['failurerate', 'failure-rate'],
  ['exponential-delay', 'exponential-delay'],
  ['exponentialdelay', 'exponential-delay'],
]);

/**
 * Configuration values by option key, as `FlinktsConfig.toJSON()` returns
 * them: durations in milliseconds, `null` (or a missing key) for an option
 * that is not set and has no default.
 */
export type ConfigurationValues = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** How {@link resolveRestartStrategy} decides when the job sets no strategy. */
export interface RestartStrategySources {
  /** Whether the job checkpoints: then the default is `exponential-delay`, otherwise `none` (Flink's rule). */
  readonly checkpointingEnabled: boolean;
  /** The cluster configuration; its `restart-strategy.type` applies when the job sets no strategy. */
  readonly configuration?: ConfigurationValues;
}

/**
 * The cluster's restart strategy: the strategy `restart-strategy.type`
 * names, with the options of that strategy (their defaults where a key is
 * missing); `undefined` when `restart-strategy.type` is not set.
 *
 * @throws FlinktsError `CONFIG` naming the key of an unknown type or a value
 *   the strategy cannot use (such as an initial backoff above the maximum).
 */
export function restartStrategyFromConfiguration(values: ConfigurationValues): RestartStrategyConfiguration | undefined {
  const typeValue = values[RESTART_STRATEGY_KEYS.type];
  if (typeValue === null || typeValue === undefined) return undefined;
  const type = typeof typeValue === 'string' ? RESTART_STRATEGY_TYPE_NAMES.get(typeValue.trim().toLowerCase()) : undefined;
  if (type === undefined) {
    throw new FlinktsError('CONFIG', `${RESTART_STRATEGY_KEYS.type}: unknown restart strategy ${JSON.stringify(typeValue)}`, {
      hint: `expected one of ${[...RESTART_STRATEGY_TYPE_NAMES.keys()].map((name) => `'${name}'`).join(', ')}`,
    });
  }
  const K = RESTART_STRATEGY_KEYS;
  switch (type) {
    case 'none':
      return { type };
    case 'fixed-delay': {
      const d = RESTART_STRATEGY_DEFAULTS.fixedDelay;
      return {
        type,
        restartAttempts: readNumber(values, K.fixedDelayAttempts, d.restartAttempts, WHOLE_AT_LEAST_0),
        delayMs: readNumber(values, K.fixedDelayDelay, d.delayMs, MILLIS_AT_LEAST_0),
      };
    }
    case 'failure-rate': {
      const d = RESTART_STRATEGY_DEFAULTS.failureRate;
      return {
        type,
        maxFailuresPerInterval: readNumber(values, K.failureRateMaxFailuresPerInterval, d.maxFailuresPerInterval, WHOLE_AT_LEAST_1),
        failureIntervalMs: readNumber(values, K.failureRateInterval, d.failureIntervalMs, MILLIS_AT_LEAST_1),
        delayMs: readNumber(values, K.failureRateDelay, d.delayMs, MILLIS_AT_LEAST_0),
      };
    }
    case 'exponential-delay': {
      const d = RESTART_STRATEGY_DEFAULTS.exponentialDelay;
      const initialBackoffMs = readNumber(values, K.exponentialDelayInitialBackoff, d.initialBackoffMs, MILLIS_AT_LEAST_1);
      const maxBackoffMs = readNumber(values, K.exponentialDelayMaxBackoff, d.maxBackoffMs, MILLIS_AT_LEAST_1);
      if (initialBackoffMs > maxBackoffMs) {
        throw new FlinktsError(
          'CONFIG',
          `${K.exponentialDelayInitialBackoff} (${initialBackoffMs} ms) must not exceed ${K.exponentialDelayMaxBackoff} (${maxBackoffMs} ms)`,
        );
      }
      return {
        type,
        initialBackoffMs,
        maxBackoffMs,
        backoffMultiplier: readNumber(values, K.exponentialDelayBackoffMultiplier, d.backoffMultiplier, ABOVE_1),
        resetBackoffThresholdMs: readNumber(values, K.exponentialDelayResetBackoffThreshold, d.resetBackoffThresholdMs, MILLIS_AT_LEAST_1),
        jitterFactor: readNumber(values, K.exponentialDelayJitterFactor, d.jitterFactor, FRACTION),
        attemptsBeforeResetBackoff: readNumber(values, K.exponentialDelayAttemptsBeforeResetBackoff, d.attemptsBeforeResetBackoff, WHOLE_AT_LEAST_1),
      };
    }
  }
}

/** What a restart option accepts: a test and its description for the error message. */
interface Accepted {
  readonly test: (value: number) => boolean;
  readonly expected: string;
}

const WHOLE_AT_LEAST_0: Accepted = { test: (v) => Number.isSafeInteger(v) && v >= 0, expected: 'an integer ≥ 0' };
const WHOLE_AT_LEAST_1: Accepted = { test: (v) => Number.isSafeInteger(v) && v >= 1, expected: 'an integer ≥ 1' };
const MILLIS_AT_LEAST_0: Accepted = { test: (v) => Number.isFinite(v) && v >= 0, expected: 'a duration ≥ 0 ms' };
const MILLIS_AT_LEAST_1: Accepted = { test: (v) => Number.isFinite(v) && v >= 1, expected: 'a duration ≥ 1 ms' };
const ABOVE_1: Accepted = { test: (v) => Number.isFinite(v) && v > 1, expected: 'a number > 1' };
const FRACTION: Accepted = { test: (v) => v >= 0 && v <= 1, expected: 'a number from 0 to 1' };

/** The value of `key` (durations in ms), or `fallback` when it is not set. */
function readNumber(values: ConfigurationValues, key: string, fallback: number, accepted: Accepted): number {
  const value = values[key];
  if (value === null || value === undefined) return fallback;
  if (typeof value !== 'number' || !accepted.test(value)) {
    throw new FlinktsError('CONFIG', `${key}: expected ${accepted.expected}, got ${JSON.stringify(value)}`, {
      hint: 'docs/configuration.md describes the restart-strategy options',
    });
  }
  return value;
}

/**
 * The restart strategy a job runs with, chosen as Flink does: the job's own
 * (`env.setRestartStrategy`), else the cluster's `restart-strategy.type`,
 * else `exponential-delay` with its defaults when the job checkpoints and
 * `none` when it does not.
 *
 * @throws FlinktsError `JOB_DEFINITION` for an invalid job strategy,
 *   `CONFIG` for an invalid cluster configuration.
 */
export function resolveRestartStrategy(job: RestartStrategyConfiguration | undefined, sources: RestartStrategySources): RestartStrategyConfiguration {
  if (job !== undefined) return checkRestartStrategy('env.setRestartStrategy', job);
  const fromCluster = sources.configuration === undefined ? undefined : restartStrategyFromConfiguration(sources.configuration);
  if (fromCluster !== undefined) return fromCluster;
  return sources.checkpointingEnabled ? { type: 'exponential-delay', ...RESTART_STRATEGY_DEFAULTS.exponentialDelay } : { type: 'none' };
}
