/**
 * The windowed-stream API: what it records in the plan (operator names,
 * kinds, parallelism of windowAll, side outputs) and the arguments it
 * refuses when the job is defined, each error naming the call.
 */
import { describe, expect, it } from 'vitest';
import {
  AbstractRichFunction,
  CountTrigger,
  EventTimeSessionWindows,
  FlinktsError,
  GlobalWindows,
  OutputTag,
  ProcessWindowFunction,
  RichReduceFunction,
  Time,
  TimeEvictor,
  Trigger,
  TriggerResult,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type Window,
  type Collector,
  type StreamExecutionEnvironment,
} from '../../../../src/index.js';
import { plan, shapeOf } from '../../graph/helpers.js';

type Reading = { key: string; v: number; ts: number };
const strategy = WatermarkStrategy.forMonotonousTimestamps<Reading>().withTimestampAssigner((r) => r.ts);

function readings(env: StreamExecutionEnvironment) {
  return env.fromElements<Reading>({ key: 'a', v: 1, ts: 1 }).assignTimestampsAndWatermarks(strategy);
}

function definitionError(define: (env: StreamExecutionEnvironment) => void): FlinktsError {
  try {
    plan((env) => define(env));
  } catch (error) {
    if (error instanceof FlinktsError) return error;
    throw error;
  }
  throw new Error('the definition did not fail');
}

describe('what a window records', () => {
  it('a keyed window is one operator after a hash exchange, named after assigner, trigger, evictor and function', () => {
    const graph = plan((env) => {
      readings(env)
        .keyBy((r) => r.key)
        .window(TumblingEventTimeWindows.of(Time.seconds(5)))
        .evictor(TimeEvictor.of(100))
        .reduce((a, b) => ({ ...a, v: a.v + b.v }))
        .print();
    }, { defaultParallelism: 2 }).jobGraph;
    const shape = shapeOf(graph);
    expect(shape.edges).toContain('Timestamps/Watermarks => Window(TumblingEventTimeWindows(5000), EventTimeTrigger(), TimeEvictor(100), reduce) hash');
    const op = graph.vertices.flatMap((v) => v.operators).find((o) => o.name.startsWith('Window('))!;
    expect([op.kind, op.keyed]).toEqual(['window', true]);
  });

  it('windowAll runs at parallelism 1 (max parallelism 1), keyed by a constant', () => {
    const graph = plan((env) => {
      readings(env).windowAll(TumblingEventTimeWindows.of(10)).sum('v').print();
    }, { defaultParallelism: 4 }).jobGraph;
    const window = graph.vertices.find((v) => v.operators[0]!.kind === 'window')!;
    expect([window.name, window.parallelism, window.maxParallelism]).toEqual(['AllWindow(TumblingEventTimeWindows(10), EventTimeTrigger(), sum)', 1, 1]);
  });

  it('countWindow(n) purges after n elements; countWindow(n, s) evicts to n every s', () => {
    const names = plan((env) => {
      const keyed = env.fromElements(1, 2, 3).keyBy((v) => v % 2);
      keyed.countWindow(3).sum(0).print('a');
      keyed.countWindow(3, 2).sum(0).print('b');
      env.fromElements(1).countWindowAll(4).sum(0).print('c');
    }).jobGraph.vertices.flatMap((v) => v.operators.map((o) => o.name)).filter((n) => n.includes('Window('));
    expect(names).toEqual([
      'Window(GlobalWindows(), PurgingTrigger(CountTrigger(3)), sum)',
      'Window(GlobalWindows(), CountTrigger(2), CountEvictor(3), sum)',
      'AllWindow(GlobalWindows(), PurgingTrigger(CountTrigger(4)), sum)',
    ]);
  });

  it('the late-data side output of a window can be consumed', () => {
    const late = new OutputTag<Reading>('late');
    const shape = shapeOf(
      plan((env) => {
        const result = readings(env)
          .keyBy((r) => r.key)
          .window(TumblingEventTimeWindows.of(10))
          .sideOutputLateData(late)
          .reduce((a) => a);
        result.map((r) => r).name('main').print();
        result.getSideOutput(late).map((r) => r).name('late').print().name('late sink');
      }).jobGraph,
    );
    expect(shape.chains).toEqual([
      'Source: Collection Source -> Timestamps/Watermarks',
      'Window(TumblingEventTimeWindows(10), EventTimeTrigger(), reduce) -> main',
      'Window(TumblingEventTimeWindows(10), EventTimeTrigger(), reduce) -> late [late]',
      'main -> Sink: Print to Std. Out',
      'late -> Sink: late sink',
    ]);
  });
});

/** A custom trigger without merge support. */
class FireOnEvery extends Trigger<Reading, Window> {
  onElement(): TriggerResult {
    return TriggerResult.FIRE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(): void {}
}

class Rich extends RichReduceFunction<Reading> {
  reduce(a: Reading): Reading {
    return a;
  }
}

class Count extends ProcessWindowFunction<Reading, number, string> {
  process(_key: string, _ctx: unknown, elements: Iterable<Reading>, out: Collector<number>): void {
    out.collect([...elements].length);
  }
}

describe('refused when the job is defined', () => {
  const keyed = (env: StreamExecutionEnvironment) => readings(env).keyBy((r) => r.key);
  const cases: [string, (env: StreamExecutionEnvironment) => void, RegExp][] = [
    ['window(not an assigner)', (env) => keyed(env).window({} as never), /^window: expected a WindowAssigner/],
    ['windowAll(not an assigner)', (env) => readings(env).windowAll(5 as never), /^windowAll: expected a WindowAssigner/],
    ['negative lateness', (env) => keyed(env).window(TumblingEventTimeWindows.of(10)).allowedLateness(-1), /^allowedLateness\(-1\): the allowed lateness must not be negative$/],
    ['negative lateness as Time', (env) => keyed(env).window(TumblingEventTimeWindows.of(10)).allowedLateness(Time.seconds(-1)), /^allowedLateness\(-1000\)/],
    ['countWindow(0)', (env) => keyed(env).countWindow(0), /^countWindow\(0\): the window size must be a positive integer count$/],
    ['countWindow(5, 0)', (env) => keyed(env).countWindow(5, 0), /^countWindow\(5, 0\): the slide must be a positive integer count$/],
    ['countWindowAll(-2)', (env) => readings(env).countWindowAll(-2), /^countWindowAll\(-2\): the window size/],
    ['CountTrigger.of(0)', () => CountTrigger.of(0), /^CountTrigger\.of\(0\): the count must be a positive integer$/],
    ['a rich reduce function', (env) => keyed(env).window(TumblingEventTimeWindows.of(10)).reduce(new Rich()), /^reduce: the ReduceFunction of a window cannot be a rich function/],
    [
      'a rich aggregate function',
      (env) =>
        keyed(env)
          .window(TumblingEventTimeWindows.of(10))
          .aggregate(
            Object.assign(new (class extends AbstractRichFunction {})(), {
              createAccumulator: () => 0,
              add: () => 0,
              getResult: () => 0,
              merge: () => 0,
            }),
          ),
      /^aggregate: the AggregateFunction of a window cannot be a rich function/,
    ],
    ['an incomplete aggregate function', (env) => keyed(env).window(TumblingEventTimeWindows.of(10)).aggregate({ add: () => 0 } as never), /^aggregate: expected an AggregateFunction/],
    ['process with a plain function', (env) => keyed(env).window(TumblingEventTimeWindows.of(10)).process((() => {}) as never), /^process: expected a ProcessWindowFunction/],
    ['apply without a function', (env) => keyed(env).window(TumblingEventTimeWindows.of(10)).apply(42 as never), /^apply: expected a function or an object with an apply\(\) method/],
    ['sum of no field', (env) => keyed(env).window(GlobalWindows.create()).sum(-1), /^sum\(-1\): the field must be a property name/],
    ['sideOutputLateData(string)', (env) => keyed(env).window(TumblingEventTimeWindows.of(10)).sideOutputLateData('late' as never), /^sideOutputLateData: expected an OutputTag$/],
    ['evictor(garbage)', (env) => keyed(env).window(TumblingEventTimeWindows.of(10)).evictor({} as never), /^evictor: expected an Evictor/],
  ];
  it.each(cases)('%s', (_name, define, message) => {
    const error = definitionError(define);
    expect(error.code).toBe('JOB_DEFINITION');
    expect(error.message).toMatch(message);
  });

  it('a trigger that cannot merge is refused on session windows', () => {
    const error = definitionError((env) => keyed(env).window(EventTimeSessionWindows.withGap(10)).trigger(new FireOnEvery()));
    expect(error.message).toBe(
      'trigger(FireOnEvery): a merging window assigner (EventTimeSessionWindows(10)) needs a trigger that supports merging (canMerge() returns true)',
    );
  });

  it('a ProcessWindowFunction is accepted by process and after reduce', () => {
    expect(() =>
      plan((env) => {
        keyed(env).window(TumblingEventTimeWindows.of(10)).process(new Count()).print();
        keyed(env).window(TumblingEventTimeWindows.of(10)).reduce((a) => a, new Count()).print();
      }),
    ).not.toThrow();
  });
});
