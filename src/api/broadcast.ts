/**
 * The broadcast state pattern: `stream.broadcast(descriptor, ...)` gives a
 * {@link BroadcastStream}; `other.connect(broadcastStream)` a
 * {@link BroadcastConnectedStream}, processed by a `BroadcastProcessFunction`
 * (non-keyed `other`) or a `KeyedBroadcastProcessFunction` (keyed `other`).
 * Every element of the broadcast stream reaches every parallel instance, so
 * the broadcast state (operator state, one map per descriptor) is the same on
 * all of them, as long as the function updates it deterministically.
 */
import {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
} from './co-functions.js';
import { keySelectorOf, checkMethods, recordTwoInput } from './connected-streams.js';
import { KeyedStream, type DataStream, type SingleOutputStreamOperator } from './datastream.js';
import type { StreamExecutionEnvironment } from './environment.js';
import { invalidArgument } from './errors.js';
import { MapStateDescriptor } from './state.js';

/** Checks the descriptors given to `broadcast(...)`: map state descriptors with distinct names. */
export function checkBroadcastDescriptors(descriptors: readonly unknown[]): readonly MapStateDescriptor<any, any>[] {
  const names = new Set<string>();
  for (const descriptor of descriptors) {
    if (!(descriptor instanceof MapStateDescriptor)) {
      invalidArgument('broadcast', 'broadcast state is described by MapStateDescriptors, e.g. new MapStateDescriptor(\'rules\')');
    }
    if (names.has(descriptor.name)) invalidArgument('broadcast', `the state name '${descriptor.name}' is given twice`);
    names.add(descriptor.name);
  }
  return descriptors as readonly MapStateDescriptor<any, any>[];
}

/** A stream whose elements go to every parallel instance, with the broadcast state they update. */
export class BroadcastStream<T> {
  /** @internal created by `DataStream.broadcast(...descriptors)`. */
  constructor(
    private readonly environment: StreamExecutionEnvironment,
    /** The input, already partitioned with `broadcast`. */
    private readonly partitioned: DataStream<T>,
    private readonly descriptors: readonly MapStateDescriptor<any, any>[],
  ) {}

  getExecutionEnvironment(): StreamExecutionEnvironment {
    return this.environment;
  }

  /** The descriptors of the broadcast state. */
  getBroadcastStateDescriptors(): readonly MapStateDescriptor<any, any>[] {
    return this.descriptors;
  }

  /** @internal the broadcast-partitioned input. */
  getBroadcastInput(): DataStream<T> {
    return this.partitioned;
  }
}

/** A (keyed or non-keyed) stream connected with a broadcast stream. */
export class BroadcastConnectedStream<IN1, IN2> {
  /** @internal created by `DataStream.connect(broadcastStream)`. */
  constructor(
    private readonly input1: DataStream<IN1>,
    private readonly broadcastStream: BroadcastStream<IN2>,
  ) {
    if (broadcastStream.getExecutionEnvironment() !== input1.getExecutionEnvironment()) {
      invalidArgument('connect', 'the streams belong to different environments');
    }
  }

  getFirstInput(): DataStream<IN1> {
    return this.input1;
  }

  getSecondInput(): BroadcastStream<IN2> {
    return this.broadcastStream;
  }

  /**
   * Applies a {@link KeyedBroadcastProcessFunction} (the first input must be
   * keyed) or a {@link BroadcastProcessFunction} (the first input must not be).
   */
  process<O>(fn: BroadcastProcessFunction<IN1, IN2, O> | KeyedBroadcastProcessFunction<any, IN1, IN2, O>): SingleOutputStreamOperator<O> {
    const keyed = this.input1 instanceof KeyedStream;
    const isKeyedFn = fn instanceof KeyedBroadcastProcessFunction;
    if (!isKeyedFn && !(fn instanceof BroadcastProcessFunction)) {
      checkMethods('BroadcastConnectedStream.process', fn, ['processElement', 'processBroadcastElement']);
    }
    if (isKeyedFn && !keyed) {
      invalidArgument('BroadcastConnectedStream.process', 'a KeyedBroadcastProcessFunction needs a keyed first input: keyBy(...).connect(broadcastStream)');
    }
    if (!isKeyedFn && keyed) {
      invalidArgument('BroadcastConnectedStream.process', 'the first input is keyed: use a KeyedBroadcastProcessFunction');
    }
    const descriptors = this.broadcastStream.getBroadcastStateDescriptors();
    const input2 = this.broadcastStream.getBroadcastInput();
    const options = { key1: keySelectorOf(this.input1), key2: undefined, broadcastStateDescriptors: descriptors };
    if (isKeyedFn) return recordTwoInput<O>(this.input1, input2, 'Co-Process-Broadcast-Keyed', { kind: 'keyedBroadcastProcess', fn }, options);
    const plain = fn as BroadcastProcessFunction<IN1, IN2, O>;
    return recordTwoInput<O>(this.input1, input2, 'Co-Process-Broadcast', { kind: 'broadcastProcess', fn: plain }, options);
  }
}
