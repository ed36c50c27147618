/**
 * Talking to the local RabbitMQ as a test would by hand (amqplib directly,
 * never through flinkts): unique queues deleted afterwards, confirmed
 * publishing, counting and reading back.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp, { type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';
import { rabbitMqUrl } from './services.js';

/** One message to publish. */
export interface TestMessage {
  readonly body: string | Buffer;
  readonly correlationId?: string;
}

/** A connection for setting up and checking queues. */
export class TestBroker {
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private readonly queues = new Set<string>();
  private readonly exchanges = new Set<string>();

  async open(): Promise<void> {
    this.connection = await amqp.connect(rabbitMqUrl);
    this.channel = await this.connection.createConfirmChannel();
  }

  private get ch(): ConfirmChannel {
    if (this.channel === undefined) throw new Error('TestBroker.open() first');
    return this.channel;
  }

  /** A fresh queue with a unique name, deleted by `close()`. */
  async queue(options: Options.AssertQueue = { durable: false }): Promise<string> {
    const name = `flinkts-test-${randomUUID()}`;
    await this.ch.assertQueue(name, options);
    this.queues.add(name);
    return name;
  }

  /** A unique queue name that does not exist (deleted by `close()` should something create it). */
  missingQueue(): string {
    const name = `flinkts-missing-${randomUUID()}`;
    this.queues.add(name);
    return name;
  }

  /** A fresh direct exchange, deleted by `close()`. */
  async exchange(): Promise<string> {
    const name = `flinkts-test-x-${randomUUID()}`;
    await this.ch.assertExchange(name, 'direct', { durable: false, autoDelete: false });
    this.exchanges.add(name);
    return name;
  }

  async bind(queue: string, exchange: string, routingKey: string): Promise<void> {
    await this.ch.bindQueue(queue, exchange, routingKey);
  }

  /** Publishes to `queue` through the default exchange and waits for the broker's confirms. */
  async publish(queue: string, messages: readonly TestMessage[]): Promise<void> {
    for (const m of messages) {
      const body = typeof m.body === 'string' ? Buffer.from(m.body) : m.body;
      if (!this.ch.sendToQueue(queue, body, m.correlationId === undefined ? {} : { correlationId: m.correlationId })) {
        await new Promise((resolve) => this.ch.once('drain', resolve));
      }
    }
    await this.ch.waitForConfirms();
  }

  /** Ready messages in `queue` (not counting those delivered and unacknowledged). */
  async count(queue: string): Promise<number> {
    return (await this.ch.checkQueue(queue)).messageCount;
  }

  async deleteQueue(queue: string): Promise<void> {
    await this.ch.deleteQueue(queue);
  }

  /** Whether `queue` exists (checked on a throwaway channel: a failed check closes its channel). */
  async exists(queue: string): Promise<boolean> {
    const probe = await this.connection!.createChannel();
    probe.on('error', () => undefined);
    try {
      await probe.checkQueue(queue);
      await probe.close();
      return true;
    } catch {
      return false;
    }
  }

  /** Waits until `queue` holds `expected` ready messages (deliveries settle asynchronously); returns the last count. */
  async waitForCount(queue: string, expected: number, timeoutMs = 5000): Promise<number> {
    const until = Date.now() + timeoutMs;
    let count = await this.count(queue);
    while (count !== expected && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      count = await this.count(queue);
    }
    return count;
  }

  /** Takes every ready message off `queue` (acknowledged), in queue order. */
  async takeAll(queue: string): Promise<GetMessage[]> {
    const taken: GetMessage[] = [];
    for (;;) {
      const message = await this.ch.get(queue, { noAck: true });
      if (message === false) return taken;
      taken.push(message);
    }
  }

  async close(): Promise<void> {
    if (this.connection === undefined) return;
    // A channel per deletion: a failed test may have left the main one closed, and a failed delete closes its channel.
    const connection = this.connection;
    const onFreshChannel = async (action: (channel: Awaited<ReturnType<ChannelModel['createChannel']>>) => Promise<unknown>): Promise<void> => {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await action(channel).catch(() => undefined);
      await channel.close().catch(() => undefined);
    };
    for (const queue of this.queues) await onFreshChannel((c) => c.deleteQueue(queue));
    for (const exchange of this.exchanges) await onFreshChannel((c) => c.deleteExchange(exchange));
    await this.connection.close().catch(() => undefined);
    this.connection = undefined;
  }
}

/** `{"seq": n}` messages 1..count with correlation ids `id-<n>`, then the end marker `{"end": true}`. */
export function seqMessages(count: number, options: { correlationIds?: boolean; malformed?: (seq: number) => boolean } = {}): TestMessage[] {
  const withIds = options.correlationIds ?? true;
  const messages: TestMessage[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const body = options.malformed?.(seq) === true ? `{"seq": ${seq}` : JSON.stringify({ seq });
    messages.push(withIds ? { body, correlationId: `id-${seq}` } : { body });
  }
  messages.push(withIds ? { body: JSON.stringify({ end: true }), correlationId: 'end' } : { body: JSON.stringify({ end: true }) });
  return messages;
}

/** The lines of every finished file in `dir` (none when it does not exist). */
export function committedLines(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.endsWith('.tmp'));
  } catch {
    return [];
  }
  return names.flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n')).filter((line) => line !== '');
}

/** The lines of every finished file in `dir` as numbers, sorted. */
export function committedSeqs(dir: string): number[] {
  return committedLines(dir)
    .map(Number)
    .sort((a, b) => a - b);
}

/** 1..n */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** The lines of the finished part files under `dir` (hidden in-progress and pending files left out), recursively. */
export function finishedPartFileLines(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return finishedPartFileLines(path);
    return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
  });
}

/**
 * What examples/rabbitmq-to-files.ts writes for `--publish n`, worked out from its description:
 * order i is (customer-(i mod 7), amount 37·i mod 500); those of 100 or more, as `id,customer,amount`.
 */
export function rabbitMqExampleTruth(n: number): string[] {
  return range(1, n)
    .map((i) => ({ i, amount: (i * 37) % 500 }))
    .filter(({ amount }) => amount >= 100)
    .map(({ i, amount }) => `${i},customer-${i % 7},${amount}`);
}

/** Runs `body` with a fresh queue (and a temp dir), deleting both afterwards. */
export async function withTestQueue(body: (queue: string, broker: TestBroker, dir: string) => Promise<void>): Promise<void> {
  const broker = new TestBroker();
  await broker.open();
  const dir = mkdtempSync(join(tmpdir(), 'flinkts-rabbitmq-'));
  try {
    await body(await broker.queue({ durable: true }), broker, dir);
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
