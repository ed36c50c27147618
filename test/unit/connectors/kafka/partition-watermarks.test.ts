/**
 * Per-partition watermarks of the Kafka source: the reader's watermark is the
 * minimum over its partitions that are not idle, idle partitions are left
 * out, the output is idle when every partition is (or there is none), and a
 * finished partition no longer holds the minimum back. A fake clock drives
 * idleness; expected values follow from the generator's definition
 * (bounded out-of-orderness 0: watermark = max timestamp − 1).
 */
import { describe, expect, it } from 'vitest';
import type { ReaderOutput } from '../../../../src/api/source.js';
import { Watermark } from '../../../../src/api/time.js';
import { WatermarkStrategy } from '../../../../src/api/watermark-strategy.js';
import { PartitionWatermarks } from '../../../../src/connectors/kafka/source/partition-watermarks.js';

/** Records what the reader output receives: watermarks as numbers, idleness as 'idle'/'active' (changes only). */
function recorder(): { output: ReaderOutput<unknown>; events: (number | string)[] } {
  const events: (number | string)[] = [];
  let idle = false;
  return {
    events,
    output: {
      collect: () => undefined,
      collectSide: () => undefined,
      emitWatermark: (w) => {
        idle = false;
        events.push(w);
      },
      markIdle: (value) => {
        if (value === idle) return;
        idle = value;
        events.push(value ? 'idle' : 'active');
      },
    },
  };
}

describe('PartitionWatermarks', () => {
  it('emits the minimum over partitions, only when it rises', () => {
    let now = 0;
    const wm = new PartitionWatermarks(WatermarkStrategy.forMonotonousTimestamps<unknown>(), 100, () => now);
    const { output, events } = recorder();
    wm.add('t:0');
    wm.add('t:1');
    expect(wm.onRecord('t:0', 'a', 500)).toBe(500);
    wm.onRecord('t:1', 'b', 200);
    wm.onPeriodic();
    wm.emit(output);
    wm.onRecord('t:0', 'c', 900);
    wm.onPeriodic();
    wm.emit(output); // t:1 still at 199
    wm.onRecord('t:1', 'd', 700);
    now = 50;
    wm.onPeriodic();
    wm.emit(output);
    expect(events).toEqual([199, 699]);
  });

  it('leaves idle partitions out and marks the output idle when all are idle', () => {
    let now = 0;
    const wm = new PartitionWatermarks(WatermarkStrategy.forMonotonousTimestamps<unknown>().withIdleness(1000), 100, () => now);
    const { output, events } = recorder();
    wm.add('t:0');
    wm.add('t:1');
    wm.onRecord('t:0', 'a', 5000);
    now = 600;
    wm.onRecord('t:1', 'b', 100);
    wm.onPeriodic();
    wm.emit(output); // min(4999, 99)
    now = 1200; // t:0 idle for 1200 ms, t:1 for 600 ms
    wm.onPeriodic();
    wm.emit(output); // t:1 alone: still 99, nothing new
    wm.onRecord('t:1', 'c', 300);
    wm.onPeriodic();
    wm.emit(output); // t:1 alone: 299
    now = 2500; // both idle
    wm.onPeriodic();
    wm.emit(output);
    now = 2600;
    wm.onRecord('t:0', 'd', 6000); // t:0 active again: 5999
    wm.onPeriodic();
    wm.emit(output);
    expect(events).toEqual([99, 299, 'idle', 'active', 5999]);
  });

  it('a removed (finished) partition no longer holds the minimum back; none at all is idle', () => {
    const wm = new PartitionWatermarks(WatermarkStrategy.forMonotonousTimestamps<unknown>(), 100, () => 0);
    const { output, events } = recorder();
    wm.emit(output);
    wm.add('t:0');
    wm.add('t:1');
    wm.onRecord('t:0', 'a', 10_000);
    wm.onPeriodic();
    wm.emit(output); // t:1 has seen nothing: the minimum is −∞
    wm.remove('t:1');
    wm.onPeriodic();
    wm.emit(output);
    expect(events).toEqual(['idle', 'active', 9999]);
  });

  it('runs punctuated generators per partition and uses the timestamp assigner', () => {
    const strategy = WatermarkStrategy.forGenerator<{ ts: number }>(() => ({
      onEvent: (_e, ts, out) => out.emitWatermark(new Watermark(ts)),
      onPeriodicEmit: () => undefined,
    })).withTimestampAssigner((e) => e.ts) as WatermarkStrategy<unknown>;
    const wm = new PartitionWatermarks(strategy, 0, () => 0);
    const { output, events } = recorder();
    wm.add('t:0');
    wm.add('t:1');
    expect(wm.onRecord('t:0', { ts: 40 }, 1)).toBe(40);
    wm.emit(output);
    wm.onRecord('t:1', { ts: 30 }, 1);
    wm.emit(output);
    wm.onRecord('t:1', { ts: 50 }, 1);
    wm.emit(output);
    expect(wm.periodic).toBe(false);
    expect(events).toEqual([30, 40]);
  });

  it('emits nothing without watermarks, and rejects a timestamp assigner returning a non-number', () => {
    const none = new PartitionWatermarks(WatermarkStrategy.noWatermarks<unknown>(), 100, () => 0);
    const { output, events } = recorder();
    none.add('t:0');
    expect(none.onRecord('t:0', 'x', 77)).toBe(77);
    none.onPeriodic();
    none.emit(output);
    expect(events).toEqual([]);
    const bad = new PartitionWatermarks(WatermarkStrategy.forMonotonousTimestamps<unknown>().withTimestampAssigner(() => Number.NaN), 100, () => 0);
    bad.add('orders:3');
    expect(() => bad.onRecord('orders:3', 'x', 1)).toThrow('the timestamp assigner returned NaN for a record of orders partition 3');
  });
});
