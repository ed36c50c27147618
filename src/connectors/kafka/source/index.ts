/** The Kafka source's public API (re-exported by the package entry). */
export { KafkaSource, KafkaSourceBuilder, DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS } from './kafka-source.js';
export { OffsetsInitializer, OffsetResetStrategy } from './offsets-initializer.js';
export { KafkaValueDeserializer, KafkaRecordDeserializationSchema, type KafkaConsumerRecord } from './deserializers.js';
export type { KafkaPartitionSplit } from './partition-split.js';
