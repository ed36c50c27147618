/**
 * parseJobGraph: the schema and the cross-reference checks. Each corruption
 * is applied to a fresh copy of a planned graph and must be rejected with
 * exactly one INVALID_ARTIFACT message naming the artifact, the JSON path and
 * the problem. (Every graph planned by the other graph tests is accepted: see
 * `plan` in helpers.ts.)
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JobGraph } from '../../../src/graph/job-graph.js';
import { jobGraphSchema, parseJobGraph } from '../../../src/graph/validate.js';
import { fanOut, wordCount } from './fixture-jobs.js';
import { plan } from './helpers.js';

/** The operator kinds the schema allows (the list grows with the API; the message must name them all). */
const OPERATOR_KINDS: string[] = JSON.parse(readFileSync(new URL('../../../src/graph/jobgraph.schema.json', import.meta.url), 'utf8')).$defs.operator.properties.kind.enum;

/** A mutable deep copy of a planned graph, as `JSON.parse` would give it. */
type Json = any;

const wordCountGraph = plan(wordCount.define, wordCount.settings, wordCount.defaultJobName).jobGraph;
const fanOutGraph = plan(fanOut.define, fanOut.settings, fanOut.defaultJobName).jobGraph;

// Operator ids of the word count: S (source, vertex 0), T (tokenizer, vertex 1), A (aggregation, head of vertex 2), P (print sink, chained to A).
const S = wordCountGraph.vertices[0]!.id;
const T = wordCountGraph.vertices[1]!.id;
const A = wordCountGraph.vertices[2]!.id;
const P = wordCountGraph.vertices[2]!.operators[1]!.id;
const UNKNOWN = 'f'.repeat(32);

function corrupt(graph: JobGraph, change: (g: Json) => void): Json {
  const copy: Json = JSON.parse(JSON.stringify(graph));
  change(copy);
  return copy;
}

function rejection(json: unknown): { code: string; message: string; hint: string | undefined } {
  try {
    parseJobGraph(json, 'job.tgz');
  } catch (error) {
    const { code, message, hint } = error as { code: string; message: string; hint: string | undefined };
    return { code, message, hint };
  }
  throw new Error('parseJobGraph accepted the graph');
}

describe('jobgraph.schema.json', () => {
  it('is a valid draft 2020-12 schema that compiles in ajv strict mode', () => {
    const ajv = new Ajv2020({ strict: true });
    expect(ajv.validateSchema(jobGraphSchema), JSON.stringify(ajv.errors)).toBe(true);
    expect(() => ajv.compile(jobGraphSchema)).not.toThrow();
  });
});

describe('parseJobGraph', () => {
  it('returns the graph it was given', () => {
    const json: unknown = JSON.parse(JSON.stringify(wordCountGraph));
    expect(parseJobGraph(json, 'job.tgz')).toBe(json);
    expect(parseJobGraph(json, 'job.tgz')).toEqual(wordCountGraph);
  });

  it('rejects what is not an object', () => {
    expect(rejection(null).message).toBe('job.tgz: jobgraph.json must contain a JSON object, got null');
    expect(rejection([]).message).toBe('job.tgz: jobgraph.json must contain a JSON object, got an array');
    expect(rejection('{}').message).toBe('job.tgz: jobgraph.json must contain a JSON object, got string');
    expect(rejection(null).code).toBe('INVALID_ARTIFACT');
  });

  it('names a wrong or missing format', () => {
    expect(rejection(corrupt(wordCountGraph, (g) => (g.format = 'flink-jobgraph'))).message).toBe(
      'job.tgz: jobgraph.json is not a flinkts job graph: its format is "flink-jobgraph", expected "flinkts-jobgraph"',
    );
    expect(rejection(corrupt(wordCountGraph, (g) => delete g.format)).message).toBe(
      'job.tgz: jobgraph.json is not a flinkts job graph: it has no format field, expected "flinkts-jobgraph"',
    );
  });

  it('names an unknown version and says what to do', () => {
    const newer = rejection(corrupt(wordCountGraph, (g) => (g.version = 2)));
    expect(newer).toEqual({
      code: 'INVALID_ARTIFACT',
      message: 'job.tgz: jobgraph.json has version 2; this flinkts reads job graph version 1 only',
      hint: 'compile the job again with this version of flinkts',
    });
    expect(rejection(corrupt(wordCountGraph, (g) => delete g.version)).message).toBe(
      'job.tgz: jobgraph.json has no version; this flinkts reads job graph version 1 only',
    );
    expect(rejection(corrupt(wordCountGraph, (g) => (g.version = '1'))).message).toBe(
      'job.tgz: jobgraph.json has version "1"; this flinkts reads job graph version 1 only',
    );
  });

  const schemaCases: [string, (g: Json) => void, string][] = [
    ['parallelism 0', (g) => (g.vertices[0].parallelism = 0), '/vertices/0/parallelism: must be >= 1'],
    ['fractional parallelism', (g) => (g.vertices[1].parallelism = 1.5), '/vertices/1/parallelism: must be integer'],
    ['parallelism as a string', (g) => (g.vertices[1].parallelism = '2'), '/vertices/1/parallelism: must be integer'],
    ['max parallelism above 32768', (g) => (g.vertices[0].maxParallelism = 40000), '/vertices/0/maxParallelism: must be <= 32768'],
    ['a missing vertex name', (g) => delete g.vertices[0].name, '/vertices/0/name: is required but missing'],
    ['a missing edge list', (g) => delete g.edges, '/edges: is required but missing'],
    ['an unknown property at the top', (g) => (g.extra = true), '/extra: is not a known property'],
    ['an unknown operator property', (g) => (g.vertices[2].operators[1].color = 'red'), '/vertices/2/operators/1/color: is not a known property'],
    ['a short vertex id', (g) => (g.vertices[1].id = 'xyz'), '/vertices/1/id: must be an operator id of 32 lowercase hex digits'],
    ['an upper-case edge target', (g) => (g.edges[0].target = T.toUpperCase()), '/edges/0/target: must be an operator id of 32 lowercase hex digits'],
    [
      'an unknown partitioner',
      (g) => (g.edges[1].partitioner = 'random'),
      '/edges/1/partitioner: must be one of forward, rebalance, rescale, shuffle, broadcast, global, hash, custom',
    ],
    [
      'an unknown operator kind',
      (g) => (g.vertices[0].operators[0].kind = 'teleport'),
      `/vertices/0/operators/0/kind: must be one of ${OPERATOR_KINDS.join(', ')}`,
    ],
    ['keyed as a string', (g) => (g.vertices[2].operators[0].keyed = 'yes'), '/vertices/2/operators/0/keyed: must be boolean'],
    ['a vertex without operators', (g) => (g.vertices[0].operators = []), '/vertices/0/operators: must NOT have fewer than 1 items'],
    ['no vertices', (g) => (g.vertices = []), '/vertices: must NOT have fewer than 1 items'],
    ['a numeric job name', (g) => (g.jobName = 42), '/jobName: must be string'],
    ['an empty slot sharing group', (g) => (g.vertices[0].slotSharingGroup = ''), '/vertices/0/slotSharingGroup: must NOT have fewer than 1 characters'],
    ['an empty uid', (g) => (g.vertices[2].operators[1].uid = ''), '/vertices/2/operators/1/uid: must NOT have fewer than 1 characters'],
    ['edges as an object', (g) => (g.edges = {}), '/edges: must be array'],
    ['a numeric side output', (g) => (g.vertices[2].operators[0].chainedOutputs[0].sideOutput = 5), '/vertices/2/operators/0/chainedOutputs/0/sideOutput: must be string'],
    ['an edge without an input index', (g) => delete g.edges[0].inputIndex, '/edges/0/inputIndex: is required but missing'],
    ['an input index above 1', (g) => (g.edges[1].inputIndex = 2), '/edges/1/inputIndex: must be <= 1'],
    ['a fractional input index', (g) => (g.edges[1].inputIndex = 0.5), '/edges/1/inputIndex: must be integer'],
  ];

  const referenceCases: [string, (g: Json) => void, string][] = [
    ['a duplicate vertex', (g) => (g.vertices[1] = g.vertices[0]), `/vertices/1/id: duplicate vertex id ${S} (also /vertices/0/id)`],
    ['a vertex id that is not its head operator', (g) => (g.vertices[1].id = UNKNOWN), `/vertices/1/id: must equal the id of the vertex's first operator (${T})`],
    ['parallelism above the max parallelism', (g) => (g.vertices[1].maxParallelism = 1), '/vertices/1/parallelism: must be <= maxParallelism (1)'],
    [
      'a duplicate operator id',
      (g) => {
        g.vertices[2].operators[1].id = T;
        g.vertices[2].operators[0].chainedOutputs[0].operator = T;
      },
      `/vertices/2/operators/1/id: duplicate operator id ${T} (also /vertices/1/operators/0/id)`,
    ],
    [
      'a duplicate uid',
      (g) => (g.vertices[0].operators[0].uid = 'word-count-print'),
      "/vertices/2/operators/1/uid: duplicate uid 'word-count-print' (also /vertices/0/operators/0/uid)",
    ],
    [
      'a chained output to another vertex',
      (g) => (g.vertices[2].operators[0].chainedOutputs[0].operator = S),
      `/vertices/2/operators/0/chainedOutputs/0/operator: names no operator of this vertex (${S})`,
    ],
    [
      'a chained output backwards',
      (g) => (g.vertices[2].operators[1].chainedOutputs = [{ operator: A }]),
      '/vertices/2/operators/1/chainedOutputs/0/operator: must name an operator listed after this one (a chain runs head first)',
    ],
    ['a chained operator nobody feeds', (g) => (g.vertices[2].operators[0].chainedOutputs = []), '/vertices/2/operators/1: is not fed by any chained output of its vertex'],
    ['an edge from an unknown vertex', (g) => (g.edges[0].source = UNKNOWN), `/edges/0/source: names no vertex (${UNKNOWN})`],
    ['an edge into a chained operator', (g) => (g.edges[1].target = P), `/edges/1/target: names no vertex (${P})`],
    [
      'an edge from an operator of another vertex',
      (g) => (g.edges[1].sourceOperator = S),
      `/edges/1/sourceOperator: names no operator of the source vertex /vertices/1 (${S})`,
    ],
    [
      'a second input into a one-input operator',
      (g) => (g.edges[1].inputIndex = 1),
      "/edges/1/inputIndex: is 1, but the head of the target vertex /vertices/2 ('aggregate') has one input",
    ],
    [
      'a forward edge between different parallelisms',
      (g) => (g.edges[0].partitioner = 'forward'),
      '/edges/0/partitioner: forward needs equal parallelism, but the source vertex has 1 and the target 2',
    ],
    [
      'a cycle',
      (g) => g.edges.push({ source: A, sourceOperator: P, target: S, inputIndex: 0, partitioner: 'rebalance' }),
      "/edges: the edges form a cycle through /vertices/0 ('Source: Collection Source')",
    ],
    [
      'a self loop, with a vertex behind it',
      (g) => g.edges.push({ source: T, sourceOperator: T, target: T, inputIndex: 0, partitioner: 'rebalance' }),
      "/edges: the edges form a cycle through /vertices/1 ('Tokenizer')",
    ],
  ];

  for (const [label, change, problem] of [...schemaCases, ...referenceCases]) {
    it(`rejects ${label}`, () => {
      expect(rejection(corrupt(wordCountGraph, change))).toEqual({
        code: 'INVALID_ARTIFACT',
        message: `job.tgz: jobgraph.json ${problem}`,
        hint: undefined,
      });
    });
  }

  it('rejects an operator fed by two chained outputs', () => {
    // Fan-out vertex 0: [source, Split, Square, Sink: evens, Small, Sink: odds]; Split now also feeds Sink: evens.
    const evens = fanOutGraph.vertices[0]!.operators[3]!.id;
    const graph = corrupt(fanOutGraph, (g) => g.vertices[0].operators[1].chainedOutputs.push({ operator: evens }));
    expect(rejection(graph).message).toBe('job.tgz: jobgraph.json /vertices/0/operators/3: is fed by 2 chained outputs; a chained operator has one input');
  });

  it('escapes unknown property names in the JSON path', () => {
    expect(rejection(corrupt(wordCountGraph, (g) => (g['a/b~c'] = 1))).message).toBe('job.tgz: jobgraph.json /a~1b~0c: is not a known property');
  });
});
