/**
 * State time-to-live on a manual processing-time clock, with Flink's rule:
 * an entry last stamped at `t` is expired at `now` when `t + ttl <= now`.
 * Every expected value follows from the clock moves written in the test.
 */
import { describe, expect, it } from 'vitest';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../../../src/api/state.js';
import {
  AVERAGE,
  backendWithClock,
  stateOf,
  type AnyAggregatingState,
  type AnyListState,
  type AnyMapState,
  type AnyReducingState,
  type AnyValueState,
} from './helpers.js';

const TTL = 100;

function ttl(configure: (b: ReturnType<typeof StateTtlConfig.newBuilder>) => unknown = () => undefined): StateTtlConfig {
  const builder = StateTtlConfig.newBuilder(TTL);
  configure(builder);
  return builder.build();
}

describe('ValueState with a TTL', () => {
  it('OnCreateAndWrite: reads do not extend the life; the value expires ttl after the last write', () => {
    const { backend, clock } = backendWithClock();
    const v: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('v').enableTimeToLive(ttl()));
    backend.setCurrentKey('k');
    v.update('x'); // stamped at 0
    clock.now = 60;
    expect(v.value()).toBe('x');
    clock.now = 99;
    expect(v.value()).toBe('x');
    clock.now = 100; // 0 + 100 <= 100
    expect(v.value()).toBeUndefined();
    expect(backend.tableOf('v')!.size).toBe(0);
  });

  it('a write restamps the value', () => {
    const { backend, clock } = backendWithClock();
    const v: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('v').enableTimeToLive(ttl()));
    backend.setCurrentKey('k');
    v.update(1);
    clock.now = 80;
    v.update(2); // stamped at 80
    clock.now = 179;
    expect(v.value()).toBe(2);
    clock.now = 180;
    expect(v.value()).toBeUndefined();
  });

  it('OnReadAndWrite: every read restamps the value', () => {
    const { backend, clock } = backendWithClock();
    const v: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('v').enableTimeToLive(ttl((b) => b.updateTtlOnReadAndWrite())));
    backend.setCurrentKey('k');
    v.update('x'); // 0
    clock.now = 60;
    expect(v.value()).toBe('x'); // restamped at 60
    clock.now = 159;
    expect(v.value()).toBe('x'); // restamped at 159
    clock.now = 258;
    expect(v.value()).toBe('x'); // restamped at 258
    clock.now = 358;
    expect(v.value()).toBeUndefined();
  });

  it('NeverReturnExpired gives the default; ReturnExpiredIfNotCleanedUp gives the expired value once, then cleans it', () => {
    const { backend, clock } = backendWithClock();
    const never: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('never', -1).enableTimeToLive(ttl((b) => b.neverReturnExpired())));
    const stale: AnyValueState<number> = stateOf(
      backend,
      new ValueStateDescriptor<number>('stale').enableTimeToLive(ttl((b) => b.returnExpiredIfNotCleanedUp())),
    );
    backend.setCurrentKey('k');
    never.update(7);
    stale.update(7);
    clock.now = 150;
    expect(never.value()).toBe(-1);
    expect(stale.value()).toBe(7);
    expect(stale.value()).toBeUndefined();
  });

  it('setUpdateType(Disabled) turns the TTL off', () => {
    const { backend, clock } = backendWithClock();
    const v: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('v').enableTimeToLive(ttl((b) => b.setUpdateType('Disabled'))));
    backend.setCurrentKey('k');
    v.update(1);
    clock.now = 10_000;
    expect(v.value()).toBe(1);
  });

  it('expires per key and per namespace', () => {
    const { backend, clock } = backendWithClock();
    const v: AnyValueState<string> = stateOf(backend, new ValueStateDescriptor<string>('v').enableTimeToLive(ttl()));
    backend.setCurrentKey('a');
    v.update('a@0');
    clock.now = 50;
    backend.setCurrentKey('b');
    v.update('b@50');
    v.setCurrentNamespace('w');
    v.update('b/w@50');
    clock.now = 120;
    v.setCurrentNamespace('');
    backend.setCurrentKey('a');
    expect(v.value()).toBeUndefined();
    backend.setCurrentKey('b');
    expect(v.value()).toBe('b@50');
    v.setCurrentNamespace('w');
    expect(v.value()).toBe('b/w@50');
  });
});

describe('ListState with a TTL: elements expire one by one', () => {
  it('drops each element ttl after it was added', () => {
    const { backend, clock } = backendWithClock();
    const l: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('l').enableTimeToLive(ttl()));
    backend.setCurrentKey('k');
    l.add('a'); // 0
    clock.now = 50;
    l.addAll(['b', 'c']); // 50
    clock.now = 99;
    expect([...l.get()]).toEqual(['a', 'b', 'c']);
    clock.now = 100;
    expect([...l.get()]).toEqual(['b', 'c']);
    l.add('d'); // 100
    clock.now = 150;
    expect([...l.get()]).toEqual(['d']);
    clock.now = 200;
    expect([...l.get()]).toEqual([]);
    expect(backend.tableOf('l')!.size).toBe(0);
  });

  it('update stamps every element with the time of the update', () => {
    const { backend, clock } = backendWithClock();
    const l: AnyListState<number> = stateOf(backend, new ListStateDescriptor<number>('l').enableTimeToLive(ttl()));
    backend.setCurrentKey('k');
    l.add(1);
    clock.now = 90;
    l.update([2, 3]);
    clock.now = 189;
    expect([...l.get()]).toEqual([2, 3]);
    clock.now = 190;
    expect([...l.get()]).toEqual([]);
  });

  it('OnReadAndWrite restamps the live elements on every read', () => {
    const { backend, clock } = backendWithClock();
    const l: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('l').enableTimeToLive(ttl((b) => b.updateTtlOnReadAndWrite())));
    backend.setCurrentKey('k');
    l.add('a'); // 0
    clock.now = 50;
    l.add('b'); // 50
    clock.now = 90;
    expect([...l.get()]).toEqual(['a', 'b']); // both restamped at 90
    clock.now = 189;
    expect([...l.get()]).toEqual(['a', 'b']); // restamped at 189
    clock.now = 289;
    expect([...l.get()]).toEqual([]);
  });

  it('ReturnExpiredIfNotCleanedUp returns the expired elements on the read that cleans them', () => {
    const { backend, clock } = backendWithClock();
    const l: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('l').enableTimeToLive(ttl((b) => b.returnExpiredIfNotCleanedUp())));
    backend.setCurrentKey('k');
    l.add('a'); // 0
    clock.now = 50;
    l.add('b'); // 50
    clock.now = 100;
    expect([...l.get()]).toEqual(['a', 'b']);
    expect([...l.get()]).toEqual(['b']);
  });
});

describe('MapState, ReducingState and AggregatingState with a TTL', () => {
  it('MapState: the map expires ttl after its last write', () => {
    const { backend, clock } = backendWithClock();
    const m: AnyMapState<string, number> = stateOf(backend, new MapStateDescriptor<string, number>('m').enableTimeToLive(ttl()));
    backend.setCurrentKey('k');
    m.put('a', 1);
    clock.now = 99;
    expect(m.get('a')).toBe(1);
    clock.now = 100;
    expect(m.get('a')).toBeUndefined();
    expect(m.isEmpty()).toBe(true);
  });

  it('ReducingState: an expired value is not reduced into a new one', () => {
    const { backend, clock } = backendWithClock();
    const never: AnyReducingState<number> = stateOf(backend, new ReducingStateDescriptor<number>('never', (a, b) => a + b).enableTimeToLive(ttl()));
    backend.setCurrentKey('k');
    never.add(5); // 0
    clock.now = 50;
    never.add(1); // 6 @ 50
    clock.now = 149;
    expect(never.get()).toBe(6);
    clock.now = 150;
    never.add(2);
    expect(never.get()).toBe(2);
  });

  it('ReturnExpiredIfNotCleanedUp only affects reads: writes never start from an expired value', () => {
    const { backend, clock } = backendWithClock();
    const visible = ttl((b) => b.returnExpiredIfNotCleanedUp());
    const sum: AnyReducingState<number> = stateOf(backend, new ReducingStateDescriptor<number>('sum', (a, b) => a + b).enableTimeToLive(visible));
    const avg: AnyAggregatingState<number, number> = stateOf(backend, new AggregatingStateDescriptor('avg', AVERAGE).enableTimeToLive(visible));
    const map: AnyMapState<string, number> = stateOf(backend, new MapStateDescriptor<string, number>('map').enableTimeToLive(visible));
    backend.setCurrentKey('k');
    sum.add(5);
    avg.add(10);
    map.put('old', 1);
    clock.now = 100;
    sum.add(1);
    avg.add(2);
    map.put('new', 2);
    expect(sum.get()).toBe(1);
    expect(avg.get()).toBe(2);
    expect([...map.entries()]).toEqual([['new', 2]]);
  });

  it('AggregatingState: the accumulator expires as a whole', () => {
    const { backend, clock } = backendWithClock();
    const avg: AnyAggregatingState<number, number> = stateOf(backend, new AggregatingStateDescriptor('avg', AVERAGE).enableTimeToLive(ttl()));
    backend.setCurrentKey('k');
    avg.add(4);
    avg.add(8);
    clock.now = 99;
    expect(avg.get()).toBe(6);
    clock.now = 100;
    expect(avg.get()).toBeUndefined();
  });
});

describe('incremental cleanup', () => {
  /** Keys a, b, c written at 0 and d at 50, then key d read at 120 (a, b, c expired, d not). */
  function scenario(cleanupSize: number | undefined): { size: () => number; readD: () => number | undefined; readNew: () => number | undefined } {
    const { backend, clock } = backendWithClock();
    const config = ttl((b) => (cleanupSize === undefined ? b : b.cleanupIncrementally(cleanupSize)));
    const v: AnyValueState<number> = stateOf(backend, new ValueStateDescriptor<number>('v').enableTimeToLive(config));
    for (const key of ['a', 'b', 'c']) {
      backend.setCurrentKey(key);
      v.update(1);
    }
    clock.now = 50;
    backend.setCurrentKey('d');
    v.update(2);
    clock.now = 120;
    return {
      size: () => backend.tableOf('v')!.size,
      readD: () => {
        backend.setCurrentKey('d');
        return v.value();
      },
      readNew: () => {
        backend.setCurrentKey('never-seen');
        return v.value();
      },
    };
  }

  it('without it, expired entries of other keys stay until their key is read', () => {
    const s = scenario(undefined);
    expect(s.readD()).toBe(2);
    expect(s.size()).toBe(4);
  });

  it('inspects the configured number of other entries per access, in turn', () => {
    const s = scenario(2);
    expect(s.readD()).toBe(2); // inspects a, b: both expired
    expect(s.size()).toBe(2);
    expect(s.readD()).toBe(2); // inspects c (expired), d (live)
    expect(s.size()).toBe(1);
  });

  it('also runs when the accessed key has no state (each key seen once, as in deduplication)', () => {
    const s = scenario(10);
    expect(s.readNew()).toBeUndefined();
    expect(s.size()).toBe(1);
  });

  it('removes list elements that expired under other keys', () => {
    const { backend, clock } = backendWithClock();
    const l: AnyListState<string> = stateOf(backend, new ListStateDescriptor<string>('l').enableTimeToLive(ttl((b) => b.cleanupIncrementally(5))));
    backend.setCurrentKey('old');
    l.add('x'); // 0
    backend.setCurrentKey('other');
    l.add('z'); // 0
    clock.now = 60;
    backend.setCurrentKey('old');
    l.add('y'); // 60
    clock.now = 130; // 'x' and 'z' expired, 'y' live
    backend.setCurrentKey('reader');
    expect([...l.get()]).toEqual([]);
    const table = backend.tableOf('l')!;
    expect(table.size).toBe(1);
    expect((table.entry('old')!.value.get('') as unknown[]).length).toBe(1);
    backend.setCurrentKey('old');
    expect([...l.get()]).toEqual(['y']);
  });
});
