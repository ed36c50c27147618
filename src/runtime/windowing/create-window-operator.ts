/**
 * Builds the window operator of a stream node, after checking at job start
 * that event-time windows have a watermark strategy somewhere upstream
 * (otherwise they would only ever fire at the end of a bounded input).
 */
import { FlinktsError } from '../../api/errors.js';
import type { WindowOperatorSpec } from '../../api/windowing/spec.js';
import type { StreamNode } from '../../graph/stream-graph.js';
import type { OperatorContext, StreamOperator } from '../operators/operator.js';
import { WindowOperator } from './window-operator.js';

/** The operator of a `window` node. */
export function createWindowOperator(node: StreamNode, spec: WindowOperatorSpec, context: OperatorContext): StreamOperator {
  if (spec.assigner.isEventTime() && !hasWatermarksUpstream(node)) {
    const where = spec.nonKeyed ? 'windowAll(...)' : 'keyBy(...).window(...)';
    throw new FlinktsError(
      'INVALID_GRAPH',
      `${node.name}: event-time windows need timestamps and watermarks, but no watermark strategy is set upstream of this operator; ` +
        `call assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness(...).withTimestampAssigner(...)) on the stream before ${where}, ` +
        'or pass the WatermarkStrategy to env.fromSource(source, strategy, name)',
    );
  }
  return new WindowOperator(spec, context);
}

/**
 * Whether watermarks may reach `node`: a timestamps/watermarks operator feeds
 * it (directly or through any path), or a legacy SourceFunction, which may
 * emit watermarks itself (`ctx.emitWatermark`).
 */
export function hasWatermarksUpstream(node: StreamNode): boolean {
  const seen = new Set<StreamNode>();
  const pending = node.inEdges.map((e) => e.source);
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    if (current.operatorKind === 'timestamps') return true;
    const t = current.transformation;
    if (t.kind === 'source' && t.source.kind === 'function') return true;
    // A source that handles watermarks itself (per split) got the strategy from env.fromSource.
    if (t.kind === 'source' && t.source.kind === 'source' && t.source.watermarkStrategy?.hasWatermarks() === true) return true;
    for (const edge of current.inEdges) pending.push(edge.source);
  }
  return false;
}
