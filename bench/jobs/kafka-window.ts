// The Kafka benchmark jobs of bench/kafka.js, against the local broker:
//   --mode window   Kafka (`key,seq` records, event time = seq ms, bounded at the topic's end) → keyed
//                   tumbling event-time windows of --window ms (count per key) → Kafka, through a KafkaSink
//                   with --guarantee (EXACTLY_ONCE by default) and a checkpoint every --interval ms.
//   --mode pass     Kafka → Kafka unchanged, unbounded (the benchmark cancels it): the latency run; the
//                   source fetches with fetch.max.wait.ms --fetch-wait so that an idle fetch returns soon.
import {
  defineJob,
  DeliveryGuarantee,
  KafkaRecordSerializationSchema,
  KafkaSink,
  KafkaSource,
  KafkaValueDeserializer,
  OffsetsInitializer,
  ProcessWindowFunction,
  StringSerializationSchema,
  Time,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type Collector,
  type ProcessWindowFunctionContext,
  type TimeWindow,
} from 'flinkts';

class CountPerKey extends ProcessWindowFunction<string, string, string, TimeWindow> {
  process(key: string, context: ProcessWindowFunctionContext<string, TimeWindow>, elements: Iterable<string>, out: Collector<string>): void {
    let count = 0;
    for (const _ of elements) count++;
    out.collect(`${key},${context.window().getStart()},${count}`);
  }
}

export default defineJob((env, params) => {
  const bootstrap = params.getRequired('bootstrap');
  const mode = params.get('mode', 'window');
  env.enableCheckpointing(params.getInt('interval', 1000));
  env.getCheckpointConfig().setCheckpointStorage(params.getRequired('checkpoints'));
  const guarantee = params.get('guarantee', 'EXACTLY_ONCE') as DeliveryGuarantee;
  const sink = KafkaSink.builder<string>()
    .setBootstrapServers(bootstrap)
    .setRecordSerializer(KafkaRecordSerializationSchema.builder<string>().setTopic(params.getRequired('output')).setValueSerializationSchema(new StringSerializationSchema()).build())
    .setDeliveryGuarantee(guarantee);
  if (guarantee === DeliveryGuarantee.EXACTLY_ONCE) sink.setTransactionalIdPrefix(params.getRequired('prefix'));
  const source = KafkaSource.builder<string>()
    .setBootstrapServers(bootstrap)
    .setTopics(params.getRequired('input'))
    .setStartingOffsets(OffsetsInitializer.earliest())
    .setValueOnlyDeserializer(KafkaValueDeserializer.string())
    .setProperty('fetch.max.wait.ms', params.getInt('fetch-wait', 500));
  if (mode === 'window') {
    source.setBounded(OffsetsInitializer.latest());
    const events = WatermarkStrategy.forMonotonousTimestamps<string>().withTimestampAssigner((line) => Number(line.slice(line.indexOf(',') + 1)));
    env
      .fromSource(source.build(), events, 'input')
      .keyBy((line) => line.slice(0, line.indexOf(',')))
      .window(TumblingEventTimeWindows.of(Time.milliseconds(params.getInt('window', 1000))))
      .process(new CountPerKey())
      .sinkTo(sink.build());
  } else {
    env.fromSource(source.build(), WatermarkStrategy.noWatermarks<string>(), 'input').sinkTo(sink.build());
  }
});
