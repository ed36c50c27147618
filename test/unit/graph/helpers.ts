/**
 * Shared helpers of the graph tests: plan a job definition written in the
 * test, and describe its JobGraph by operator names so expectations read like
 * the plan instead of like hashes.
 */
import { defineJob, ProcessFunction, type Collector, type EnvironmentSettings, type JobDefinitionFunction, type OutputTag, type ProcessFunctionContext } from '../../../src/index.js';
import type { JobGraph } from '../../../src/graph/job-graph.js';
import { planJob, type PlannedJob } from '../../../src/graph/plan.js';
import { parseJobGraph } from '../../../src/graph/validate.js';

/**
 * Plans `define` with the given settings (default parallelism 1) and no
 * arguments. Every graph a test plans also goes through a JSON round trip and
 * `parseJobGraph`, so the schema and the cross-reference checks accept
 * everything the planner produces.
 */
export function plan(define: JobDefinitionFunction, settings: EnvironmentSettings = { defaultParallelism: 1 }, defaultJobName = 'test-job'): PlannedJob {
  const planned = planJob(defineJob(define), settings, [], defaultJobName);
  parseJobGraph(JSON.parse(JSON.stringify(planned.jobGraph)), `planned job '${planned.jobGraph.jobName}'`);
  return planned;
}

/** The JobGraph of `define`. */
export function jobGraphOf(define: JobDefinitionFunction, settings?: EnvironmentSettings, defaultJobName?: string): JobGraph {
  return plan(define, settings, defaultJobName).jobGraph;
}

/** A vertex described by its operators' names. */
export interface VertexShape {
  name: string;
  parallelism: number;
  maxParallelism: number;
  slotSharingGroup: string;
  operators: string[];
}

/** A JobGraph with ids replaced by operator names (which a test must keep unique). */
export interface GraphShape {
  vertices: VertexShape[];
  /** Every chained output: `A -> B`, or `A -> B [tag]` for a side output. */
  chains: string[];
  /** Every network edge: `A => B partitioner`, or `A => B partitioner [tag]`. */
  edges: string[];
}

/** Describes `graph` by operator names; throws when two operators share a name. */
export function shapeOf(graph: JobGraph): GraphShape {
  const names = new Map<string, string>();
  for (const vertex of graph.vertices) {
    for (const op of vertex.operators) {
      if ([...names.values()].includes(op.name)) throw new Error(`test job has two operators named '${op.name}'`);
      names.set(op.id, op.name);
    }
  }
  const nameOf = (id: string): string => names.get(id) ?? `<unknown ${id}>`;
  const tag = (side: string | undefined): string => (side === undefined ? '' : ` [${side}]`);
  return {
    vertices: graph.vertices.map((v) => ({
      name: v.name,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      slotSharingGroup: v.slotSharingGroup,
      operators: v.operators.map((op) => op.name),
    })),
    chains: graph.vertices.flatMap((v) => v.operators.flatMap((op) => op.chainedOutputs.map((out) => `${op.name} -> ${nameOf(out.operator)}${tag(out.sideOutput)}`))),
    edges: graph.edges.map((e) => `${nameOf(e.sourceOperator)} => ${nameOf(e.target)} ${e.partitioner}${tag(e.sideOutput)}`),
  };
}

/** A process function that sends odd numbers to `odd` and the rest to its main output. */
export class SplitOdd extends ProcessFunction<number, number> {
  constructor(private readonly odd: OutputTag<number>) {
    super();
  }

  processElement(value: number, ctx: ProcessFunctionContext, out: Collector<number>): void {
    if (value % 2 === 1) ctx.output(this.odd, value);
    else out.collect(value);
  }
}

/** Identity on numbers, for operators whose function does not matter. */
export const identity = (value: number): number => value;
