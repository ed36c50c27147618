/** `flinkts info` and `flinkts compile` driven through the built CLI. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobGraph } from '../../src/graph/job-graph.js';
import { flinkts, WORDS } from './helpers.js';

const WORDCOUNT = 'examples/wordcount.ts';
const HEX32 = /^[0-9a-f]{32}$/;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-e2e-info-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function infoJson(...args: string[]): Promise<JobGraph> {
  const result = await flinkts(['info', '--format', 'json', ...args]);
  expect(result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return JSON.parse(String(result.stdout)) as JobGraph;
}

describe('flinkts info', () => {
  it('prints the JobGraph of the word count as JSON: two chained vertices joined by a hash edge', async () => {
    const graph = await infoJson('-p', '2', WORDCOUNT, '--', '--input', WORDS);
    const [source, counter] = graph.vertices;
    expect(graph).toEqual({
      format: 'flinkts-jobgraph',
      version: 1,
      jobName: 'WordCount',
      vertices: [
        {
          id: source!.operators[0]!.id,
          name: `Source: readTextFile(${WORDS}) -> tokenizer`,
          parallelism: 2,
          maxParallelism: 128,
          slotSharingGroup: 'default',
          operators: [
            { id: source!.id, name: `Source: readTextFile(${WORDS})`, kind: 'source', keyed: false, chainedOutputs: [{ operator: source!.operators[1]!.id }] },
            { id: source!.operators[1]!.id, name: 'tokenizer', kind: 'flatMap', keyed: false, chainedOutputs: [] },
          ],
        },
        {
          id: counter!.operators[0]!.id,
          name: 'counter -> Sink: Print to Std. Out',
          parallelism: 2,
          maxParallelism: 128,
          slotSharingGroup: 'default',
          operators: [
            { id: counter!.id, name: 'counter', kind: 'aggregate', keyed: true, chainedOutputs: [{ operator: counter!.operators[1]!.id }] },
            { id: counter!.operators[1]!.id, name: 'Sink: Print to Std. Out', kind: 'sink', keyed: false, chainedOutputs: [] },
          ],
        },
      ],
      edges: [{ source: source!.id, sourceOperator: source!.operators[1]!.id, target: counter!.id, inputIndex: 0, partitioner: 'hash' }],
    });
    const ids = graph.vertices.flatMap((v) => v.operators.map((o) => o.id));
    expect(ids.every((id) => HEX32.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(4);
  });

  it('gives the same operator ids every time, and --json wraps the graph', async () => {
    const first = await infoJson(WORDCOUNT, '--', '--input', WORDS);
    const result = await flinkts(['info', '--json', WORDCOUNT, '--', '--input', WORDS]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(String(result.stdout))).toEqual({ jobGraph: first });
  });

  it('prints Graphviz DOT', async () => {
    const graph = await infoJson(WORDCOUNT, '--', '--input', WORDS);
    const result = await flinkts(['info', '--format', 'dot', WORDCOUNT, '--', '--input', WORDS]);
    expect(result.exitCode).toBe(0);
    const [source, counter] = graph.vertices;
    expect(String(result.stdout)).toBe(
      [
        'digraph "WordCount" {',
        '  rankdir=LR;',
        '  node [shape=box, fontname="Helvetica"];',
        `  "${source!.id}" [label="Source: readTextFile(${WORDS}) -> tokenizer\\nparallelism 1"];`,
        `  "${counter!.id}" [label="counter -> Sink: Print to Std. Out\\nparallelism 1"];`,
        `  "${source!.id}" -> "${counter!.id}" [label="HASH"];`,
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints a readable plan by default', async () => {
    const result = await flinkts(['info', WORDCOUNT, '--', '--input', WORDS]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/^Job: WordCount\n\nVertices:\n {2}\[1\] Source: readTextFile/);
    expect(String(result.stdout)).toContain('[1] -> [2]  HASH');
  });

  it('fails with one line naming the file when the job needs an argument it was not given', async () => {
    const result = await flinkts(['info', WORDCOUNT]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      `Error: ${WORDCOUNT}: no value for required job argument --input\nHint: pass it after '--', e.g. flinkts run job.ts -- --input <value>\n`,
    );
  });
});

describe('flinkts compile', () => {
  it('writes an artifact whose stored plan info shows, equal to the plan of the source', async () => {
    const output = join(dir, 'wordcount.tgz');
    const compiled = await flinkts(['compile', '-p', '2', WORDCOUNT, '-o', output, '--', '--input', WORDS]);
    expect(compiled.exitCode).toBe(0);
    expect(String(compiled.stdout)).toMatch(new RegExp(`^Compiled job 'WordCount' to .*wordcount\\.tgz \\(sha256:[0-9a-f]{64}\\)\\n$`));
    const fromArtifact = await infoJson(output);
    expect(fromArtifact).toEqual(await infoJson('-p', '2', WORDCOUNT, '--', '--input', WORDS));
    // Overrides plan the artifact again from its job.mjs, with its stored arguments.
    const rescaled = await infoJson('-p', '3', output);
    expect(rescaled.vertices.map((v) => v.parallelism)).toEqual([3, 3]);
    expect(rescaled.vertices.map((v) => v.id)).toEqual(fromArtifact.vertices.map((v) => v.id));
  });

  it('gives the manifest under --json', async () => {
    const output = join(dir, 'json.tgz');
    const compiled = await flinkts(['compile', '--json', WORDCOUNT, '-o', output, '--', '--input', WORDS]);
    expect(compiled.exitCode).toBe(0);
    const result = JSON.parse(String(compiled.stdout));
    expect(result.path).toBe(output);
    expect(result.manifest).toMatchObject({ format: 'flinkts-artifact', version: 1, entry: 'job.mjs', jobName: 'WordCount', jobArgs: ['--input', WORDS] });
  });
});
