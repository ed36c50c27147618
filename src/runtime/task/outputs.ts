/**
 * The outputs operators emit into: a chained operator (direct call), the
 * network (serialised into channels chosen by a partitioner), and the router
 * that fans an operator's records out to its main and side outputs.
 */
import { UserFunctionError } from '../../api/errors.js';
import type { ChannelSelector } from '../network/partitioners.js';
import { EVENT_WATERMARK, EVENT_WATERMARK_STATUS, type OutputChannel } from '../network/output-channel.js';
import type { Output, StreamOperator } from '../operators/operator.js';
import type { TaskMetrics } from './task-metrics.js';

/** Names the operator a user error came from (the innermost one wins). */
export function attribute(error: unknown, operatorName: string, subtaskIndex: number): UserFunctionError {
  return error instanceof UserFunctionError ? error : new UserFunctionError(operatorName, subtaskIndex, error);
}

/** Feeds the next operator of the chain by direct call. */
export class ChainedOutput implements Output {
  /** The output of `operator`, for watermarks it does not handle itself. */
  downstream: Output | undefined;

  constructor(
    private readonly operator: StreamOperator,
    private readonly operatorName: string,
    private readonly subtaskIndex: number,
  ) {}

  collect(value: unknown, timestamp: number | undefined): void {
    try {
      this.operator.processElement(value, timestamp);
    } catch (error) {
      throw attribute(error, this.operatorName, this.subtaskIndex);
    }
  }

  collectSide(): void {
    // Side outputs are routed by the emitting operator's router.
  }

  emitWatermark(watermark: number): void {
    if (this.operator.processWatermark !== undefined) this.operator.processWatermark(watermark);
    else this.downstream?.emitWatermark(watermark);
  }

  emitWatermarkStatus(idle: boolean): void {
    this.downstream?.emitWatermarkStatus(idle);
  }
}

/** Serialises records into the channels of one network edge. */
export class NetworkOutput implements Output {
  constructor(
    readonly channels: readonly OutputChannel[],
    private readonly selector: ChannelSelector,
    private readonly metrics: TaskMetrics,
  ) {}

  collect(value: unknown, timestamp: number | undefined): void {
    this.metrics.recordsOut++;
    if (this.selector.isBroadcast) {
      for (const channel of this.channels) channel.write(value, timestamp);
    } else {
      this.channels[this.selector.selectChannel(value)]!.write(value, timestamp);
    }
  }

  collectSide(): void {}

  emitWatermark(watermark: number): void {
    for (const channel of this.channels) channel.writeEvent(EVENT_WATERMARK, watermark, 0);
  }

  emitWatermarkStatus(idle: boolean): void {
    for (const channel of this.channels) channel.writeEvent(EVENT_WATERMARK_STATUS, idle ? 1 : 0, 0);
  }
}

/** Counts the records that reach a sink of the chain as the task's output. */
export class CountingOutput implements Output {
  constructor(
    private readonly inner: Output,
    private readonly metrics: TaskMetrics,
  ) {}

  collect(value: unknown, timestamp: number | undefined): void {
    this.metrics.recordsOut++;
    this.inner.collect(value, timestamp);
  }

  collectSide(tagId: string, value: unknown, timestamp: number | undefined): void {
    this.inner.collectSide(tagId, value, timestamp);
  }

  emitWatermark(watermark: number): void {
    this.inner.emitWatermark(watermark);
  }

  emitWatermarkStatus(idle: boolean): void {
    this.inner.emitWatermarkStatus(idle);
  }
}

/** An output of an operator, with the side-output tag it is bound to. */
export interface RoutedOutput {
  readonly tag: string | undefined;
  readonly output: Output;
}

/** Builds the output of an operator: direct when it has one main output, else a router. */
export function routeOutputs(outputs: readonly RoutedOutput[]): Output {
  const main = outputs.filter((o) => o.tag === undefined).map((o) => o.output);
  const side = new Map<string, Output[]>();
  for (const o of outputs) {
    if (o.tag !== undefined) side.set(o.tag, [...(side.get(o.tag) ?? []), o.output]);
  }
  if (side.size === 0 && main.length === 1) return main[0]!;
  return new RouterOutput(main, side);
}

class RouterOutput implements Output {
  private readonly all: Output[];

  constructor(
    private readonly main: readonly Output[],
    private readonly side: ReadonlyMap<string, readonly Output[]>,
  ) {
    this.all = [...main, ...[...side.values()].flat()];
  }

  collect(value: unknown, timestamp: number | undefined): void {
    for (const output of this.main) output.collect(value, timestamp);
  }

  collectSide(tagId: string, value: unknown, timestamp: number | undefined): void {
    const targets = this.side.get(tagId);
    if (targets === undefined) return;
    for (const output of targets) output.collect(value, timestamp);
  }

  emitWatermark(watermark: number): void {
    for (const output of this.all) output.emitWatermark(watermark);
  }

  emitWatermarkStatus(idle: boolean): void {
    for (const output of this.all) output.emitWatermarkStatus(idle);
  }
}
