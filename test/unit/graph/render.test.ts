/** Plan rendering for `flinkts info`: exact text and DOT of small jobs. */
import { describe, expect, it } from 'vitest';
import { OutputTag } from '../../../src/index.js';
import { renderDot, renderText } from '../../../src/graph/render.js';
import { twoInput } from './fixture-jobs.js';
import { identity, jobGraphOf, SplitOdd } from './helpers.js';

// Collection source (parallelism 1) → map 'Upper' (uid) → keyBy → reduce → print, at parallelism 2:
// a rebalance edge, a hash edge, and the reduce chained with the sink.
const graph = jobGraphOf((env) => {
  env
    .fromElements('a', 'b')
    .map((s: string) => s.toUpperCase())
    .name('Upper')
    .uid('upper')
    .keyBy((s) => s)
    .reduce((a, b) => a + b)
    .print();
  env.execute('Render "test"');
}, { defaultParallelism: 2 });
const [source, upper, reduce] = graph.vertices;
const sink = reduce!.operators[1]!;

describe('renderText', () => {
  it('lists vertices with their operators, then the edges', () => {
    expect(renderText(graph)).toBe(
      [
        'Job: Render "test"',
        '',
        'Vertices:',
        '  [1] Source: Collection Source',
        '      parallelism 1, max parallelism 128, slot sharing group default',
        `      ${source!.id}  Source: Collection Source (source)`,
        '  [2] Upper',
        '      parallelism 2, max parallelism 128, slot sharing group default',
        `      ${upper!.id}  Upper (map, uid upper)`,
        '  [3] Keyed Reduce -> Sink: Print to Std. Out',
        '      parallelism 2, max parallelism 128, slot sharing group default',
        `      ${reduce!.id}  Keyed Reduce (reduce, keyed)`,
        `      ${sink.id}  Sink: Print to Std. Out (sink)`,
        '',
        'Edges:',
        '  [1] -> [2]  REBALANCE',
        '  [2] -> [3]  HASH',
        '',
      ].join('\n'),
    );
  });

  it('says so when the whole job is one chain', () => {
    const single = jobGraphOf((env) => {
      env.fromSequence(1, 3).map(identity).print();
    });
    const [vertex] = single.vertices;
    expect(renderText(single)).toBe(
      [
        'Job: test-job',
        '',
        'Vertices:',
        '  [1] Source: Sequence Source -> Map -> Sink: Print to Std. Out',
        '      parallelism 1, max parallelism 128, slot sharing group default',
        `      ${vertex!.operators[0]!.id}  Source: Sequence Source (source)`,
        `      ${vertex!.operators[1]!.id}  Map (map)`,
        `      ${vertex!.operators[2]!.id}  Sink: Print to Std. Out (sink)`,
        '',
        'Edges:',
        '  (none: the whole job is one chain)',
        '',
      ].join('\n'),
    );
  });
});

describe('renderDot', () => {
  it('draws one box per vertex and labels edges with their partitioner', () => {
    expect(renderDot(graph)).toBe(
      [
        'digraph "Render \\"test\\"" {',
        '  rankdir=LR;',
        '  node [shape=box, fontname="Helvetica"];',
        `  "${source!.id}" [label="Source: Collection Source\\nparallelism 1"];`,
        `  "${upper!.id}" [label="Upper\\nparallelism 2"];`,
        `  "${reduce!.id}" [label="Keyed Reduce -> Sink: Print to Std. Out\\nparallelism 2"];`,
        `  "${source!.id}" -> "${upper!.id}" [label="REBALANCE"];`,
        `  "${upper!.id}" -> "${reduce!.id}" [label="HASH"];`,
        '}',
        '',
      ].join('\n'),
    );
  });

  it('names the side output an edge carries', () => {
    const sideGraph = jobGraphOf((env) => {
      const odd = new OutputTag<number>('odd');
      const split = env.fromSequence(1, 10).process(new SplitOdd(odd)).name('Split');
      split.print().name('evens');
      split.getSideOutput(odd).print().name('odds').setParallelism(2);
    });
    const [head, odds] = sideGraph.vertices;
    expect(renderDot(sideGraph).split('\n').filter((line) => line.includes('->') && line.includes('label="R'))).toEqual([
      `  "${head!.id}" -> "${odds!.id}" [label="REBALANCE (odd)"];`,
    ]);
    expect(renderText(sideGraph).split('\n').slice(-2)).toEqual(["  [1] -> [2]  REBALANCE side output 'odd'", '']);
  });

  it('marks edges into the second input of a two-input operator', () => {
    const graph = jobGraphOf(twoInput.define, twoInput.settings, twoInput.defaultJobName);
    const edges = renderText(graph).split('\n').filter((line) => line.includes('->') && line.startsWith('  ['));
    // rules -> apply-rules is the broadcast (second) input; other -> co-map is the co-map's second input.
    expect(edges.filter((line) => line.endsWith('(second input)'))).toHaveLength(2);
    expect(edges.filter((line) => line.includes('BROADCAST'))[0]).toMatch(/BROADCAST \(second input\)$/);
  });
});
