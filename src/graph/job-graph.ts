/**
 * StreamGraph → JobGraph: operators are chained into vertices with Flink's
 * rules, and the remaining edges carry their partitioners. The JobGraph is
 * plain data (see `jobgraph.schema.json`): it is what `flinkts info` prints,
 * what `compile` stores and what the cluster schedules.
 */
import type { CheckpointSettings } from '../api/checkpointing.js';
import type { StateBackendType } from '../api/environment.js';
import type { RestartStrategyConfiguration } from '../api/restart-strategy.js';
import type { PartitionerKind } from '../api/transformation.js';
import type { StreamEdge, StreamGraph, StreamNode } from './stream-graph.js';

/** The version written into `jobgraph.json`; bump it on any incompatible change. */
export const JOB_GRAPH_FORMAT = 'flinkts-jobgraph';
export const JOB_GRAPH_VERSION = 1;

/** An operator inside a vertex. */
export interface JobOperator {
  /** 32 hex digits; the key of the operator's state. */
  readonly id: string;
  readonly uid?: string;
  readonly name: string;
  /** `source`, `map`, `flatMap`, `filter`, `process`, `reduce`, `aggregate`, `sink`. */
  readonly kind: string;
  readonly keyed: boolean;
  /** Operators of the same vertex this one feeds by direct call. */
  readonly chainedOutputs: readonly { readonly operator: string; readonly sideOutput?: string }[];
}

/** A task: a chain of operators run together, `parallelism` times. */
export interface JobVertex {
  /** The id of the head operator. */
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly slotSharingGroup: string;
  /** Head first, then in topological order. */
  readonly operators: readonly JobOperator[];
}

/** A network exchange between two vertices. */
export interface JobEdge {
  readonly source: string;
  /** The operator of the source vertex that emits into this edge. */
  readonly sourceOperator: string;
  readonly target: string;
  /** The input of the target's head operator the edge feeds: 0, or 1 for the second input of a two-input operator. */
  readonly inputIndex: number;
  readonly partitioner: PartitionerKind;
  readonly sideOutput?: string;
}

/** The execution plan of a job. */
export interface JobGraph {
  readonly format: typeof JOB_GRAPH_FORMAT;
  readonly version: typeof JOB_GRAPH_VERSION;
  readonly jobName: string;
  readonly vertices: readonly JobVertex[];
  readonly edges: readonly JobEdge[];
  /** Set when the job enables checkpointing in code. */
  readonly checkpointing?: CheckpointSettings;
  /** Set when the job sets its restart strategy in code. */
  readonly restartStrategy?: RestartStrategyConfiguration;
  /** Set when the job chooses its keyed state backend in code; otherwise `state.backend.type` decides. */
  readonly stateBackend?: StateBackendType;
  /** Resources the job's connectors need for themselves (`exclusiveResources()`), with the operator that needs each. */
  readonly exclusiveResources?: readonly { readonly resource: string; readonly operator: string }[];
}

/**
 * Flink's `isChainable`: one input, forward, equal parallelism, same slot
 * sharing group, strategies allow it. A two-input operator always heads its chain.
 */
export function isChainable(edge: StreamEdge, chainingEnabled: boolean): boolean {
  const { source, target } = edge;
  return (
    chainingEnabled &&
    target.inEdges.length === 1 &&
    target.transformation.kind !== 'two-input' &&
    edge.partitioner.kind === 'forward' &&
    source.parallelism === target.parallelism &&
    source.slotSharingGroup === target.slotSharingGroup &&
    source.chainingStrategy !== 'NEVER' &&
    target.chainingStrategy === 'ALWAYS'
  );
}

/** Chains the stream graph into a JobGraph. */
export function buildJobGraph(graph: StreamGraph): JobGraph {
  const vertices: JobVertex[] = [];
  const edges: JobEdge[] = [];
  const headOf = new Map<StreamNode, StreamNode>();

  const isHead = (node: StreamNode): boolean =>
    node.inEdges.length === 0 || !node.inEdges.every((e) => isChainable(e, graph.chainingEnabled));

  for (const head of graph.nodes.filter(isHead)) {
    const members: StreamNode[] = [];
    const visit = (node: StreamNode): void => {
      members.push(node);
      headOf.set(node, head);
      for (const edge of node.outEdges) {
        if (isChainable(edge, graph.chainingEnabled)) visit(edge.target);
      }
    };
    visit(head);
    const operators = members.map((node): JobOperator => ({
      id: node.operatorId,
      ...(node.uid === undefined ? {} : { uid: node.uid }),
      name: node.name,
      kind: node.operatorKind,
      keyed: node.keyed,
      chainedOutputs: node.outEdges
        .filter((e) => isChainable(e, graph.chainingEnabled))
        .map((e) => ({ operator: e.target.operatorId, ...(e.sideOutputTag === undefined ? {} : { sideOutput: e.sideOutputTag }) })),
    }));
    vertices.push({
      id: head.operatorId,
      name: chainedName(head, graph.chainingEnabled),
      parallelism: head.parallelism,
      maxParallelism: head.maxParallelism,
      slotSharingGroup: head.slotSharingGroup,
      operators,
    });
  }

  for (const node of graph.nodes) {
    for (const edge of node.outEdges) {
      if (isChainable(edge, graph.chainingEnabled)) continue;
      edges.push({
        source: headOf.get(edge.source)!.operatorId,
        sourceOperator: edge.source.operatorId,
        target: edge.target.operatorId,
        inputIndex: edge.inputNumber - 1,
        partitioner: edge.partitioner.kind,
        ...(edge.sideOutputTag === undefined ? {} : { sideOutput: edge.sideOutputTag }),
      });
    }
  }
  return {
    format: JOB_GRAPH_FORMAT,
    version: JOB_GRAPH_VERSION,
    jobName: graph.jobName,
    vertices,
    edges,
    ...(graph.checkpointing !== undefined && { checkpointing: graph.checkpointing }),
    ...(graph.restartStrategy !== undefined && { restartStrategy: graph.restartStrategy }),
    ...(graph.stateBackend !== undefined && { stateBackend: graph.stateBackend }),
    ...(graph.exclusiveResources.length > 0 && { exclusiveResources: graph.exclusiveResources }),
  };
}

/** `A -> B -> C`, or `A -> (B, C)` where the chain forks, as Flink names chained tasks. */
function chainedName(node: StreamNode, chainingEnabled: boolean): string {
  const chained = node.outEdges.filter((e) => isChainable(e, chainingEnabled)).map((e) => chainedName(e.target, chainingEnabled));
  if (chained.length === 0) return node.name;
  if (chained.length === 1) return `${node.name} -> ${chained[0]}`;
  return `${node.name} -> (${chained.join(', ')})`;
}
