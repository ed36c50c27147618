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
// RabbitMQ connector (amqplib).
export {
  RMQConnectionConfig,
  RMQConnectionConfigBuilder,
  RMQSource,
  RMQSink,
  RMQDeserializationSchema,
  RMQSerializationSchema,
  type RMQConnectionSettings,
  type RMQQueueDeclaration,
  type RMQDeliveryGuarantee,
  type RMQSourceOptions,
  type RMQReaderState,
  type RMQSinkOptions,
  type RMQSinkPublishOptions,
  type RMQPublishOptions,
  type RMQPublishSpec,
  type RMQDeserializer,
  type RMQSerializer,
  type RMQMessage,
} from './connectors/rabbitmq/index.js';
// Kafka source (kafkajs).
export {
  KafkaSource,
  KafkaSourceBuilder,
  DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS,
  OffsetsInitializer,
  OffsetResetStrategy,
  KafkaValueDeserializer,
  KafkaRecordDeserializationSchema,
  type KafkaConsumerRecord,
  type KafkaPartitionSplit,
} from './connectors/kafka/source/index.js';
// File connector: FileSource (text, JSON lines, CSV) and FileSink (row and bulk formats).
export {
  FileSource,
  FileSourceBuilder,
  FileProcessingMode,
  TextLineFormat,
  JsonLinesFormat,
  CsvFormat,
  FileSink,
  RowFormatBuilder,
  BulkFormatBuilder,
  SimpleStringEncoder,
  JsonLinesBulkFormat,
  CsvBulkFormat,
  OutputFileConfig,
  OutputFileConfigBuilder,
  DefaultRollingPolicy,
  DefaultRollingPolicyBuilder,
  CheckpointRollingPolicy,
  OnCheckpointRollingPolicy,
  DateTimeBucketAssigner,
  BasePathBucketAssigner,
  type RecordStreamFormat,
  type FileFormatState,
  type JsonLinesFormatOptions,
  type CsvFormatOptions,
  type FileFilter,
  type FilePathFilter,
  type Encoder,
  type BulkWriter,
  type BulkWriterFactory,
  type CsvBulkFormatOptions,
  type RollingPolicy,
  type PartFileInfo,
  type BucketAssigner,
  type BucketAssignerContext,
  type FileSinkCommittable,
} from './connectors/file/index.js';
// Kafka sink (kafkajs).
export {
  KafkaSink,
  KafkaSinkBuilder,
  DeliveryGuarantee,
  KAFKA_SINK_PROPERTIES,
  KafkaRecordSerializationSchema,
  KafkaRecordSerializationSchemaBuilder,
  StringSerializationSchema,
  JsonSerializationSchema,
  serializationSchema,
  type SerializationSchema,
  type KafkaProducerRecord,
  type KafkaSinkContext,
  type KafkaCommittable,
} from './connectors/kafka/sink/index.js';
