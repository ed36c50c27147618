/**
 * Settings shared by both Kafka connectors (source and sink): the bootstrap
 * address, checked when the builder builds, and the client properties a
 * Flink user sets with `setProperty(key, value)`, turned into a kafkajs
 * client configuration.
 *
 * Client properties (Kafka's names, or kafkajs' where Kafka has none):
 * - `client.id`
 * - `request.timeout.ms`, `socket.connection.setup.timeout.ms` (kafkajs `connectionTimeout`)
 * - `retries`, `retry.backoff.ms`: how often and how soon kafkajs retries a
 *   failed connection or request before the connector gives up with a
 *   CONNECTOR error naming the address (default 5 retries from 300 ms, a few
 *   seconds in all: bounded, so an unreachable broker fails the job instead
 *   of hanging it)
 * - `security.protocol`: PLAINTEXT (default), SSL, SASL_PLAINTEXT, SASL_SSL
 * - `sasl.mechanism`: PLAIN (default with SASL), SCRAM-SHA-256, SCRAM-SHA-512;
 *   credentials from `sasl.username` + `sasl.password` or from a
 *   `sasl.jaas.config` with `username="…" password="…"`
 * - `kafkajs.log.level`: nothing (default), error, warn, info, debug — kafkajs'
 *   own log lines on stderr, for diagnosing connection problems
 * Each connector adds its own keys (see its header); any other key is a
 * USAGE error listing the known ones, so a typo is not silently ignored.
 */
import kafkajs, { type KafkaConfig, type SASLOptions } from 'kafkajs';
import { FlinktsError } from '../../../api/errors.js';

const { logLevel } = kafkajs;

/** The client keys every Kafka connector understands (see the module comment). */
export const CLIENT_PROPERTY_KEYS = [
  'client.id',
  'request.timeout.ms',
  'socket.connection.setup.timeout.ms',
  'retries',
  'retry.backoff.ms',
  'security.protocol',
  'sasl.mechanism',
  'sasl.username',
  'sasl.password',
  'sasl.jaas.config',
  'kafkajs.log.level',
] as const;

/** Retries of a connection or request before giving up (kafkajs `retry.retries`). */
export const DEFAULT_RETRIES = 5;
/** First retry delay; kafkajs doubles it (with jitter) per retry. */
export const DEFAULT_RETRY_BACKOFF_MS = 300;
/** A connection attempt that takes longer fails (then retried). */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 3000;

/**
 * Parses `host:port[,host:port…]` (IPv6 hosts in brackets); a malformed
 * address is a USAGE error naming it. `where` names the call for the message.
 */
export function parseBootstrapServers(value: unknown, where: string): string[] {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new FlinktsError('USAGE', `${where}: expected bootstrap servers as 'host:port[,host:port…]', got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value.split(',').map((raw) => {
    const address = raw.trim();
    const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/.exec(address);
    const port = match === null ? NaN : Number(match[3]);
    if (match === null || !(port >= 1 && port <= 65535)) {
      throw new FlinktsError('USAGE', `${where}: malformed bootstrap server address '${address}': expected host:port with a port from 1 to 65535`, {
        hint: "e.g. setBootstrapServers('127.0.0.1:9092') or 'broker1:9092,broker2:9092'",
      });
    }
    return address;
  });
}

/** Checks a property key against the client keys and `extraKeys`; returns the value as a string. */
export function checkProperty(key: unknown, value: unknown, extraKeys: readonly string[], where: string): [string, string] {
  const known = [...CLIENT_PROPERTY_KEYS, ...extraKeys];
  if (typeof key !== 'string' || !known.includes(key)) {
    throw new FlinktsError('USAGE', `${where}: unknown property ${JSON.stringify(key)}; known properties: ${known.join(', ')}`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new FlinktsError('USAGE', `${where}: property '${key}' needs a string, number or boolean value, got ${typeof value}`);
  }
  return [key, String(value)];
}

/** A property as a non-negative integer (USAGE error otherwise). */
export function integerProperty(properties: ReadonlyMap<string, string>, key: string, fallback: number, where: string): number {
  const raw = properties.get(key);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new FlinktsError('USAGE', `${where}: property '${key}' must be a non-negative integer, got '${raw}'`);
  return n;
}

/** A property out of a fixed set of values, compared case-insensitively (USAGE error otherwise). */
export function choiceProperty<T extends string>(properties: ReadonlyMap<string, string>, key: string, choices: readonly T[], fallback: T, where: string): T {
  const raw = properties.get(key);
  if (raw === undefined) return fallback;
  const found = choices.find((c) => c.toLowerCase() === raw.toLowerCase());
  if (found === undefined) throw new FlinktsError('USAGE', `${where}: property '${key}' must be one of ${choices.join(', ')}, got '${raw}'`);
  return found;
}

/** The kafkajs client configuration for `brokers` and the client properties (validated). */
export function kafkaClientConfig(brokers: readonly string[], properties: ReadonlyMap<string, string>, defaultClientId: string, where: string): KafkaConfig {
  const protocol = choiceProperty(properties, 'security.protocol', ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const, 'PLAINTEXT', where);
  const level = choiceProperty(properties, 'kafkajs.log.level', ['nothing', 'error', 'warn', 'info', 'debug'] as const, 'nothing', where);
  const config: KafkaConfig = {
    brokers: [...brokers],
    clientId: properties.get('client.id') ?? defaultClientId,
    connectionTimeout: integerProperty(properties, 'socket.connection.setup.timeout.ms', DEFAULT_CONNECTION_TIMEOUT_MS, where),
    requestTimeout: integerProperty(properties, 'request.timeout.ms', 30_000, where),
    retry: {
      retries: integerProperty(properties, 'retries', DEFAULT_RETRIES, where),
      initialRetryTime: integerProperty(properties, 'retry.backoff.ms', DEFAULT_RETRY_BACKOFF_MS, where),
    },
    logLevel: { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG }[level],
    ssl: protocol === 'SSL' || protocol === 'SASL_SSL',
  };
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') config.sasl = saslOptions(properties, where);
  else if (properties.has('sasl.mechanism') || properties.has('sasl.jaas.config') || properties.has('sasl.username')) {
    throw new FlinktsError('USAGE', `${where}: SASL properties are set but security.protocol is ${protocol}`, {
      hint: "set security.protocol to 'SASL_PLAINTEXT' or 'SASL_SSL' to authenticate",
    });
  }
  return config;
}

function saslOptions(properties: ReadonlyMap<string, string>, where: string): SASLOptions {
  const mechanism = choiceProperty(properties, 'sasl.mechanism', ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const, 'PLAIN', where);
  const jaas = properties.get('sasl.jaas.config') ?? '';
  const fromJaas = (name: string): string | undefined => new RegExp(`${name}\\s*=\\s*"([^"]*)"`).exec(jaas)?.[1];
  const username = properties.get('sasl.username') ?? fromJaas('username');
  const password = properties.get('sasl.password') ?? fromJaas('password');
  if (username === undefined || password === undefined) {
    throw new FlinktsError('USAGE', `${where}: SASL ${mechanism} needs a user name and a password`, {
      hint: "set 'sasl.username' and 'sasl.password', or a 'sasl.jaas.config' with username=\"…\" password=\"…\"",
    });
  }
  switch (mechanism) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
  }
}
