// RabbitMQ → files, exactly-once: orders (JSON messages with unique correlation
// ids) from a queue; the orders of 100 or more become CSV lines `id,customer,amount`
// in part files that are finished only when a checkpoint completes.
//
//   1. fill the queue (RMQSink, publisher confirms; ends with an end-of-stream message):
//      npx flinkts run examples/rabbitmq-to-files.ts -- --publish 1000
//   2. copy it to files (RMQSource, exactly-once; finishes at the end-of-stream message):
//      npx flinkts run examples/rabbitmq-to-files.ts -- --output /tmp/orders
//
// Options: --uri (default amqp://guest:guest@127.0.0.1:5672), --queue (default
// flinkts-orders, declared durable if absent), --interval (checkpoint interval, ms,
// default 1000). Without an end-of-stream message the copy runs until cancelled;
// a restart from a checkpoint neither loses nor repeats an order: RabbitMQ
// redelivers what was not acknowledged and the source drops the redeliveries
// of orders it had already emitted, by correlation id.
import {
  BasePathBucketAssigner,
  defineJob,
  FileSink,
  RMQConnectionConfig,
  RMQDeserializationSchema,
  RMQSerializationSchema,
  RMQSink,
  RMQSource,
  SimpleStringEncoder,
  WatermarkStrategy,
} from 'flinkts';

/** An order as published, or the end-of-stream message. */
interface Order {
  readonly id?: number;
  readonly customer?: string;
  readonly amount?: number;
  readonly end?: true;
}

/** The n-th order the publisher makes up. */
export function order(id: number): Order {
  return { id, customer: `customer-${id % 7}`, amount: (id * 37) % 500 };
}

export default defineJob((env, params) => {
  const connection = RMQConnectionConfig.builder()
    .setUri(params.get('uri', 'amqp://guest:guest@127.0.0.1:5672'))
    .setPrefetchCount(5000)
    .build();
  const queue = params.get('queue', 'flinkts-orders');
  const publish = params.getInt('publish', 0);
  env.enableCheckpointing(params.getInt('interval', 1000));
  // One consumer of the queue: exactly-once needs parallelism 1 (and correlation ids).
  env.setParallelism(1);

  if (publish > 0) {
    // n orders, then the end-of-stream message.
    const sink = new RMQSink<Order>(connection, queue, RMQSerializationSchema.json<Order>(), (o) => ({
      properties: { correlationId: o.end === true ? 'end' : `order-${o.id}`, contentType: 'application/json', persistent: true },
    }), { declareQueue: { durable: true } });
    env
      .fromSequence(1, publish + 1)
      .map((i): Order => (i > publish ? { end: true } : order(i)))
      .sinkTo(sink)
      .name('RabbitMQ orders');
    return;
  }

  const source = new RMQSource<Order>(
    connection,
    queue,
    true,
    RMQDeserializationSchema.json<Order>({ isEndOfStream: (o) => o.end === true }),
    { declareQueue: { durable: true } },
  );
  env
    .fromSource(source, WatermarkStrategy.noWatermarks(), 'RabbitMQ orders')
    .uid('orders')
    .filter((o) => (o.amount ?? 0) >= 100)
    .map((o) => `${o.id},${o.customer},${o.amount}`)
    .sinkTo(FileSink.forRowFormat(params.get('output', '/tmp/flinkts-orders'), new SimpleStringEncoder<string>()).withBucketAssigner(new BasePathBucketAssigner<string>()).build())
    .uid('order-files');
});
