import { describe, expect, it } from 'vitest';
import type { JobGraph } from '../../../src/graph/job-graph.js';
import type { PartitionerKind } from '../../../src/api/transformation.js';
import { regionsOf, workersToRestart } from '../../../src/cluster/jobmanager/failover-regions.js';

/** A job graph with just what regions depend on: vertices with parallelism, edges with partitioners. */
function graph(vertices: Record<string, number>, edges: [string, string, PartitionerKind][]): JobGraph {
  return {
    vertices: Object.entries(vertices).map(([id, parallelism]) => ({ id, parallelism })),
    edges: edges.map(([source, target, partitioner]) => ({ source, target, partitioner })),
  } as unknown as JobGraph;
}

/** Subtask i of every vertex on worker i % workers (slot sharing). */
function placement(vertices: Record<string, number>, workers: number): Record<string, number[]> {
  return Object.fromEntries(Object.entries(vertices).map(([id, p]) => [id, Array.from({ length: p }, (_, i) => i % workers)]));
}

function regions(job: JobGraph): string[][] {
  return [...regionsOf(job).values()].map((members) => members.sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

describe('pipelined regions', () => {
  it('a forward pipeline has one region per subtask', () => {
    expect(regions(graph({ a: 2, b: 2 }, [['a', 'b', 'forward']]))).toEqual([
      ['a#0', 'b#0'],
      ['a#1', 'b#1'],
    ]);
  });

  it('a hash (keyBy) edge joins every subtask of both vertices', () => {
    expect(regions(graph({ a: 2, b: 3 }, [['a', 'b', 'hash']]))).toEqual([['a#0', 'a#1', 'b#0', 'b#1', 'b#2']]);
  });

  it('rescale connects contiguous groups only', () => {
    expect(regions(graph({ a: 4, b: 2 }, [['a', 'b', 'rescale']]))).toEqual([
      ['a#0', 'a#1', 'b#0'],
      ['a#2', 'a#3', 'b#1'],
    ]);
  });

  it('disconnected pipelines are regions of their own', () => {
    expect(regions(graph({ a: 1, b: 1, c: 1, d: 1 }, [['a', 'b', 'rebalance'], ['c', 'd', 'rebalance']]))).toEqual([
      ['a#0', 'b#0'],
      ['c#0', 'd#0'],
    ]);
  });
});

describe('workers to restart', () => {
  const vertices = { a: 3, b: 3 };
  const forward = graph(vertices, [['a', 'b', 'forward']]);

  it('region: only the failed worker when each region has a worker of its own', () => {
    expect(workersToRestart(forward, placement(vertices, 3), 3, 1, 'region')).toEqual([1]);
  });

  it('region: the closure over shared workers (subtasks 0 and 2 share worker 0)', () => {
    expect(workersToRestart(forward, placement(vertices, 2), 2, 0, 'region')).toEqual([0]);
    const mixed = graph({ a: 3, b: 3, c: 2 }, [['a', 'b', 'forward'], ['b', 'c', 'rescale']]);
    // b#0, b#1 feed c#0 and b#2 feeds c#1 (pointwise); worker 1 holds a#1, b#1 and c#1: both regions.
    expect(workersToRestart(mixed, placement({ a: 3, b: 3, c: 2 }, 3), 3, 2, 'region')).toEqual([0, 1, 2]);
  });

  it('region with an all-to-all edge, and full, restart every worker', () => {
    const keyed = graph(vertices, [['a', 'b', 'hash']]);
    expect(workersToRestart(keyed, placement(vertices, 3), 3, 1, 'region')).toEqual([0, 1, 2]);
    expect(workersToRestart(forward, placement(vertices, 3), 3, 1, 'full')).toEqual([0, 1, 2]);
  });
});
