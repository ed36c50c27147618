/**
 * `nonKeyed.connect(broadcastStream).process(BroadcastProcessFunction)`, as
 * Flink's CoBroadcastWithNonKeyedOperator: input 1 is the non-broadcast side
 * (read-only broadcast state), input 2 the broadcast side (writable state).
 */
import type {
  BroadcastContext,
  BroadcastProcessFunction,
  BroadcastReadOnlyContext,
  BroadcastState,
  ReadOnlyBroadcastState,
} from '../../../api/co-functions.js';
import type { OutputTag } from '../../../api/output-tag.js';
import type { MapStateDescriptor } from '../../../api/state.js';
import { BroadcastStateStore } from '../../state/broadcast-state.js';
import type { OperatorContext } from '../operator.js';
import { AbstractTwoInputOperator } from '../two-input/abstract-two-input-operator.js';

/** The parts both broadcast operators share: broadcast state, the current timestamp, the base context. */
export abstract class AbstractBroadcastOperator extends AbstractTwoInputOperator {
  protected readonly broadcastState: BroadcastStateStore;
  protected currentTimestamp: number | undefined = undefined;

  constructor(fn: unknown, descriptors: readonly MapStateDescriptor<any, any>[], context: OperatorContext) {
    super(fn, context);
    this.broadcastState = new BroadcastStateStore(descriptors, context.operatorName);
  }

  /** The broadcast states, for snapshots and tests. */
  broadcastContents(): Map<string, Map<unknown, unknown>> {
    return this.broadcastState.contents();
  }

  timestamp(): number | undefined {
    return this.currentTimestamp;
  }

  currentProcessingTime(): number {
    return this.context.task.processingTimeService.now();
  }

  output<X>(tag: OutputTag<X>, value: X): void {
    this.context.output.collectSide(tag.id, value, this.currentTimestamp);
  }

  protected setTimestamp(timestamp: number | undefined): void {
    this.currentTimestamp = timestamp;
    this.collector.timestamp = timestamp;
  }

  /** The members of the base context, bound to this operator. */
  protected baseContext(): Omit<BroadcastReadOnlyContext, 'getBroadcastState'> {
    return {
      timestamp: () => this.currentTimestamp,
      currentProcessingTime: () => this.currentProcessingTime(),
      currentWatermark: () => this.currentWatermark(),
      output: (tag, value) => this.output(tag, value),
    };
  }
}

/** Runs a BroadcastProcessFunction. */
export class CoBroadcastWithNonKeyedOperator extends AbstractBroadcastOperator {
  private readonly readOnlyContext: BroadcastReadOnlyContext;
  private readonly broadcastContext: BroadcastContext;

  constructor(
    private readonly process: BroadcastProcessFunction<unknown, unknown, unknown>,
    descriptors: readonly MapStateDescriptor<any, any>[],
    context: OperatorContext,
  ) {
    super(process, descriptors, context);
    const store = this.broadcastState;
    this.readOnlyContext = {
      ...this.baseContext(),
      getBroadcastState: <K, V>(d: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> => store.readOnly(d),
    };
    this.broadcastContext = {
      ...this.baseContext(),
      getBroadcastState: <K, V>(d: MapStateDescriptor<K, V>): BroadcastState<K, V> => store.writable(d),
    };
  }

  processElement1(value: unknown, timestamp: number | undefined): void {
    this.setTimestamp(timestamp);
    this.settle(this.process.processElement(value, this.readOnlyContext, this.collector));
  }

  processElement2(value: unknown, timestamp: number | undefined): void {
    this.setTimestamp(timestamp);
    this.settle(this.process.processBroadcastElement(value, this.broadcastContext, this.collector));
  }
}
