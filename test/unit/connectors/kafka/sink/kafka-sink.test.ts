import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlinktsError } from '../../../../../src/api/errors.js';
import type { JobBuildContext } from '../../../../../src/api/sink.js';
import { KafkaSink } from '../../../../../src/connectors/kafka/sink/kafka-sink.js';
import { DeliveryGuarantee } from '../../../../../src/connectors/kafka/sink/kafka-sink-config.js';
import { KafkaRecordSerializationSchema } from '../../../../../src/connectors/kafka/sink/record-serialization-schema.js';
import { JsonSerializationSchema, StringSerializationSchema } from '../../../../../src/connectors/kafka/sink/serialization-schemas.js';

const serializer = KafkaRecordSerializationSchema.builder<string>().setTopic('out').setValueSerializationSchema(new StringSerializationSchema()).build();
const base = () => KafkaSink.builder<string>().setBootstrapServers('127.0.0.1:9092').setRecordSerializer(serializer);
const job = (overrides: Partial<JobBuildContext> = {}): JobBuildContext => ({
  parallelism: 2,
  checkpointingEnabled: true,
  checkpointingMode: 'EXACTLY_ONCE',
  checkpointIntervalMs: 10_000,
  operatorName: 'Sink: out',
  ...overrides,
});

function thrown(fn: () => unknown): FlinktsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlinktsError);
    return error as FlinktsError;
  }
  throw new Error('expected a FlinktsError');
}

afterEach(() => vi.restoreAllMocks());

describe('KafkaSink builder', () => {
  it('needs the bootstrap servers and a record serializer', () => {
    expect(thrown(() => KafkaSink.builder<string>().setRecordSerializer(serializer).build()).message).toContain('setBootstrapServers');
    expect(thrown(() => KafkaSink.builder<string>().setBootstrapServers('h:1').build()).message).toContain('setRecordSerializer');
  });

  it('names a malformed bootstrap address', () => {
    const error = thrown(() => KafkaSink.builder<string>().setBootstrapServers('127.0.0.1:9092,broker:99999'));
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain("'broker:99999'");
    expect(thrown(() => KafkaSink.builder<string>().setBootstrapServers('no-port')).message).toContain("'no-port'");
  });

  it('refuses unknown properties, transactional.id and bad values where they are set', () => {
    const unknown = thrown(() => base().setProperty('linger.msec', 5));
    expect(unknown.code).toBe('USAGE');
    expect(unknown.message).toContain('transaction.timeout.ms');
    expect(thrown(() => base().setProperty('transactional.id', 'x')).message).toContain('setTransactionalIdPrefix');
    expect(thrown(() => base().setProperty('transaction.timeout.ms', 'soon')).message).toContain("'transaction.timeout.ms'");
    expect(thrown(() => base().setProperty('acks', '2')).message).toContain("'acks'");
    expect(thrown(() => base().setProperty('compression.type', 'zstd')).message).toContain("'compression.type'");
  });

  it('refuses a delivery guarantee it does not know and a prefix that cannot be part of a transactional id', () => {
    expect(thrown(() => base().setDeliveryGuarantee('SOMETIMES' as DeliveryGuarantee)).message).toContain('NONE, AT_LEAST_ONCE, EXACTLY_ONCE');
    expect(thrown(() => base().setTransactionalIdPrefix('a b')).message).toContain('"a b"');
  });
});

describe('KafkaSink.validate (job build)', () => {
  it('EXACTLY_ONCE without a transactional id prefix is a CONFIG error saying so', () => {
    const sink = base().setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).build();
    const error = thrown(() => sink.validate(job()));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toBe("KafkaSink 'Sink: out': delivery guarantee EXACTLY_ONCE needs a transactional id prefix");
    expect(error.hint).toContain('setTransactionalIdPrefix');
  });

  it('EXACTLY_ONCE without checkpointing is a CONFIG error saying so', () => {
    const sink = base().setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).setTransactionalIdPrefix('p').build();
    const error = thrown(() => sink.validate(job({ checkpointingEnabled: false, checkpointIntervalMs: undefined })));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('needs checkpointing');
  });

  it('NONE and AT_LEAST_ONCE need neither', () => {
    expect(() => base().build().validate(job({ checkpointingEnabled: false }))).not.toThrow();
    expect(() => base().setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build().validate(job({ checkpointingEnabled: false }))).not.toThrow();
  });

  it('warns when transaction.timeout.ms is below the checkpoint interval plus the restart delay, or above the default broker maximum', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const sink = (timeout: number) =>
      base().setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).setTransactionalIdPrefix('p').setProperty('transaction.timeout.ms', timeout).build();
    sink(60_000).validate(job({ checkpointIntervalMs: 10_000, restartDelayMs: 5_000 }));
    expect(stderr).not.toHaveBeenCalled();
    sink(12_000).validate(job({ checkpointIntervalMs: 10_000, restartDelayMs: 5_000 }));
    expect(String(stderr.mock.calls[0]![0])).toContain('transaction.timeout.ms (12000 ms) is below the checkpoint interval plus the restart delay (15000 ms)');
    sink(1_000_000).validate(job());
    expect(String(stderr.mock.calls[1]![0])).toContain('above the default broker maximum transaction.max.timeout.ms (900000 ms)');
  });

  it('claims the transactional id prefix on its cluster under EXACTLY_ONCE only', () => {
    const eo = KafkaSink.builder<string>()
      .setBootstrapServers('b:9092,a:9092')
      .setRecordSerializer(serializer)
      .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
      .setTransactionalIdPrefix('orders')
      .build();
    expect(eo.exclusiveResources()).toEqual(['kafka-transactional-id:a:9092,b:9092/orders']);
    expect(base().setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE).build().exclusiveResources()).toEqual([]);
  });
});

describe('KafkaRecordSerializationSchema', () => {
  it('needs exactly one of topic and topic selector, and a value schema', () => {
    const b = () => KafkaRecordSerializationSchema.builder<string>().setValueSerializationSchema(new StringSerializationSchema());
    expect(thrown(() => b().build()).message).toContain('exactly one of setTopic');
    expect(thrown(() => b().setTopic('a').setTopicSelector(() => 'b').build()).message).toContain('exactly one of setTopic');
    expect(thrown(() => KafkaRecordSerializationSchema.builder<string>().setTopic('a').build()).message).toContain('setValueSerializationSchema');
    expect(thrown(() => b().setTopic('no spaces')).message).toContain('"no spaces" is not a valid Kafka topic name');
  });

  it('serializes value, key, headers, partition and the event-time timestamp', () => {
    const schema = KafkaRecordSerializationSchema.builder<{ id: number }>()
      .setTopicSelector((e) => `t${e.id % 2}`)
      .setValueSerializationSchema(new JsonSerializationSchema())
      .setKeySerializationSchema({ serialize: (e) => new Uint8Array([e.id]) })
      .setHeaders((e) => ({ source: `s${e.id}` }))
      .setPartitioner((e) => e.id % 3)
      .build();
    expect(schema.fixedTopic).toBeUndefined();
    expect(schema.serialize({ id: 5 }, { timestamp: 42 })).toEqual({
      topic: 't1',
      value: Buffer.from('{"id":5}'),
      key: Buffer.from([5]),
      headers: { source: 's5' },
      partition: 2,
      timestamp: 42,
    });
    expect(schema.serialize({ id: 4 }, { timestamp: undefined })).not.toHaveProperty('timestamp');
  });

  it('a topic selector that returns no topic name is a USAGE error', () => {
    const schema = KafkaRecordSerializationSchema.builder<string>().setTopicSelector(() => '').setValueSerializationSchema(new StringSerializationSchema()).build();
    expect(thrown(() => schema.serialize('x', { timestamp: undefined })).message).toContain('the topic selector returned ""');
  });
});
