/**
 * ConnectedStreams (`a.connect(b)`): two streams, possibly of different
 * types, processed by one two-input operator that may share state between
 * them. Keyed when both inputs are keyed (`connect(...).keyBy(k1, k2)`, or two
 * KeyedStreams connected). Lazy: every method only records a transformation.
 */
import {
  CoProcessFunction,
  KeyedCoProcessFunction,
  type CoFlatMapFunction,
  type CoMapFunction,
} from './co-functions.js';
import { DataStream, KeyedStream, SingleOutputStreamOperator } from './datastream.js';
import type { StreamExecutionEnvironment } from './environment.js';
import { invalidArgument } from './errors.js';
import type { KeySelector } from './functions.js';
import type { MapStateDescriptor } from './state.js';
import { baseFields, type TwoInputOperatorSpec, type TwoInputTransformation } from './transformation.js';
import type { KeySpec } from './validation.js';

/** Throws naming `call` unless `fn` is an object with every one of `methods`. */
export function checkMethods(call: string, fn: unknown, methods: readonly string[]): void {
  const ok = typeof fn === 'object' && fn !== null && methods.every((m) => typeof (fn as Record<string, unknown>)[m] === 'function');
  if (!ok) invalidArgument(call, `expected an object with ${methods.map((m) => `${m}()`).join(' and ')}`);
}

/** The key selector of a stream's keyed state, when it is keyed. */
export function keySelectorOf(stream: DataStream<any>): KeySelector<any, any> | undefined {
  return stream instanceof KeyedStream ? stream.getKeySelector() : undefined;
}

/** The keys of the inputs (undefined: not keyed) and the broadcast state of a broadcast connection. @internal */
export interface TwoInputOptions {
  readonly key1: KeySelector<any, any> | undefined;
  readonly key2: KeySelector<any, any> | undefined;
  readonly broadcastStateDescriptors?: readonly MapStateDescriptor<any, any>[];
}

/**
 * Records a two-input operator over `input1` and `input2` and returns its
 * output stream. @internal
 */
export function recordTwoInput<O>(
  input1: DataStream<any>,
  input2: DataStream<any>,
  name: string,
  operator: TwoInputOperatorSpec,
  options: TwoInputOptions,
): SingleOutputStreamOperator<O> {
  const environment = input1.getExecutionEnvironment();
  const transformation = environment.record<TwoInputTransformation>((id) => ({
    ...baseFields(id, name),
    kind: 'two-input',
    input1: input1.getTransformation(),
    input2: input2.getTransformation(),
    operator,
    // Keyed when either input is: the graph and the runtime treat the operator as keyed.
    stateKeySelector: options.key1 ?? options.key2,
    stateKeySelector1: options.key1,
    stateKeySelector2: options.key2,
    broadcastStateDescriptors: options.broadcastStateDescriptors,
  }));
  return new SingleOutputStreamOperator<O>(environment, transformation);
}

/** Two connected streams: `map`, `flatMap` and `process` see the elements of both. */
export class ConnectedStreams<IN1, IN2> {
  /** @internal created by `DataStream.connect`. */
  constructor(
    private readonly environment: StreamExecutionEnvironment,
    private readonly input1: DataStream<IN1>,
    private readonly input2: DataStream<IN2>,
  ) {
    if (!(input2 instanceof DataStream)) invalidArgument('connect', 'the argument must be a DataStream or a BroadcastStream');
    if (input2.getExecutionEnvironment() !== environment) invalidArgument('connect', 'the streams belong to different environments');
  }

  getExecutionEnvironment(): StreamExecutionEnvironment {
    return this.environment;
  }

  getFirstInput(): DataStream<IN1> {
    return this.input1;
  }

  getSecondInput(): DataStream<IN2> {
    return this.input2;
  }

  /** Keys both inputs: elements of either input with equal keys meet in the same parallel instance. */
  keyBy<K>(key1: KeySpec<IN1, K>, key2: KeySpec<IN2, K>): ConnectedStreams<IN1, IN2> {
    if (key2 === undefined) invalidArgument('ConnectedStreams.keyBy', 'expected two keys, one per input: keyBy(key1, key2)');
    return new ConnectedStreams<IN1, IN2>(this.environment, this.input1.keyBy(key1), this.input2.keyBy(key2));
  }

  /** Applies `map1` to the elements of the first input and `map2` to those of the second. */
  map<O>(fn: CoMapFunction<IN1, IN2, O>): SingleOutputStreamOperator<O> {
    checkMethods('ConnectedStreams.map', fn, ['map1', 'map2']);
    return this.transform<O>('Co-Map', { kind: 'coMap', fn });
  }

  /** Applies `flatMap1` / `flatMap2`; each emits zero or more records. */
  flatMap<O>(fn: CoFlatMapFunction<IN1, IN2, O>): SingleOutputStreamOperator<O> {
    checkMethods('ConnectedStreams.flatMap', fn, ['flatMap1', 'flatMap2']);
    return this.transform<O>('Co-Flat Map', { kind: 'coFlatMap', fn });
  }

  /**
   * Applies a {@link CoProcessFunction} (side outputs; timers when both
   * inputs are keyed) or a {@link KeyedCoProcessFunction} (keyed inputs only).
   */
  process<O>(fn: CoProcessFunction<IN1, IN2, O> | KeyedCoProcessFunction<any, IN1, IN2, O>): SingleOutputStreamOperator<O> {
    if (fn instanceof KeyedCoProcessFunction) {
      if (!this.isKeyed()) {
        invalidArgument(
          'ConnectedStreams.process',
          'a KeyedCoProcessFunction needs both inputs keyed: use connect(...).keyBy(key1, key2), or connect two KeyedStreams',
        );
      }
      return this.transform<O>('KeyedCoProcess', { kind: 'keyedCoProcess', fn });
    }
    if (!(fn instanceof CoProcessFunction)) {
      checkMethods('ConnectedStreams.process', fn, ['processElement1', 'processElement2']);
    }
    return this.transform<O>('Co-Process', { kind: 'coProcess', fn: fn as CoProcessFunction<IN1, IN2, O> });
  }

  /** Whether both inputs are keyed. */
  isKeyed(): boolean {
    return this.input1 instanceof KeyedStream && this.input2 instanceof KeyedStream;
  }

  private transform<O>(name: string, operator: TwoInputOperatorSpec): SingleOutputStreamOperator<O> {
    return recordTwoInput<O>(this.input1, this.input2, name, operator, { key1: keySelectorOf(this.input1), key2: keySelectorOf(this.input2) });
  }
}
