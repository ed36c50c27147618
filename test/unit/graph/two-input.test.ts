/**
 * Two-input operators in the graph: `connect`, broadcast connections and
 * interval joins become one node with two inputs; its edges say which input
 * they feed (`inputIndex` 0 or 1); it never chains to its predecessors (it
 * has two inputs), its successors chain to it by Flink's usual rules. Bad
 * calls fail when the job is defined, naming the call. Expectations worked
 * out by hand from those rules.
 */
import { describe, expect, it } from 'vitest';
import {
  BroadcastProcessFunction,
  CoProcessFunction,
  KeyedBroadcastProcessFunction,
  KeyedCoProcessFunction,
  MapStateDescriptor,
  OutputTag,
  ProcessJoinFunction,
  Time,
  TumblingEventTimeWindows,
  type StreamExecutionEnvironment,
} from '../../../src/index.js';
import { identity, jobGraphOf, plan, shapeOf } from './helpers.js';

class NoopCoProcess extends CoProcessFunction<number, number, number> {
  processElement1(): void {}
  processElement2(): void {}
}
class NoopKeyedCoProcess extends KeyedCoProcessFunction<number, number, number, number> {
  processElement1(): void {}
  processElement2(): void {}
}
class NoopBroadcast extends BroadcastProcessFunction<number, number, number> {
  processElement(): void {}
  processBroadcastElement(): void {}
}
class NoopKeyedBroadcast extends KeyedBroadcastProcessFunction<number, number, number, number> {
  processElement(): void {}
  processBroadcastElement(): void {}
}
class NoopJoin extends ProcessJoinFunction<number, number, number> {
  processElement(): void {}
}

const RULES = new MapStateDescriptor<string, number>('rules');

function definitionError(define: (env: StreamExecutionEnvironment) => void): { code: string; message: string } {
  try {
    plan(define);
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error('the job was accepted');
}

describe('two-input operators in the graph', () => {
  it('connect → map: one vertex fed by two edges, the successor chains to it', () => {
    const graph = jobGraphOf((env) => {
      const a = env.fromSequence(1, 10).name('a');
      const b = env.fromSequence(1, 10).name('b');
      a.connect(b).map({ map1: identity, map2: identity }).map(identity).name('After').print();
    }, { defaultParallelism: 2 });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        { name: 'Source: a', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: a'] },
        { name: 'Source: b', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: b'] },
        {
          name: 'Co-Map -> After -> Sink: Print to Std. Out',
          parallelism: 2,
          maxParallelism: 128,
          slotSharingGroup: 'default',
          operators: ['Co-Map', 'After', 'Sink: Print to Std. Out'],
        },
      ],
      chains: ['Co-Map -> After', 'After -> Sink: Print to Std. Out'],
      // Forward edges of equal parallelism that do not chain: the target has two inputs.
      edges: ['Source: a => Co-Map forward', 'Source: b => Co-Map forward'],
    });
    expect(graph.edges.map((e) => e.inputIndex)).toEqual([0, 1]);
    expect(graph.vertices[2]!.operators[0]!.kind).toBe('coMap');
    expect(graph.vertices[2]!.operators[0]!.keyed).toBe(false);
  });

  it('a union on one input gives that input several edges, all with its index', () => {
    const graph = jobGraphOf((env) => {
      const a = env.fromSequence(1, 10).name('a');
      const b = env.fromSequence(1, 10).name('b');
      const c = env.fromSequence(1, 10).name('c');
      a.union(b).connect(c).flatMap({ flatMap1: () => {}, flatMap2: () => {} }).print();
    });
    expect(graph.edges.map((e) => [shapeOf(graph).edges[graph.edges.indexOf(e)], e.inputIndex])).toEqual([
      ['Source: a => Co-Flat Map forward', 0],
      ['Source: b => Co-Flat Map forward', 0],
      ['Source: c => Co-Flat Map forward', 1],
    ]);
  });

  it('connect(...).keyBy(k1, k2) → process: hash edges, a keyed operator', () => {
    const graph = jobGraphOf((env) => {
      const a = env.fromSequence(1, 10).name('a');
      const b = env.fromSequence(1, 10).name('b');
      a.connect(b).keyBy((n) => n % 3, (n) => n % 3).process(new NoopKeyedCoProcess()).print();
    }, { defaultParallelism: 2 });
    expect(shapeOf(graph).edges).toEqual(['Source: a => KeyedCoProcess hash', 'Source: b => KeyedCoProcess hash']);
    expect(graph.vertices[2]!.operators.map((op) => [op.kind, op.keyed])).toEqual([
      ['keyedCoProcess', true],
      ['sink', false],
    ]);
  });

  it('the broadcast state pattern: a broadcast edge into input 1 (the second input)', () => {
    const graph = jobGraphOf((env) => {
      const events = env.fromSequence(1, 10).name('events');
      const rules = env.fromSequence(1, 3).name('rules').broadcast(RULES);
      events.keyBy((n) => n % 2).connect(rules).process(new NoopKeyedBroadcast()).print().name('keyed');
      events.connect(rules).process(new NoopBroadcast()).print().name('plain');
    }, { defaultParallelism: 2 });
    const shape = shapeOf(graph);
    expect(shape.edges).toEqual([
      'Source: events => Co-Process-Broadcast-Keyed hash',
      'Source: events => Co-Process-Broadcast forward',
      'Source: rules => Co-Process-Broadcast-Keyed broadcast',
      'Source: rules => Co-Process-Broadcast broadcast',
    ]);
    expect(graph.edges.map((e) => e.inputIndex)).toEqual([0, 0, 1, 1]);
    expect(graph.vertices.flatMap((v) => v.operators.map((op) => `${op.kind}:${op.keyed}`))).toContain('keyedBroadcastProcess:true');
    expect(graph.vertices.flatMap((v) => v.operators.map((op) => `${op.kind}:${op.keyed}`))).toContain('broadcastProcess:false');
  });

  it('an interval join of two keyed streams, named Interval Join', () => {
    const graph = jobGraphOf((env) => {
      const a = env.fromSequence(1, 10).name('a').keyBy((n) => n);
      const b = env.fromSequence(1, 10).name('b').keyBy((n) => n);
      a.intervalJoin(b).between(Time.milliseconds(-5), 5).process(new NoopJoin()).print();
    });
    expect(shapeOf(graph).edges).toEqual(['Source: a => Interval Join hash', 'Source: b => Interval Join hash']);
    expect(graph.vertices[2]!.operators[0]).toMatchObject({ kind: 'intervalJoin', keyed: true });
  });

  it('the same stream on both inputs: two edges, one per input', () => {
    const graph = jobGraphOf((env) => {
      const a = env.fromSequence(1, 10).name('a');
      a.connect(a).map({ map1: identity, map2: identity }).print();
    });
    expect(shapeOf(graph).edges).toEqual(['Source: a => Co-Map forward', 'Source: a => Co-Map forward']);
    expect(graph.edges.map((e) => e.inputIndex)).toEqual([0, 1]);
  });

  it('swapping the inputs changes the operator id', () => {
    const idOf = (swap: boolean): string =>
      jobGraphOf((env) => {
        const a = env.fromSequence(1, 10).name('a');
        const b = env.fromSequence(1, 10).name('b');
        (swap ? b.connect(a) : a.connect(b)).map({ map1: identity, map2: identity }).name('M').print();
      }).vertices[2]!.id;
    expect(idOf(false)).not.toBe(idOf(true));
  });

  it('side outputs of a co-process function can be selected', () => {
    const tag = new OutputTag<number>('side');
    const graph = jobGraphOf((env) => {
      const co = env.fromSequence(1, 10).name('a').connect(env.fromSequence(1, 10).name('b')).process(new NoopCoProcess());
      co.getSideOutput(tag).print().name('side');
    });
    expect(shapeOf(graph).chains).toEqual(['Co-Process -> Sink: side [side]']);
  });
});

describe('window joins are built as Flink builds them', () => {
  it('join: a tagging Map per input (at its parallelism), unioned, hash-partitioned into one keyed window operator', () => {
    const graph = jobGraphOf((env) => {
      const a = env.fromSequence(1, 10).name('a').setParallelism(3);
      const b = env.fromSequence(1, 10).name('b');
      a.join(b)
        .where((n) => n % 2)
        .equalTo((n) => n % 2)
        .window(TumblingEventTimeWindows.of(Time.seconds(1)))
        .apply((x: number, y: number) => x + y)
        .print();
    }, { defaultParallelism: 2 });
    const operators = graph.vertices.flatMap((v) => v.operators.map((op) => ({ ...op, parallelism: v.parallelism })));
    const name = (id: string): string => operators.find((op) => op.id === id)!.name;
    expect(graph.vertices.map((v) => [v.name, v.parallelism])).toEqual([
      ['Source: a -> Map', 3],
      ['Source: b -> Map', 2],
      [graph.vertices[2]!.name, 2],
    ]);
    expect(graph.vertices[2]!.operators.map((op) => [op.kind, op.keyed])).toEqual([
      ['window', true],
      ['sink', false],
    ]);
    // Both tagged inputs feed the window operator's only input (a union, not a two-input operator).
    expect(graph.edges.map((e) => `${name(e.sourceOperator)} => ${e.partitioner} ${e.inputIndex}`)).toEqual(['Map => hash 0', 'Map => hash 0']);
  });

  it('a window join without a window assigner fails, naming the call', () => {
    expect(
      definitionError((env) => {
        env.fromSequence(1, 10).join(env.fromSequence(1, 10)).where((n) => n).equalTo((n) => n).window(5 as never);
      }),
    ).toEqual({ code: 'JOB_DEFINITION', message: 'join(...).window: expected a WindowAssigner, e.g. TumblingEventTimeWindows.of(Time.seconds(10))' });
  });
});

describe('bad two-input calls fail when the job is defined, naming the call', () => {
  const cases: [string, (env: StreamExecutionEnvironment) => void, string][] = [
    [
      'an interval join with lower > upper',
      (env) => {
        const a = env.fromSequence(1, 10).keyBy((n) => n);
        a.intervalJoin(env.fromSequence(1, 10).keyBy((n) => n)).between(5, 2);
      },
      'between(5, 2): the lower bound (5 ms) must not be greater than the upper bound (2 ms)',
    ],
    [
      'an interval join with a non-keyed stream',
      (env) => {
        const a = env.fromSequence(1, 10).keyBy((n) => n);
        a.intervalJoin(env.fromSequence(1, 10) as never);
      },
      'intervalJoin: the other stream must be a KeyedStream: call keyBy(...) on it first',
    ],
    [
      'a KeyedCoProcessFunction on non-keyed streams',
      (env) => {
        env.fromSequence(1, 10).connect(env.fromSequence(1, 10)).process(new NoopKeyedCoProcess());
      },
      'ConnectedStreams.process: a KeyedCoProcessFunction needs both inputs keyed: use connect(...).keyBy(key1, key2), or connect two KeyedStreams',
    ],
    [
      'a co-map without map2',
      (env) => {
        env.fromSequence(1, 10).connect(env.fromSequence(1, 10)).map({ map1: identity } as never);
      },
      'ConnectedStreams.map: expected an object with map1() and map2()',
    ],
    [
      'a KeyedBroadcastProcessFunction on a non-keyed stream',
      (env) => {
        env.fromSequence(1, 10).connect(env.fromSequence(1, 3).broadcast(RULES)).process(new NoopKeyedBroadcast());
      },
      'BroadcastConnectedStream.process: a KeyedBroadcastProcessFunction needs a keyed first input: keyBy(...).connect(broadcastStream)',
    ],
    [
      'a BroadcastProcessFunction on a keyed stream',
      (env) => {
        env.fromSequence(1, 10).keyBy((n) => n).connect(env.fromSequence(1, 3).broadcast(RULES)).process(new NoopBroadcast());
      },
      'BroadcastConnectedStream.process: the first input is keyed: use a KeyedBroadcastProcessFunction',
    ],
    [
      'broadcast with something else than a MapStateDescriptor',
      (env) => {
        env.fromSequence(1, 3).broadcast({ name: 'rules' } as never);
      },
      "broadcast: broadcast state is described by MapStateDescriptors, e.g. new MapStateDescriptor('rules')",
    ],
    [
      'broadcast with one state name twice',
      (env) => {
        env.fromSequence(1, 3).broadcast(RULES, new MapStateDescriptor('rules'));
      },
      "broadcast: the state name 'rules' is given twice",
    ],
  ];
  for (const [label, define, message] of cases) {
    it(label, () => {
      expect(definitionError(define)).toEqual({ code: 'JOB_DEFINITION', message });
    });
  }
});
