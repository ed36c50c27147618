import { describe, expect, it } from 'vitest';
import { RMQConnectionConfig } from '../../../../src/connectors/rabbitmq/connection-config.js';
import { RMQSink } from '../../../../src/connectors/rabbitmq/rmq-sink.js';
import { RMQDeserializationSchema, RMQSerializationSchema, toBuffer, type RMQMessage } from '../../../../src/connectors/rabbitmq/schemas.js';

function message(body: Buffer | string): RMQMessage {
  return { body: Buffer.isBuffer(body) ? body : Buffer.from(body), properties: {} as RMQMessage['properties'], queue: 'q', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q' };
}

describe('RMQ deserializers', () => {
  it('string: UTF-8, refusing invalid bytes', () => {
    expect(RMQDeserializationSchema.string().deserialize(message('grüße'))).toBe('grüße');
    expect(() => RMQDeserializationSchema.string().deserialize(message(Buffer.from([0x61, 0xff, 0x62])))).toThrow('the body is not valid UTF-8');
  });

  it('json: parses, refusing malformed JSON', () => {
    expect(RMQDeserializationSchema.json().deserialize(message('{"a":[1,2]}'))).toEqual({ a: [1, 2] });
    expect(() => RMQDeserializationSchema.json().deserialize(message('{"a":'))).toThrow(SyntaxError);
  });

  it('of: a function of the body and the message; isEndOfStream as given', () => {
    const schema = RMQDeserializationSchema.of((body, m) => `${m.queue}:${body.length}`, { isEndOfStream: (v) => v === 'q:0' });
    expect(schema.deserialize(message('abcd'))).toBe('q:4');
    expect(schema.isEndOfStream?.('q:0')).toBe(true);
    expect(schema.isEndOfStream?.('q:4')).toBe(false);
    expect(RMQDeserializationSchema.string().isEndOfStream).toBeUndefined();
  });
});

describe('RMQ serializers', () => {
  it('string, json and of give the bytes a consumer reads', () => {
    expect(toBuffer(RMQSerializationSchema.string<number>().serialize(42)).toString()).toBe('42');
    expect(toBuffer(RMQSerializationSchema.json().serialize({ a: 'ü' })).toString('utf8')).toBe('{"a":"ü"}');
    expect([...toBuffer(RMQSerializationSchema.of((n: number) => new Uint8Array([n, n + 1])).serialize(7))]).toEqual([7, 8]);
    expect(() => RMQSerializationSchema.json().serialize(undefined)).toThrow(expect.objectContaining({ code: 'SERIALIZATION' }));
  });
});

describe('RMQSink publish options', () => {
  const config = RMQConnectionConfig.builder().setHost('h').setUserName('u').setPassword('p').build();

  it('a queue alone: default exchange, routing key = queue, mandatory', () => {
    expect(new RMQSink<string>(config, 'orders', RMQSerializationSchema.string()).publishSpecOf('x')).toEqual({ exchange: '', routingKey: 'orders', mandatory: true, properties: {} });
  });

  it('a function of the record: what it gives, defaults for the rest', () => {
    const sink = new RMQSink<number>(config, 'orders', RMQSerializationSchema.string(), (n) => (n > 1 ? { exchange: 'x', routingKey: `k${n}`, mandatory: false, properties: { correlationId: `c${n}` } } : {}));
    expect(sink.publishSpecOf(2)).toEqual({ exchange: 'x', routingKey: 'k2', mandatory: false, properties: { correlationId: 'c2' } });
    expect(sink.publishSpecOf(1)).toEqual({ exchange: '', routingKey: 'orders', mandatory: true, properties: {} });
  });

  it("Flink's RMQSinkPublishOptions interface", () => {
    const sink = new RMQSink<number>(config, undefined, RMQSerializationSchema.string(), {
      computeExchange: () => 'events',
      computeRoutingKey: (n) => String(n % 3),
      computeProperties: (n) => ({ headers: { n } }),
    });
    expect(sink.publishSpecOf(5)).toEqual({ exchange: 'events', routingKey: '2', mandatory: true, properties: { headers: { n: 5 } } });
  });

  it.each([
    [() => new RMQSink(config, undefined, RMQSerializationSchema.string()), 'new RMQSink(..., undefined, ...): give a queue name or publish options that compute the exchange and routing key'],
    [() => new RMQSink(config, '', RMQSerializationSchema.string()), "new RMQSink(..., '', ...): the queue name must be a non-empty string or undefined"],
    [() => new RMQSink(config, 'q', RMQSerializationSchema.string(), {} as never), "new RMQSink(..., 'q', ...): publish options must be a function value => { exchange, routingKey, properties, mandatory } or define computeRoutingKey and computeExchange"],
    [() => new RMQSink(config, 'q', 42 as never), "new RMQSink(..., 'q', ...): expected a serializer (RMQSerializationSchema.string(), .json(), .of(fn)) or a function value => bytes or string"],
  ])('refuses wrong arguments: %#', (create, message) => {
    expect(create).toThrow(expect.objectContaining({ code: 'USAGE', message }));
  });
});
