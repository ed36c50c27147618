import { describe, expect, it } from 'vitest';
import type { JobGraph, JobVertex } from '../../../src/graph/job-graph.js';
import { placeTasks } from '../../../src/cluster/jobmanager/scheduler.js';

function vertex(id: string, parallelism: number, slotSharingGroup = 'default'): JobVertex {
  return { id: id.padStart(32, '0'), name: id, parallelism, maxParallelism: 128, slotSharingGroup, operators: [] };
}

function graph(...vertices: JobVertex[]): JobGraph {
  return { format: 'flinkts-jobgraph', version: 1, jobName: 'j', vertices, edges: [] };
}

describe('placeTasks', () => {
  it('shares slots: subtask i of every vertex of a group goes to slot i', () => {
    const placement = placeTasks(graph(vertex('a', 2), vertex('b', 3)), 8);
    // One group, largest parallelism 3 → 3 logical slots, 3 workers.
    expect(placement.logicalSlots).toBe(3);
    expect(placement.numWorkers).toBe(3);
    expect(placement.workerOf['a'.padStart(32, '0')]).toEqual([0, 1]);
    expect(placement.workerOf['b'.padStart(32, '0')]).toEqual([0, 1, 2]);
  });

  it('gives each slot sharing group its own slots', () => {
    const placement = placeTasks(graph(vertex('a', 2), vertex('b', 2, 'sinks')), 8);
    expect(placement.logicalSlots).toBe(4);
    expect(placement.workerOf['a'.padStart(32, '0')]).toEqual([0, 1]);
    expect(placement.workerOf['b'.padStart(32, '0')]).toEqual([2, 3]);
  });

  it('multiplexes logical slots round-robin onto at most numberOfTaskSlots workers', () => {
    const placement = placeTasks(graph(vertex('a', 4), vertex('b', 4)), 2);
    expect(placement.numWorkers).toBe(2);
    expect(placement.workerOf['a'.padStart(32, '0')]).toEqual([0, 1, 0, 1]);
    expect(placement.tasksOf[1]).toEqual([
      { vertexId: 'a'.padStart(32, '0'), subtaskIndex: 1 },
      { vertexId: 'a'.padStart(32, '0'), subtaskIndex: 3 },
      { vertexId: 'b'.padStart(32, '0'), subtaskIndex: 1 },
      { vertexId: 'b'.padStart(32, '0'), subtaskIndex: 3 },
    ]);
  });
});
