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
export { type Source, type SourceReader, type SourceReaderContext, type ReaderOutput, type InputStatus } from './source.js';
export { OutputTag } from './output-tag.js';
export { ParameterTool } from './parameter-tool.js';
export { Configuration } from './configuration.js';
export { FlinktsError, UserFunctionError, type ErrorCode } from './errors.js';
export { type WriteMode } from './builtins.js';
export type { AggregationKind, PartitionerKind } from './transformation.js';
