/**
 * `RMQSink`: publishes records to RabbitMQ (Flink's `RMQSink`) for `stream.sinkTo(sink)`.
 *
 * Delivery guarantee: at-least-once with checkpointing. Every subtask
 * publishes on a confirm channel (publisher confirms); at a checkpoint's
 * barrier `prepareCommit` waits until the broker confirmed every message
 * published before it, so the checkpoint completes only once RabbitMQ has
 * them (for a durable queue and `persistent: true` messages, on disk). A
 * nack, a message returned as unroutable (publishes are `mandatory` unless
 * the publish options say otherwise) or a lost connection fails the task;
 * the job restarts from its last checkpoint and publishes again what came
 * after it, so a message may arrive twice but never not at all. Without
 * checkpointing the end of a bounded input still waits for the confirms;
 * after a failure nothing is republished.
 *
 * Settings: an `RMQConnectionConfig`; the queue to publish to through the
 * default exchange (checked to exist when the writer opens, or declared with
 * `declareQueue`), or publish options that compute exchange, routing key,
 * properties (correlation id, headers, persistence...) and `mandatory` per
 * record (Flink's `RMQSinkPublishOptions`, or a function returning them);
 * a serializer. Back-pressure: when the socket's write buffer is full, `write`
 * waits for the channel's `drain`.
 */
import type { ConfirmChannel, ChannelModel, Message, Options } from 'amqplib';
import { FlinktsError } from '../../api/errors.js';
import type { Sink, SinkWriter, SinkWriterContext } from '../../api/sink.js';
import type { RMQConnectionConfig } from './connection-config.js';
import { closeQuietly, declarationOf, describeError, verifyQueue, type RMQQueueDeclaration } from './channels.js';
import { toBuffer, toSerializationSchema, type RMQSerializationSchema, type RMQSerializer } from './schemas.js';

/** Where and how one record is published. */
export interface RMQPublishSpec {
  /** Default `''`, the default exchange (which routes to the queue named by the routing key). */
  readonly exchange?: string;
  /** Default: the sink's queue name. */
  readonly routingKey?: string;
  readonly properties?: Omit<Options.Publish, 'mandatory'>;
  /** Whether an unroutable message fails the task (default true). */
  readonly mandatory?: boolean;
}

/** Flink's `RMQSinkPublishOptions`: exchange, routing key and properties computed per record. */
export interface RMQSinkPublishOptions<T> {
  computeRoutingKey(value: T): string;
  computeExchange(value: T): string;
  computeProperties?(value: T): Omit<Options.Publish, 'mandatory'> | undefined;
  computeMandatory?(value: T): boolean;
}

/** Publish options: Flink's interface, or a function of the record. */
export type RMQPublishOptions<T> = RMQSinkPublishOptions<T> | ((value: T) => RMQPublishSpec);

/** Further options of an {@link RMQSink}. */
export interface RMQSinkOptions {
  /** Declare the sink's queue (create it if absent) with these settings; by default it must exist. */
  readonly declareQueue?: RMQQueueDeclaration | boolean;
}

/** A sink publishing to RabbitMQ with publisher confirms. */
export class RMQSink<T> implements Sink<T> {
  readonly serializer: RMQSerializationSchema<T>;
  private readonly resolve: (value: T) => Required<Pick<RMQPublishSpec, 'exchange' | 'routingKey' | 'mandatory'>> & { properties: Options.Publish };

  constructor(
    readonly connectionConfig: RMQConnectionConfig,
    readonly queueName: string | undefined,
    serializer: RMQSerializer<T>,
    readonly publishOptions?: RMQPublishOptions<T>,
    readonly options: RMQSinkOptions = {},
  ) {
    const who = `new RMQSink(..., ${queueName === undefined ? 'undefined' : `'${queueName}'`}, ...)`;
    if (typeof connectionConfig?.connect !== 'function') throw new FlinktsError('USAGE', `${who}: expected an RMQConnectionConfig (RMQConnectionConfig.builder()...build())`);
    if (queueName !== undefined && (typeof queueName !== 'string' || queueName === '')) throw new FlinktsError('USAGE', `${who}: the queue name must be a non-empty string or undefined`);
    if (queueName === undefined && publishOptions === undefined) throw new FlinktsError('USAGE', `${who}: give a queue name or publish options that compute the exchange and routing key`);
    if (queueName === undefined && options.declareQueue !== undefined && options.declareQueue !== false) throw new FlinktsError('USAGE', `${who}: declareQueue needs a queue name`);
    this.serializer = toSerializationSchema(serializer, who);
    this.resolve = publishResolver(publishOptions, queueName, who);
  }

  /** `RMQSink 'orders'` or `RMQSink (publish options)`, for messages. */
  get description(): string {
    return this.queueName === undefined ? 'RMQSink (publish options)' : `RMQSink '${this.queueName}'`;
  }

  async createWriter(context: SinkWriterContext): Promise<SinkWriter<T>> {
    const writer = new RMQSinkWriter<T>(this, `${this.description} (subtask ${context.subtaskIndex})`);
    await writer.open();
    return writer;
  }

  /** @internal where one record goes. */
  publishSpecOf(value: T): ReturnType<RMQSink<T>['resolve']> {
    return this.resolve(value);
  }
}

function publishResolver<T>(publishOptions: RMQPublishOptions<T> | undefined, queueName: string | undefined, who: string): RMQSink<T>['resolve'] {
  const defaults = { exchange: '', routingKey: queueName ?? '', mandatory: true, properties: {} };
  if (publishOptions === undefined) return () => defaults;
  if (typeof publishOptions === 'function') {
    return (value) => {
      const spec = publishOptions(value);
      return {
        exchange: spec?.exchange ?? defaults.exchange,
        routingKey: spec?.routingKey ?? defaults.routingKey,
        mandatory: spec?.mandatory ?? true,
        properties: spec?.properties ?? {},
      };
    };
  }
  if (typeof publishOptions.computeRoutingKey !== 'function' || typeof publishOptions.computeExchange !== 'function') {
    throw new FlinktsError('USAGE', `${who}: publish options must be a function value => { exchange, routingKey, properties, mandatory } or define computeRoutingKey and computeExchange`);
  }
  return (value) => ({
    exchange: publishOptions.computeExchange(value),
    routingKey: publishOptions.computeRoutingKey(value),
    mandatory: publishOptions.computeMandatory?.(value) ?? true,
    properties: publishOptions.computeProperties?.(value) ?? {},
  });
}

/** Publishes the records of one subtask. */
class RMQSinkWriter<T> implements SinkWriter<T> {
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private failure: FlinktsError | undefined;
  private closed = false;
  /** Writes waiting for the channel's `drain`. */
  private readonly drainWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  constructor(
    private readonly sink: RMQSink<T>,
    private readonly who: string,
  ) {}

  async open(): Promise<void> {
    const config = this.sink.connectionConfig;
    const connection = await config.connect(this.who);
    this.connection = connection;
    try {
      let lastError: Error | undefined;
      connection.on('error', (error: Error) => (lastError = error));
      connection.on('close', () => {
        const reason = lastError === undefined ? 'the connection closed' : lastError.message;
        this.fail(new FlinktsError('CONNECTOR', `${this.who}: lost the connection to RabbitMQ at ${config.address}: ${reason}`, { cause: lastError, retriable: true }));
      });
      if (this.sink.queueName !== undefined) {
        await verifyQueue(connection, config, this.sink.queueName, declarationOf(this.sink.options.declareQueue), this.who, '{ declareQueue: { durable: true } } as the RMQSink options');
      }
      const channel = await connection.createConfirmChannel();
      this.channel = channel;
      let channelError: Error | undefined;
      channel.on('error', (error: Error) => (channelError = error));
      channel.on('close', () => {
        const reason = channelError === undefined ? 'the channel closed' : channelError.message;
        this.fail(new FlinktsError('CONNECTOR', `${this.who}: the broker closed the publishing channel: ${reason}`, { cause: channelError, retriable: true }));
      });
      channel.on('return', (message: Message) => {
        const { exchange, routingKey, replyText } = message.fields as Message['fields'] & { replyText?: string };
        this.fail(
          new FlinktsError('CONNECTOR', `${this.who}: RabbitMQ returned a message as unroutable (${replyText ?? 'no route'}): exchange '${exchange}', routing key '${routingKey}'`, {
            hint: 'create the queue or binding, or publish with mandatory: false to let RabbitMQ drop unroutable messages',
            retriable: true,
          }),
        );
      });
      channel.on('drain', () => this.drained());
    } catch (error) {
      await this.close();
      throw error instanceof FlinktsError ? error : new FlinktsError('CONNECTOR', `${this.who}: cannot open a publishing channel at ${config.address}: ${describeError(error)}`, { cause: error, retriable: true });
    }
  }

  write(element: T): void | Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const channel = this.channel!;
    const { exchange, routingKey, mandatory, properties } = this.sink.publishSpecOf(element);
    const body = toBuffer(this.sink.serializer.serialize(element));
    const flowing = channel.publish(exchange, routingKey, body, { ...properties, mandatory }, (error: unknown) => {
      if (error !== null && error !== undefined) {
        this.fail(new FlinktsError('CONNECTOR', `${this.who}: RabbitMQ did not confirm a message to exchange '${exchange}', routing key '${routingKey}': ${describeError(error)}`, { cause: error, retriable: true }));
      }
    });
    if (flowing) return;
    return new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  prepareCommit(): Promise<readonly never[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    // Captures the messages published so far, synchronously: those of this checkpoint.
    return this.channel!.waitForConfirms().then(
      () => {
        if (this.failure !== undefined) throw this.failure;
        return [];
      },
      (error: unknown) => {
        throw this.failure ?? new FlinktsError('CONNECTOR', `${this.who}: RabbitMQ did not confirm every message of the checkpoint: ${describeError(error)}`, { cause: error, retriable: true });
      },
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const [connection, channel] = [this.connection, this.channel];
    this.connection = undefined;
    this.channel = undefined;
    this.rejectWaiters(new FlinktsError('CONNECTOR', `${this.who}: closed`));
    await closeQuietly(connection, channel);
  }

  private drained(): void {
    for (const waiter of this.drainWaiters.splice(0)) waiter.resolve();
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.drainWaiters.splice(0)) waiter.reject(error);
  }

  private fail(error: FlinktsError): void {
    if (this.closed || this.failure !== undefined) return;
    this.failure = error;
    this.rejectWaiters(error);
  }
}
