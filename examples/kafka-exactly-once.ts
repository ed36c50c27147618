// Kafka → keyed event-time window → Kafka, exactly-once: clicks (JSON) from a topic, counted per
// user in tumbling 10 s event-time windows, written to another topic inside Kafka transactions that
// commit when a checkpoint completes. Consumers reading with isolation.level=read_committed see
// every count once, even when the job fails and restarts from its last checkpoint.
//
// With the local broker (npm run kafka:start):
//   1. write clicks (KafkaSink, at-least-once; creates the topic, 2 partitions, if absent):
//      npx flinkts run examples/kafka-exactly-once.ts -- --publish 10000
//   2. count them (KafkaSource → window → KafkaSink EXACTLY_ONCE; ends at the end of the topic):
//      npx flinkts run examples/kafka-exactly-once.ts -p 2
//   3. read the counts as a read_committed consumer would (ends at the end of the topic):
//      npx flinkts run examples/kafka-exactly-once.ts -- --print
//
// Options: --bootstrap (default 127.0.0.1:9092), --input (default flinkts-clicks), --output
// (default flinkts-click-counts, created if absent), --prefix (transactional id prefix, default
// flinkts-click-counts; one running job per prefix), --interval (checkpoint interval, ms, default
// 1000), --unbounded (keep reading new clicks until cancelled).
import {
  defineJob,
  DeliveryGuarantee,
  JsonSerializationSchema,
  KafkaRecordSerializationSchema,
  KafkaSink,
  KafkaSource,
  KafkaValueDeserializer,
  OffsetsInitializer,
  ProcessWindowFunction,
  Time,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type Collector,
  type ProcessWindowFunctionContext,
  type TimeWindow,
} from 'flinkts';

/** A click as published. */
export interface Click {
  readonly user: string;
  readonly url: string;
  /** Event time, epoch ms. */
  readonly ts: number;
}

/** One window's count. */
export interface ClickCount {
  readonly user: string;
  readonly windowStart: number;
  readonly clicks: number;
}

/** The i-th click the publisher makes up: 7 users, one click every 100 ms of event time from 2024-01-01. */
export function click(i: number): Click {
  return { user: `user-${i % 7}`, url: `/page/${i % 13}`, ts: Date.UTC(2024, 0, 1) + i * 100 };
}

class CountClicks extends ProcessWindowFunction<Click, ClickCount, string, TimeWindow> {
  process(user: string, context: ProcessWindowFunctionContext<string, TimeWindow>, clicks: Iterable<Click>, out: Collector<ClickCount>): void {
    let n = 0;
    for (const _ of clicks) n++;
    out.collect({ user, windowStart: context.window().getStart(), clicks: n });
  }
}

export default defineJob((env, params) => {
  const bootstrap = params.get('bootstrap', '127.0.0.1:9092');
  const input = params.get('input', 'flinkts-clicks');
  const output = params.get('output', 'flinkts-click-counts');
  env.enableCheckpointing(params.getInt('interval', 1000));

  const publish = params.getInt('publish', 0);
  if (publish > 0) {
    const clicks = KafkaSink.builder<Click>()
      .setBootstrapServers(bootstrap)
      .setRecordSerializer(
        KafkaRecordSerializationSchema.builder<Click>()
          .setTopic(input)
          .setKeySerializationSchema({ serialize: (c) => c.user })
          .setValueSerializationSchema(new JsonSerializationSchema<Click>())
          .build(),
      )
      .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
      .setCreateTopicIfMissing(true, { numPartitions: 2 })
      .build();
    env.fromSequence(0, publish - 1).map(click).sinkTo(clicks).name('clicks');
    return;
  }

  if (params.getBoolean('print', false)) {
    const counts = KafkaSource.builder<string>()
      .setBootstrapServers(bootstrap)
      .setTopics(output)
      .setStartingOffsets(OffsetsInitializer.earliest())
      .setBounded(OffsetsInitializer.latest())
      .setProperty('isolation.level', 'read_committed')
      .setValueOnlyDeserializer(KafkaValueDeserializer.string())
      .build();
    env.fromSource(counts, WatermarkStrategy.noWatermarks(), 'click counts').print();
    return;
  }

  const builder = KafkaSource.builder<Click>()
    .setBootstrapServers(bootstrap)
    .setTopics(input)
    .setGroupId('flinkts-click-counts')
    .setStartingOffsets(OffsetsInitializer.earliest())
    .setValueOnlyDeserializer(KafkaValueDeserializer.json<Click>());
  if (!params.getBoolean('unbounded', false)) builder.setBounded(OffsetsInitializer.latest());
  // Per partition, clicks arrive in event-time order; idle partitions do not hold event time back.
  const events = WatermarkStrategy.forMonotonousTimestamps<Click>()
    .withTimestampAssigner((c) => c.ts)
    .withIdleness(Time.seconds(5));
  const counts = KafkaSink.builder<ClickCount>()
    .setBootstrapServers(bootstrap)
    .setRecordSerializer(
      KafkaRecordSerializationSchema.builder<ClickCount>()
        .setTopic(output)
        .setKeySerializationSchema({ serialize: (c) => c.user })
        .setValueSerializationSchema(new JsonSerializationSchema<ClickCount>())
        .build(),
    )
    .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
    .setTransactionalIdPrefix(params.get('prefix', 'flinkts-click-counts'))
    // Longer than a checkpoint interval plus a restart, within the broker's maximum (15 min by default).
    .setProperty('transaction.timeout.ms', 300_000)
    .setCreateTopicIfMissing(true, { numPartitions: 2 })
    .build();

  env
    .fromSource(builder.build(), events, 'clicks')
    .uid('clicks')
    .keyBy((c) => c.user)
    .window(TumblingEventTimeWindows.of(Time.seconds(10)))
    .process(new CountClicks())
    .uid('click-counts')
    .sinkTo(counts)
    .uid('click-counts-sink');
});
