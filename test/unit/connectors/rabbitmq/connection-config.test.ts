import { describe, expect, it } from 'vitest';
import { RMQConnectionConfig } from '../../../../src/connectors/rabbitmq/connection-config.js';

const base = (): ReturnType<typeof RMQConnectionConfig.builder> => RMQConnectionConfig.builder().setHost('rabbit.example').setUserName('app').setPassword('s3cret');

describe('RMQConnectionConfig', () => {
  it('defaults: port 5672, virtual host /, prefetch 10 000, 3 retries 1 s apart, heartbeat 60 s', () => {
    expect(base().build().settings).toEqual({
      protocol: 'amqp',
      host: 'rabbit.example',
      port: 5672,
      virtualHost: '/',
      userName: 'app',
      password: 's3cret',
      prefetchCount: 10_000,
      connectionTimeoutMs: 10_000,
      requestedHeartbeatS: 60,
      connectRetries: 3,
      networkRecoveryIntervalMs: 1000,
    });
  });

  it('takes every setting of the builder, also as Flink spells it (new RMQConnectionConfig.Builder())', () => {
    const config = new RMQConnectionConfig.Builder()
      .setHost('h')
      .setPort(5673)
      .setVirtualHost('orders')
      .setUserName('u')
      .setPassword('p')
      .setPrefetchCount(500)
      .setConnectionTimeout(2000)
      .setRequestedHeartbeat(0)
      .setConnectRetries(0)
      .setNetworkRecoveryInterval(250)
      .build();
    expect(config.settings).toMatchObject({ host: 'h', port: 5673, virtualHost: 'orders', prefetchCount: 500, connectionTimeoutMs: 2000, requestedHeartbeatS: 0, connectRetries: 0, networkRecoveryIntervalMs: 250 });
    expect(config.address).toBe('h:5673');
  });

  it.each([
    ['amqp://guest:guest@127.0.0.1:5672', { protocol: 'amqp', host: '127.0.0.1', port: 5672, virtualHost: '/', userName: 'guest', password: 'guest' }],
    ['amqp://u:p%40ss@host', { protocol: 'amqp', host: 'host', port: 5672, virtualHost: '/', userName: 'u', password: 'p@ss' }],
    ['amqps://u:p@host/%2F', { protocol: 'amqps', host: 'host', port: 5671, virtualHost: '/', userName: 'u', password: 'p' }],
    ['amqp://u:p@[::1]:5680/prod', { protocol: 'amqp', host: '::1', port: 5680, virtualHost: 'prod', userName: 'u', password: 'p' }],
  ])('setUri(%s)', (uri, expected) => {
    expect(RMQConnectionConfig.builder().setUri(uri).build().settings).toMatchObject(expected);
  });

  it('names an IPv6 host in brackets in host:port', () => {
    expect(RMQConnectionConfig.builder().setUri('amqp://u:p@[::1]:5680').build().address).toBe('[::1]:5680');
  });

  it('never shows the password', () => {
    const config = base().build();
    expect(config.toString()).toBe('amqp://app@rabbit.example:5672/%2F');
    expect(JSON.stringify(config)).not.toContain('s3cret');
    expect(JSON.parse(JSON.stringify(config))).toMatchObject({ password: '******', userName: 'app' });
  });

  it.each([
    [() => RMQConnectionConfig.builder().setUserName('u').setPassword('p').build(), 'CONFIG', 'RMQConnectionConfig: no host: call setHost(...) or setUri(...)'],
    [() => RMQConnectionConfig.builder().setHost('h').setPassword('p').build(), 'CONFIG', 'RMQConnectionConfig: no user name: call setUserName(...) or put it in the URI'],
    [() => RMQConnectionConfig.builder().setHost('h').setUserName('u').build(), 'CONFIG', 'RMQConnectionConfig: no password: call setPassword(...) or put it in the URI'],
    [() => base().setPort(0), 'USAGE', 'RMQConnectionConfig.Builder.setPort(0): expected an integer from 1 to 65535'],
    [() => base().setPort(5672.5), 'USAGE', 'RMQConnectionConfig.Builder.setPort(5672.5): expected an integer from 1 to 65535'],
    [() => base().setPrefetchCount(0), 'USAGE', 'RMQConnectionConfig.Builder.setPrefetchCount(0): expected an integer from 1 to 65535'],
    [() => base().setHost(' '), 'USAGE', 'RMQConnectionConfig.Builder.setHost( ): expected a host name or address'],
    [() => base().setUri('http://h'), 'USAGE', "RMQConnectionConfig.Builder.setUri(): expected the scheme amqp or amqps, got 'http'"],
    [() => base().setUri('not a uri'), 'USAGE', 'RMQConnectionConfig.Builder.setUri(): expected an AMQP URI such as amqp://user:password@host:5672/vhost'],
    [() => base().setConnectRetries(-1), 'USAGE', 'RMQConnectionConfig.Builder.setConnectRetries(-1): expected an integer from 0 to 1000'],
  ])('refuses a wrong setting: %#', (build, code, message) => {
    expect(build).toThrow(expect.objectContaining({ code, message }));
  });
});
