/**
 * The broadcast operators driven directly. Input 1 is the non-broadcast side
 * (read-only broadcast state), input 2 the broadcast side (writable state).
 * Expected outputs are worked out by hand from the rules each test states.
 */
import { describe, expect, it } from 'vitest';
import {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  type BroadcastContext,
  type BroadcastReadOnlyContext,
  type KeyedBroadcastContext,
  type KeyedBroadcastOnTimerContext,
  type KeyedBroadcastReadOnlyContext,
} from '../../../../src/api/co-functions.js';
import type { Collector } from '../../../../src/api/functions.js';
import { OutputTag } from '../../../../src/api/output-tag.js';
import { MapStateDescriptor, ValueStateDescriptor, type ValueState } from '../../../../src/api/state.js';
import { CoBroadcastWithKeyedOperator } from '../../../../src/runtime/operators/broadcast/co-broadcast-keyed-operator.js';
import { CoBroadcastWithNonKeyedOperator } from '../../../../src/runtime/operators/broadcast/co-broadcast-operator.js';
import { harness } from './harness.js';

const RULES = new MapStateDescriptor<string, number>('rules');
const UNKNOWN = new OutputTag<string>('unknown');

interface Rule {
  name: string;
  limit: number | null;
}

/** Checks numbers against named limits; rules arrive on the broadcast side (`limit: null` removes one). */
class Limits extends BroadcastProcessFunction<[string, number], Rule, string> {
  processElement([rule, n]: [string, number], ctx: BroadcastReadOnlyContext, out: Collector<string>): void {
    const limit = ctx.getBroadcastState(RULES).get(rule);
    if (limit === undefined) ctx.output(UNKNOWN, `${rule}:${n}`);
    else out.collect(`${rule}:${n} ${n > limit ? 'over' : 'ok'} (limit ${limit}, wm ${ctx.currentWatermark()})`);
  }

  processBroadcastElement(r: Rule, ctx: BroadcastContext, out: Collector<string>): void {
    const state = ctx.getBroadcastState(RULES);
    if (r.limit === null) state.remove(r.name);
    else state.put(r.name, r.limit);
    out.collect(`rules ${JSON.stringify([...state.entries()])} @${ctx.timestamp()}`);
  }
}

describe('CoBroadcastWithNonKeyedOperator', () => {
  it('applies the rules known when an element arrives; unknown rules go to the side output', async () => {
    const { op, out } = await harness((c) => new CoBroadcastWithNonKeyedOperator(new Limits(), [RULES], c));
    op.processElement1(['max', 5], 1); // before any rule
    op.processElement2({ name: 'max', limit: 3 }, 2);
    op.processElement1(['max', 5], 3);
    op.processElement1(['max', 2], 4);
    op.processElement2({ name: 'max', limit: 10 }, 5); // replaced
    op.processElement2({ name: 'min', limit: 1 }, 6);
    op.processElement1(['max', 5], 7);
    op.processElement2({ name: 'max', limit: null }, 8); // removed
    op.processElement1(['max', 5], 9);
    expect(out.take()).toEqual([
      '[unknown] max:5 @1',
      'rules [["max",3]] @2 @2',
      'max:5 over (limit 3, wm -Infinity) @3',
      'max:2 ok (limit 3, wm -Infinity) @4',
      'rules [["max",10]] @5 @5',
      'rules [["max",10],["min",1]] @6 @6',
      'max:5 ok (limit 10, wm -Infinity) @7',
      'rules [["min",1]] @8 @8',
      '[unknown] max:5 @9',
    ]);
    expect(op.broadcastContents()).toEqual(new Map([['rules', new Map([['min', 1]])]]));
  });

  it('writing broadcast state in processElement fails, naming the operator and where to write', async () => {
    class Writer extends BroadcastProcessFunction<string, string, string> {
      processElement(value: string, ctx: BroadcastReadOnlyContext): void {
        (ctx.getBroadcastState(RULES) as unknown as { put(k: string, v: number): void }).put(value, 1);
      }
      processBroadcastElement(): void {}
    }
    const { op } = await harness((c) => new CoBroadcastWithNonKeyedOperator(new Writer(), [RULES], c), { name: 'Co-Process-Broadcast' });
    expect(() => op.processElement1('x', 1)).toThrow(
      "Co-Process-Broadcast: broadcast state 'rules' is read-only in processElement (put() called); update it in processBroadcastElement",
    );
  });

  it('asking for a state not given to broadcast(...) fails, listing the known ones', async () => {
    class Asker extends BroadcastProcessFunction<string, string, string> {
      processElement(): void {}
      processBroadcastElement(_v: string, ctx: BroadcastContext): void {
        ctx.getBroadcastState(new MapStateDescriptor<string, string>('typo'));
      }
    }
    const { op } = await harness((c) => new CoBroadcastWithNonKeyedOperator(new Asker(), [RULES], c), { name: 'B' });
    expect(() => op.processElement2('x', 1)).toThrow("B: no broadcast state 'typo'; give its descriptor to broadcast(...) (this broadcast stream has 'rules')");
  });
});

interface Reading {
  sensor: string;
  value: number;
}

/**
 * Per sensor: counts readings in keyed state, flags readings over the
 * broadcast threshold, and registers an event-time timer at ts + 5 that
 * reports the count. A broadcast `reset` clears every sensor's count
 * (applyToKeyedState) and reports the counts it saw.
 */
class Thresholds extends KeyedBroadcastProcessFunction<string, Reading, { threshold?: number; reset?: boolean }, string> {
  private count!: ValueState<number>;
  private readonly countDescriptor = new ValueStateDescriptor<number>('count', 0);

  override open(): void {
    this.count = this.getRuntimeContext().getState(this.countDescriptor);
  }

  processElement(r: Reading, ctx: KeyedBroadcastReadOnlyContext<string>, out: Collector<string>): void {
    this.count.update(this.count.value()! + 1);
    const threshold = ctx.getBroadcastState(RULES).get('threshold');
    if (threshold !== undefined && r.value > threshold) out.collect(`${ctx.getCurrentKey()} over ${threshold}: ${r.value}`);
    ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 5);
  }

  processBroadcastElement(rule: { threshold?: number; reset?: boolean }, ctx: KeyedBroadcastContext<string>, out: Collector<string>): void {
    if (rule.threshold !== undefined) ctx.getBroadcastState(RULES).put('threshold', rule.threshold);
    if (rule.reset === true) {
      const seen: string[] = [];
      ctx.applyToKeyedState(this.countDescriptor, (key, state) => {
        seen.push(`${key}=${state.value()}`);
        state.clear();
      });
      out.collect(`reset ${seen.sort().join(',')}`);
    }
  }

  override onTimer(timestamp: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
    out.collect(`timer ${ctx.getCurrentKey()}@${timestamp} ${ctx.timeDomain()} count=${this.count.value()} threshold=${ctx.getBroadcastState(RULES).get('threshold')}`);
  }
}

describe('CoBroadcastWithKeyedOperator', () => {
  const keyed = { key1: (r: Reading) => r.sensor };

  it('reads broadcast rules per keyed element, keeps keyed state, fires timers on the combined watermark', async () => {
    const { op, out } = await harness((c) => new CoBroadcastWithKeyedOperator(new Thresholds(), [RULES], c), keyed);
    op.processElement1({ sensor: 's1', value: 50 }, 1); // no threshold yet; timer s1@6
    op.processElement2({ threshold: 40 }, 2);
    op.processElement1({ sensor: 's1', value: 45 }, 3); // timer s1@8
    op.processElement1({ sensor: 's2', value: 30 }, 4); // timer s2@9
    op.processWatermark1(8); // the broadcast input holds the watermark back
    expect(out.take()).toEqual(['s1 over 40: 45 @3']);
    op.processWatermark2(100); // combined 8: timers at 6 and 8 fire
    expect(out.take()).toEqual(['timer s1@6 EVENT_TIME count=2 threshold=40 @6', 'timer s1@8 EVENT_TIME count=2 threshold=40 @8', 'wm:8']);
  });

  it('applyToKeyedState visits every key with state on this instance', async () => {
    const { op, out } = await harness((c) => new CoBroadcastWithKeyedOperator(new Thresholds(), [RULES], c), keyed);
    op.processElement1({ sensor: 'a', value: 1 }, 1);
    op.processElement1({ sensor: 'b', value: 1 }, 2);
    op.processElement1({ sensor: 'a', value: 1 }, 3);
    op.processElement2({ reset: true }, 4);
    op.processElement1({ sensor: 'a', value: 1 }, 5);
    op.processElement2({ reset: true }, 6);
    expect(out.take()).toEqual(['reset a=2,b=1 @4', 'reset a=1 @6']);
  });
});
