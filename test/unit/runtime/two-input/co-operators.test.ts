/**
 * CoStreamMap, CoStreamFlatMap and CoProcessOperator driven directly.
 * Expected outputs are worked out by hand: results keep the input record's
 * timestamp; keyed state is shared by both inputs per key; timers fire as the
 * combined watermark (the minimum of both inputs) passes them.
 */
import { describe, expect, it } from 'vitest';
import {
  CoProcessFunction,
  KeyedCoProcessFunction,
  RichCoMapFunction,
  type CoProcessFunctionContext,
  type KeyedCoProcessFunctionContext,
  type KeyedCoProcessFunctionOnTimerContext,
} from '../../../../src/api/co-functions.js';
import { FlinktsError } from '../../../../src/api/errors.js';
import type { Collector } from '../../../../src/api/functions.js';
import { OutputTag } from '../../../../src/api/output-tag.js';
import { ValueStateDescriptor, type ValueState } from '../../../../src/api/state.js';
import { CoProcessOperator } from '../../../../src/runtime/operators/two-input/co-process-operator.js';
import { CoStreamFlatMap, CoStreamMap } from '../../../../src/runtime/operators/two-input/co-stream-operators.js';
import { harness } from './harness.js';

describe('CoStreamMap', () => {
  it('calls map1 for input 1 and map2 for input 2, keeping timestamps', async () => {
    const { op, out } = await harness((c) => new CoStreamMap({ map1: (n: number) => `one:${n * 2}`, map2: (s: string) => `two:${s.toUpperCase()}` }, c));
    op.processElement1(3, 10);
    op.processElement2('x', undefined);
    op.processElement1(4, 11);
    expect(out.take()).toEqual(['one:6 @10', 'two:X @undefined', 'one:8 @11']);
  });

  it('opens and closes a rich function with its runtime context', async () => {
    const events: string[] = [];
    class Rich extends RichCoMapFunction<number, number, string> {
      override open(): void {
        events.push(`open ${this.getRuntimeContext().getTaskName()}`);
      }
      override close(): void {
        events.push('close');
      }
      map1(n: number): string {
        return `a${n}`;
      }
      map2(n: number): string {
        return `b${n}`;
      }
    }
    const { op, out } = await harness((c) => new CoStreamMap(new Rich(), c), { name: 'Co-Map' });
    op.processElement2(1, 5);
    await op.close();
    expect(events).toEqual(['open Co-Map', 'close']);
    expect(out.take()).toEqual(['b1 @5']);
  });
});

describe('CoStreamFlatMap', () => {
  it('emits through the collector or a returned iterable, with the input timestamp', async () => {
    const fn = {
      flatMap1: (line: string, out: Collector<string>) => {
        for (const w of line.split(' ')) out.collect(w);
      },
      flatMap2: (n: number) => Array.from({ length: n }, (_, i) => `#${i}`),
    };
    const { op, out } = await harness((c) => new CoStreamFlatMap(fn, c));
    op.processElement1('a b', 7);
    op.processElement2(2, 8);
    op.processElement2(0, 9);
    expect(out.take()).toEqual(['a @7', 'b @7', '#0 @8', '#1 @8']);
  });
});

const ALERTS = new OutputTag<string>('alerts');

/** Non-keyed: routes negative numbers of input 1 and empty strings of input 2 to a side output. */
class Router extends CoProcessFunction<number, string, string> {
  processElement1(n: number, ctx: CoProcessFunctionContext, out: Collector<string>): void {
    if (n < 0) ctx.output(ALERTS, `negative ${n}`);
    else out.collect(`n=${n} ts=${ctx.timestamp()} wm=${ctx.timerService().currentWatermark()}`);
  }
  processElement2(s: string, ctx: CoProcessFunctionContext, out: Collector<string>): void {
    if (s === '') ctx.output(ALERTS, 'empty');
    else out.collect(`s=${s}`);
  }
}

describe('CoProcessOperator (non-keyed)', () => {
  it('gives timestamps and the combined watermark, and routes side outputs with the element timestamp', async () => {
    const { op, out } = await harness((c) => new CoProcessOperator(new Router(), c));
    op.processElement1(5, 100);
    op.processWatermark1(50);
    op.processWatermark2(40);
    op.processElement1(-1, 101);
    op.processElement2('', 102);
    op.processElement2('ok', 103);
    op.processElement1(6, 104);
    expect(out.take()).toEqual(['n=5 ts=100 wm=-Infinity @100', 'wm:40', '[alerts] negative -1 @101', '[alerts] empty @102', 's=ok @103', 'n=6 ts=104 wm=40 @104']);
  });

  it('registering a timer on non-keyed inputs fails, naming the operator', async () => {
    class Timed extends CoProcessFunction<number, number, string> {
      processElement1(_n: number, ctx: CoProcessFunctionContext): void {
        ctx.timerService().registerEventTimeTimer(10);
      }
      processElement2(): void {}
    }
    const { op } = await harness((c) => new CoProcessOperator(new Timed(), c), { name: 'Co-Process' });
    expect(() => op.processElement1(1, 1)).toThrow(FlinktsError);
    expect(() => op.processElement1(1, 1)).toThrow(
      'Co-Process: setting timers is only supported on keyed streams; connect two keyed streams, e.g. connect(...).keyBy(key1, key2)',
    );
  });
});

interface Order {
  id: string;
  amount: number;
}
interface Payment {
  order: string;
  paid: number;
}

/**
 * Matches orders (input 1) with payments (input 2) by order id: whichever
 * arrives first is kept in keyed state; an order registers an event-time
 * timeout 10 after its timestamp, a processing-time reminder 500 later.
 */
class Matcher extends KeyedCoProcessFunction<string, Order, Payment, string> {
  private order!: ValueState<Order & { timeout: number }>;
  private payment!: ValueState<Payment>;

  override open(): void {
    this.order = this.getRuntimeContext().getState(new ValueStateDescriptor<Order & { timeout: number }>('order'));
    this.payment = this.getRuntimeContext().getState(new ValueStateDescriptor<Payment>('payment'));
  }

  processElement1(o: Order, ctx: KeyedCoProcessFunctionContext<string>, out: Collector<string>): void {
    const p = this.payment.value();
    if (p !== undefined) {
      out.collect(`matched ${ctx.getCurrentKey()} ${o.amount}/${p.paid}`);
      this.payment.clear();
      return;
    }
    const timeout = ctx.timestamp()! + 10;
    this.order.update({ ...o, timeout });
    ctx.timerService().registerEventTimeTimer(timeout);
    ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 500);
  }

  processElement2(p: Payment, ctx: KeyedCoProcessFunctionContext<string>, out: Collector<string>): void {
    const o = this.order.value();
    if (o !== undefined) {
      out.collect(`matched ${ctx.getCurrentKey()} ${o.amount}/${p.paid}`);
      this.order.clear();
      ctx.timerService().deleteEventTimeTimer(o.timeout);
      return;
    }
    this.payment.update(p);
  }

  override onTimer(timestamp: number, ctx: KeyedCoProcessFunctionOnTimerContext<string>, out: Collector<string>): void {
    const o = this.order.value();
    if (ctx.timeDomain() === 'PROCESSING_TIME') {
      out.collect(`reminder ${ctx.getCurrentKey()}@${timestamp} pending=${o !== undefined}`);
      return;
    }
    if (o !== undefined) {
      out.collect(`timeout ${ctx.getCurrentKey()}@${timestamp}`);
      this.order.clear();
    }
  }
}

describe('CoProcessOperator (keyed: KeyedCoProcessFunction)', () => {
  const keyed = { key1: (o: Order) => o.id, key2: (p: Payment) => p.order };

  it('shares keyed state between both inputs, per key', async () => {
    const { op, out } = await harness((c) => new CoProcessOperator(new Matcher(), c), keyed);
    op.processElement1({ id: 'a', amount: 5 }, 1);
    op.processElement2({ order: 'b', paid: 7 }, 2);
    op.processElement2({ order: 'a', paid: 5 }, 3);
    op.processElement1({ id: 'b', amount: 7 }, 4);
    expect(out.take()).toEqual(['matched a 5/5 @3', 'matched b 7/7 @4']);
  });

  it('fires event-time timers only once the watermark of both inputs passed them', async () => {
    const { op, out } = await harness((c) => new CoProcessOperator(new Matcher(), c), keyed);
    op.processElement1({ id: 'a', amount: 5 }, 1); // timeout timer at 11
    op.processElement1({ id: 'c', amount: 9 }, 5); // timeout timer at 15
    op.processWatermark1(20); // input 2 still at −∞: combined −∞, nothing fires
    expect(out.take()).toEqual([]);
    op.processWatermark2(12); // combined 12: the timer at 11 fires before the watermark is forwarded
    expect(out.take()).toEqual(['timeout a@11 @11', 'wm:12']);
    op.processWatermark2(30); // combined min(20, 30) = 20
    expect(out.take()).toEqual(['timeout c@15 @15', 'wm:20']);
  });

  it('a deleted timer does not fire: a paid order does not time out', async () => {
    const { op, out, timerServices } = await harness((c) => new CoProcessOperator(new Matcher(), c), keyed);
    op.processElement1({ id: 'a', amount: 5 }, 1); // timeout timer at 11
    op.processElement2({ order: 'a', paid: 5 }, 4); // matched: the timer at 11 is deleted
    expect(timerServices[0]!.pending().event).toBe(0);
    op.processWatermark1(100);
    op.processWatermark2(100);
    expect(out.take()).toEqual(['matched a 5/5 @4', 'wm:100']);
  });

  it('fires processing-time timers on the clock, output without timestamp', async () => {
    const { op, out, clock } = await harness((c) => new CoProcessOperator(new Matcher(), c), keyed);
    op.processElement1({ id: 'a', amount: 5 }, 1); // reminder at 1500
    clock.advanceTo(1200);
    op.processElement1({ id: 'b', amount: 6 }, 2); // reminder at 1700
    op.processElement2({ order: 'b', paid: 6 }, 3);
    out.take();
    clock.advanceTo(2000);
    expect(out.take()).toEqual(['reminder a@1500 pending=true @undefined', 'reminder b@1700 pending=false @undefined']);
  });
});
