/**
 * What the RabbitMQ source and sink do alike with a connection: check (or
 * declare) their queue without creating it by accident, and close without
 * hanging on a broker that no longer answers.
 */
import type { Channel, ChannelModel } from 'amqplib';
import { FlinktsError } from '../../api/errors.js';
import type { RMQConnectionConfig } from './connection-config.js';

/** How to declare a queue when it may not exist yet (amqplib's `assertQueue` options). */
export interface RMQQueueDeclaration {
  readonly durable?: boolean;
  readonly exclusive?: boolean;
  readonly autoDelete?: boolean;
  readonly arguments?: Record<string, unknown>;
}

/** How long a close waits for the broker before leaving the socket to die. */
const CLOSE_TIMEOUT_MS = 2000;

/** The declaration an option `declareQueue` asks for: `true` means default settings; absent or `false` means none. */
export function declarationOf(option: RMQQueueDeclaration | boolean | undefined): RMQQueueDeclaration | undefined {
  if (option === true) return {};
  return option === false ? undefined : option;
}

/**
 * Fails with a CONNECTOR error naming the queue, the virtual host and
 * host:port when `queueName` does not exist (or cannot be declared as asked).
 * `option` names the option that would declare it, for the hint.
 */
export async function verifyQueue(
  connection: ChannelModel,
  config: RMQConnectionConfig,
  queueName: string,
  declaration: RMQQueueDeclaration | undefined,
  who: string,
  option: string,
): Promise<void> {
  // A failed check closes its channel (and only it): use a throwaway one.
  const probe = await connection.createChannel();
  probe.on('error', () => undefined);
  try {
    if (declaration !== undefined) await probe.assertQueue(queueName, declaration);
    else await probe.checkQueue(queueName);
  } catch (error) {
    const notFound = (error as { code?: unknown }).code === 404;
    throw new FlinktsError(
      'CONNECTOR',
      notFound
        ? `${who}: queue '${queueName}' does not exist in virtual host '${config.settings.virtualHost}' at ${config.address}`
        : `${who}: cannot ${declaration === undefined ? 'check' : 'declare'} queue '${queueName}' at ${config.address}: ${describeError(error)}`,
      { cause: error, ...(notFound && { hint: `create the queue, or pass ${option} to declare it` }) },
    );
  }
  await probe.close().catch(() => undefined);
}

/**
 * Closes `channel`, then `connection`, waiting at most a couple of seconds
 * for the broker (unacknowledged deliveries return to their queues). The
 * channel goes first: amqplib queues channel frames behind the connection's
 * own, so a connection close could overtake acknowledgements just sent.
 */
export async function closeQuietly(connection: ChannelModel | undefined, channel?: Channel): Promise<void> {
  if (connection === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)));
  const close = async (): Promise<void> => {
    if (channel !== undefined) await channel.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
  };
  await Promise.race([close(), timeout]);
  clearTimeout(timer);
}

/** An error's message, for one-line reports. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
