/**
 * DataStream, SingleOutputStreamOperator, KeyedStream and DataStreamSink: the
 * lazy, typed stream handles (one file: they extend each other, and a module
 * cycle between subclasses breaks class evaluation order). Every method records a transformation; nothing runs.
 */
import { isSink, type Sink } from './sink.js';
import { BroadcastConnectedStream, BroadcastStream, checkBroadcastDescriptors } from './broadcast.js';
import { builtinConnectors, type WriteMode } from './builtins.js';
import type { Configuration } from './configuration.js';
import { ConnectedStreams } from './connected-streams.js';
import type { StreamExecutionEnvironment } from './environment.js';
import { invalidArgument } from './errors.js';
import { KeyedProcessFunction } from './functions.js';
import type {
  FilterFunction,
  FlatMapFunction,
  KeySelector,
  MapFunction,
  Partitioner,
  ProcessFunction,
  ReduceFunction,
  SinkFunction,
} from './functions.js';
import { IntervalJoin } from './interval-join.js';
import { CoGroupedStreams, JoinedStreams } from './joins.js';
import type { OutputTag } from './output-tag.js';
import type { MapStateDescriptor } from './state.js';
import {
  baseFields,
  type AggregationKind,
  type ChainingStrategy,
  type OneInputTransformation,
  type OperatorSpec,
  type PartitionerSpec,
  type PartitionTransformation,
  type SideOutputTransformation,
  type SinkTransformation,
  type Transformation,
  type UnionTransformation,
} from './transformation.js';
import { WatermarkStrategy } from './watermark-strategy.js';
import { checkFunction, checkMaxParallelism, checkParallelism, toKeySelector, type KeySpec } from './validation.js';
import { AllWindowedStream, countWindowsOf, WindowedStream } from './windowed-stream.js';
import { GlobalWindows, type WindowAssigner } from './windowing/assigners.js';
import type { GlobalWindow, Window } from './windowing/windows.js';

/** A stream of records of type `T`. */
export class DataStream<T> {
  constructor(
    protected readonly environment: StreamExecutionEnvironment,
    protected readonly transformation: Transformation,
  ) {}

  getExecutionEnvironment(): StreamExecutionEnvironment {
    return this.environment;
  }

  /** @internal */
  getTransformation(): Transformation {
    return this.transformation;
  }

  /** Applies `fn` to every record. */
  map<O>(fn: MapFunction<T, O>): SingleOutputStreamOperator<O> {
    checkFunction('map', fn, 'map');
    return this.transform<O>('Map', { kind: 'map', fn });
  }

  /** Applies `fn` to every record; it emits zero or more records through its collector. */
  flatMap<O>(fn: FlatMapFunction<T, O>): SingleOutputStreamOperator<O> {
    checkFunction('flatMap', fn, 'flatMap');
    return this.transform<O>('Flat Map', { kind: 'flatMap', fn });
  }

  /** Keeps the records for which `fn` returns true. */
  filter(fn: FilterFunction<T>): SingleOutputStreamOperator<T> {
    checkFunction('filter', fn, 'filter');
    return this.transform<T>('Filter', { kind: 'filter', fn });
  }

  /** Applies a {@link ProcessFunction}, which may emit to side outputs. */
  process<O>(fn: ProcessFunction<T, O>): SingleOutputStreamOperator<O> {
    checkFunction('process', fn, 'processElement');
    return this.transform<O>('Process', { kind: 'process', fn });
  }

  /**
   * Assigns event timestamps and generates watermarks, anywhere in the
   * pipeline (Flink's `assignTimestampsAndWatermarks`).
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): SingleOutputStreamOperator<T> {
    if (!(strategy instanceof WatermarkStrategy)) invalidArgument('assignTimestampsAndWatermarks', 'expected a WatermarkStrategy');
    return this.transform<T>('Timestamps/Watermarks', { kind: 'timestamps', strategy });
  }

  /** Partitions the stream by key: records with equal keys go to the same parallel instance. */
  keyBy<K>(key: KeySpec<T, K>): KeyedStream<T, K> {
    const keySelector = toKeySelector<T, K>('keyBy', key);
    const partition = this.addPartition({ kind: 'hash', keySelector });
    return new KeyedStream<T, K>(this.environment, partition, keySelector);
  }

  /** Windows over the whole stream (Flink's `windowAll`): one window operator at parallelism 1. */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    // As Flink: a constant key, so the operator uses keyed state and timers, forced to parallelism 1.
    const keyed = this.keyBy(() => 0);
    return new AllWindowedStream<T, W>(assigner, (name, spec) => keyed.transform(name, spec).setParallelism(1).setMaxParallelism(1));
  }

  /** Count windows over the whole stream: `size` elements per window, or the last `size` every `slide` elements. */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    return countWindowsOf(this.windowAll(GlobalWindows.create()), 'countWindowAll', size, slide);
  }

  /** Merges this stream with others of the same type. */
  union(...streams: DataStream<T>[]): DataStream<T> {
    for (const stream of streams) {
      if (!(stream instanceof DataStream)) invalidArgument('union', 'every argument must be a DataStream');
      if (stream.environment !== this.environment) invalidArgument('union', 'the streams belong to different environments');
    }
    const transformation = this.environment.record<UnionTransformation>((id) => ({
      ...baseFields(id, 'Union'),
      kind: 'union',
      inputs: [this.transformation, ...streams.map((s) => s.transformation)],
    }));
    return new DataStream<T>(this.environment, transformation);
  }

  /** Sends every record to the instance of the same index (equal parallelism required). */
  forward(): DataStream<T> {
    return new DataStream<T>(this.environment, this.addPartition({ kind: 'forward' }));
  }

  /** Round-robin over all downstream instances. */
  rebalance(): DataStream<T> {
    return new DataStream<T>(this.environment, this.addPartition({ kind: 'rebalance' }));
  }

  /** Round-robin over a local subset of the downstream instances. */
  rescale(): DataStream<T> {
    return new DataStream<T>(this.environment, this.addPartition({ kind: 'rescale' }));
  }

  /** A uniformly random downstream instance per record. */
  shuffle(): DataStream<T> {
    return new DataStream<T>(this.environment, this.addPartition({ kind: 'shuffle' }));
  }

  /** Every record to every downstream instance. */
  broadcast(): DataStream<T>;
  /**
   * The broadcast state pattern: every record to every instance of the
   * operator this stream is connected to (`other.connect(broadcastStream)`),
   * which keeps the broadcast state `descriptors` describe.
   */
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): BroadcastStream<T>;
  broadcast(...descriptors: MapStateDescriptor<any, any>[]): DataStream<T> | BroadcastStream<T> {
    const partitioned = new DataStream<T>(this.environment, this.addPartition({ kind: 'broadcast' }));
    if (descriptors.length === 0) return partitioned;
    return new BroadcastStream<T>(this.environment, partitioned, checkBroadcastDescriptors(descriptors));
  }

  /**
   * Connects this stream with another (of any type) for a two-input operator
   * (`map`, `flatMap`, `process`), or with a broadcast stream for the
   * broadcast state pattern.
   */
  connect<R>(other: BroadcastStream<R>): BroadcastConnectedStream<T, R>;
  connect<R>(other: DataStream<R>): ConnectedStreams<T, R>;
  connect<R>(other: DataStream<R> | BroadcastStream<R>): ConnectedStreams<T, R> | BroadcastConnectedStream<T, R> {
    if (other instanceof BroadcastStream) return new BroadcastConnectedStream<T, R>(this, other);
    return new ConnectedStreams<T, R>(this.environment, this, other);
  }

  /** A window join with `other`: `join(other).where(key1).equalTo(key2).window(assigner).apply(fn)`. */
  join<R>(other: DataStream<R>): JoinedStreams<T, R> {
    if (!(other instanceof DataStream)) invalidArgument('join', 'the argument must be a DataStream');
    return new JoinedStreams<T, R>(this, other);
  }

  /** A window co-group with `other`: `coGroup(other).where(key1).equalTo(key2).window(assigner).apply(fn)`. */
  coGroup<R>(other: DataStream<R>): CoGroupedStreams<T, R> {
    if (!(other instanceof DataStream)) invalidArgument('coGroup', 'the argument must be a DataStream');
    return new CoGroupedStreams<T, R>(this, other);
  }

  /** Every record to the first downstream instance. */
  global(): DataStream<T> {
    return new DataStream<T>(this.environment, this.addPartition({ kind: 'global' }));
  }

  /** Partitions by `partitioner(key, numPartitions)`. */
  partitionCustom<K>(partitioner: Partitioner<K>, key: KeySpec<T, K>): DataStream<T> {
    checkFunction('partitionCustom', partitioner, 'partition');
    const keySelector = toKeySelector<T, K>('partitionCustom', key);
    return new DataStream<T>(this.environment, this.addPartition({ kind: 'custom', keySelector, partitioner }));
  }

  /** Prints every record to standard output, prefixed with `subtask>` when parallel. */
  print(sinkIdentifier?: string): DataStreamSink<T> {
    return this.addSinkTransformation(builtinConnectors().print<T>(false, sinkIdentifier), 'Print to Std. Out');
  }

  /** Prints every record to standard error. */
  printToErr(sinkIdentifier?: string): DataStreamSink<T> {
    return this.addSinkTransformation(builtinConnectors().print<T>(true, sinkIdentifier), 'Print to Std. Err');
  }

  /** Writes records as lines: one file at parallelism 1, else a directory with a file per subtask. */
  writeAsText(path: string, writeMode: WriteMode = 'NO_OVERWRITE'): DataStreamSink<T> {
    if (typeof path !== 'string' || path.length === 0) invalidArgument('writeAsText', 'the path must be a non-empty string');
    if (writeMode !== 'NO_OVERWRITE' && writeMode !== 'OVERWRITE') {
      invalidArgument('writeAsText', `unknown write mode '${String(writeMode)}': use NO_OVERWRITE or OVERWRITE`);
    }
    return this.addSinkTransformation(builtinConnectors().textFileSink<T>(path, writeMode), `writeAsText(${path})`);
  }

  /** Hands every record to `sink`. */
  addSink(sink: SinkFunction<T>): DataStreamSink<T> {
    checkFunction('addSink', sink, 'invoke');
    return this.addSinkTransformation(sink, 'Unnamed');
  }

  /**
   * Writes the stream to `sink` (a connector's sink, e.g. `FileSink`,
   * `KafkaSink`): a writer per subtask; two-phase-commit sinks commit what
   * each checkpoint sealed once it completed (see `Sink`).
   */
  sinkTo(sink: Sink<T, any>): DataStreamSink<T> {
    if (!isSink(sink)) invalidArgument('sinkTo', 'expected a Sink (an object with createWriter()); use addSink for a SinkFunction');
    return this.addSinkTransformation(sink, sinkDescription(sink));
  }

  /** @internal Records a one-input operator. */
  protected transform<O>(name: string, operator: OperatorSpec): SingleOutputStreamOperator<O> {
    const transformation = this.environment.record<OneInputTransformation>((id) => ({
      ...baseFields(id, name),
      kind: 'operator',
      input: this.transformation,
      operator,
      stateKeySelector: this.stateKeySelector(),
    }));
    return new SingleOutputStreamOperator<O>(this.environment, transformation);
  }

  /** The key of keyed state for operators applied to this stream. */
  protected stateKeySelector(): KeySelector<any, any> | undefined {
    return undefined;
  }

  private addPartition(partitioner: PartitionerSpec): PartitionTransformation {
    return this.environment.record<PartitionTransformation>((id) => ({
      ...baseFields(id, 'Partition'),
      kind: 'partition',
      input: this.transformation,
      partitioner,
    }));
  }

  private addSinkTransformation(sink: SinkFunction<T> | Sink<T, any>, description: string): DataStreamSink<T> {
    const transformation = this.environment.record<SinkTransformation>((id) => ({
      ...baseFields(id, description),
      kind: 'sink',
      input: this.transformation,
      sink,
      description,
      stateKeySelector: this.stateKeySelector(),
    }));
    return new DataStreamSink<T>(transformation);
  }
}

/** A sink's plan label: its class name (`KafkaSink`), or `Sink` for a plain object. */
function sinkDescription(sink: object): string {
  const name = sink.constructor?.name;
  return name !== undefined && name !== 'Object' && name.length > 0 ? name : 'Sink';
}

/** Settings shared by operators and sinks: name, uid, parallelism, chaining, slot sharing. */
function configure(t: Transformation, call: string): void {
  if (t.kind === 'partition' || t.kind === 'union' || t.kind === 'side-output') {
    invalidArgument(call, 'it applies to operators, not to partitioning, union or side outputs');
  }
}

/** The result of an operation: a stream whose operator can be named and configured. */
export class SingleOutputStreamOperator<T> extends DataStream<T> {
  /** The name shown in plans, metrics and errors. */
  name(name: string): this {
    if (typeof name !== 'string' || name.length === 0) invalidArgument('name', 'the name must be a non-empty string');
    configure(this.transformation, 'name');
    this.transformation.name = name;
    return this;
  }

  /** A stable operator id: state in savepoints is matched by it. */
  uid(uid: string): this {
    if (typeof uid !== 'string' || uid.length === 0) invalidArgument('uid', 'the uid must be a non-empty string');
    configure(this.transformation, 'uid');
    this.transformation.uid = uid;
    return this;
  }

  setParallelism(parallelism: number): this {
    checkParallelism('setParallelism', parallelism, `on '${this.transformation.name}'`);
    configure(this.transformation, 'setParallelism');
    const t = this.transformation;
    if (t.kind === 'source' && t.maxSourceParallelism !== undefined && parallelism > t.maxSourceParallelism) {
      invalidArgument(`setParallelism(${parallelism}) on '${t.name}'`, `the parallelism of this non-parallel source must be ${t.maxSourceParallelism}`);
    }
    t.parallelism = parallelism;
    return this;
  }

  setMaxParallelism(maxParallelism: number): this {
    checkMaxParallelism('setMaxParallelism', maxParallelism, `on '${this.transformation.name}'`);
    configure(this.transformation, 'setMaxParallelism');
    this.transformation.maxParallelism = maxParallelism;
    return this;
  }

  /** Never chain this operator with its predecessor or successor. */
  disableChaining(): this {
    return this.chaining('NEVER', 'disableChaining');
  }

  /** Begin a new chain at this operator. */
  startNewChain(): this {
    return this.chaining('HEAD', 'startNewChain');
  }

  /** Operators of different slot sharing groups never share a slot. */
  slotSharingGroup(group: string): this {
    if (typeof group !== 'string' || group.length === 0) invalidArgument('slotSharingGroup', 'the group must be a non-empty string');
    configure(this.transformation, 'slotSharingGroup');
    this.transformation.slotSharingGroup = group;
    return this;
  }

  /** Passed to `open(parameters)` of this operator's rich function. */
  withParameters(parameters: Configuration): this {
    configure(this.transformation, 'withParameters');
    this.transformation.parameters = parameters;
    return this;
  }

  /** The records this operator's process function emitted with `ctx.output(tag, value)`. */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    if (tag === null || typeof tag !== 'object' || typeof tag.id !== 'string') {
      invalidArgument('getSideOutput', 'the argument must be an OutputTag');
    }
    const transformation = this.environment.record<SideOutputTransformation>((id) => ({
      ...baseFields(id, `SideOutput(${tag.id})`),
      kind: 'side-output',
      input: this.transformation,
      tag,
    }));
    return new DataStream<X>(this.environment, transformation);
  }

  private chaining(strategy: ChainingStrategy, call: string): this {
    configure(this.transformation, call);
    this.transformation.chainingStrategy = strategy;
    return this;
  }
}

/** The end of a stream: a sink that can be named and configured. */
export class DataStreamSink<T> {
  /** Phantom field that carries the element type. */
  declare readonly __type?: T;

  constructor(private readonly transformation: SinkTransformation) {}

  /** @internal */
  getTransformation(): SinkTransformation {
    return this.transformation;
  }

  name(name: string): this {
    if (typeof name !== 'string' || name.length === 0) invalidArgument('name', 'the name must be a non-empty string');
    this.transformation.name = name;
    return this;
  }

  uid(uid: string): this {
    if (typeof uid !== 'string' || uid.length === 0) invalidArgument('uid', 'the uid must be a non-empty string');
    this.transformation.uid = uid;
    return this;
  }

  setParallelism(parallelism: number): this {
    checkParallelism('setParallelism', parallelism, `on sink '${this.transformation.name}'`);
    this.transformation.parallelism = parallelism;
    return this;
  }

  setMaxParallelism(maxParallelism: number): this {
    checkMaxParallelism('setMaxParallelism', maxParallelism, `on sink '${this.transformation.name}'`);
    this.transformation.maxParallelism = maxParallelism;
    return this;
  }

  disableChaining(): this {
    this.transformation.chainingStrategy = 'NEVER';
    return this;
  }

  startNewChain(): this {
    this.transformation.chainingStrategy = 'HEAD';
    return this;
  }

  slotSharingGroup(group: string): this {
    if (typeof group !== 'string' || group.length === 0) invalidArgument('slotSharingGroup', 'the group must be a non-empty string');
    this.transformation.slotSharingGroup = group;
    return this;
  }
}

/** A field of a record: a property name of an object or an index of a tuple (array). */
export type FieldExpression<T> = T extends readonly unknown[] ? number : Extract<keyof T, string> | string;

export class KeyedStream<T, K> extends DataStream<T> {
  constructor(
    environment: StreamExecutionEnvironment,
    partition: PartitionTransformation,
    private readonly keySelector: KeySelector<T, K>,
  ) {
    super(environment, partition);
  }

  getKeySelector(): KeySelector<T, K> {
    return this.keySelector;
  }

  protected override stateKeySelector(): KeySelector<any, any> {
    return this.keySelector;
  }

  /**
   * Applies a {@link KeyedProcessFunction} (keyed state, timers, the current
   * key) or, as Flink still allows, a plain {@link ProcessFunction}.
   */
  override process<O>(fn: KeyedProcessFunction<K, T, O> | ProcessFunction<T, O>): SingleOutputStreamOperator<O> {
    if (fn instanceof KeyedProcessFunction) return this.transform<O>('KeyedProcess', { kind: 'keyedProcess', fn });
    return super.process(fn);
  }

  /** Groups the records of each key into windows (tumbling, sliding, session, global, ...). */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(assigner, (name, spec) => this.transform(name, spec));
  }

  /** Count windows per key: `size` elements per window, or the last `size` every `slide` elements. */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    return countWindowsOf(this.window(GlobalWindows.create()), 'countWindow', size, slide);
  }

  /**
   * An interval join with another keyed stream, in event time:
   * `intervalJoin(other).between(lower, upper).process(fn)`.
   */
  intervalJoin<R>(other: KeyedStream<R, K>): IntervalJoin<T, R, K> {
    return new IntervalJoin<T, R, K>(this, other);
  }

  /** Combines each record with the previous result of its key; emits every result. */
  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T> {
    checkFunction('reduce', fn, 'reduce');
    return this.transform<T>('Keyed Reduce', { kind: 'reduce', fn });
  }

  /** The running sum of `field`; other fields come from the key's first record. */
  sum(field: FieldExpression<T>): SingleOutputStreamOperator<T> {
    return this.aggregate('sum', field, true);
  }

  /** The running minimum of `field`; other fields come from the key's first record. */
  min(field: FieldExpression<T>): SingleOutputStreamOperator<T> {
    return this.aggregate('min', field, true);
  }

  /** The running maximum of `field`; other fields come from the key's first record. */
  max(field: FieldExpression<T>): SingleOutputStreamOperator<T> {
    return this.aggregate('max', field, true);
  }

  /** The record with the smallest `field` so far (the first of equals unless `first` is false). */
  minBy(field: FieldExpression<T>, first = true): SingleOutputStreamOperator<T> {
    return this.aggregate('minBy', field, first);
  }

  /** The record with the largest `field` so far (the first of equals unless `first` is false). */
  maxBy(field: FieldExpression<T>, first = true): SingleOutputStreamOperator<T> {
    return this.aggregate('maxBy', field, first);
  }

  private aggregate(aggregation: AggregationKind, field: string | number, first: boolean): SingleOutputStreamOperator<T> {
    const valid = (typeof field === 'string' && field.length > 0) || (typeof field === 'number' && Number.isInteger(field) && field >= 0);
    if (!valid) invalidArgument(`${aggregation}(${String(field)})`, 'the field must be a property name or a non-negative tuple index');
    return this.transform<T>('Keyed Aggregation', { kind: 'aggregate', aggregation, field, first });
  }
}
