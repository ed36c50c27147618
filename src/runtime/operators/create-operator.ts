/** Instantiates the operator a stream node describes. */
import { FlinktsError } from '../../api/errors.js';
import type { StreamNode } from '../../graph/stream-graph.js';
import { FilterOperator, FlatMapOperator, MapOperator } from './basic-operators.js';
import { RollingAggregationOperator, RollingReduceOperator } from './keyed-aggregations.js';
import type { OperatorContext, StreamOperator } from './operator.js';
import { KeyedProcessOperator } from './keyed-process-operator.js';
import { ProcessOperator } from './process-operator.js';
import { TimestampsAndWatermarksOperator } from './timestamps-watermarks-operator.js';
import { SinkOperator } from './sink-operator.js';
import { SinkWriterOperator } from './sink-writer-operator.js';
import { isSink } from '../../api/sink.js';
import { createWindowOperator } from '../windowing/create-window-operator.js';

/** The operator of a non-source node. */
export function createOperator(node: StreamNode, context: OperatorContext): StreamOperator {
  const t = node.transformation;
  if (t.kind === 'sink') return isSink(t.sink) ? new SinkWriterOperator(t.sink, context) : new SinkOperator(t.sink, context);
  if (t.kind !== 'operator') {
    throw new FlinktsError('INTERNAL', `stream node '${node.name}' of kind ${t.kind} has no operator`);
  }
  const spec = t.operator;
  switch (spec.kind) {
    case 'map':
      return new MapOperator(spec.fn, context);
    case 'flatMap':
      return new FlatMapOperator(spec.fn, context);
    case 'filter':
      return new FilterOperator(spec.fn, context);
    case 'process':
      return new ProcessOperator(spec.fn, context);
    case 'reduce':
      return new RollingReduceOperator(spec.fn, context);
    case 'aggregate':
      return new RollingAggregationOperator(spec.aggregation, spec.field, spec.first, context);
    case 'timestamps':
      return new TimestampsAndWatermarksOperator(spec.strategy, context);
    case 'keyedProcess':
      return new KeyedProcessOperator(spec.fn, context);
    case 'window':
      return createWindowOperator(node, spec.window, context);
  }
}
