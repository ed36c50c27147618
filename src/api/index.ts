/** The DataStream API: everything a job author imports from `flinkts`. */
export { defineJob, isJobDefinition, type JobDefinition, type JobDefinitionFunction } from './job.js';
export { StreamExecutionEnvironment, ExecutionConfig, type EnvironmentSettings } from './environment.js';
export { DataStream, SingleOutputStreamOperator, KeyedStream, DataStreamSink, type FieldExpression } from './datastream.js';
export { type KeySpec } from './validation.js';
export {
  AbstractRichFunction,
  RichMapFunction,
  RichFlatMapFunction,
  RichFilterFunction,
  RichReduceFunction,
  RichSinkFunction,
  RichSourceFunction,
  RichParallelSourceFunction,
  ProcessFunction,
  KeyedProcessFunction,
  isRichFunction,
  type Collector,
  type RuntimeContext,
  type RichFunction,
  type MapFunction,
  type FlatMapFunction,
  type FilterFunction,
  type ReduceFunction,
  type KeySelector,
  type Partitioner,
  type SinkFunction,
  type SinkContext,
  type SourceFunction,
  type ParallelSourceFunction,
  type SourceContext,
  type TimerService,
  type ProcessFunctionContext,
  type KeyedProcessFunctionContext,
  type OnTimerContext,
  type TimeDomain,
} from './functions.js';
export {
  StateTtlConfig,
  StateTtlConfigBuilder,
  StateDescriptor,
  ValueStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  AggregatingStateDescriptor,
  type ValueState,
  type ListState,
  type MapState,
  type ReducingState,
  type AggregatingState,
  type AggregateFunction,
  type KeyedStateStore,
  type TtlUpdateType,
  type TtlStateVisibility,
} from './state.js';
export { Time, Watermark, type Duration } from './time.js';
export {
  WatermarkStrategy,
  BoundedOutOfOrdernessWatermarks,
  type WatermarkGenerator,
  type WatermarkOutput,
  type TimestampAssigner,
} from './watermark-strategy.js';
export { WindowedStream, AllWindowedStream } from './windowed-stream.js';
export * from './windowing/index.js';
export { ConnectedStreams } from './connected-streams.js';
export { BroadcastStream, BroadcastConnectedStream } from './broadcast.js';
export { IntervalJoin, IntervalJoined } from './interval-join.js';
export { JoinedStreams, CoGroupedStreams, JoinedWindowedStreams, CoGroupedWindowedStreams, type TaggedUnion } from './joins.js';
export {
  RichCoMapFunction,
  RichCoFlatMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  ProcessJoinFunction,
  RichJoinFunction,
  RichFlatJoinFunction,
  RichCoGroupFunction,
  type CoMapFunction,
  type CoFlatMapFunction,
  type CoProcessFunctionContext,
  type CoProcessFunctionOnTimerContext,
  type KeyedCoProcessFunctionContext,
  type KeyedCoProcessFunctionOnTimerContext,
  type BroadcastState,
  type ReadOnlyBroadcastState,
  type BroadcastBaseContext,
  type BroadcastContext,
  type BroadcastReadOnlyContext,
  type KeyedBroadcastContext,
  type KeyedBroadcastReadOnlyContext,
  type KeyedBroadcastOnTimerContext,
  type KeyedStateFunction,
  type StateOf,
  type ProcessJoinFunctionContext,
  type JoinFunction,
  type FlatJoinFunction,
  type CoGroupFunction,
} from './co-functions.js';
export { collectingOutput, type Source, type SourceReader, type SourceReaderContext, type ReaderOutput, type InputStatus } from './source.js';
export { type Counter, type MetricGroup } from './metrics.js';
export { isSink, type Sink, type SinkWriter, type SinkWriterContext, type SinkWriteContext, type Committer, type JobBuildContext } from './sink.js';
export { OutputTag } from './output-tag.js';
export { ParameterTool } from './parameter-tool.js';
export { Configuration } from './configuration.js';
export { FlinktsError, UserFunctionError, type ErrorCode } from './errors.js';
export { type WriteMode } from './builtins.js';
export type { AggregationKind, PartitionerKind } from './transformation.js';
