/**
 * The RabbitMQ connector (amqplib): {@link RMQSource} (exactly-once with
 * checkpointing, correlation ids and parallelism 1; at-least-once with
 * checkpointing; no guarantee without) and {@link RMQSink} (at-least-once with
 * publisher confirms). Each file's header states its guarantee and settings.
 */
export { RMQConnectionConfig, RMQConnectionConfigBuilder, DEFAULT_AMQP_PORT, DEFAULT_PREFETCH_COUNT, type RMQConnectionSettings } from './connection-config.js';
export type { RMQQueueDeclaration } from './channels.js';
export { RMQSource, effectiveGuarantee, type RMQDeliveryGuarantee, type RMQSourceOptions } from './rmq-source.js';
export { RMQSourceReader, DEDUPLICATED_COUNTER, PAUSE_BEFORE_ACK_COMMIT_ENV, type RMQReaderState, type RMQReaderSettings } from './rmq-source-reader.js';
export { RMQSink, type RMQSinkOptions, type RMQSinkPublishOptions, type RMQPublishOptions, type RMQPublishSpec } from './rmq-sink.js';
export {
  RMQDeserializationSchema,
  RMQSerializationSchema,
  type RMQDeserializer,
  type RMQSerializer,
  type RMQMessage,
  type DeserializerOptions,
} from './schemas.js';
