/**
 * How the RabbitMQ connector reaches a broker (Flink's `RMQConnectionConfig`):
 * host, port, virtual host, credentials or an AMQP URI, the consumer prefetch,
 * and how long and how often to try before giving up.
 *
 * Connecting makes `connectRetries + 1` attempts, `networkRecoveryIntervalMs`
 * apart, while the broker is unreachable (refused, timed out, reset), then
 * fails with a retriable CONNECTOR error naming host:port. A refused login
 * (wrong user or password) or a virtual host the user may not open fails at
 * once, naming the user, the virtual host and host:port: retrying cannot
 * help. The password never appears in messages, `toString()` or `toJSON()`.
 */
import amqp, { type ChannelModel } from 'amqplib';
import { FlinktsError } from '../../api/errors.js';
import { describeIoError } from '../format.js';

/** RabbitMQ's default AMQP port. */
export const DEFAULT_AMQP_PORT = 5672;
/** The consumer prefetch when none is set: unacknowledged messages one source subtask may hold. */
export const DEFAULT_PREFETCH_COUNT = 10_000;

/** The settings of a {@link RMQConnectionConfig}, as the builder collects them. */
export interface RMQConnectionSettings {
  readonly protocol: 'amqp' | 'amqps';
  readonly host: string;
  readonly port: number;
  readonly virtualHost: string;
  readonly userName: string;
  readonly password: string;
  /** Unacknowledged messages the broker sends one consumer before it waits for acks. */
  readonly prefetchCount: number;
  /** Socket connect and AMQP handshake timeout, ms. */
  readonly connectionTimeoutMs: number;
  /** Requested heartbeat, s (0 turns heartbeats off; the broker may lower it). */
  readonly requestedHeartbeatS: number;
  /** Attempts after the first one while the broker is unreachable. */
  readonly connectRetries: number;
  /** Pause between connection attempts, ms. */
  readonly networkRecoveryIntervalMs: number;
}

/** Where and how to connect to RabbitMQ; build one with {@link RMQConnectionConfig.builder}. */
export class RMQConnectionConfig {
  /** Flink's `new RMQConnectionConfig.Builder()`. */
  static get Builder(): typeof RMQConnectionConfigBuilder {
    return RMQConnectionConfigBuilder;
  }

  /** A builder: set the host (or a URI), user name and password at least. */
  static builder(): RMQConnectionConfigBuilder {
    return new RMQConnectionConfigBuilder();
  }

  /** @internal use {@link RMQConnectionConfig.builder}. */
  constructor(readonly settings: RMQConnectionSettings) {}

  /** `host:port`, for messages. */
  get address(): string {
    const host = this.settings.host.includes(':') ? `[${this.settings.host}]` : this.settings.host;
    return `${host}:${this.settings.port}`;
  }

  get prefetchCount(): number {
    return this.settings.prefetchCount;
  }

  /** The URI without the password, e.g. `amqp://guest@127.0.0.1:5672/%2F`. */
  toString(): string {
    const s = this.settings;
    return `${s.protocol}://${encodeURIComponent(s.userName)}@${this.address}/${encodeURIComponent(s.virtualHost)}`;
  }

  /** The settings with the password redacted (for plans, logs and `--json` output). */
  toJSON(): Record<string, unknown> {
    return { ...this.settings, password: '******' };
  }

  /**
   * Opens a connection, retrying while the broker is unreachable (see the
   * module comment). `who` names the connector in errors, e.g. `RMQSource 'orders'`.
   */
  async connect(who: string): Promise<ChannelModel> {
    const s = this.settings;
    const attempts = s.connectRetries + 1;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await amqp.connect(
          { protocol: s.protocol, hostname: s.host, port: s.port, username: s.userName, password: s.password, vhost: s.virtualHost, heartbeat: s.requestedHeartbeatS },
          // The connection's name in RabbitMQ's management tools says which connector and subtask holds it.
          { timeout: s.connectionTimeoutMs, clientProperties: { connection_name: `flinkts ${who}` } },
        );
      } catch (error) {
        const refusal = this.describeRefusal(error);
        if (refusal !== undefined) throw new FlinktsError('CONNECTOR', `${who}: ${refusal}`, { cause: error, hint: 'check the user name, password and virtual host of the RMQConnectionConfig' });
        if (attempt >= attempts) {
          const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts in ${((Date.now() - started) / 1000).toFixed(1)} s`;
          throw new FlinktsError('CONNECTOR', `${who}: cannot connect to RabbitMQ at ${this.address}: ${describeIoError(error)} (${tries})`, {
            cause: error,
            retriable: true,
            hint: 'start RabbitMQ or fix the host and port; setConnectRetries/setNetworkRecoveryInterval control how long to try',
          });
        }
        await new Promise((resolve) => setTimeout(resolve, s.networkRecoveryIntervalMs));
      }
    }
  }

  /** The message for a broker that answered but refused (login, virtual host), or undefined for a network failure. */
  private describeRefusal(error: unknown): string | undefined {
    const message = error instanceof Error ? error.message : String(error);
    const s = this.settings;
    if (message.includes('ACCESS_REFUSED') || message.includes('ACCESS-REFUSED')) {
      return `RabbitMQ at ${this.address} refused the login of user '${s.userName}' (wrong user name or password)`;
    }
    // The broker closes the connection instead of opening the virtual host: it does not exist or the user may not use it.
    if (message.includes('ConnectionOpenOk') || message.includes('NOT_ALLOWED')) {
      return `RabbitMQ at ${this.address} refused virtual host '${s.virtualHost}' to user '${s.userName}' (it does not exist or the user has no access)`;
    }
    return undefined;
  }
}

/** Collects the settings of an {@link RMQConnectionConfig} (Flink's `RMQConnectionConfig.Builder`). */
export class RMQConnectionConfigBuilder {
  private protocol: 'amqp' | 'amqps' = 'amqp';
  private host: string | undefined;
  private port = DEFAULT_AMQP_PORT;
  private virtualHost = '/';
  private userName: string | undefined;
  private password: string | undefined;
  private prefetchCount = DEFAULT_PREFETCH_COUNT;
  private connectionTimeoutMs = 10_000;
  private requestedHeartbeatS = 60;
  private connectRetries = 3;
  private networkRecoveryIntervalMs = 1000;

  setHost(host: string): this {
    if (typeof host !== 'string' || host.trim() === '') throw usage(`setHost(${String(host)})`, 'expected a host name or address');
    this.host = host;
    return this;
  }

  setPort(port: number): this {
    this.port = integerIn(`setPort(${String(port)})`, port, 1, 65_535);
    return this;
  }

  setVirtualHost(virtualHost: string): this {
    if (typeof virtualHost !== 'string') throw usage(`setVirtualHost(${String(virtualHost)})`, "expected a virtual host name such as '/'");
    this.virtualHost = virtualHost;
    return this;
  }

  setUserName(userName: string): this {
    if (typeof userName !== 'string' || userName === '') throw usage('setUserName()', 'expected a non-empty user name');
    this.userName = userName;
    return this;
  }

  setPassword(password: string): this {
    if (typeof password !== 'string') throw usage('setPassword()', 'expected a string');
    this.password = password;
    return this;
  }

  /**
   * Everything from an AMQP URI, `amqp[s]://user:password@host[:port][/vhost]`
   * (the virtual host percent-encoded, `%2F` for `/`; none means `/`).
   * Replaces host, port, virtual host, user name and password.
   */
  setUri(uri: string): this {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw usage('setUri()', 'expected an AMQP URI such as amqp://user:password@host:5672/vhost');
    }
    if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') throw usage('setUri()', `expected the scheme amqp or amqps, got '${url.protocol.slice(0, -1)}'`);
    if (url.hostname === '') throw usage('setUri()', 'the URI names no host');
    this.protocol = url.protocol === 'amqps:' ? 'amqps' : 'amqp';
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = url.port === '' ? (this.protocol === 'amqps' ? 5671 : DEFAULT_AMQP_PORT) : Number(url.port);
    const path = url.pathname.replace(/^\//, '');
    this.virtualHost = path === '' ? '/' : decodeURIComponent(path);
    if (url.username !== '') this.userName = decodeURIComponent(url.username);
    if (url.password !== '') this.password = decodeURIComponent(url.password);
    return this;
  }

  /** Unacknowledged messages one consumer may hold (the bound of the source's buffer); default {@link DEFAULT_PREFETCH_COUNT}. */
  setPrefetchCount(prefetchCount: number): this {
    this.prefetchCount = integerIn(`setPrefetchCount(${String(prefetchCount)})`, prefetchCount, 1, 65_535);
    return this;
  }

  /** Socket connect and handshake timeout, ms (default 10 000). */
  setConnectionTimeout(timeoutMs: number): this {
    this.connectionTimeoutMs = integerIn(`setConnectionTimeout(${String(timeoutMs)})`, timeoutMs, 1, 3_600_000);
    return this;
  }

  /** Requested heartbeat interval, s (default 60; 0 turns heartbeats off). */
  setRequestedHeartbeat(seconds: number): this {
    this.requestedHeartbeatS = integerIn(`setRequestedHeartbeat(${String(seconds)})`, seconds, 0, 65_535);
    return this;
  }

  /** Attempts after the first while the broker is unreachable (default 3). */
  setConnectRetries(retries: number): this {
    this.connectRetries = integerIn(`setConnectRetries(${String(retries)})`, retries, 0, 1000);
    return this;
  }

  /** Pause between connection attempts, ms (default 1000). */
  setNetworkRecoveryInterval(intervalMs: number): this {
    this.networkRecoveryIntervalMs = integerIn(`setNetworkRecoveryInterval(${String(intervalMs)})`, intervalMs, 0, 3_600_000);
    return this;
  }

  build(): RMQConnectionConfig {
    if (this.host === undefined) throw new FlinktsError('CONFIG', 'RMQConnectionConfig: no host: call setHost(...) or setUri(...)');
    if (this.userName === undefined) throw new FlinktsError('CONFIG', 'RMQConnectionConfig: no user name: call setUserName(...) or put it in the URI');
    if (this.password === undefined) throw new FlinktsError('CONFIG', 'RMQConnectionConfig: no password: call setPassword(...) or put it in the URI');
    return new RMQConnectionConfig({
      protocol: this.protocol,
      host: this.host,
      port: this.port,
      virtualHost: this.virtualHost,
      userName: this.userName,
      password: this.password,
      prefetchCount: this.prefetchCount,
      connectionTimeoutMs: this.connectionTimeoutMs,
      requestedHeartbeatS: this.requestedHeartbeatS,
      connectRetries: this.connectRetries,
      networkRecoveryIntervalMs: this.networkRecoveryIntervalMs,
    });
  }
}

function usage(call: string, problem: string): FlinktsError {
  return new FlinktsError('USAGE', `RMQConnectionConfig.Builder.${call}: ${problem}`);
}

function integerIn(call: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw usage(call, `expected an integer from ${min} to ${max}`);
  return value;
}
