/**
 * StreamGraph → JobGraph: Flink's chaining rules, default partitioners and
 * vertex names. Every expectation is worked out by hand from Flink's
 * `StreamingJobGraphGenerator.isChainable`: the target has one input, the edge
 * is forward, both sides have the same parallelism and slot sharing group,
 * the upstream strategy is not NEVER and the downstream strategy is ALWAYS
 * (sources are HEAD), and chaining is enabled.
 */
import { describe, expect, it } from 'vitest';
import { OutputTag, type StreamExecutionEnvironment } from '../../../src/index.js';
import { identity, jobGraphOf, shapeOf, SplitOdd } from './helpers.js';

const isEven = (n: number): boolean => n % 2 === 0;

describe('chaining', () => {
  it('chains forward operators of equal parallelism into one vertex named after the chain', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).filter(isEven).print();
    }, { defaultParallelism: 2 });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        {
          name: 'Source: Sequence Source -> Map -> Filter -> Sink: Print to Std. Out',
          parallelism: 2,
          maxParallelism: 128,
          slotSharingGroup: 'default',
          operators: ['Source: Sequence Source', 'Map', 'Filter', 'Sink: Print to Std. Out'],
        },
      ],
      chains: ['Source: Sequence Source -> Map', 'Map -> Filter', 'Filter -> Sink: Print to Std. Out'],
      edges: [],
    });
    // The vertex id is the head operator's id.
    expect(graph.vertices[0]!.id).toBe(graph.vertices[0]!.operators[0]!.id);
    expect(graph.vertices[0]!.operators.map((op) => op.kind)).toEqual(['source', 'map', 'filter', 'sink']);
  });

  it('does not chain a non-parallel source to operators of higher parallelism: rebalance', () => {
    const graph = jobGraphOf((env) => {
      env.fromElements(1, 2, 3).map(identity).print();
    }, { defaultParallelism: 2 });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        { name: 'Source: Collection Source', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: Collection Source'] },
        { name: 'Map -> Sink: Print to Std. Out', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Map', 'Sink: Print to Std. Out'] },
      ],
      chains: ['Map -> Sink: Print to Std. Out'],
      edges: ['Source: Collection Source => Map rebalance'],
    });
  });

  it('gives keyBy a hash edge; the keyed operator heads a new chain and is marked keyed', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).keyBy((n) => n % 3).reduce((a, b) => a + b).print();
    }, { defaultParallelism: 2 });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        { name: 'Source: Sequence Source', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: Sequence Source'] },
        {
          name: 'Keyed Reduce -> Sink: Print to Std. Out',
          parallelism: 2,
          maxParallelism: 128,
          slotSharingGroup: 'default',
          operators: ['Keyed Reduce', 'Sink: Print to Std. Out'],
        },
      ],
      chains: ['Keyed Reduce -> Sink: Print to Std. Out'],
      edges: ['Source: Sequence Source => Keyed Reduce hash'],
    });
    // The reduce has a state key; the sink after it does not (reduce returns an unkeyed stream).
    expect(graph.vertices[1]!.operators.map((op) => [op.kind, op.keyed])).toEqual([
      ['reduce', true],
      ['sink', false],
    ]);
  });

  it('marks a sink applied directly to a keyed stream as keyed', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).keyBy((n) => n).print();
    });
    expect(graph.vertices.map((v) => v.operators.map((op) => op.keyed))).toEqual([[false], [true]]);
    expect(shapeOf(graph).edges).toEqual(['Source: Sequence Source => Sink: Print to Std. Out hash']);
  });

  it('disableChaining() isolates the operator; its edges stay forward', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).disableChaining().filter(isEven).print();
    });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        { name: 'Source: Sequence Source', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: Sequence Source'] },
        { name: 'Map', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Map'] },
        { name: 'Filter -> Sink: Print to Std. Out', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Filter', 'Sink: Print to Std. Out'] },
      ],
      chains: ['Filter -> Sink: Print to Std. Out'],
      edges: ['Source: Sequence Source => Map forward', 'Map => Filter forward'],
    });
  });

  it('disableChaining() on a sink and on a source', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).disableChaining().map(identity).print().disableChaining();
    });
    expect(shapeOf(graph).vertices.map((v) => v.name)).toEqual(['Source: Sequence Source', 'Map', 'Sink: Print to Std. Out']);
    expect(shapeOf(graph).edges).toEqual(['Source: Sequence Source => Map forward', 'Map => Sink: Print to Std. Out forward']);
  });

  it('startNewChain() breaks the chain before the operator but not after it', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).filter(isEven).startNewChain().print();
    });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        { name: 'Source: Sequence Source -> Map', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: Sequence Source', 'Map'] },
        { name: 'Filter -> Sink: Print to Std. Out', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Filter', 'Sink: Print to Std. Out'] },
      ],
      chains: ['Source: Sequence Source -> Map', 'Filter -> Sink: Print to Std. Out'],
      edges: ['Map => Filter forward'],
    });
  });

  it('env.disableOperatorChaining() gives every operator its own vertex', () => {
    const define = (env: StreamExecutionEnvironment): void => {
      env.fromSequence(1, 10).map(identity).filter(isEven).print();
    };
    const expected = {
      vertices: ['Source: Sequence Source', 'Map', 'Filter', 'Sink: Print to Std. Out'].map((name) => ({
        name,
        parallelism: 1,
        maxParallelism: 128,
        slotSharingGroup: 'default',
        operators: [name],
      })),
      chains: [],
      edges: ['Source: Sequence Source => Map forward', 'Map => Filter forward', 'Filter => Sink: Print to Std. Out forward'],
    };
    expect(shapeOf(jobGraphOf((env) => {
      env.disableOperatorChaining();
      define(env);
    }))).toEqual(expected);
    // The same through the settings (pipeline.operator-chaining.enabled: false).
    expect(shapeOf(jobGraphOf(define, { defaultParallelism: 1, chainingEnabled: false }))).toEqual(expected);
  });

  it('a change of parallelism breaks the chain with a rebalance edge, both ways', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).setParallelism(3).print();
    }, { defaultParallelism: 2 });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        { name: 'Source: Sequence Source', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: Sequence Source'] },
        { name: 'Map', parallelism: 3, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Map'] },
        { name: 'Sink: Print to Std. Out', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Sink: Print to Std. Out'] },
      ],
      chains: [],
      edges: ['Source: Sequence Source => Map rebalance', 'Map => Sink: Print to Std. Out rebalance'],
    });
  });

  it('does not chain into an operator with two inputs (union)', () => {
    const graph = jobGraphOf((env) => {
      const left = env.fromSequence(1, 10).name('left');
      const right = env.fromSequence(11, 20).name('right');
      left.union(right).map(identity).print();
    });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        { name: 'Source: left', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: left'] },
        { name: 'Source: right', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: right'] },
        { name: 'Map -> Sink: Print to Std. Out', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Map', 'Sink: Print to Std. Out'] },
      ],
      chains: ['Map -> Sink: Print to Std. Out'],
      edges: ['Source: left => Map forward', 'Source: right => Map forward'],
    });
  });

  it('a union of one stream with itself still gives the operator two inputs', () => {
    const graph = jobGraphOf((env) => {
      const numbers = env.fromSequence(1, 10);
      numbers.union(numbers).print();
    });
    expect(shapeOf(graph).edges).toEqual(['Source: Sequence Source => Sink: Print to Std. Out forward', 'Source: Sequence Source => Sink: Print to Std. Out forward']);
    expect(graph.vertices).toHaveLength(2);
  });

  it('chains a fan-out A -> (B, C) into one vertex, in the order the branches were defined', () => {
    const graph = jobGraphOf((env) => {
      const a = env.fromSequence(1, 10).map(identity).name('A');
      a.filter(isEven).name('B').print().name('sink-b');
      a.map(identity).name('C').print().name('sink-c');
    });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        {
          name: 'Source: Sequence Source -> A -> (B -> Sink: sink-b, C -> Sink: sink-c)',
          parallelism: 1,
          maxParallelism: 128,
          slotSharingGroup: 'default',
          operators: ['Source: Sequence Source', 'A', 'B', 'Sink: sink-b', 'C', 'Sink: sink-c'],
        },
      ],
      chains: ['Source: Sequence Source -> A', 'A -> B', 'A -> C', 'B -> Sink: sink-b', 'C -> Sink: sink-c'],
      edges: [],
    });
  });

  it('chains side outputs like main outputs and tags them', () => {
    const graph = jobGraphOf((env) => {
      const odd = new OutputTag<number>('odd');
      const split = env.fromSequence(1, 10).process(new SplitOdd(odd)).name('Split');
      split.print().name('evens');
      split.getSideOutput(odd).map(identity).name('Odds').print().name('odds');
    });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        {
          name: 'Source: Sequence Source -> Split -> (Sink: evens, Odds -> Sink: odds)',
          parallelism: 1,
          maxParallelism: 128,
          slotSharingGroup: 'default',
          operators: ['Source: Sequence Source', 'Split', 'Sink: evens', 'Odds', 'Sink: odds'],
        },
      ],
      chains: ['Source: Sequence Source -> Split', 'Split -> Sink: evens', 'Split -> Odds [odd]', 'Odds -> Sink: odds'],
      edges: [],
    });
  });

  it('a side output into another parallelism is a rebalance edge carrying the tag', () => {
    const graph = jobGraphOf((env) => {
      const odd = new OutputTag<number>('odd');
      const split = env.fromSequence(1, 10).process(new SplitOdd(odd)).name('Split');
      split.print().name('evens');
      split.getSideOutput(odd).print().name('odds').setParallelism(2);
    });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        {
          name: 'Source: Sequence Source -> Split -> Sink: evens',
          parallelism: 1,
          maxParallelism: 128,
          slotSharingGroup: 'default',
          operators: ['Source: Sequence Source', 'Split', 'Sink: evens'],
        },
        { name: 'Sink: odds', parallelism: 2, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Sink: odds'] },
      ],
      chains: ['Source: Sequence Source -> Split', 'Split -> Sink: evens'],
      edges: ['Split => Sink: odds rebalance [odd]'],
    });
    expect(graph.edges[0]!.source).toBe(graph.vertices[0]!.id);
    expect(graph.edges[0]!.sourceOperator).toBe(graph.vertices[0]!.operators[1]!.id);
  });

  it('a side output of an operator other than process is an INVALID_GRAPH error', () => {
    expect(() =>
      jobGraphOf((env) => {
        env.fromSequence(1, 10).map(identity).getSideOutput(new OutputTag<number>('late')).print();
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_GRAPH', message: "getSideOutput('late') on 'Map': only process functions emit side outputs" }));
  });
});

describe('slot sharing groups', () => {
  it('an operator inherits the group of its input, as in Flink, and does not chain across groups', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).slotSharingGroup('heavy').filter(isEven).print();
    });
    expect(shapeOf(graph)).toEqual({
      vertices: [
        { name: 'Source: Sequence Source', parallelism: 1, maxParallelism: 128, slotSharingGroup: 'default', operators: ['Source: Sequence Source'] },
        {
          name: 'Map -> Filter -> Sink: Print to Std. Out',
          parallelism: 1,
          maxParallelism: 128,
          slotSharingGroup: 'heavy',
          operators: ['Map', 'Filter', 'Sink: Print to Std. Out'],
        },
      ],
      chains: ['Map -> Filter', 'Filter -> Sink: Print to Std. Out'],
      edges: ['Source: Sequence Source => Map forward'],
    });
  });

  it('inputs from different groups give the default group; one common group is inherited', () => {
    const graph = jobGraphOf((env) => {
      const a = env.fromSequence(1, 10).name('a').slotSharingGroup('x');
      const b = env.fromSequence(1, 10).name('b').slotSharingGroup('y');
      const c = env.fromSequence(1, 10).name('c').slotSharingGroup('x');
      a.union(b).map(identity).name('mixed').print().name('mixed-sink');
      a.union(c).map(identity).name('same').print().name('same-sink');
      a.map(identity).name('explicit').slotSharingGroup('z').print().name('explicit-sink');
    });
    expect(shapeOf(graph).vertices.map((v) => [v.name, v.slotSharingGroup])).toEqual([
      ['Source: a', 'x'],
      ['Source: b', 'y'],
      ['Source: c', 'x'],
      ['mixed -> Sink: mixed-sink', 'default'],
      ['same -> Sink: same-sink', 'x'],
      ['explicit -> Sink: explicit-sink', 'z'],
    ]);
  });
});

describe('partitioners', () => {
  it('rebalance, rescale, shuffle, broadcast, global and partitionCustom break the chain and name the edge', () => {
    const graph = jobGraphOf((env) => {
      const source = env.fromSequence(1, 10);
      source.rebalance().print().name('rebalanced');
      source.rescale().print().name('rescaled');
      source.shuffle().print().name('shuffled');
      source.broadcast().print().name('broadcast');
      source.global().print().name('global');
      source.partitionCustom((key: number, n: number) => key % n, (x) => x).print().name('custom');
    }, { defaultParallelism: 2 });
    expect(shapeOf(graph).edges).toEqual([
      'Source: Sequence Source => Sink: rebalanced rebalance',
      'Source: Sequence Source => Sink: rescaled rescale',
      'Source: Sequence Source => Sink: shuffled shuffle',
      'Source: Sequence Source => Sink: broadcast broadcast',
      'Source: Sequence Source => Sink: global global',
      'Source: Sequence Source => Sink: custom custom',
    ]);
    expect(graph.vertices).toHaveLength(7);
  });

  it('forward() with equal parallelism chains', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).forward().map(identity).print();
    }, { defaultParallelism: 3 });
    expect(shapeOf(graph).vertices.map((v) => v.name)).toEqual(['Source: Sequence Source -> Map -> Sink: Print to Std. Out']);
  });

  it('forward() into another parallelism is an INVALID_GRAPH error naming both operators', () => {
    expect(() =>
      jobGraphOf((env) => {
        env.fromSequence(1, 10).forward().map(identity).setParallelism(3).print();
      }, { defaultParallelism: 2 }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_GRAPH',
        message:
          "forward() between 'Source: Sequence Source' (parallelism 2) and 'Map' (parallelism 3): forward partitioning does not allow a change of parallelism",
      }),
    );
  });

  it('the partitioner closest to the consumer wins', () => {
    const graph = jobGraphOf((env) => {
      const source = env.fromSequence(1, 10);
      source.rebalance().shuffle().print().name('a');
      source.broadcast().keyBy((n) => n).reduce((x, y) => x + y).print().name('b');
    });
    expect(shapeOf(graph).edges).toEqual(['Source: Sequence Source => Sink: a shuffle', 'Source: Sequence Source => Keyed Reduce hash']);
  });

  it('a partitioner applied to a union applies to each of its inputs', () => {
    const graph = jobGraphOf((env) => {
      const left = env.fromSequence(1, 10).name('left');
      const right = env.fromSequence(1, 10).name('right');
      left.union(right.rescale()).print();
      left.union(right).broadcast().print().name('all');
    });
    expect(shapeOf(graph).edges).toEqual([
      'Source: left => Sink: Print to Std. Out forward',
      'Source: left => Sink: all broadcast',
      'Source: right => Sink: Print to Std. Out rescale',
      'Source: right => Sink: all broadcast',
    ]);
  });
});
