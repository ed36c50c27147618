/** Windowing: windows, assigners, triggers, evictors and window functions (Flink's names). */
export { Window, TimeWindow, GlobalWindow, MAX_TIMESTAMP, type MergeCallback } from './windows.js';
export {
  WindowAssigner,
  MergingWindowAssigner,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  GlobalWindows,
  type WindowAssignerContext,
} from './assigners.js';
export {
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  DynamicEventTimeSessionWindows,
  DynamicProcessingTimeSessionWindows,
  type SessionWindowTimeGapExtractor,
} from './session-windows.js';
export { Trigger, TriggerResult, type TriggerContext, type OnMergeContext } from './trigger.js';
export {
  EventTimeTrigger,
  ProcessingTimeTrigger,
  NeverTrigger,
  CountTrigger,
  PurgingTrigger,
  DeltaTrigger,
  type DeltaFunction,
} from './triggers.js';
export { ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger } from './continuous-triggers.js';
export { CountEvictor, TimeEvictor, DeltaEvictor, TimestampedValue, type Evictor, type EvictorContext } from './evictors.js';
export {
  RichWindowFunction,
  RichAllWindowFunction,
  ProcessWindowFunction,
  ProcessAllWindowFunction,
  type WindowFunction,
  type AllWindowFunction,
  type ProcessWindowFunctionContext,
  type ProcessAllWindowFunctionContext,
} from './functions.js';
