/**
 * The job-start check of event-time windows: a watermark strategy (or a
 * legacy source, which may emit watermarks itself) must feed the window
 * operator; otherwise the job fails naming the operator and where to add one.
 */
import { describe, expect, it } from 'vitest';
import {
  FlinktsError,
  GlobalWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WatermarkStrategy,
  type SourceContext,
  type StreamExecutionEnvironment,
} from '../../../../src/index.js';
import type { OperatorContext } from '../../../../src/runtime/operators/operator.js';
import { createWindowOperator, hasWatermarksUpstream } from '../../../../src/runtime/windowing/create-window-operator.js';
import { plan } from '../../graph/helpers.js';

const strategy = WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((v) => v);

/** The stream node of the (only) window operator of a job. */
function windowNode(define: (env: StreamExecutionEnvironment) => void) {
  const node = plan(define).streamGraph.nodes.find((n) => n.operatorKind === 'window');
  if (node === undefined) throw new Error('no window operator');
  return node;
}

const legacySource = {
  run(ctx: SourceContext<number>) {
    ctx.collectWithTimestamp(1, 1);
  },
  cancel() {},
};

describe('watermarks upstream of a window', () => {
  const cases: [string, (env: StreamExecutionEnvironment) => void, boolean][] = [
    ['none', (env) => env.fromElements(1, 2).keyBy((v) => v).window(TumblingEventTimeWindows.of(10)).sum(0).print(), false],
    ['right before', (env) => env.fromElements(1, 2).assignTimestampsAndWatermarks(strategy).keyBy((v) => v).window(TumblingEventTimeWindows.of(10)).sum(0).print(), true],
    [
      'further up, behind a map',
      (env) =>
        env
          .fromElements(1, 2)
          .assignTimestampsAndWatermarks(strategy)
          .map((v) => v * 2)
          .windowAll(TumblingEventTimeWindows.of(10))
          .sum(0)
          .print(),
      true,
    ],
    [
      'on one input of a union',
      (env) =>
        env
          .fromElements(1)
          .union(env.fromElements(2).assignTimestampsAndWatermarks(strategy))
          .keyBy((v) => v)
          .window(TumblingEventTimeWindows.of(10))
          .sum(0)
          .print(),
      true,
    ],
    ['a legacy source (it may emit watermarks itself)', (env) => env.addSource(legacySource).keyBy((v) => v).window(TumblingEventTimeWindows.of(10)).sum(0).print(), true],
  ];
  it.each(cases)('%s', (_name, define, expected) => {
    expect(hasWatermarksUpstream(windowNode(define))).toBe(expected);
  });

  it('event-time windows without any fail at start, naming the operator and where to add a strategy', () => {
    const node = windowNode((env) => env.fromElements(1).keyBy((v) => v).window(TumblingEventTimeWindows.of(10)).sum(0).name('Counts').print());
    const spec = node.transformation.kind === 'operator' && node.transformation.operator.kind === 'window' ? node.transformation.operator.window : undefined;
    let error: unknown;
    try {
      createWindowOperator(node, spec!, {} as OperatorContext);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('INVALID_GRAPH');
    expect((error as Error).message).toBe(
      'Counts: event-time windows need timestamps and watermarks, but no watermark strategy is set upstream of this operator; ' +
        'call assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness(...).withTimestampAssigner(...)) on the stream before keyBy(...).window(...), ' +
        'or pass the WatermarkStrategy to env.fromSource(source, strategy, name)',
    );
  });

  it('processing-time and global windows need no watermarks', () => {
    for (const assigner of [TumblingProcessingTimeWindows.of(10), GlobalWindows.create()]) {
      const node = windowNode((env) => env.fromElements(1).keyBy((v) => v).window(assigner).sum(0).print());
      const spec = node.transformation.kind === 'operator' && node.transformation.operator.kind === 'window' ? node.transformation.operator.window : undefined;
      // It gets past the check and fails only for want of a real context.
      expect(() => createWindowOperator(node, spec!, {} as OperatorContext)).toThrow(/need a keyed stream/);
    }
  });
});
