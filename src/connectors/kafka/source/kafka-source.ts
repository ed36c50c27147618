/**
 * `KafkaSource.builder<T>()…build()`: reads Kafka topics (kafkajs), as Flink's
 * KafkaSource. Use it with `env.fromSource(source, watermarkStrategy, name)`.
 *
 * Delivery guarantee: exactly-once into the job's state when checkpointing is
 * on (the next offset per partition is checkpointed state; a restore resumes
 * at exactly those offsets and re-reads what came after); at-least-once end
 * to end with an at-least-once sink, exactly-once with a transactional one.
 * Without checkpointing a restarted job reads again from its starting offsets.
 * Offsets committed to Kafka under the group id when a checkpoint completes
 * are for monitoring only and never used to restore.
 *
 * Settings:
 * - required: `setBootstrapServers('host:port,…')`, `setTopics(…)` or
 *   `setTopicPattern(regex)` (matched against whole topic names), and a
 *   deserializer: `setValueOnlyDeserializer(KafkaValueDeserializer.string() /
 *   .json() / .of(fn))` or `setDeserializer(KafkaRecordDeserializationSchema.of(fn))`
 *   for key, value, headers, topic, partition, offset and timestamp.
 * - `setGroupId(id)`: needed for `OffsetsInitializer.committedOffsets()` and
 *   for committing offsets on checkpoints (`commit.offsets.on.checkpoint`, default true).
 * - `setStartingOffsets(OffsetsInitializer.earliest() (default) / latest() /
 *   committedOffsets(reset) / timestamp(ms) / offsets([...]))`.
 * - `setBounded(OffsetsInitializer.latest() / offsets([...]) / timestamp(ms))`:
 *   a bounded source that ends when every partition reached its stopping offset.
 * - `setPartitionDiscoveryInterval(ms)` (`partition.discovery.interval.ms`):
 *   default 5 minutes for an unbounded source, 0 disables; never for a bounded one.
 * - `setBadRecordPolicy(BadRecordPolicy.fail() (default) / skip() / deadLetter(tag))`:
 *   records the deserializer throws on; provenance `{ topic, partition, offset }`.
 * - `setProperty(key, value)`: client properties (see kafka-config.ts) and
 *   `isolation.level` (read_uncommitted, the default, or read_committed to
 *   skip aborted transactions: filtered by the source itself, also when
 *   aborted transactions interleave, where kafkajs' own consumer lets records
 *   through; see aborted-transactions.ts), `fetch.max.wait.ms`, `max.partition.fetch.bytes`,
 *   `fetch.max.bytes`, `session.timeout.ms`, `heartbeat.interval.ms`, `group.id`,
 *   `client.id.prefix`, `commit.offsets.on.checkpoint`.
 * A topic that does not exist fails the source with a CONNECTOR error naming
 * it (the source never creates topics); unreachable brokers fail it after a
 * bounded retry, naming the address.
 */
import type { KafkaConfig } from 'kafkajs';
import { FlinktsError } from '../../../api/errors.js';
import type { Source, SourceReader, SourceReaderContext } from '../../../api/source.js';
import { BadRecordPolicy } from '../../bad-records.js';
import { checkProperty, choiceProperty, integerProperty, kafkaClientConfig, parseBootstrapServers } from '../common/kafka-config.js';
import { checkDeserializer, KafkaRecordDeserializationSchema, type KafkaValueDeserializer } from './deserializers.js';
import { KafkaSourceReader } from './kafka-source-reader.js';
import { OffsetsInitializer } from './offsets-initializer.js';
import type { FetcherSettings } from './partition-fetcher.js';

/** Flink's default partition discovery interval of an unbounded KafkaSource. */
export const DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS = 300_000;

/** The source-only property keys (besides the client keys of kafka-config.ts). */
const SOURCE_KEYS = [
  'group.id',
  'client.id.prefix',
  'isolation.level',
  'partition.discovery.interval.ms',
  'commit.offsets.on.checkpoint',
  'fetch.max.wait.ms',
  'max.partition.fetch.bytes',
  'fetch.max.bytes',
  'session.timeout.ms',
  'heartbeat.interval.ms',
] as const;

/** @internal everything a reader needs, fixed at build. */
export interface KafkaSourceSettings<T> {
  readonly bootstrapServers: readonly string[];
  readonly topics: readonly string[];
  readonly topicPattern: RegExp | undefined;
  readonly groupId: string | undefined;
  readonly startingOffsets: OffsetsInitializer;
  readonly stoppingOffsets: OffsetsInitializer | undefined;
  readonly boundedness: 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';
  readonly deserializer: KafkaRecordDeserializationSchema<T>;
  readonly badRecordPolicy: BadRecordPolicy;
  readonly discoveryIntervalMs: number;
  readonly commitOffsetsOnCheckpoint: boolean;
  readonly isolation: 'read_uncommitted' | 'read_committed';
  readonly fetcherSettings: FetcherSettings;
  /** The kafkajs client configuration; `suffix` makes the client id per subtask. */
  clientConfig(suffix: string): KafkaConfig;
}

/** A Kafka source; build one with {@link KafkaSource.builder}. */
export class KafkaSource<T> implements Source<T> {
  readonly handlesWatermarks = true;

  /** @internal use {@link KafkaSource.builder}. */
  constructor(
    /** @internal */
    readonly settings: KafkaSourceSettings<T>,
  ) {}

  /** A builder; see the module comment for the settings. */
  static builder<T = string>(): KafkaSourceBuilder<T> {
    return new KafkaSourceBuilder<T>();
  }

  get boundedness(): 'BOUNDED' | 'CONTINUOUS_UNBOUNDED' {
    return this.settings.boundedness;
  }

  createReader(context: SourceReaderContext): SourceReader<T> {
    return new KafkaSourceReader(this.settings, context);
  }

  toString(): string {
    const what = this.settings.topicPattern !== undefined ? `pattern ${this.settings.topicPattern}` : `topics ${this.settings.topics.join(',')}`;
    return `KafkaSource(${this.settings.bootstrapServers.join(',')}, ${what})`;
  }
}

/** Collects the settings of a {@link KafkaSource}; `build()` checks them. */
export class KafkaSourceBuilder<T> {
  private bootstrap: string | undefined;
  private topics: string[] = [];
  private pattern: RegExp | undefined;
  private groupId: string | undefined;
  private starting = OffsetsInitializer.earliest();
  private stopping: OffsetsInitializer | undefined;
  private deserializer: KafkaRecordDeserializationSchema<T> | undefined;
  private policy: BadRecordPolicy = BadRecordPolicy.fail();
  private discoveryMs: number | undefined;
  private readonly properties = new Map<string, string>();

  /** `host:port[,host:port…]`; checked by `build()`. */
  setBootstrapServers(servers: string): this {
    this.bootstrap = servers;
    return this;
  }

  /** The topics to read (a topic that does not exist fails the source, naming it). */
  setTopics(...topics: (string | readonly string[])[]): this {
    const list = topics.flat();
    for (const t of list) if (typeof t !== 'string' || t === '') throw new FlinktsError('USAGE', `KafkaSource.setTopics: expected topic names, got ${JSON.stringify(t)}`);
    if (list.length === 0) throw new FlinktsError('USAGE', 'KafkaSource.setTopics: name at least one topic');
    this.topics = list;
    return this;
  }

  /** Reads every topic whose whole name matches `pattern` (new ones are found by partition discovery). */
  setTopicPattern(pattern: RegExp | string): this {
    let source: string;
    let flags = '';
    if (pattern instanceof RegExp) [source, flags] = [pattern.source, pattern.flags.replace(/[gy]/g, '')];
    else if (typeof pattern === 'string' && pattern !== '') source = pattern;
    else throw new FlinktsError('USAGE', `KafkaSource.setTopicPattern: expected a RegExp or a non-empty string, got ${JSON.stringify(pattern)}`);
    try {
      // Anchored: Java's Pattern.matcher(topic).matches() tests the whole name.
      this.pattern = new RegExp(`^(?:${source})$`, flags);
    } catch (error) {
      throw new FlinktsError('USAGE', `KafkaSource.setTopicPattern: invalid pattern ${JSON.stringify(source)}: ${(error as Error).message}`);
    }
    return this;
  }

  setGroupId(groupId: string): this {
    if (typeof groupId !== 'string' || groupId === '') throw new FlinktsError('USAGE', `KafkaSource.setGroupId: expected a non-empty string, got ${JSON.stringify(groupId)}`);
    this.groupId = groupId;
    return this;
  }

  setStartingOffsets(initializer: OffsetsInitializer): this {
    this.starting = checkInitializer(initializer, 'setStartingOffsets');
    return this;
  }

  /** Makes the source bounded: each partition ends at the offset `initializer` gives when the reader starts. */
  setBounded(initializer: OffsetsInitializer): this {
    this.stopping = checkInitializer(initializer, 'setBounded');
    return this;
  }

  /** Deserializes only the value of each record. */
  setValueOnlyDeserializer(deserializer: KafkaValueDeserializer<T>): this {
    checkDeserializer(deserializer, 'KafkaSource.setValueOnlyDeserializer');
    this.deserializer = KafkaRecordDeserializationSchema.valueOnly(deserializer);
    return this;
  }

  /** Deserializes the whole record (key, value, headers, topic, partition, offset, timestamp). */
  setDeserializer(deserializer: KafkaRecordDeserializationSchema<T>): this {
    checkDeserializer(deserializer, 'KafkaSource.setDeserializer');
    this.deserializer = deserializer;
    return this;
  }

  /** How often to look for new partitions (and topics matching the pattern); 0 disables. */
  setPartitionDiscoveryInterval(ms: number): this {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new FlinktsError('USAGE', `KafkaSource.setPartitionDiscoveryInterval: expected milliseconds ≥ 0, got ${String(ms)}`);
    this.discoveryMs = ms;
    return this;
  }

  setBadRecordPolicy(policy: BadRecordPolicy): this {
    if (!['fail', 'skip', 'dead-letter'].includes((policy as { kind?: string } | null)?.kind ?? '')) {
      throw new FlinktsError('USAGE', 'KafkaSource.setBadRecordPolicy: expected BadRecordPolicy.fail(), skip() or deadLetter(tag)');
    }
    this.policy = policy;
    return this;
  }

  /** A client or source property (see the module comment); an unknown key is a USAGE error. */
  setProperty(key: string, value: string | number | boolean): this {
    const [k, v] = checkProperty(key, value, SOURCE_KEYS, 'KafkaSource.setProperty');
    this.properties.set(k, v);
    return this;
  }

  /** Sets each property of `properties`. */
  setProperties(properties: Readonly<Record<string, string | number | boolean>>): this {
    for (const [key, value] of Object.entries(properties)) this.setProperty(key, value);
    return this;
  }

  /** Checks the settings (USAGE errors name what is wrong) and builds the source. */
  build(): KafkaSource<T> {
    const where = 'KafkaSource';
    if (this.bootstrap === undefined) throw new FlinktsError('USAGE', `${where}: setBootstrapServers('host:port') is required`);
    const brokers = parseBootstrapServers(this.bootstrap, `${where}.setBootstrapServers`);
    if (this.topics.length > 0 && this.pattern !== undefined) throw new FlinktsError('USAGE', `${where}: set either setTopics(…) or setTopicPattern(…), not both`);
    if (this.topics.length === 0 && this.pattern === undefined) throw new FlinktsError('USAGE', `${where}: setTopics(…) or setTopicPattern(…) is required`);
    if (this.deserializer === undefined) {
      throw new FlinktsError('USAGE', `${where}: a deserializer is required`, { hint: 'setValueOnlyDeserializer(KafkaValueDeserializer.string()) or setDeserializer(...)' });
    }
    const props = this.properties;
    const groupId = this.groupId ?? props.get('group.id');
    for (const [name, init] of [['starting', this.starting], ['stopping', this.stopping]] as const) {
      if (init?.spec.kind === 'committed' && groupId === undefined) {
        throw new FlinktsError('USAGE', `${where}: ${name} offsets committedOffsets() need a group id`, { hint: 'call setGroupId(id)' });
      }
    }
    const bounded = this.stopping !== undefined;
    const discoveryMs = bounded ? 0 : (this.discoveryMs ?? integerProperty(props, 'partition.discovery.interval.ms', DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS, where));
    const isolation = choiceProperty(props, 'isolation.level', ['read_uncommitted', 'read_committed'] as const, 'read_uncommitted', where);
    const commit = choiceProperty(props, 'commit.offsets.on.checkpoint', ['true', 'false'] as const, 'true', where) === 'true';
    const fetcherSettings: FetcherSettings = {
      readUncommitted: isolation === 'read_uncommitted',
      maxWaitTimeInMs: integerProperty(props, 'fetch.max.wait.ms', 500, where),
      maxBytesPerPartition: integerProperty(props, 'max.partition.fetch.bytes', 1024 * 1024, where),
      maxBytes: integerProperty(props, 'fetch.max.bytes', 10 * 1024 * 1024, where),
      sessionTimeout: integerProperty(props, 'session.timeout.ms', 30_000, where),
      heartbeatInterval: integerProperty(props, 'heartbeat.interval.ms', 3000, where),
    };
    const clientIdPrefix = props.get('client.id.prefix') ?? `flinkts-kafka-source${groupId === undefined ? '' : `-${groupId}`}`;
    // Checks the client properties now, so a wrong one fails the build rather than the running job.
    kafkaClientConfig(brokers, props, clientIdPrefix, where);
    return new KafkaSource<T>({
      bootstrapServers: brokers,
      topics: [...this.topics],
      topicPattern: this.pattern,
      groupId,
      startingOffsets: this.starting,
      stoppingOffsets: this.stopping,
      boundedness: bounded ? 'BOUNDED' : 'CONTINUOUS_UNBOUNDED',
      deserializer: this.deserializer,
      badRecordPolicy: this.policy,
      discoveryIntervalMs: discoveryMs,
      commitOffsetsOnCheckpoint: commit,
      isolation,
      fetcherSettings,
      clientConfig: (suffix) => kafkaClientConfig(brokers, props, `${clientIdPrefix}${suffix}`, where),
    });
  }
}

function checkInitializer(initializer: OffsetsInitializer, method: string): OffsetsInitializer {
  if (!(initializer instanceof OffsetsInitializer)) {
    throw new FlinktsError('USAGE', `KafkaSource.${method}: expected an OffsetsInitializer (earliest(), latest(), committedOffsets(), timestamp(ms), offsets([...]))`);
  }
  return initializer;
}
