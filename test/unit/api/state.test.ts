/** State descriptors and StateTtlConfig as a job author builds them (Flink's defaults, validation). */
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../../src/api/state.js';
import { Time } from '../../../src/api/time.js';

function definitionError(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('JOB_DEFINITION');
    return (error as Error).message;
  }
  throw new Error('expected a JOB_DEFINITION error');
}

describe('StateTtlConfig', () => {
  it("has Flink's defaults: OnCreateAndWrite, NeverReturnExpired, no cleanup strategy", () => {
    const config = StateTtlConfig.newBuilder(Time.minutes(5)).build();
    expect(config).toMatchObject({
      ttlMs: 300_000,
      updateType: 'OnCreateAndWrite',
      stateVisibility: 'NeverReturnExpired',
      cleanupFullSnapshot: false,
      incrementalCleanupSize: 0,
    });
  });

  it('records every builder option', () => {
    const config = StateTtlConfig.newBuilder(250)
      .updateTtlOnReadAndWrite()
      .returnExpiredIfNotCleanedUp()
      .cleanupFullSnapshot()
      .cleanupIncrementally(7)
      .build();
    expect(config).toMatchObject({
      ttlMs: 250,
      updateType: 'OnReadAndWrite',
      stateVisibility: 'ReturnExpiredIfNotCleanedUp',
      cleanupFullSnapshot: true,
      incrementalCleanupSize: 7,
    });
    const back = StateTtlConfig.newBuilder(1).updateTtlOnReadAndWrite().updateTtlOnCreateAndWrite().returnExpiredIfNotCleanedUp().neverReturnExpired().build();
    expect([back.updateType, back.stateVisibility]).toEqual(['OnCreateAndWrite', 'NeverReturnExpired']);
  });

  it.each([
    ['a zero TTL', () => StateTtlConfig.newBuilder(0), 'StateTtlConfig.newBuilder: the time-to-live must be positive, got 0 ms'],
    ['a negative TTL', () => StateTtlConfig.newBuilder(Time.seconds(-1)), 'StateTtlConfig.newBuilder: the time-to-live must be positive, got -1000 ms'],
    ['a NaN TTL', () => StateTtlConfig.newBuilder(Number.NaN), /^StateTtlConfig\.newBuilder: expected a duration/],
    ['a zero cleanup size', () => StateTtlConfig.newBuilder(10).cleanupIncrementally(0), 'cleanupIncrementally: the cleanup size must be a positive integer'],
    ['a fractional cleanup size', () => StateTtlConfig.newBuilder(10).cleanupIncrementally(1.5), 'cleanupIncrementally: the cleanup size must be a positive integer'],
  ])('%s is a JOB_DEFINITION error naming the call', (_, call, expected) => {
    const message = definitionError(call);
    if (typeof expected === 'string') expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });
});

describe('state descriptors', () => {
  it('carry their kind, name, default and TTL', () => {
    const ttl = StateTtlConfig.newBuilder(1000).build();
    const value = new ValueStateDescriptor<number>('count', 0).enableTimeToLive(ttl);
    expect([value.kind, value.name, value.defaultValue, value.getTtlConfig()]).toEqual(['value', 'count', 0, ttl]);
    expect(new ListStateDescriptor<string>('l').kind).toBe('list');
    expect(new MapStateDescriptor<string, number>('m').kind).toBe('map');
    const reduce = (a: number, b: number): number => a + b;
    const reducing = new ReducingStateDescriptor<number>('r', reduce);
    expect([reducing.kind, reducing.reduceFunction]).toEqual(['reducing', reduce]);
    const aggregating = new AggregatingStateDescriptor('a', { createAccumulator: () => 0, add: (v: number, acc: number) => acc + v, getResult: (acc) => acc, merge: (x, y) => x + y });
    expect(aggregating.kind).toBe('aggregating');
    expect(new ListStateDescriptor<string>('l').getTtlConfig()).toBeUndefined();
  });

  it.each([
    ['ValueStateDescriptor', () => new ValueStateDescriptor('')],
    ['ListStateDescriptor', () => new ListStateDescriptor('')],
    ['MapStateDescriptor', () => new MapStateDescriptor(undefined as never)],
  ])('new %s without a name is a JOB_DEFINITION error naming the class', (name, call) => {
    expect(definitionError(call)).toBe(`new ${name}: the state name must be a non-empty string`);
  });
});
