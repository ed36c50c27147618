/**
 * RestartStrategies: the factories return plain, structured-cloneable
 * configurations with durations in milliseconds, and every bad argument is a
 * JOB_DEFINITION error naming the call and the argument.
 */
import { describe, expect, it } from 'vitest';
import { checkRestartStrategy } from '../../../src/api/restart-strategy.js';
import { RestartStrategies, Time, type RestartStrategyConfiguration } from '../../../src/index.js';

/** Passes a value the types forbid, as plain JavaScript could. */
const bad = (value: unknown): never => value as never;

function definitionError(call: () => unknown): { code: string; message: string } {
  try {
    call();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error('no error was thrown');
}

describe('RestartStrategies factories', () => {
  it('noRestart', () => {
    expect(RestartStrategies.noRestart()).toEqual({ type: 'none' });
  });

  it('fixedDelayRestart takes Time or milliseconds', () => {
    expect(RestartStrategies.fixedDelayRestart(3, Time.seconds(10))).toEqual({ type: 'fixed-delay', restartAttempts: 3, delayMs: 10_000 });
    expect(RestartStrategies.fixedDelayRestart(0, 0)).toEqual({ type: 'fixed-delay', restartAttempts: 0, delayMs: 0 });
  });

  it('failureRateRestart', () => {
    expect(RestartStrategies.failureRateRestart(3, Time.minutes(5), Time.seconds(10))).toEqual({
      type: 'failure-rate',
      maxFailuresPerInterval: 3,
      failureIntervalMs: 300_000,
      delayMs: 10_000,
    });
  });

  it('exponentialDelayRestart, with and without an attempt limit', () => {
    expect(RestartStrategies.exponentialDelayRestart(Time.milliseconds(1), Time.milliseconds(1000), 1.1, Time.seconds(2), 0.1)).toEqual({
      type: 'exponential-delay',
      initialBackoffMs: 1,
      maxBackoffMs: 1000,
      backoffMultiplier: 1.1,
      resetBackoffThresholdMs: 2000,
      jitterFactor: 0.1,
      attemptsBeforeResetBackoff: 2_147_483_647,
    });
    expect(RestartStrategies.exponentialDelayRestart(1000, 1000, 2, 60_000, 0, 5)).toMatchObject({ maxBackoffMs: 1000, jitterFactor: 0, attemptsBeforeResetBackoff: 5 });
  });

  it('returns plain data that survives structuredClone and JSON', () => {
    const all: RestartStrategyConfiguration[] = [
      RestartStrategies.noRestart(),
      RestartStrategies.fixedDelayRestart(3, Time.seconds(1)),
      RestartStrategies.failureRateRestart(1, Time.minutes(1), Time.seconds(1)),
      RestartStrategies.exponentialDelayRestart(Time.seconds(1), Time.minutes(1), 1.5, Time.hours(1), 0.1),
    ];
    for (const configuration of all) {
      expect(structuredClone(configuration)).toEqual(configuration);
      expect(JSON.parse(JSON.stringify(configuration))).toEqual(configuration);
    }
  });
});

describe('RestartStrategies argument errors', () => {
  const F = 'RestartStrategies.fixedDelayRestart';
  const R = 'RestartStrategies.failureRateRestart';
  const E = 'RestartStrategies.exponentialDelayRestart';
  const cases: [string, () => unknown, string][] = [
    ['negative attempts', () => RestartStrategies.fixedDelayRestart(-1, 1000), `${F}: restartAttempts must be a whole number ≥ 0, got -1`],
    ['fractional attempts', () => RestartStrategies.fixedDelayRestart(1.5, 1000), `${F}: restartAttempts must be a whole number ≥ 0, got 1.5`],
    ['infinite attempts', () => RestartStrategies.fixedDelayRestart(Infinity, 1000), `${F}: restartAttempts must be a whole number ≥ 0, got Infinity`],
    ['negative delay', () => RestartStrategies.fixedDelayRestart(1, Time.seconds(-1)), `${F}: delay must be a duration ≥ 0 ms (Time or milliseconds), got -1000 ms`],
    ['delay of the wrong type', () => RestartStrategies.fixedDelayRestart(1, bad('10 s')), `${F}: delay must be a duration ≥ 0 ms (Time or milliseconds), got '10 s'`],
    ['zero failures per interval', () => RestartStrategies.failureRateRestart(0, 60_000, 1000), `${R}: maxFailuresPerInterval must be a whole number ≥ 1, got 0`],
    ['zero interval', () => RestartStrategies.failureRateRestart(1, 0, 1000), `${R}: failureInterval must be a duration ≥ 1 ms (Time or milliseconds), got 0`],
    ['NaN delay', () => RestartStrategies.failureRateRestart(1, 1000, NaN), `${R}: delay must be a duration ≥ 0 ms (Time or milliseconds), got NaN`],
    ['zero initial backoff', () => RestartStrategies.exponentialDelayRestart(0, 1000, 2, 1000, 0), `${E}: initialBackoff must be a duration ≥ 1 ms (Time or milliseconds), got 0`],
    ['initial above max', () => RestartStrategies.exponentialDelayRestart(Time.seconds(2), Time.seconds(1), 2, 1000, 0), `${E}: initialBackoff (2000 ms) must not exceed maxBackoff (1000 ms)`],
    ['multiplier below 1', () => RestartStrategies.exponentialDelayRestart(1000, 2000, 0.5, 1000, 0), `${E}: backoffMultiplier must be a number > 1, got 0.5`],
    ['multiplier of 1', () => RestartStrategies.exponentialDelayRestart(1000, 2000, 1, 1000, 0), `${E}: backoffMultiplier must be a number > 1, got 1`],
    ['zero reset threshold', () => RestartStrategies.exponentialDelayRestart(1000, 2000, 2, 0, 0), `${E}: resetBackoffThreshold must be a duration ≥ 1 ms (Time or milliseconds), got 0`],
    ['jitter below 0', () => RestartStrategies.exponentialDelayRestart(1000, 2000, 2, 1000, -0.1), `${E}: jitterFactor must be a number from 0 to 1, got -0.1`],
    ['jitter above 1', () => RestartStrategies.exponentialDelayRestart(1000, 2000, 2, 1000, 1.5), `${E}: jitterFactor must be a number from 0 to 1, got 1.5`],
    ['jitter NaN', () => RestartStrategies.exponentialDelayRestart(1000, 2000, 2, 1000, NaN), `${E}: jitterFactor must be a number from 0 to 1, got NaN`],
    ['zero attempts before reset', () => RestartStrategies.exponentialDelayRestart(1000, 2000, 2, 1000, 0, 0), `${E}: attemptsBeforeResetBackoff must be a whole number ≥ 1, got 0`],
  ];

  it.each(cases)('%s', (_name, call, message) => {
    expect(definitionError(call)).toEqual({ code: 'JOB_DEFINITION', message });
  });

  it('accepts the bounds themselves', () => {
    expect(() => RestartStrategies.exponentialDelayRestart(1, 1, 1.0001, 1, 1, 1)).not.toThrow();
    expect(() => RestartStrategies.exponentialDelayRestart(1, 1, 2, 1, 0)).not.toThrow();
  });
});

describe('checkRestartStrategy', () => {
  it('returns a plain copy of a valid configuration', () => {
    const literal = { type: 'fixed-delay', restartAttempts: 2, delayMs: 500 } as const;
    const checked = checkRestartStrategy('env.setRestartStrategy', literal);
    expect(checked).toEqual(literal);
    expect(checked).not.toBe(literal);
  });

  it('names the call and the field', () => {
    const call = 'env.setRestartStrategy';
    expect(definitionError(() => checkRestartStrategy(call, { type: 'fixed-delay', restartAttempts: -2, delayMs: 0 }))).toEqual({
      code: 'JOB_DEFINITION',
      message: `${call}: restartAttempts must be a whole number ≥ 0, got -2`,
    });
    expect(definitionError(() => checkRestartStrategy(call, { type: 'failure-rate', maxFailuresPerInterval: 1, delayMs: 0 })).message).toBe(
      `${call}: failureIntervalMs must be a number of milliseconds ≥ 1, got undefined`,
    );
    expect(definitionError(() => checkRestartStrategy(call, { type: 'exponential', initialBackoffMs: 1 })).message).toBe(
      `${call}: unknown restart strategy type 'exponential': expected 'none', 'fixed-delay', 'failure-rate' or 'exponential-delay'`,
    );
    expect(definitionError(() => checkRestartStrategy(call, 3)).message).toBe(`${call}: expected a restart strategy from RestartStrategies, got 3`);
    expect(definitionError(() => checkRestartStrategy(call, null)).message).toBe(`${call}: expected a restart strategy from RestartStrategies, got null`);
  });
});
