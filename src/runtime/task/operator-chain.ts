/**
 * Builds the operators of one subtask of a vertex and wires them: chained
 * operators call each other directly, network edges serialise into channels.
 * Operators are built tail first so every output exists before its emitter.
 */
import { Configuration } from '../../api/configuration.js';
import { FlinktsError } from '../../api/errors.js';
import type { ParameterTool } from '../../api/parameter-tool.js';
import type { JobVertex } from '../../graph/job-graph.js';
import { keyGroupRangeFor } from '../../graph/key-groups.js';
import type { StreamNode } from '../../graph/stream-graph.js';
import { toFunction } from '../network/partitioners.js';
import { createOperator } from '../operators/create-operator.js';
import type { OperatorContext, Output, StreamOperator, TaskHooks, TwoInputStreamOperator } from '../operators/operator.js';
import { createTwoInputOperator, isTwoInputNode, lifecycleOf } from '../operators/two-input/create-two-input-operator.js';
import { ChainedOutput, CountingOutput, routeOutputs, type RoutedOutput } from './outputs.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import { heapBackendFactory, type KeyedStateBackendFactory } from '../state/state-backends.js';
import { HeapTimerService } from '../time/timer-service.js';
import { OperatorState, type RestoredOperatorState } from './chain-state.js';
import { withKeyContext } from './key-context.js';
import { createRuntimeContext } from './runtime-context.js';
import type { TaskMetrics } from './task-metrics.js';

/** One built operator of the chain. */
export interface ChainMember {
  readonly id: string;
  readonly name: string;
  readonly node: StreamNode;
  /** Undefined for the source of a source vertex (the task drives it). */
  readonly operator: StreamOperator | undefined;
  /**
   * Set when the member is a two-input operator (always a chain head): the
   * task feeds it through this; `operator` then only carries its life cycle.
   */
  readonly twoInputOperator?: TwoInputStreamOperator;
  /** Where this operator emits. */
  readonly output: Output;
  readonly context: OperatorContext;
  /** What checkpoints snapshot of this operator. */
  readonly state: OperatorState;
}

/** The built chain of a subtask. */
export interface OperatorChain {
  /** In the vertex's order: head first, then topological. */
  readonly members: readonly ChainMember[];
  readonly head: ChainMember;
}

/** What the chain needs from the task. */
export interface ChainSetup {
  readonly vertex: JobVertex;
  readonly subtaskIndex: number;
  readonly attemptNumber: number;
  /** Task-mode stream nodes by operator id. */
  readonly nodes: ReadonlyMap<string, StreamNode>;
  readonly globalJobParameters: ParameterTool;
  /** Network outputs by the id of the operator that emits into them. */
  readonly networkOutputs: ReadonlyMap<string, readonly RoutedOutput[]>;
  readonly hooks: TaskHooks;
  readonly metrics: TaskMetrics;
  /** The state of each operator (by id) when the task starts from a snapshot. */
  readonly restored?: ReadonlyMap<string, RestoredOperatorState>;
  /** Creates the keyed state backend of each keyed operator (default: `hashmap`); see `state-backends.ts`. */
  readonly stateBackend?: KeyedStateBackendFactory;
}

export function buildOperatorChain(setup: ChainSetup): OperatorChain {
  const backends: KeyedStateBackend[] = [];
  try {
    return buildChain(setup, backends);
  } catch (error) {
    // No task owns them yet: the embedded ones hold directories.
    for (const backend of backends) void backend.dispose().catch(() => undefined);
    throw error;
  }
}

function buildChain(setup: ChainSetup, backends: KeyedStateBackend[]): OperatorChain {
  const { vertex, subtaskIndex } = setup;
  const built = new Map<string, ChainMember>();
  const keyGroupRange = keyGroupRangeFor(vertex.maxParallelism, vertex.parallelism, subtaskIndex);
  const createBackend = setup.stateBackend ?? heapBackendFactory;
  const taskInfo = {
    taskName: vertex.name,
    subtaskIndex,
    parallelism: vertex.parallelism,
    maxParallelism: vertex.maxParallelism,
    attemptNumber: setup.attemptNumber,
  };

  for (const op of [...vertex.operators].reverse()) {
    const node = setup.nodes.get(op.id);
    if (node === undefined) {
      throw new FlinktsError(
        'JOB_DEFINITION',
        `operator '${op.name}' (${op.id}) is missing when the job is defined again in the worker: the job definition is not deterministic`,
        { hint: 'a job definition must build the same graph every time it runs (no randomness, clock or environment-dependent branches)' },
      );
    }
    const outputs: RoutedOutput[] = [];
    for (const chained of op.chainedOutputs) {
      const target = built.get(chained.operator)!;
      const isSink = target.node.role === 'sink';
      const direct = new ChainedOutput(target.operator!, target.name, subtaskIndex);
      direct.downstream = target.output;
      outputs.push({ tag: chained.sideOutput, output: isSink ? new CountingOutput(direct, setup.metrics) : direct });
    }
    outputs.push(...(setup.networkOutputs.get(op.id) ?? []));
    const output = routeOutputs(outputs);
    const t = node.transformation;
    const keySelector = t.stateKeySelector === undefined ? undefined : toFunction(t.stateKeySelector);
    const backend = keySelector === undefined ? undefined : createBackend({ keyGroupRange, maxParallelism: vertex.maxParallelism, operatorId: op.id, subtaskIndex });
    if (backend !== undefined) backends.push(backend);
    const state = new OperatorState(op.id, node.name, backend, setup.restored?.get(op.id));
    const runtimeContext = createRuntimeContext(taskInfo, setup.globalJobParameters, node.name, backend);
    const context: OperatorContext = {
      operatorId: op.id,
      operatorName: node.name,
      subtaskIndex,
      parallelism: vertex.parallelism,
      maxParallelism: vertex.maxParallelism,
      output,
      runtimeContext,
      parameters: t.parameters ?? new Configuration(),
      keySelector,
      keyGroupRange,
      task: setup.hooks,
      keyedStateBackend: backend,
      operatorState: state,
      getInternalTimerService: (target) => {
        if (backend === undefined) {
          throw new FlinktsError('USER_FUNCTION', `${node.name}: timers are only supported on a keyed stream; use keyBy(...) first`);
        }
        return state.addTimerService(new HeapTimerService(backend, setup.hooks.processingTimeService, target));
      },
    };
    // A two-input operator sets the key context per input itself.
    const twoInputOperator = isTwoInputNode(node) ? createTwoInputOperator(node, context) : undefined;
    if (twoInputOperator !== undefined) {
      built.set(op.id, { id: op.id, name: node.name, node, operator: lifecycleOf(twoInputOperator, node.name), twoInputOperator, output, context, state });
      continue;
    }
    const created = node.role === 'source' ? undefined : createOperator(node, context);
    const operator = created !== undefined && backend !== undefined && keySelector !== undefined ? withKeyContext(created, backend, keySelector) : created;
    built.set(op.id, { id: op.id, name: node.name, node, operator, output, context, state });
  }

  const members = vertex.operators.map((op) => built.get(op.id)!);
  return { members, head: members[0]! };
}
