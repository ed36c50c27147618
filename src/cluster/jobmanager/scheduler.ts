/**
 * Slot assignment with slot sharing, as in Flink: subtask i of every vertex of
 * a slot sharing group goes to the group's i-th slot, so a job needs, per
 * group, as many slots as its largest parallelism. The local task manager
 * multiplexes these logical slots onto at most `numberOfTaskSlots` worker
 * threads (round-robin), so a job with more parallelism than cores still runs.
 */
import type { JobGraph } from '../../graph/job-graph.js';

export interface Placement {
  /** Worker threads to start. */
  readonly numWorkers: number;
  /** Logical slots the job occupies (sum over slot sharing groups). */
  readonly logicalSlots: number;
  /** For each vertex id, the worker index of each subtask. */
  readonly workerOf: Record<string, number[]>;
  /** For each worker, the subtasks it runs. */
  readonly tasksOf: { vertexId: string; subtaskIndex: number }[][];
}

export function placeTasks(jobGraph: JobGraph, numberOfTaskSlots: number): Placement {
  const groupSlots = new Map<string, number>();
  for (const vertex of jobGraph.vertices) {
    groupSlots.set(vertex.slotSharingGroup, Math.max(groupSlots.get(vertex.slotSharingGroup) ?? 0, vertex.parallelism));
  }
  const groupOffset = new Map<string, number>();
  let logicalSlots = 0;
  for (const [group, slots] of groupSlots) {
    groupOffset.set(group, logicalSlots);
    logicalSlots += slots;
  }
  const numWorkers = Math.max(1, Math.min(logicalSlots, numberOfTaskSlots));
  const workerOf: Record<string, number[]> = {};
  const tasksOf: { vertexId: string; subtaskIndex: number }[][] = Array.from({ length: numWorkers }, () => []);
  for (const vertex of jobGraph.vertices) {
    const offset = groupOffset.get(vertex.slotSharingGroup)!;
    workerOf[vertex.id] = Array.from({ length: vertex.parallelism }, (_, i) => (offset + i) % numWorkers);
    workerOf[vertex.id]!.forEach((worker, subtaskIndex) => tasksOf[worker]!.push({ vertexId: vertex.id, subtaskIndex }));
  }
  return { numWorkers, logicalSlots, workerOf, tasksOf };
}
