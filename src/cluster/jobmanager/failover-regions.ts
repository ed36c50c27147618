/**
 * Region failover (Flink's `RestartPipelinedRegionFailoverStrategy`): a
 * failed task restarts only its pipelined region — the tasks it exchanges
 * records with, directly or through others. In a streaming job every edge is
 * pipelined, so regions are the connected components of the task graph: a
 * `keyBy` or `rebalance` joins every subtask of both vertices, a forward
 * edge only subtask i with subtask i (an embarrassingly parallel pipeline
 * has one region per subtask), and disconnected pipelines are regions of
 * their own.
 *
 * Tasks run in worker threads that host several tasks (slot sharing), and a
 * worker restarts as a whole, so what restarts is the closure: the workers
 * of the failed region's tasks, every region with a task in those workers,
 * their workers, and so on. When that is every worker, it is a full restart.
 */
import type { JobGraph } from '../../graph/job-graph.js';
import { connectedConsumers } from '../../runtime/network/partitioners.js';
import { taskKey } from './checkpoint-coordinator.js';

/** How a task failure restarts the job (`jobmanager.execution.failover-strategy`). */
export type FailoverStrategy = 'full' | 'region';

/** The workers to restart when a task of `failedWorker` failed: every worker under `full`, the region closure under `region`. */
export function workersToRestart(
  jobGraph: JobGraph,
  workerOf: Readonly<Record<string, readonly number[]>>,
  numWorkers: number,
  failedWorker: number,
  strategy: FailoverStrategy,
): number[] {
  const all = Array.from({ length: numWorkers }, (_, i) => i);
  if (strategy === 'full') return all;
  const regions = regionsOf(jobGraph);
  const tasksOfWorker = new Map<number, string[]>();
  for (const vertex of jobGraph.vertices) {
    workerOf[vertex.id]!.forEach((worker, subtask) => tasksOfWorker.set(worker, [...(tasksOfWorker.get(worker) ?? []), taskKey(vertex.id, subtask)]));
  }
  const workerOfTask = new Map<string, number>();
  for (const [worker, tasks] of tasksOfWorker) for (const task of tasks) workerOfTask.set(task, worker);
  const restart = new Set<number>();
  const pending = [failedWorker];
  while (pending.length > 0) {
    const worker = pending.pop()!;
    if (restart.has(worker)) continue;
    restart.add(worker);
    for (const task of tasksOfWorker.get(worker) ?? []) {
      for (const member of regions.get(regions.find(task)) ?? []) {
        const other = workerOfTask.get(member)!;
        if (!restart.has(other)) pending.push(other);
      }
    }
  }
  return [...restart].sort((a, b) => a - b);
}

/** The regions of a job: union-find over task keys, with the members of each root. */
export function regionsOf(jobGraph: JobGraph): Map<string, string[]> & { find(task: string): string } {
  const parent = new Map<string, string>();
  const find = (task: string): string => {
    let root = task;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let node = task; node !== root; ) {
      const next = parent.get(node)!;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const union = (a: string, b: string): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(ra, rb);
  };
  const parallelism = new Map(jobGraph.vertices.map((v) => [v.id, v.parallelism]));
  for (const vertex of jobGraph.vertices) for (let i = 0; i < vertex.parallelism; i++) parent.set(taskKey(vertex.id, i), taskKey(vertex.id, i));
  for (const edge of jobGraph.edges) {
    const producers = parallelism.get(edge.source)!;
    const consumers = parallelism.get(edge.target)!;
    for (let producer = 0; producer < producers; producer++) {
      for (const consumer of connectedConsumers(edge.partitioner, producer, producers, consumers)) union(taskKey(edge.source, producer), taskKey(edge.target, consumer));
    }
  }
  const members = new Map<string, string[]>() as Map<string, string[]> & { find(task: string): string };
  for (const task of parent.keys()) {
    const root = find(task);
    members.set(root, [...(members.get(root) ?? []), task]);
  }
  members.find = find;
  return members;
}
