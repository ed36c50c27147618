/**
 * TimestampsAndWatermarksOperator driven directly: a recording output and a
 * fake processing-time service (auto-watermark interval 200 ms). Expected
 * outputs are worked out by hand from Flink's rules: records first, then the
 * generator sees them; periodic watermarks every interval; only increasing
 * watermarks leave; upstream watermarks are dropped except the final +∞.
 */
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { Watermark } from '../../../../src/api/time.js';
import { WatermarkStrategy, type WatermarkGenerator, type WatermarkOutput } from '../../../../src/api/watermark-strategy.js';
import type { OperatorContext, Output } from '../../../../src/runtime/operators/operator.js';
import { TimestampsAndWatermarksOperator } from '../../../../src/runtime/operators/timestamps-watermarks-operator.js';
import { FakeProcessingTimeService } from '../time/fake-processing-time.js';

/** Everything the operator emits, in order: `rec:<value>@<ts>`, `wm:<ts>`, `idle`, `active`. */
class RecordingOutput implements Output {
  readonly log: string[] = [];
  collect(value: unknown, timestamp: number | undefined): void {
    this.log.push(`rec:${JSON.stringify(value)}@${timestamp}`);
  }
  collectSide(): void {
    throw new Error('no side outputs here');
  }
  emitWatermark(watermark: number): void {
    this.log.push(`wm:${watermark}`);
  }
  emitWatermarkStatus(idle: boolean): void {
    this.log.push(idle ? 'idle' : 'active');
  }
  /** The log since the last call. */
  private read = 0;
  take(): string[] {
    const fresh = this.log.slice(this.read);
    this.read = this.log.length;
    return fresh;
  }
}

function operatorFor<T>(strategy: WatermarkStrategy<T>, interval = 200): { op: TimestampsAndWatermarksOperator; out: RecordingOutput; clock: FakeProcessingTimeService } {
  const out = new RecordingOutput();
  const clock = new FakeProcessingTimeService(0);
  const context = {
    operatorName: 'Timestamps/Watermarks',
    output: out,
    task: {
      processingTimeService: clock,
      autoWatermarkIntervalMs: interval,
      currentWatermark: () => Number.NEGATIVE_INFINITY,
      awaitAsync: () => undefined,
    },
  } as unknown as OperatorContext;
  const op = new TimestampsAndWatermarksOperator(strategy as WatermarkStrategy<unknown>, context);
  op.open();
  return { op, out, clock };
}

interface Ev {
  id: string;
  ts: number;
}
const ev = (id: string, ts: number): Ev => ({ id, ts });
const byTs = (e: Ev): number => e.ts;

describe('timestamps and periodic watermarks', () => {
  it('stamps records with the assigner and emits max − bound − 1 every interval, only when it grows', () => {
    const { op, out, clock } = operatorFor(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(10).withTimestampAssigner(byTs));
    op.processElement(ev('a', 100), undefined);
    op.processElement(ev('b', 90), 5);
    expect(out.take()).toEqual(['rec:{"id":"a","ts":100}@100', 'rec:{"id":"b","ts":90}@90']);
    clock.advanceTo(200);
    expect(out.take()).toEqual(['wm:89']);
    clock.advanceTo(400); // still 89: not emitted again
    expect(out.take()).toEqual([]);
    op.processElement(ev('c', 120), undefined);
    clock.advanceTo(600);
    expect(out.take()).toEqual(['rec:{"id":"c","ts":120}@120', 'wm:109']);
    // A record behind the watermark still passes with its own timestamp (lateness is decided downstream).
    op.processElement(ev('late', 50), undefined);
    clock.advanceTo(800);
    expect(out.take()).toEqual(['rec:{"id":"late","ts":50}@50']);
  });

  it('without an assigner, records keep the timestamp they came with', () => {
    const { op, out, clock } = operatorFor(WatermarkStrategy.forMonotonousTimestamps<string>());
    op.processElement('x', 42);
    op.processElement('y', 43);
    clock.advanceTo(200);
    expect(out.take()).toEqual(['rec:"x"@42', 'rec:"y"@43', 'wm:42']);
  });

  it('an interval of 0 turns periodic emission off', () => {
    const { op, out, clock } = operatorFor(WatermarkStrategy.forMonotonousTimestamps<string>(), 0);
    op.processElement('x', 42);
    clock.advanceTo(10_000);
    expect(out.take()).toEqual(['rec:"x"@42']);
    expect(clock.pending()).toEqual([]);
  });

  it('a punctuated generator emits right after the record that carries the mark', () => {
    class EveryMark implements WatermarkGenerator<Ev> {
      onEvent(event: Ev, timestamp: number, output: WatermarkOutput): void {
        if (event.id.startsWith('mark')) output.emitWatermark(new Watermark(timestamp));
      }
      onPeriodicEmit(): void {}
    }
    const { op, out, clock } = operatorFor(WatermarkStrategy.forGenerator<Ev>(() => new EveryMark()).withTimestampAssigner(byTs));
    op.processElement(ev('a', 3), undefined);
    op.processElement(ev('mark1', 5), undefined);
    op.processElement(ev('mark0', 4), undefined); // a lower watermark is never emitted
    op.processElement(ev('mark2', 9), undefined);
    clock.advanceTo(1000);
    expect(out.take()).toEqual([
      'rec:{"id":"a","ts":3}@3',
      'rec:{"id":"mark1","ts":5}@5',
      'wm:5',
      'rec:{"id":"mark0","ts":4}@4',
      'rec:{"id":"mark2","ts":9}@9',
      'wm:9',
    ]);
  });

  it('ignores upstream watermarks except the final +∞, after which nothing lower leaves', () => {
    const { op, out, clock } = operatorFor(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner(byTs));
    op.processElement(ev('a', 10), undefined);
    op.processWatermark(5000);
    expect(out.take()).toEqual(['rec:{"id":"a","ts":10}@10']);
    op.processWatermark(Number.POSITIVE_INFINITY);
    op.processWatermark(Number.POSITIVE_INFINITY);
    clock.advanceTo(200);
    expect(out.take()).toEqual(['wm:Infinity']);
  });

  it('finish and close stop the periodic emission', () => {
    const { op, out, clock } = operatorFor(WatermarkStrategy.forMonotonousTimestamps<number>());
    op.processElement(1, 7);
    op.finish();
    clock.advanceTo(1000);
    expect(out.take()).toEqual(['rec:1@7']);
    expect(clock.pending()).toEqual([]);
  });
});

describe('idleness', () => {
  it('marks the output idle after the timeout without events, and active again before the next record', () => {
    const { op, out, clock } = operatorFor(WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner(byTs).withIdleness(1000));
    clock.advanceTo(100);
    op.processElement(ev('a', 5), undefined); // last event at 100
    clock.advanceTo(1000); // ticks at 200..1000: 1000 − 100 < 1000
    expect(out.take()).toEqual(['rec:{"id":"a","ts":5}@5', 'wm:4']);
    clock.advanceTo(1200); // tick at 1200: 1100 ≥ 1000 → idle
    expect(out.take()).toEqual(['idle']);
    clock.advanceTo(1400);
    expect(out.take()).toEqual([]);
    clock.advanceTo(1500);
    op.processElement(ev('b', 7), undefined);
    clock.advanceTo(1600);
    expect(out.take()).toEqual(['active', 'rec:{"id":"b","ts":7}@7', 'wm:6']);
  });

  it('an input that never sends anything becomes idle', () => {
    const { out, clock } = operatorFor(WatermarkStrategy.forBoundedOutOfOrderness<Ev>(5).withIdleness(300));
    clock.advanceTo(400); // ticks at 200 (200 < 300), 400 (≥ 300)
    expect(out.take()).toEqual(['idle']);
  });

  it('the final +∞ of an idle input marks it active, so downstream takes it into account', () => {
    const { op, out, clock } = operatorFor(WatermarkStrategy.forMonotonousTimestamps<Ev>().withIdleness(300));
    clock.advanceTo(400);
    expect(out.take()).toEqual(['idle']);
    op.processWatermark(Number.POSITIVE_INFINITY);
    expect(out.take()).toEqual(['active', 'wm:Infinity']);
  });

  it('a generator may mark the output idle; its next watermark marks it active again', () => {
    const { op, out } = operatorFor(
      WatermarkStrategy.forGenerator<Ev>(() => ({
        onEvent: (e, ts, o) => (e.id === 'pause' ? o.markIdle() : o.emitWatermark(new Watermark(ts))),
        onPeriodicEmit: () => undefined,
      })).withTimestampAssigner(byTs),
    );
    op.processElement(ev('a', 1), undefined);
    op.processElement(ev('pause', 2), undefined);
    op.processElement(ev('pause', 2), undefined);
    op.processElement(ev('b', 3), undefined);
    expect(out.take()).toEqual([
      'rec:{"id":"a","ts":1}@1',
      'wm:1',
      'rec:{"id":"pause","ts":2}@2',
      'idle',
      'rec:{"id":"pause","ts":2}@2',
      'rec:{"id":"b","ts":3}@3',
      'active',
      'wm:3',
    ]);
  });
});

describe('non-finite timestamps fail with the record (at most 200 characters)', () => {
  const long = { id: 'x'.repeat(500), n: 1 };
  it.each([
    ['NaN', WatermarkStrategy.forMonotonousTimestamps<unknown>().withTimestampAssigner(() => Number.NaN), { id: 1 }, 'NaN', '{"id":1}'],
    ['Infinity', WatermarkStrategy.forMonotonousTimestamps<unknown>().withTimestampAssigner(() => Number.POSITIVE_INFINITY), 'plain', 'Infinity', '"plain"'],
    ['-Infinity', WatermarkStrategy.noWatermarks<unknown>().withTimestampAssigner(() => Number.NEGATIVE_INFINITY), [1, 2], '-Infinity', '[1,2]'],
    ['a string', WatermarkStrategy.forMonotonousTimestamps<unknown>().withTimestampAssigner(() => '17' as never), 7, '17', '7'],
    [
      'undefined (no assigner, no record timestamp)',
      WatermarkStrategy.forMonotonousTimestamps<unknown>(),
      long,
      'undefined (the record has no timestamp and no assigner was set)',
      `${JSON.stringify(long).slice(0, 200)}…`,
    ],
  ])('%s', (_, strategy, record, returned, shown) => {
    const { op, out } = operatorFor(strategy);
    let thrown: unknown;
    try {
      op.processElement(record, undefined);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FlinktsError);
    expect((thrown as FlinktsError).code).toBe('USER_FUNCTION');
    expect((thrown as Error).message).toBe(`the timestamp assigner returned ${returned} for record ${shown}`);
    expect(out.take()).toEqual([]);
  });
});

describe('a generator factory that returns no generator', () => {
  it('fails when the operator opens instead of silently emitting no watermarks', () => {
    const strategy = WatermarkStrategy.forGenerator<number>((() => undefined) as never);
    expect(() => operatorFor(strategy)).toThrow('the watermark generator factory returned undefined, not an object with onEvent() and onPeriodicEmit()');
  });
});
