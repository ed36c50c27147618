/**
 * Operator ids: the key of an operator's state in checkpoints and savepoints.
 * `uid()` gives an id that depends on nothing else; without one the id is a
 * deterministic hash of the operator's position and inputs (DESIGN §4.2).
 */
import { describe, expect, it } from 'vitest';
import type { Collector, StreamExecutionEnvironment } from '../../../src/index.js';
import type { JobGraph } from '../../../src/graph/job-graph.js';
import { identity, jobGraphOf } from './helpers.js';

/** Operator name → id. */
function idsOf(graph: JobGraph): Record<string, string> {
  return Object.fromEntries(graph.vertices.flatMap((v) => v.operators.map((op) => [op.name, op.id])));
}

const wordCount = (env: StreamExecutionEnvironment): void => {
  env
    .fromElements('a b', 'b c')
    .flatMap((line: string, out) => line.split(' ').forEach((w) => out.collect(w)))
    .keyBy((w) => w)
    .map((w) => [w, 1] as const)
    .print();
};

describe('operator ids', () => {
  it('are 32 lowercase hex digits and unique within a job', () => {
    const graph = jobGraphOf(wordCount, { defaultParallelism: 2 });
    const ids = graph.vertices.flatMap((v) => v.operators.map((op) => op.id));
    expect(ids).toHaveLength(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(4);
  });

  it('are deterministic: the same definition planned twice gives the same graph', () => {
    expect(jobGraphOf(wordCount, { defaultParallelism: 2 })).toEqual(jobGraphOf(wordCount, { defaultParallelism: 2 }));
  });

  it('do not depend on names, the job name or a parallelism change that keeps the partitioners', () => {
    const define = (mapName: string) => (env: StreamExecutionEnvironment) => {
      env.fromSequence(1, 10).map(identity).name(mapName).keyBy((n) => n).reduce((a, b) => a + b).print();
    };
    const before = jobGraphOf(define('Parse'), { defaultParallelism: 2 }, 'job-a');
    const after = jobGraphOf(define('Parse numbers'), { defaultParallelism: 8 }, 'job-b');
    expect(Object.values(idsOf(after))).toEqual(Object.values(idsOf(before)));
  });

  it('do not change when a rescale turns a default forward edge into a rebalance (restoring a savepoint with -p)', () => {
    const socketWordCount = (env: StreamExecutionEnvironment): void => {
      env
        .socketTextStream('localhost', 9999)
        .flatMap((line: string, out: Collector<string>) => out.collect(line))
        .keyBy((word) => word)
        .reduce((a, b) => a + b)
        .print();
    };
    const p1 = jobGraphOf(socketWordCount, { defaultParallelism: 1 });
    const p4 = jobGraphOf(socketWordCount, { defaultParallelism: 4 });
    // At p=1 the source chains with the flatMap (forward); at p=4 a rebalance edge separates them.
    expect(p1.vertices).toHaveLength(2);
    expect(p4.vertices).toHaveLength(3);
    expect(idsOf(p4)).toEqual(idsOf(p1));
  });

  it('uid() gives an id independent of the position in the job', () => {
    const short = jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).uid('parse').name('Parse').print();
    });
    const long = jobGraphOf((env) => {
      env.fromElements(0).print().name('other');
      env.fromSequence(1, 10).filter(() => true).map(identity).uid('parse').name('Parse').print();
    });
    expect(idsOf(long)['Parse']).toBe(idsOf(short)['Parse']);
    // Without the uid the two would differ.
    const withoutUid = jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).name('Parse').print();
    });
    expect(idsOf(withoutUid)['Parse']).not.toBe(idsOf(short)['Parse']);
  });

  it('different uids give different ids; the uid is kept in the graph', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).uid('source').map(identity).uid('map').print().uid('sink');
    });
    const operators = graph.vertices[0]!.operators;
    expect(operators.map((op) => op.uid)).toEqual(['source', 'map', 'sink']);
    expect(new Set(operators.map((op) => op.id)).size).toBe(3);
  });

  it('changing the topology changes the ids of the operators from the change on, not before it', () => {
    const before = idsOf(jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).name('Parse').print();
    }));
    const after = idsOf(jobGraphOf((env) => {
      env.fromSequence(1, 10).filter(() => true).map(identity).name('Parse').print();
    }));
    // The source keeps its position and has no inputs: same id.
    expect(after['Source: Sequence Source']).toBe(before['Source: Sequence Source']);
    expect(after['Parse']).not.toBe(before['Parse']);
    expect(after['Sink: Print to Std. Out']).not.toBe(before['Sink: Print to Std. Out']);
  });

  it('an operator of another kind at the same position gets another id', () => {
    const mapped = idsOf(jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).name('op').print();
    }));
    const filtered = idsOf(jobGraphOf((env) => {
      env.fromSequence(1, 10).filter(() => true).name('op').print();
    }));
    expect(filtered['op']).not.toBe(mapped['op']);
  });

  it('a different partitioner on the input edge changes the id', () => {
    const forward = idsOf(jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).print();
    }));
    const rebalanced = idsOf(jobGraphOf((env) => {
      env.fromSequence(1, 10).rebalance().map(identity).print();
    }));
    expect(rebalanced['Source: Sequence Source']).toBe(forward['Source: Sequence Source']);
    expect(rebalanced['Map']).not.toBe(forward['Map']);
  });
});
