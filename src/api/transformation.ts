/**
 * Transformations: the lazy record of what a job does. `DataStream` methods
 * create them; the graph layer turns them into a StreamGraph and a JobGraph;
 * the runtime instantiates the operators they describe. Plain data plus the
 * user functions, nothing executes here.
 */
import type { Configuration } from './configuration.js';
import type {
  FilterFunction,
  FlatMapFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  Partitioner,
  ProcessFunction,
  ReduceFunction,
  SinkFunction,
  SourceFunction,
} from './functions.js';
import type {
  BroadcastProcessFunction,
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedBroadcastProcessFunction,
  KeyedCoProcessFunction,
  ProcessJoinFunction,
} from './co-functions.js';
import type { OutputTag } from './output-tag.js';
import type { Source } from './source.js';
import type { MapStateDescriptor } from './state.js';
import type { Sink } from './sink.js';
import type { WatermarkStrategy } from './watermark-strategy.js';
import type { WindowOperatorSpec } from './windowing/spec.js';

/** Flink's chaining strategies: `startNewChain()` gives HEAD, `disableChaining()` NEVER. */
export type ChainingStrategy = 'ALWAYS' | 'HEAD' | 'NEVER';

/** How records are distributed over the parallel instances of the next operator. */
export type PartitionerSpec =
  | { kind: 'forward' }
  | { kind: 'rebalance' }
  | { kind: 'rescale' }
  | { kind: 'shuffle' }
  | { kind: 'broadcast' }
  | { kind: 'global' }
  | { kind: 'hash'; keySelector: KeySelector<any, any> }
  | { kind: 'custom'; keySelector: KeySelector<any, any>; partitioner: Partitioner<any> };

export type PartitionerKind = PartitionerSpec['kind'];

/** A rolling aggregation of a keyed stream. */
export type AggregationKind = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

/** The operator a one-input transformation runs. */
export type OperatorSpec =
  | { kind: 'map'; fn: MapFunction<any, any> }
  | { kind: 'flatMap'; fn: FlatMapFunction<any, any> }
  | { kind: 'filter'; fn: FilterFunction<any> }
  | { kind: 'process'; fn: ProcessFunction<any, any> }
  | { kind: 'reduce'; fn: ReduceFunction<any> }
  | { kind: 'aggregate'; aggregation: AggregationKind; field: string | number; first: boolean }
  | { kind: 'timestamps'; strategy: WatermarkStrategy<any> }
  | { kind: 'keyedProcess'; fn: KeyedProcessFunction<any, any, any> }
  | { kind: 'window'; window: WindowOperatorSpec };

/** The operator a two-input transformation runs (`connect`, broadcast connections, interval joins). */
export type TwoInputOperatorSpec =
  | { kind: 'coMap'; fn: CoMapFunction<any, any, any> }
  | { kind: 'coFlatMap'; fn: CoFlatMapFunction<any, any, any> }
  | { kind: 'coProcess'; fn: CoProcessFunction<any, any, any> }
  | { kind: 'keyedCoProcess'; fn: KeyedCoProcessFunction<any, any, any, any> }
  | { kind: 'broadcastProcess'; fn: BroadcastProcessFunction<any, any, any> }
  | { kind: 'keyedBroadcastProcess'; fn: KeyedBroadcastProcessFunction<any, any, any, any> }
  | {
      kind: 'intervalJoin';
      fn: ProcessJoinFunction<any, any, any>;
      lowerBound: number;
      upperBound: number;
      lowerBoundInclusive: boolean;
      upperBoundInclusive: boolean;
      leftLateDataTag: OutputTag<any> | undefined;
      rightLateDataTag: OutputTag<any> | undefined;
    };

/** What a source transformation reads from. */
export type SourceSpec =
  | { kind: 'function'; fn: SourceFunction<any> }
  /** `watermarkStrategy` is set for a source that handles watermarks itself (`Source.handlesWatermarks`). */
  | { kind: 'source'; source: Source<any>; watermarkStrategy?: WatermarkStrategy<any> };

interface TransformationBase {
  /** Creation order within the environment; deterministic for a deterministic definition. */
  readonly id: number;
  name: string;
  uid: string | undefined;
  /** Explicitly set parallelism; `undefined` takes `defaultParallelism`. */
  parallelism: number | undefined;
  /** The environment's parallelism when the transformation was created (Flink's semantics for `env.setParallelism`). */
  defaultParallelism: number;
  maxParallelism: number | undefined;
  slotSharingGroup: string | undefined;
  chainingStrategy: ChainingStrategy;
  /** The state key of keyed operators (set on operators after `keyBy`). */
  stateKeySelector: KeySelector<any, any> | undefined;
  /** Handed to `open(parameters)` of rich functions. */
  parameters: Configuration | undefined;
}

export interface SourceTransformation extends TransformationBase {
  readonly kind: 'source';
  readonly source: SourceSpec;
  /** 1 when the source cannot run in parallel. */
  readonly maxSourceParallelism: number | undefined;
  readonly bounded: boolean;
}

export interface OneInputTransformation extends TransformationBase {
  readonly kind: 'operator';
  readonly input: Transformation;
  readonly operator: OperatorSpec;
}

/**
 * An operator with two inputs. `stateKeySelector` (of the base) is set when
 * either input is keyed; the per-input selectors set the key context of each
 * input's records.
 */
export interface TwoInputTransformation extends TransformationBase {
  readonly kind: 'two-input';
  readonly input1: Transformation;
  readonly input2: Transformation;
  readonly operator: TwoInputOperatorSpec;
  readonly stateKeySelector1: KeySelector<any, any> | undefined;
  readonly stateKeySelector2: KeySelector<any, any> | undefined;
  /** The broadcast state of a broadcast connection (input 2 is the broadcast input). */
  readonly broadcastStateDescriptors: readonly MapStateDescriptor<any, any>[] | undefined;
}

export interface SinkTransformation extends TransformationBase {
  readonly kind: 'sink';
  readonly input: Transformation;
  /** A `SinkFunction` (`addSink`) or a `Sink` (`sinkTo`). */
  readonly sink: SinkFunction<any> | Sink<any, any>;
  /** The sink's description for plans, e.g. `Print to Std. Out`. */
  readonly description: string;
}

/** Virtual: changes how records reach the next operator. */
export interface PartitionTransformation extends TransformationBase {
  readonly kind: 'partition';
  readonly input: Transformation;
  readonly partitioner: PartitionerSpec;
}

/** Virtual: merges streams. */
export interface UnionTransformation extends TransformationBase {
  readonly kind: 'union';
  readonly inputs: readonly Transformation[];
}

/** Virtual: selects the side output `tag` of its input. */
export interface SideOutputTransformation extends TransformationBase {
  readonly kind: 'side-output';
  readonly input: Transformation;
  readonly tag: OutputTag<any>;
}

export type Transformation =
  | SourceTransformation
  | OneInputTransformation
  | TwoInputTransformation
  | SinkTransformation
  | PartitionTransformation
  | UnionTransformation
  | SideOutputTransformation;

/** The direct inputs of a transformation. */
export function inputsOf(t: Transformation): readonly Transformation[] {
  switch (t.kind) {
    case 'source':
      return [];
    case 'union':
      return t.inputs;
    case 'two-input':
      return [t.input1, t.input2];
    case 'operator':
    case 'sink':
    case 'partition':
    case 'side-output':
      return [t.input];
  }
}

/** Fields every new transformation starts with. */
export function baseFields(id: number, name: string): TransformationBase {
  return {
    id,
    name,
    uid: undefined,
    parallelism: undefined,
    defaultParallelism: 1,
    maxParallelism: undefined,
    slotSharingGroup: undefined,
    chainingStrategy: 'ALWAYS',
    stateKeySelector: undefined,
    parameters: undefined,
  };
}
