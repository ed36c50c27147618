/**
 * The Kafka source's settings without a broker: bootstrap address and
 * property checks, builder validation, offsets initializers, deserializers,
 * and the partition owner function (Flink's, with Java's String.hashCode).
 */
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { OutputTag } from '../../../../src/api/output-tag.js';
import { BadRecordPolicy, type DeadLetter } from '../../../../src/connectors/bad-records.js';
import { kafkaClientConfig, parseBootstrapServers } from '../../../../src/connectors/kafka/common/kafka-config.js';
import { KafkaRecordDeserializationSchema, KafkaValueDeserializer, type KafkaConsumerRecord } from '../../../../src/connectors/kafka/source/deserializers.js';
import { DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS, KafkaSource } from '../../../../src/connectors/kafka/source/kafka-source.js';
import { OffsetsInitializer } from '../../../../src/connectors/kafka/source/offsets-initializer.js';
import { javaStringHashCode, splitOwner } from '../../../../src/connectors/kafka/source/split-owner.js';

function usage(action: () => unknown): FlinktsError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('USAGE');
    return error as FlinktsError;
  }
  throw new Error('expected a USAGE error');
}

const base = () => KafkaSource.builder<string>().setBootstrapServers('127.0.0.1:9092').setTopics('t').setValueOnlyDeserializer(KafkaValueDeserializer.string());

describe('bootstrap servers', () => {
  it('accepts host:port lists with host names, IPv4 and bracketed IPv6', () => {
    expect(parseBootstrapServers('127.0.0.1:9092', 'x')).toEqual(['127.0.0.1:9092']);
    expect(parseBootstrapServers(' broker-1.example.com:9092 , [::1]:19092', 'x')).toEqual(['broker-1.example.com:9092', '[::1]:19092']);
  });

  it.each(['localhost', 'localhost:', ':9092', 'host:0', 'host:65536', 'host:90a', 'ho st:9092', 'a:1,,b:2'])('rejects %j, naming the address', (address) => {
    const error = usage(() => parseBootstrapServers(address, 'KafkaSource.setBootstrapServers'));
    expect(error.message).toMatch(/malformed bootstrap server address|expected bootstrap servers/);
  });

  it('build() names the malformed address', () => {
    const error = usage(() => base().setBootstrapServers('127.0.0.1:9092,kafka:port').build());
    expect(error.message).toBe("KafkaSource.setBootstrapServers: malformed bootstrap server address 'kafka:port': expected host:port with a port from 1 to 65535");
  });
});

describe('KafkaSource.builder', () => {
  it('needs bootstrap servers, topics or a pattern (not both) and a deserializer', () => {
    expect(usage(() => KafkaSource.builder().setTopics('t').setValueOnlyDeserializer(KafkaValueDeserializer.string()).build()).message).toContain('setBootstrapServers');
    expect(usage(() => KafkaSource.builder().setBootstrapServers('h:1').setValueOnlyDeserializer(KafkaValueDeserializer.string()).build()).message).toContain('setTopics(…) or setTopicPattern(…) is required');
    expect(usage(() => base().setTopicPattern('t.*').build()).message).toContain('not both');
    expect(usage(() => KafkaSource.builder().setBootstrapServers('h:1').setTopics('t').build()).message).toContain('a deserializer is required');
    usage(() => base().setTopics());
    usage(() => base().setValueOnlyDeserializer({} as never));
  });

  it('committed offsets need a group id', () => {
    expect(usage(() => base().setStartingOffsets(OffsetsInitializer.committedOffsets()).build()).message).toContain('need a group id');
    expect(base().setGroupId('g').setStartingOffsets(OffsetsInitializer.committedOffsets()).build().settings.groupId).toBe('g');
  });

  it('is unbounded with 5-minute partition discovery by default; setBounded makes it bounded without discovery', () => {
    const unbounded = base().build();
    expect(unbounded.boundedness).toBe('CONTINUOUS_UNBOUNDED');
    expect(unbounded.settings.discoveryIntervalMs).toBe(DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS);
    expect(DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS).toBe(300_000);
    expect(base().setPartitionDiscoveryInterval(0).build().settings.discoveryIntervalMs).toBe(0);
    const bounded = base().setPartitionDiscoveryInterval(100).setBounded(OffsetsInitializer.latest()).build();
    expect(bounded.boundedness).toBe('BOUNDED');
    expect(bounded.settings.discoveryIntervalMs).toBe(0);
    expect(bounded.handlesWatermarks).toBe(true);
  });

  it('matches a topic pattern against whole topic names', () => {
    const source = KafkaSource.builder<string>().setBootstrapServers('h:1').setTopicPattern(/orders-\d+/).setValueOnlyDeserializer(KafkaValueDeserializer.string()).build();
    const re = source.settings.topicPattern!;
    expect(['orders-1', 'orders-22'].map((t) => re.test(t))).toEqual([true, true]);
    expect(['orders-1-old', 'old-orders-1', 'orders-'].map((t) => re.test(t))).toEqual([false, false, false]);
    usage(() => KafkaSource.builder().setTopicPattern('(unclosed'));
  });

  it('checks properties: unknown keys, bad values, SASL without a SASL protocol', () => {
    expect(usage(() => base().setProperty('bootstrap.servers.typo', 'x')).message).toContain('unknown property "bootstrap.servers.typo"');
    expect(usage(() => base().setProperty('isolation.level', 'serializable').build()).message).toContain("'isolation.level' must be one of read_uncommitted, read_committed");
    expect(usage(() => base().setProperty('fetch.max.wait.ms', '-1').build()).message).toContain('non-negative integer');
    expect(usage(() => base().setProperty('sasl.mechanism', 'PLAIN').build()).message).toContain('security.protocol is PLAINTEXT');
    expect(usage(() => base().setProperty('security.protocol', 'SASL_PLAINTEXT').build()).message).toContain('needs a user name and a password');
    const source = base().setProperty('isolation.level', 'read_committed').build();
    expect(source.settings.isolation).toBe('read_committed');
    expect(source.settings.fetcherSettings.readUncommitted).toBe(false);
    expect(base().build().settings.isolation).toBe('read_uncommitted');
  });

  it('takes a bad record policy', () => {
    const tag = new OutputTag<DeadLetter>('dl');
    expect(base().setBadRecordPolicy(BadRecordPolicy.deadLetter(tag)).build().settings.badRecordPolicy).toEqual({ kind: 'dead-letter', tag });
    usage(() => base().setBadRecordPolicy({ kind: 'ignore' } as never));
  });
});

describe('client configuration', () => {
  it('reads SASL credentials from sasl.jaas.config or sasl.username/password', () => {
    const jaas = new Map([
      ['security.protocol', 'SASL_SSL'],
      ['sasl.mechanism', 'SCRAM-SHA-512'],
      ['sasl.jaas.config', 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3cret";'],
    ]);
    const config = kafkaClientConfig(['h:1'], jaas, 'id', 'x');
    expect(config.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'alice', password: 's3cret' });
    expect(config.ssl).toBe(true);
    const plain = kafkaClientConfig(['h:1'], new Map([['security.protocol', 'SASL_PLAINTEXT'], ['sasl.username', 'bob'], ['sasl.password', 'pw']]), 'id', 'x');
    expect(plain.sasl).toEqual({ mechanism: 'plain', username: 'bob', password: 'pw' });
    expect(plain.ssl).toBe(false);
  });

  it('retries a bounded number of times by default', () => {
    const config = kafkaClientConfig(['h:1'], new Map(), 'id', 'x');
    expect(config.retry).toEqual({ retries: 5, initialRetryTime: 300 });
    expect(kafkaClientConfig(['h:1'], new Map([['retries', '1'], ['client.id', 'mine']]), 'id', 'x')).toMatchObject({ retry: { retries: 1 }, clientId: 'mine' });
  });
});

describe('OffsetsInitializer', () => {
  it('rejects bad arguments', () => {
    usage(() => OffsetsInitializer.timestamp(-1));
    usage(() => OffsetsInitializer.timestamp(1.5));
    usage(() => OffsetsInitializer.committedOffsets('sometimes' as never));
    usage(() => OffsetsInitializer.offsets([{ topic: 't', partition: -1, offset: 0 }]));
    usage(() => OffsetsInitializer.offsets([{ topic: '', partition: 0, offset: 0 }]));
    expect(String(OffsetsInitializer.offsets([{ topic: 't', partition: 0, offset: 3 }]))).toBe('offsets(1 partitions, earliest)');
  });
});

describe('deserializers', () => {
  const record = (value: Buffer | null): KafkaConsumerRecord => ({ topic: 't', partition: 0, offset: 0, timestamp: 0, key: null, value, headers: {} });

  it('string: UTF-8, and invalid UTF-8 throws (a bad record)', () => {
    expect(KafkaValueDeserializer.string().deserialize(Buffer.from('héllo'), record(null))).toBe('héllo');
    expect(() => KafkaValueDeserializer.string().deserialize(Buffer.from([0xff, 0xfe]), record(null))).toThrow();
  });

  it('json: parses, and malformed JSON throws', () => {
    expect(KafkaValueDeserializer.json().deserialize(Buffer.from('{"a":[1,2]}'), record(null))).toEqual({ a: [1, 2] });
    expect(() => KafkaValueDeserializer.json().deserialize(Buffer.from('{"a":'), record(null))).toThrow();
  });

  it('value only: a tombstone (no value) throws; custom functions get the bytes and the record', () => {
    const valueOnly = KafkaRecordDeserializationSchema.valueOnly(KafkaValueDeserializer.of((v, r) => `${r.topic}:${v.length}`));
    expect(valueOnly.deserialize(record(Buffer.from('abc')))).toBe('t:3');
    expect(() => valueOnly.deserialize(record(null))).toThrow('tombstone');
    usage(() => KafkaValueDeserializer.of('nope' as never));
    usage(() => KafkaRecordDeserializationSchema.of(undefined as never));
  });
});

describe('split owner', () => {
  it("is Java's String.hashCode", () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('Aa')).toBe(2112);
    expect(javaStringHashCode('BB')).toBe(2112);
    // The famous string whose hash code is Integer.MIN_VALUE (overflow on every step).
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
  });

  it("is Flink's getSplitOwner: a topic's partitions go round-robin from a start that depends on the topic", () => {
    // "hello": hashCode 99162322; × 31 = 3074031982 → as int −1220935314; & 0x7fffffff = 926548334; % 3 = 2.
    expect([0, 1, 2, 3, 4].map((p) => splitOwner('hello', p, 3))).toEqual([2, 0, 1, 2, 0]);
    // "polygenelubricants": MIN_VALUE × 31 = MIN_VALUE (int overflow); & 0x7fffffff = 0.
    expect([0, 1, 2].map((p) => splitOwner('polygenelubricants', p, 2))).toEqual([0, 1, 0]);
    expect(splitOwner('anything', 7, 1)).toBe(0);
  });
});

describe('restored splits', () => {
  it('accepts a Kafka partition split and refuses anything else with STATE_INCOMPATIBLE', async () => {
    const { checkSplit } = await import('../../../../src/connectors/kafka/source/partition-split.js');
    const split = { topic: 't', partition: 2, nextOffset: 17, stoppingOffset: 20, knownPartitions: { t: 3 } };
    expect(checkSplit(split, 'here')).toBe(split);
    for (const bad of [null, { topic: 't', partition: 0 }, { ...split, nextOffset: '17' }, { ...split, knownPartitions: undefined }, { offset: 5 }]) {
      expect(() => checkSplit(bad, 'KafkaSource x')).toThrow(expect.objectContaining({ code: 'STATE_INCOMPATIBLE' }) as Error);
    }
  });
});
