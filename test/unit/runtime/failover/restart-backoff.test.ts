/**
 * Restart strategies at run time, with a fake clock and a fixed random
 * source: every expected delay and every canRestart() answer is computed by
 * hand in the test (Flink's semantics: FixedDelay/FailureRate/
 * ExponentialDelayRestartBackoffTimeStrategy, RestartBackoffTimeStrategyFactoryLoader).
 */
import { describe, expect, it } from 'vitest';
import { RESTART_STRATEGY_DEFAULTS, RestartStrategies, type RestartStrategyConfiguration } from '../../../../src/api/restart-strategy.js';
import { loadConfig } from '../../../../src/config/load.js';
import { DEFAULT_REGISTRY } from '../../../../src/config/registry.js';
import {
  createRestartBackoff,
  ExponentialDelayRestartBackoffTimeStrategy,
  FailureRateRestartBackoffTimeStrategy,
  FixedDelayRestartBackoffTimeStrategy,
  isRecoverable,
  NoRestartBackoffTimeStrategy,
  resolveRestartStrategy,
  RESTART_STRATEGY_KEYS,
  restartBackoffFor,
  restartStrategyFromConfiguration,
} from '../../../../src/runtime/failover/restart-backoff.js';
import type { SerializedError } from '../../../../src/runtime/worker/protocol.js';

const CAUSE: SerializedError = { name: 'Error', message: 'boom', code: 'USER_FUNCTION' };

/** A clock the test moves by hand. */
class FakeClock {
  now = 0;
  readonly read = (): number => this.now;
}

/** A random source that returns `values` in turn (and fails when they run out, so every draw is planned). */
function randoms(...values: number[]): () => number {
  let next = 0;
  return () => {
    if (next >= values.length) throw new Error('unplanned random draw');
    return values[next++]!;
  };
}

function errorOf(call: () => unknown): { code: string; message: string } {
  try {
    call();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error('no error was thrown');
}

describe('NoRestartBackoffTimeStrategy', () => {
  it('never restarts', () => {
    const strategy = new NoRestartBackoffTimeStrategy();
    expect(strategy.notifyFailure(CAUSE, 0)).toBe(true);
    expect(strategy.canRestart()).toBe(false);
  });
});

describe('FixedDelayRestartBackoffTimeStrategy', () => {
  it('restarts N times with the delay, then refuses', () => {
    const strategy = new FixedDelayRestartBackoffTimeStrategy(RestartStrategies.fixedDelayRestart(3, 10_000));
    const answers: [boolean, number][] = [];
    for (let failure = 1; failure <= 5; failure++) {
      strategy.notifyFailure(CAUSE, failure * 1000);
      answers.push([strategy.canRestart(), strategy.getBackoffTime()]);
    }
    expect(answers).toEqual([
      [true, 10_000],
      [true, 10_000],
      [true, 10_000],
      [false, 10_000],
      [false, 10_000],
    ]);
  });

  it('with 0 attempts refuses the first failure', () => {
    const strategy = new FixedDelayRestartBackoffTimeStrategy(RestartStrategies.fixedDelayRestart(0, 0));
    expect(strategy.canRestart()).toBe(true);
    strategy.notifyFailure(CAUSE, 0);
    expect(strategy.canRestart()).toBe(false);
  });
});

describe('FailureRateRestartBackoffTimeStrategy', () => {
  const configuration = RestartStrategies.failureRateRestart(2, 10_000, 1_000);

  /** canRestart() after each failure at the given times. */
  function answers(...times: number[]): boolean[] {
    const strategy = new FailureRateRestartBackoffTimeStrategy(configuration);
    return times.map((time) => {
      strategy.notifyFailure(CAUSE, time);
      expect(strategy.getBackoffTime()).toBe(1_000);
      return strategy.canRestart();
    });
  }

  it('refuses the (max + 1)-th failure inside the interval', () => {
    expect(answers(0, 1_000, 2_000)).toEqual([true, true, false]);
    expect(answers(0, 9_000, 9_999)).toEqual([true, true, false]);
  });

  it('allows a third failure once the first is more than the interval behind it', () => {
    expect(answers(0, 5_000, 10_001)).toEqual([true, true, true]);
  });

  it('counts a failure exactly one interval back as inside it (Flink: now - earliest > interval)', () => {
    expect(answers(0, 5_000, 10_000)).toEqual([true, true, false]);
  });

  it('slides: each answer looks at the latest max + 1 failures', () => {
    // Windows ending at each failure: {0}, {0,5000}, {0,5000,10001}: 10001 apart → ok,
    // {5000,10001,12000}: 7000 apart → refuse, {10001,12000,25000}: 14999 apart → ok.
    expect(answers(0, 5_000, 10_001, 12_000, 25_000)).toEqual([true, true, true, false, true]);
  });

  it('uses the clock when no timestamp is given', () => {
    const clock = new FakeClock();
    const strategy = new FailureRateRestartBackoffTimeStrategy(RestartStrategies.failureRateRestart(1, 1_000, 0), clock.read);
    strategy.notifyFailure(CAUSE);
    clock.now = 1_000;
    strategy.notifyFailure(CAUSE);
    expect(strategy.canRestart()).toBe(false);
    clock.now = 2_001;
    strategy.notifyFailure(CAUSE);
    expect(strategy.canRestart()).toBe(true);
  });
});

describe('ExponentialDelayRestartBackoffTimeStrategy', () => {
  /** 1 s initial, × 1.5, capped at 10 s, reset after 60 s without failure, no jitter. */
  const noJitter = RestartStrategies.exponentialDelayRestart(1_000, 10_000, 1.5, 60_000, 0);

  /**
   * Fails the job 1 ms after each restart, the first time 1 ms after
   * `restartedAt` (default: fails first at 0): returns the backoffs and the
   * time of the last restart.
   */
  function failRepeatedly(
    strategy: ExponentialDelayRestartBackoffTimeStrategy,
    clock: FakeClock,
    count: number,
    restartedAt = -1,
  ): { backoffs: number[]; restartAt: number } {
    const backoffs: number[] = [];
    let restartAt = restartedAt;
    for (let i = 0; i < count; i++) {
      clock.now = restartAt + 1;
      expect(strategy.notifyFailure(CAUSE)).toBe(true);
      expect(strategy.canRestart()).toBe(true);
      const backoff = strategy.getBackoffTime();
      backoffs.push(backoff);
      restartAt = clock.now + backoff;
    }
    return { backoffs, restartAt };
  }

  it('grows by the multiplier up to the maximum: 1 s, 1.5 s, 2.25 s, ...', () => {
    const clock = new FakeClock();
    const strategy = new ExponentialDelayRestartBackoffTimeStrategy(noJitter, clock.read, randoms());
    // 1000 × 1.5^n truncated: 1000, 1500, 2250, 3375, 5062.5, 7593.75, 11390.625 → capped at 10000.
    expect(failRepeatedly(strategy, clock, 8).backoffs).toEqual([1_000, 1_500, 2_250, 3_375, 5_062, 7_593, 10_000, 10_000]);
  });

  it('resets to the initial backoff once the job ran the threshold after its restart', () => {
    const clock = new FakeClock();
    const strategy = new ExponentialDelayRestartBackoffTimeStrategy(noJitter, clock.read, randoms());
    const { restartAt } = failRepeatedly(strategy, clock, 3); // 1000, 1500, 2250
    clock.now = restartAt + 59_999; // just under the threshold: keeps growing
    strategy.notifyFailure(CAUSE);
    expect(strategy.getBackoffTime()).toBe(3_375);
    clock.now = clock.now + 3_375 + 60_000; // exactly the threshold after that restart: starts over
    strategy.notifyFailure(CAUSE);
    expect(strategy.getBackoffTime()).toBe(1_000);
    expect(failRepeatedly(strategy, clock, 2, clock.now + 1_000).backoffs).toEqual([1_500, 2_250]);
  });

  it('merges a failure while a restart is pending into that restart', () => {
    const clock = new FakeClock();
    const strategy = new ExponentialDelayRestartBackoffTimeStrategy(noJitter, clock.read, randoms());
    expect(strategy.notifyFailure(CAUSE, 0)).toBe(true); // restart at 1000
    clock.now = 400;
    expect(strategy.getBackoffTime()).toBe(600);
    expect(strategy.notifyFailure(CAUSE, 400)).toBe(false);
    expect(strategy.notifyFailure(CAUSE, 1_000)).toBe(false);
    expect(strategy.getBackoffTime()).toBe(600);
    clock.now = 5_000;
    expect(strategy.getBackoffTime()).toBe(0);
    expect(strategy.notifyFailure(CAUSE, 1_001)).toBe(true); // the second attempt: 1500 after 1001
    clock.now = 1_001;
    expect(strategy.getBackoffTime()).toBe(1_500);
  });

  it('refuses after attemptsBeforeResetBackoff restarts; a reset gives a new budget', () => {
    const clock = new FakeClock();
    const limited = RestartStrategies.exponentialDelayRestart(1_000, 10_000, 2, 60_000, 0, 2);
    const strategy = new ExponentialDelayRestartBackoffTimeStrategy(limited, clock.read, randoms());
    const { restartAt } = failRepeatedly(strategy, clock, 2); // attempts 1 and 2: 1000, 2000
    clock.now = restartAt + 1;
    strategy.notifyFailure(CAUSE);
    expect(strategy.canRestart()).toBe(false); // attempt 3 > 2

    const fresh = new ExponentialDelayRestartBackoffTimeStrategy(limited, clock.read, randoms());
    const first = failRepeatedly(fresh, clock, 2);
    clock.now = first.restartAt + 60_000;
    fresh.notifyFailure(CAUSE);
    expect([fresh.canRestart(), fresh.getBackoffTime()]).toEqual([true, 1_000]);
  });

  it('draws the jitter from ± jitterFactor of the uncapped backoff, clamped to [initial, max]', () => {
    const clock = new FakeClock();
    const jittered = RestartStrategies.exponentialDelayRestart(1_000, 10_000, 2, 60_000, 0.25);
    // Draw r picks -offset + ⌊r × (2 × offset + 1)⌋ with offset = ⌊0.25 × base⌋.
    // base 1000, offset 250, r 0.999 → +250 → 1250
    // base 2000, offset 500, r 0     → -500 → 1500
    // base 4000, offset 1000, r 0.5  → 0    → 4000
    // base 8000, offset 2000, r 0    → -2000 → 6000
    // base 16000, offset 4000, r 0   → -4000 → 12000, capped → 10000
    const strategy = new ExponentialDelayRestartBackoffTimeStrategy(jittered, clock.read, randoms(0.999, 0, 0.5, 0, 0));
    expect(failRepeatedly(strategy, clock, 5).backoffs).toEqual([1_250, 1_500, 4_000, 6_000, 10_000]);

    // Negative jitter on the first attempt is cut at the initial backoff: base 1000, r 0 → 750 → 1000.
    const low = new ExponentialDelayRestartBackoffTimeStrategy(jittered, new FakeClock().read, randoms(0));
    low.notifyFailure(CAUSE, 0);
    expect(low.getBackoffTime()).toBe(1_000);
  });

  it('keeps every jittered backoff within its bounds', () => {
    const configuration = RestartStrategies.exponentialDelayRestart(1_000, 30_000, 1.5, 60_000, 0.1);
    for (let step = 0; step <= 100; step++) {
      const r = Math.min(step / 100, 0.999_999);
      const clock = new FakeClock();
      const strategy = new ExponentialDelayRestartBackoffTimeStrategy(configuration, clock.read, () => r);
      const { backoffs } = failRepeatedly(strategy, clock, 12);
      backoffs.forEach((backoff, n) => {
        const base = Math.trunc(1_000 * 1.5 ** n);
        const offset = Math.trunc(base * 0.1);
        expect(backoff).toBeGreaterThanOrEqual(Math.max(1_000, Math.min(base - offset, 30_000)));
        expect(backoff).toBeLessThanOrEqual(Math.min(base + offset, 30_000));
      });
    }
  });

  it('needs a failure before it can tell a backoff', () => {
    const strategy = new ExponentialDelayRestartBackoffTimeStrategy(noJitter, () => 0, randoms());
    expect(errorOf(() => strategy.getBackoffTime()).code).toBe('INTERNAL');
  });
});

describe('createRestartBackoff: which strategy applies', () => {
  const exponentialDefaults = { type: 'exponential-delay', ...RESTART_STRATEGY_DEFAULTS.exponentialDelay };

  it('without job strategy or restart-strategy.type: exponential-delay when checkpointing, none otherwise', () => {
    expect(resolveRestartStrategy(undefined, { checkpointingEnabled: true })).toEqual(exponentialDefaults);
    expect(resolveRestartStrategy(undefined, { checkpointingEnabled: false })).toEqual({ type: 'none' });
    const values = loadConfig().toJSON();
    expect(resolveRestartStrategy(undefined, { checkpointingEnabled: true, configuration: values })).toEqual(exponentialDefaults);
    expect(resolveRestartStrategy(undefined, { checkpointingEnabled: false, configuration: values })).toEqual({ type: 'none' });
    expect(exponentialDefaults).toEqual({
      type: 'exponential-delay',
      initialBackoffMs: 1_000,
      maxBackoffMs: 60_000,
      backoffMultiplier: 1.5,
      resetBackoffThresholdMs: 3_600_000,
      jitterFactor: 0.1,
      attemptsBeforeResetBackoff: 2_147_483_647,
    });
  });

  it('the configured restart-strategy.type beats the default', () => {
    const configuration = loadConfig({ dynamicProperties: ['restart-strategy.type=none'] }).toJSON();
    expect(createRestartBackoff(undefined, { checkpointingEnabled: true, configuration }).configuration).toEqual({ type: 'none' });
    const fixed = loadConfig({ dynamicProperties: ['restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.attempts=4'] }).toJSON();
    const strategy = createRestartBackoff(undefined, { checkpointingEnabled: false, configuration: fixed });
    expect(strategy).toBeInstanceOf(FixedDelayRestartBackoffTimeStrategy);
    expect(strategy.configuration).toEqual({ type: 'fixed-delay', restartAttempts: 4, delayMs: 1_000 });
  });

  it("the job's own strategy beats the configuration", () => {
    const configuration = loadConfig({ dynamicProperties: ['restart-strategy.type=fixed-delay'] }).toJSON();
    const job = RestartStrategies.failureRateRestart(3, 60_000, 500);
    const strategy = createRestartBackoff(job, { checkpointingEnabled: true, configuration });
    expect(strategy).toBeInstanceOf(FailureRateRestartBackoffTimeStrategy);
    expect(strategy.configuration).toEqual(job);
    expect(createRestartBackoff(RestartStrategies.noRestart(), { checkpointingEnabled: true, configuration }).canRestart()).toBe(false);
  });

  it('checks a job strategy that did not come from RestartStrategies', () => {
    const forged = { type: 'fixed-delay', restartAttempts: -1, delayMs: 0 } as RestartStrategyConfiguration;
    expect(errorOf(() => createRestartBackoff(forged, { checkpointingEnabled: false }))).toEqual({
      code: 'JOB_DEFINITION',
      message: 'env.setRestartStrategy: restartAttempts must be a whole number ≥ 0, got -1',
    });
  });

  it('passes the clock and the random source to the strategy', () => {
    const clock = new FakeClock();
    const job = RestartStrategies.exponentialDelayRestart(1_000, 10_000, 2, 60_000, 0.5);
    const strategy = createRestartBackoff(job, { checkpointingEnabled: true, clock: clock.read, random: randoms(0) });
    clock.now = 100;
    strategy.notifyFailure(CAUSE); // at 100: base 1000, offset 500, r 0 → 500 → clamped to 1000
    clock.now = 600;
    expect(strategy.getBackoffTime()).toBe(500);
    expect(restartBackoffFor({ type: 'none' })).toBeInstanceOf(NoRestartBackoffTimeStrategy);
  });
});

describe('restart-strategy.* options', () => {
  const fromOptions = (...properties: string[]): RestartStrategyConfiguration | undefined =>
    restartStrategyFromConfiguration(loadConfig({ dynamicProperties: properties }).toJSON());

  it('are registered under the keys the runtime reads, with the shared defaults', () => {
    const json = loadConfig().toJSON();
    const K = RESTART_STRATEGY_KEYS;
    for (const key of Object.values(K)) expect(DEFAULT_REGISTRY.find(key), key).toBeDefined();
    const d = RESTART_STRATEGY_DEFAULTS;
    expect({
      [K.type]: json[K.type],
      [K.fixedDelayAttempts]: json[K.fixedDelayAttempts],
      [K.fixedDelayDelay]: json[K.fixedDelayDelay],
      [K.failureRateMaxFailuresPerInterval]: json[K.failureRateMaxFailuresPerInterval],
      [K.failureRateInterval]: json[K.failureRateInterval],
      [K.failureRateDelay]: json[K.failureRateDelay],
      [K.exponentialDelayInitialBackoff]: json[K.exponentialDelayInitialBackoff],
      [K.exponentialDelayMaxBackoff]: json[K.exponentialDelayMaxBackoff],
      [K.exponentialDelayBackoffMultiplier]: json[K.exponentialDelayBackoffMultiplier],
      [K.exponentialDelayResetBackoffThreshold]: json[K.exponentialDelayResetBackoffThreshold],
      [K.exponentialDelayJitterFactor]: json[K.exponentialDelayJitterFactor],
      [K.exponentialDelayAttemptsBeforeResetBackoff]: json[K.exponentialDelayAttemptsBeforeResetBackoff],
    }).toEqual({
      [K.type]: null,
      [K.fixedDelayAttempts]: d.fixedDelay.restartAttempts,
      [K.fixedDelayDelay]: d.fixedDelay.delayMs,
      [K.failureRateMaxFailuresPerInterval]: d.failureRate.maxFailuresPerInterval,
      [K.failureRateInterval]: d.failureRate.failureIntervalMs,
      [K.failureRateDelay]: d.failureRate.delayMs,
      [K.exponentialDelayInitialBackoff]: d.exponentialDelay.initialBackoffMs,
      [K.exponentialDelayMaxBackoff]: d.exponentialDelay.maxBackoffMs,
      [K.exponentialDelayBackoffMultiplier]: d.exponentialDelay.backoffMultiplier,
      [K.exponentialDelayResetBackoffThreshold]: d.exponentialDelay.resetBackoffThresholdMs,
      [K.exponentialDelayJitterFactor]: d.exponentialDelay.jitterFactor,
      [K.exponentialDelayAttemptsBeforeResetBackoff]: d.exponentialDelay.attemptsBeforeResetBackoff,
    });
    // Flink's defaults, spelled out.
    expect(d).toEqual({
      fixedDelay: { restartAttempts: 1, delayMs: 1_000 },
      failureRate: { maxFailuresPerInterval: 1, failureIntervalMs: 60_000, delayMs: 1_000 },
      exponentialDelay: {
        initialBackoffMs: 1_000,
        maxBackoffMs: 60_000,
        backoffMultiplier: 1.5,
        resetBackoffThresholdMs: 3_600_000,
        jitterFactor: 0.1,
        attemptsBeforeResetBackoff: 2_147_483_647,
      },
    });
  });

  it('read each strategy with its options', () => {
    expect(fromOptions()).toBeUndefined();
    expect(fromOptions('restart-strategy.type=fixed-delay', 'restart-strategy.fixed-delay.attempts=3', 'restart-strategy.fixed-delay.delay=10 s')).toEqual({
      type: 'fixed-delay',
      restartAttempts: 3,
      delayMs: 10_000,
    });
    expect(
      fromOptions(
        'restart-strategy.type=failure-rate',
        'restart-strategy.failure-rate.max-failures-per-interval=3',
        'restart-strategy.failure-rate.failure-rate-interval=5 min',
        'restart-strategy.failure-rate.delay=10 s',
      ),
    ).toEqual({ type: 'failure-rate', maxFailuresPerInterval: 3, failureIntervalMs: 300_000, delayMs: 10_000 });
    expect(
      fromOptions(
        'restart-strategy.type=exponential-delay',
        'restart-strategy.exponential-delay.initial-backoff=10 s',
        'restart-strategy.exponential-delay.max-backoff=2 min',
        'restart-strategy.exponential-delay.backoff-multiplier=1.4',
        'restart-strategy.exponential-delay.reset-backoff-threshold=10 min',
        'restart-strategy.exponential-delay.jitter-factor=0.2',
        'restart-strategy.exponential-delay.attempts-before-reset-backoff=10',
      ),
    ).toEqual({
      type: 'exponential-delay',
      initialBackoffMs: 10_000,
      maxBackoffMs: 120_000,
      backoffMultiplier: 1.4,
      resetBackoffThresholdMs: 600_000,
      jitterFactor: 0.2,
      attemptsBeforeResetBackoff: 10,
    });
  });

  it("accept Flink's aliases of the type, in any letter case", () => {
    const names = ['none', 'OFF', 'disable', 'fixed-delay', 'fixeddelay', 'failure-rate', 'FailureRate', 'Exponential-Delay', 'exponentialdelay'];
    expect(names.map((name) => fromOptions(`restart-strategy.type=${name}`)?.type)).toEqual([
      'none',
      'none',
      'none',
      'fixed-delay',
      'fixed-delay',
      'failure-rate',
      'failure-rate',
      'exponential-delay',
      'exponential-delay',
    ]);
  });

  it('refuse bad values while loading', () => {
    const loading = (property: string): { code: string; message: string } => errorOf(() => loadConfig({ dynamicProperties: [property] }));
    expect(loading('restart-strategy.type=sometimes')).toEqual({
      code: 'CONFIG',
      message:
        "-D restart-strategy.type=sometimes: expected one of 'none', 'off', 'disable', 'fixed-delay', 'fixeddelay', 'failure-rate', 'failurerate', 'exponential-delay', 'exponentialdelay'",
    });
    expect(loading('restart-strategy.fixed-delay.attempts=-1').message).toBe('-D restart-strategy.fixed-delay.attempts=-1: expected an integer ≥ 0');
    expect(loading('restart-strategy.exponential-delay.backoff-multiplier=1').message).toBe(
      '-D restart-strategy.exponential-delay.backoff-multiplier=1: expected a number > 1',
    );
    expect(loading('restart-strategy.exponential-delay.jitter-factor=1.5').message).toBe(
      '-D restart-strategy.exponential-delay.jitter-factor=1.5: expected a number from 0 to 1',
    );
    expect(loading('restart-strategy.exponential-delay.jitter-factor=ten').code).toBe('CONFIG');
    expect(loading('restart-strategy.failure-rate.failure-rate-interval=0 ms').message).toBe(
      "-D restart-strategy.failure-rate.failure-rate-interval=0 ms: expected a duration ≥ 1 ms such as '100 ms', '1 s' or '2 min'",
    );
  });

  it('refuse what spans options, and raw values of the wrong kind, naming the keys', () => {
    expect(
      errorOf(() =>
        fromOptions('restart-strategy.type=exponential-delay', 'restart-strategy.exponential-delay.initial-backoff=2 min'),
      ),
    ).toEqual({
      code: 'CONFIG',
      message: 'restart-strategy.exponential-delay.initial-backoff (120000 ms) must not exceed restart-strategy.exponential-delay.max-backoff (60000 ms)',
    });
    expect(errorOf(() => restartStrategyFromConfiguration({ 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': '3' }))).toEqual({
      code: 'CONFIG',
      message: 'restart-strategy.fixed-delay.attempts: expected an integer ≥ 0, got "3"',
    });
    expect(errorOf(() => restartStrategyFromConfiguration({ 'restart-strategy.type': 'sometimes' })).message).toBe(
      'restart-strategy.type: unknown restart strategy "sometimes"',
    );
  });

  it('fall back to the defaults for keys missing from partial values', () => {
    expect(restartStrategyFromConfiguration({ 'restart-strategy.type': 'failure-rate' })).toEqual({
      type: 'failure-rate',
      ...RESTART_STRATEGY_DEFAULTS.failureRate,
    });
  });
});

describe('isRecoverable', () => {
  it('refuses a restart for failures the job or its state cause', () => {
    const verdict = (code?: string): boolean => isRecoverable({ name: 'FlinktsError', message: 'x', ...(code === undefined ? {} : { code }) });
    expect(['STATE_INCOMPATIBLE', 'INVALID_SNAPSHOT', 'JOB_DEFINITION', 'INVALID_GRAPH', 'CONFIG'].map(verdict)).toEqual([false, false, false, false, false]);
    expect(['USER_FUNCTION', 'SERIALIZATION', 'BACK_PRESSURE_IGNORED', 'INTERNAL', undefined].map(verdict)).toEqual([true, true, true, true, true]);
    expect(isRecoverable({ name: 'WorkerDied', message: 'slot worker 0 exited with code 1' })).toBe(true);
  });
});
