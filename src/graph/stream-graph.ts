/**
 * Transformations → StreamGraph: one node per real operator (sources,
 * operators, sinks); partitioning, union and side-output transformations
 * become properties of the edges between them.
 */
import type { CheckpointSettings } from '../api/checkpointing.js';
import type { RestartStrategyConfiguration } from '../api/restart-strategy.js';
import { FlinktsError } from '../api/errors.js';
import { isSink } from '../api/sink.js';
import type { StateBackendType, StreamExecutionEnvironment } from '../api/environment.js';
import type { ChainingStrategy, PartitionerKind, PartitionerSpec, Transformation } from '../api/transformation.js';
import { computeDefaultMaxParallelism } from './key-groups.js';
import { operatorIdFor } from './operator-id.js';

/** An operator of the stream graph. */
export interface StreamNode {
  /** The id of the transformation it comes from. */
  readonly transformationId: number;
  /** Stable 32-hex-digit operator id (from `uid()` or the topology). */
  operatorId: string;
  readonly uid: string | undefined;
  readonly name: string;
  readonly role: 'source' | 'operator' | 'sink';
  /** `source`, `map`, `flatMap`, ..., `sink`. */
  readonly operatorKind: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly slotSharingGroup: string;
  readonly chainingStrategy: ChainingStrategy;
  /** Whether the operator has a state key (runs after `keyBy`). */
  readonly keyed: boolean;
  readonly bounded: boolean;
  readonly transformation: Transformation;
  readonly inEdges: StreamEdge[];
  readonly outEdges: StreamEdge[];
}

/** A connection between two stream nodes. */
export interface StreamEdge {
  readonly source: StreamNode;
  readonly target: StreamNode;
  readonly partitioner: PartitionerSpec;
  /** Whether the job chose the partitioner (`keyBy`, `rebalance()`, ...) rather than getting the parallelism-based default. */
  readonly explicitPartitioner: boolean;
  /** Set when the edge carries a side output of `source`. */
  readonly sideOutputTag: string | undefined;
  /** The input of `target` the edge feeds: 1, or 2 for the second input of a two-input operator. */
  readonly inputNumber: 1 | 2;
}

/** The operators of a job and how records flow between them. */
export interface StreamGraph {
  readonly jobName: string;
  readonly chainingEnabled: boolean;
  readonly checkpointing?: CheckpointSettings;
  readonly restartStrategy?: RestartStrategyConfiguration;
  /** Set when the job chooses its keyed state backend in code (`env.setStateBackend`). */
  readonly stateBackend?: StateBackendType;
  /** Resources the job's connectors need for themselves. */
  readonly exclusiveResources: readonly { readonly resource: string; readonly operator: string }[];
  /** In transformation order (sources first within each branch). */
  readonly nodes: readonly StreamNode[];
}

/** Two-input operators whose functions may emit side outputs (`ctx.output(tag, value)`). */
const TWO_INPUT_SIDE_OUTPUT_KINDS: ReadonlySet<string> = new Set([
  'coProcess',
  'keyedCoProcess',
  'broadcastProcess',
  'keyedBroadcastProcess',
  'intervalJoin',
]);

/** A resolved input of a node: the real upstream node plus edge properties. */
interface ResolvedInput {
  node: StreamNode;
  partitioner: PartitionerSpec | undefined;
  tag: string | undefined;
}

/** Builds the StreamGraph of everything recorded in `env`; throws INVALID_GRAPH for an unrunnable job. */
export function buildStreamGraph(env: StreamExecutionEnvironment, defaultJobName: string): StreamGraph {
  const transformations = env.getTransformations();
  const nodes = new Map<number, StreamNode>();
  const resolved = new Map<number, ResolvedInput[]>();

  const resolve = (t: Transformation): ResolvedInput[] => {
    const cached = resolved.get(t.id);
    if (cached) return cached;
    let result: ResolvedInput[];
    switch (t.kind) {
      case 'source':
      case 'operator':
      case 'two-input':
      case 'sink':
        result = [{ node: nodeFor(t), partitioner: undefined, tag: undefined }];
        break;
      case 'partition':
        // The partitioner closest to the consumer wins, as in Flink.
        result = resolve(t.input).map((r) => ({ ...r, partitioner: t.partitioner }));
        break;
      case 'union':
        result = t.inputs.flatMap((input) => resolve(input));
        break;
      case 'side-output':
        result = resolve(t.input).map((r) => {
          // Sources emit dead letters (BadRecordPolicy.deadLetter) to a side output.
          if (r.node.operatorKind !== 'source' && r.node.operatorKind !== 'process' && r.node.operatorKind !== 'keyedProcess' && r.node.operatorKind !== 'window' && !TWO_INPUT_SIDE_OUTPUT_KINDS.has(r.node.operatorKind)) {
            throw new FlinktsError('INVALID_GRAPH', `getSideOutput('${t.tag.id}') on '${r.node.name}': only process functions emit side outputs`);
          }
          return { ...r, tag: t.tag.id };
        });
        break;
    }
    resolved.set(t.id, result);
    return result;
  };

  const nodeFor = (t: Transformation & { kind: 'source' | 'operator' | 'two-input' | 'sink' }): StreamNode => {
    const existing = nodes.get(t.id);
    if (existing) return existing;
    // Inputs first: an operator without a slot sharing group inherits its inputs' group, as in Flink.
    const inputs = t.kind === 'source' ? [] : t.kind === 'two-input' ? [...resolve(t.input1), ...resolve(t.input2)] : resolve(t.input);
    // The first `firstInputs` resolved inputs feed input 1 of a two-input operator, the rest input 2.
    const firstInputs = t.kind === 'two-input' ? resolve(t.input1).length : inputs.length;
    const inputGroups = new Set(inputs.map((input) => input.node.slotSharingGroup));
    const inheritedGroup = inputGroups.size === 1 ? [...inputGroups][0]! : 'default';
    const parallelism = t.parallelism ?? (t.kind === 'source' && t.maxSourceParallelism === 1 ? 1 : t.defaultParallelism);
    const maxParallelism = t.maxParallelism ?? env.getMaxParallelism() ?? computeDefaultMaxParallelism(parallelism);
    const node: StreamNode = {
      transformationId: t.id,
      operatorId: '',
      uid: t.uid,
      name: t.kind === 'source' ? `Source: ${t.name}` : t.kind === 'sink' ? `Sink: ${t.name}` : t.name,
      role: t.kind === 'two-input' ? 'operator' : t.kind,
      operatorKind: t.kind === 'operator' || t.kind === 'two-input' ? t.operator.kind : t.kind,
      parallelism,
      maxParallelism,
      slotSharingGroup: t.slotSharingGroup ?? inheritedGroup,
      chainingStrategy: t.kind === 'source' && t.chainingStrategy === 'ALWAYS' ? 'HEAD' : t.chainingStrategy,
      keyed: t.stateKeySelector !== undefined,
      bounded: t.kind === 'source' ? t.bounded : true,
      transformation: t,
      inEdges: [],
      outEdges: [],
    };
    if (parallelism > maxParallelism) {
      throw new FlinktsError(
        'INVALID_GRAPH',
        `operator '${node.name}': parallelism ${parallelism} exceeds its max parallelism ${maxParallelism}`,
        { hint: 'raise the max parallelism (setMaxParallelism) or lower the parallelism' },
      );
    }
    nodes.set(t.id, node);
    inputs.forEach((input, i) => connect(input, node, i < firstInputs ? 1 : 2));
    return node;
  };

  const connect = (input: ResolvedInput, target: StreamNode, inputNumber: 1 | 2): void => {
    const source = input.node;
    let partitioner = input.partitioner;
    if (partitioner === undefined) {
      partitioner = source.parallelism === target.parallelism ? { kind: 'forward' } : { kind: 'rebalance' };
    } else if (partitioner.kind === 'forward' && source.parallelism !== target.parallelism) {
      throw new FlinktsError(
        'INVALID_GRAPH',
        `forward() between '${source.name}' (parallelism ${source.parallelism}) and '${target.name}' (parallelism ${target.parallelism}): forward partitioning does not allow a change of parallelism`,
        { hint: 'use rebalance() or give both operators the same parallelism' },
      );
    }
    const edge: StreamEdge = { source, target, partitioner, explicitPartitioner: input.partitioner !== undefined, sideOutputTag: input.tag, inputNumber };
    source.outEdges.push(edge);
    target.inEdges.push(edge);
  };

  for (const t of transformations) {
    if (t.kind === 'source' || t.kind === 'operator' || t.kind === 'two-input' || t.kind === 'sink') nodeFor(t);
  }

  const ordered = [...nodes.values()].sort((a, b) => a.transformationId - b.transformationId);
  if (!ordered.some((n) => n.role === 'sink')) {
    throw new FlinktsError('INVALID_GRAPH', 'the job defines no sink, so it would compute nothing', {
      hint: 'end a stream with print(), writeAsText(...) or addSink(...)',
    });
  }
  assignOperatorIds(ordered);
  const exclusiveResources = validateConnectors(ordered, env);
  const checkpointing = env.getCheckpointConfig().toSettings();
  const restartStrategy = env.getRestartStrategy();
  const stateBackend = env.getStateBackend();
  return {
    jobName: env.getJobName() ?? defaultJobName,
    chainingEnabled: env.isChainingEnabled(),
    nodes: ordered,
    exclusiveResources,
    ...(checkpointing !== undefined && { checkpointing }),
    ...(restartStrategy !== undefined && { restartStrategy }),
    ...(stateBackend !== undefined && { stateBackend }),
  };
}

/**
 * Lets sources and sinks check their settings against the job (e.g. an
 * exactly-once connector needs checkpointing); a connector that refuses
 * throws a FlinktsError naming the condition, and the job is not submitted.
 * Returns the exclusive resources they name.
 */
function validateConnectors(nodes: readonly StreamNode[], env: StreamExecutionEnvironment): { resource: string; operator: string }[] {
  const checkpointing = env.getEffectiveCheckpointing();
  const resources: { resource: string; operator: string }[] = [];
  for (const node of nodes) {
    const t = node.transformation;
    const connector = t.kind === 'source' && t.source.kind === 'source' ? t.source.source : t.kind === 'sink' && isSink(t.sink) ? t.sink : undefined;
    connector?.validate?.({
      parallelism: node.parallelism,
      checkpointingEnabled: checkpointing !== undefined,
      checkpointingMode: checkpointing?.mode ?? 'EXACTLY_ONCE',
      checkpointIntervalMs: checkpointing?.intervalMs,
      restartDelayMs: firstRestartDelayMs(env.getRestartStrategy()),
      operatorName: node.name,
    });
    for (const resource of connector?.exclusiveResources?.() ?? []) resources.push({ resource, operator: node.name });
  }
  return resources;
}

/** How long the job's own restart strategy waits before its first restart (undefined when it sets none). */
function firstRestartDelayMs(strategy: RestartStrategyConfiguration | undefined): number | undefined {
  switch (strategy?.type) {
    case undefined:
      return undefined;
    case 'none':
      return 0;
    case 'fixed-delay':
    case 'failure-rate':
      return strategy.delayMs;
    case 'exponential-delay':
      return strategy.initialBackoffMs;
  }
}

function assignOperatorIds(nodes: readonly StreamNode[]): void {
  const byUid = new Map<string, StreamNode>();
  nodes.forEach((node, index) => {
    if (node.uid !== undefined) {
      const clash = byUid.get(node.uid);
      if (clash) {
        throw new FlinktsError('INVALID_GRAPH', `uid '${node.uid}' is used by both '${clash.name}' and '${node.name}'; uids must be unique`);
      }
      byUid.set(node.uid, node);
    }
    // Inputs come earlier in transformation order, so their ids are already set.
    // A default partitioner (forward or rebalance, chosen by parallelism) is hashed as 'default', so
    // rescaling a job (`run -s <savepoint> -p 4`) keeps its operator ids and finds its state.
    // Edges into the second input of a two-input operator say so (one-input ids stay as they were).
    const inputs = node.inEdges.map(
      (e) => `${e.source.operatorId}/${e.explicitPartitioner ? e.partitioner.kind : 'default'}/${e.sideOutputTag ?? ''}${e.inputNumber === 2 ? '/2' : ''}`,
    );
    node.operatorId = operatorIdFor(node.uid, `${index}|${node.role}|${node.operatorKind}|${inputs.join(',')}`);
  });
}

/** The Flink name of a partitioner, as plans show it. */
export function partitionerLabel(kind: PartitionerKind): string {
  return kind === 'hash' ? 'HASH' : kind.toUpperCase();
}
