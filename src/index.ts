/**
 * The package entry point (`flinkts`): the DataStream API plus the built-in
 * connectors. The side-effect import registers the built-in sources and sinks
 * before any job definition can ask for them.
 */
import './connectors/builtins.js';

export * from './api/index.js';
export { RestartStrategies, type RestartStrategyConfiguration } from './api/restart-strategy.js';
export {
  CheckpointConfig,
  CheckpointingMode,
  ExternalizedCheckpointRetention,
  type CheckpointedFunction,
  type CheckpointListener,
  type FunctionInitializationContext,
  type FunctionSnapshotContext,
  type OperatorListState,
  type OperatorStateStore,
} from './api/checkpointing.js';
export { DiscardingSink } from './connectors/discard/discarding-sink.js';
export { BadRecordPolicy, BadRecords, SKIPPED_COUNTER, DEAD_LETTERED_COUNTER, type DeadLetter } from './connectors/bad-records.js';
export {
  NexmarkSource,
  NexmarkSourceReader,
  NexmarkGenerator,
  nexmarkWatermarkStrategy,
  nexmarkConfigFromParams,
  nexmarkEvents,
  DEFAULT_NEXMARK_CONFIG,
  type NexmarkReaderState,
  type NexmarkConfig,
  type NexmarkEvent,
  type Person,
  type Auction,
  type Bid,
  type PersonEvent,
  type AuctionEvent,
  type BidEvent,
} from './connectors/nexmark/index.js';
