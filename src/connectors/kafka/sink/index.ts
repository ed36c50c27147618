/** The Kafka sink's public API (re-exported by the package entry). */
export { KafkaSink, KafkaSinkBuilder } from './kafka-sink.js';
export { DeliveryGuarantee, KAFKA_SINK_PROPERTIES } from './kafka-sink-config.js';
export {
  KafkaRecordSerializationSchema,
  KafkaRecordSerializationSchemaBuilder,
  type KafkaProducerRecord,
  type KafkaSinkContext,
} from './record-serialization-schema.js';
export { StringSerializationSchema, JsonSerializationSchema, serializationSchema, type SerializationSchema } from './serialization-schemas.js';
export type { KafkaCommittable } from './transactional-writer.js';
