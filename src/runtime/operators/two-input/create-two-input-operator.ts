/** Instantiates the two-input operator a stream node describes, with the key context of each input. */
import { FlinktsError } from '../../../api/errors.js';
import type { StreamNode } from '../../../graph/stream-graph.js';
import { toFunction } from '../../network/partitioners.js';
import { CoBroadcastWithKeyedOperator } from '../broadcast/co-broadcast-keyed-operator.js';
import { CoBroadcastWithNonKeyedOperator } from '../broadcast/co-broadcast-operator.js';
import { IntervalJoinOperator } from '../interval-join-operator.js';
import type { OperatorContext, StreamOperator, TwoInputStreamOperator } from '../operator.js';
import { CoProcessOperator } from './co-process-operator.js';
import { CoStreamFlatMap, CoStreamMap } from './co-stream-operators.js';
import { withTwoInputKeyContext } from './two-input-key-context.js';

/** Whether `node` runs a two-input operator. */
export function isTwoInputNode(node: StreamNode): boolean {
  return node.transformation.kind === 'two-input';
}

/** The operator of a two-input node; keyed inputs get their key set before each record. */
export function createTwoInputOperator(node: StreamNode, context: OperatorContext): TwoInputStreamOperator {
  const t = node.transformation;
  if (t.kind !== 'two-input') throw new FlinktsError('INTERNAL', `stream node '${node.name}' of kind ${t.kind} has no two-input operator`);
  const spec = t.operator;
  const descriptors = t.broadcastStateDescriptors ?? [];
  let operator: TwoInputStreamOperator;
  switch (spec.kind) {
    case 'coMap':
      operator = new CoStreamMap(spec.fn, context);
      break;
    case 'coFlatMap':
      operator = new CoStreamFlatMap(spec.fn, context);
      break;
    case 'coProcess':
    case 'keyedCoProcess':
      operator = new CoProcessOperator(spec.fn, context);
      break;
    case 'broadcastProcess':
      operator = new CoBroadcastWithNonKeyedOperator(spec.fn, descriptors, context);
      break;
    case 'keyedBroadcastProcess':
      operator = new CoBroadcastWithKeyedOperator(spec.fn, descriptors, context);
      break;
    case 'intervalJoin':
      operator = new IntervalJoinOperator(spec.fn, spec, context);
      break;
  }
  const backend = context.keyedStateBackend;
  if (backend === undefined) return operator;
  const key1 = t.stateKeySelector1 === undefined ? undefined : toFunction(t.stateKeySelector1);
  const key2 = t.stateKeySelector2 === undefined ? undefined : toFunction(t.stateKeySelector2);
  return withTwoInputKeyContext(operator, backend, key1, key2);
}

/**
 * The life cycle of a two-input operator as a chain member: the task opens,
 * finishes and closes it like any operator, but feeds it only through
 * `processElement1/2` (never `processElement`).
 */
export function lifecycleOf(operator: TwoInputStreamOperator, operatorName: string): StreamOperator {
  return {
    open: operator.open === undefined ? undefined : () => operator.open!(),
    finish: operator.finish === undefined ? undefined : () => operator.finish!(),
    close: operator.close === undefined ? undefined : () => operator.close!(),
    processElement: () => {
      throw new FlinktsError('INTERNAL', `${operatorName} has two inputs: records must go to processElement1 or processElement2`);
    },
  };
}
