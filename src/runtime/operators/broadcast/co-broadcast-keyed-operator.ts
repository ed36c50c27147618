/**
 * `keyed.connect(broadcastStream).process(KeyedBroadcastProcessFunction)`, as
 * Flink's CoBroadcastWithKeyedOperator: input 1 is keyed (keyed state,
 * timers, read-only broadcast state), input 2 the broadcast side (writable
 * broadcast state, `applyToKeyedState` over every key of this instance).
 */
import type {
  BroadcastState,
  KeyedBroadcastContext,
  KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessFunction,
  KeyedStateFunction,
  ReadOnlyBroadcastState,
} from '../../../api/co-functions.js';
import type { Collector, TimeDomain, TimerService } from '../../../api/functions.js';
import type { AnyStateDescriptor, MapStateDescriptor } from '../../../api/state.js';
import { VOID_NAMESPACE } from '../../state/heap-keyed-state-backend.js';
import type { InternalTimer, Triggerable } from '../../time/timer-service.js';
import type { OperatorContext } from '../operator.js';
import { AbstractBroadcastOperator } from './co-broadcast-operator.js';

/** Runs a KeyedBroadcastProcessFunction; timers belong to the keyed side. */
export class CoBroadcastWithKeyedOperator extends AbstractBroadcastOperator implements Triggerable {
  private readonly service: TimerService;
  private readonly readOnlyContext: KeyedBroadcastOnTimerContext<unknown>;
  private readonly broadcastContext: KeyedBroadcastContext<unknown>;
  private domain: TimeDomain = 'EVENT_TIME';

  constructor(
    private readonly process: KeyedBroadcastProcessFunction<unknown, unknown, unknown, unknown>,
    descriptors: readonly MapStateDescriptor<any, any>[],
    context: OperatorContext,
  ) {
    super(process, descriptors, context);
    this.service = this.createTimerService(this);
    const store = this.broadcastState;
    this.readOnlyContext = {
      ...this.baseContext(),
      getBroadcastState: <K, V>(d: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> => store.readOnly(d),
      getCurrentKey: () => this.currentKey(),
      timerService: () => this.service,
      timeDomain: () => this.domain,
    };
    this.broadcastContext = {
      ...this.baseContext(),
      getBroadcastState: <K, V>(d: MapStateDescriptor<K, V>): BroadcastState<K, V> => store.writable(d),
      applyToKeyedState: (descriptor, fn) => this.applyToKeyedState(descriptor, fn as KeyedStateFunction<unknown, unknown>),
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

  onEventTime(timer: InternalTimer): void {
    this.fire(timer, 'EVENT_TIME', timer.timestamp);
  }

  onProcessingTime(timer: InternalTimer): void {
    this.fire(timer, 'PROCESSING_TIME', undefined);
  }

  private applyToKeyedState(descriptor: AnyStateDescriptor, fn: KeyedStateFunction<unknown, unknown>): void {
    const call = typeof fn === 'function' ? fn : (key: unknown, state: unknown) => fn.process(key, state);
    this.context.keyedStateBackend!.applyToAllKeys(VOID_NAMESPACE, descriptor, (key, state) => call(key, state));
  }

  private fire(timer: InternalTimer, domain: TimeDomain, timestamp: number | undefined): void {
    this.domain = domain;
    this.setTimestamp(timestamp);
    if (typeof this.process.onTimer === 'function') this.process.onTimer(timer.timestamp, this.readOnlyContext, this.collector as Collector<unknown>);
  }
}
