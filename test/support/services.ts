// The real brokers the connector tests use, as found by test/global-setup.ts.
// In CI (CI=true) a missing broker fails every test that needs it; elsewhere those tests are
// skipped with a loud message saying how to start the broker.
import { describe, inject, it } from 'vitest';

/** What the global setup found out about one external service. */
export interface ServiceStatus {
  available: boolean;
  /** host:port the tests use. */
  address: string;
  /** Why the service is unavailable (the start script's output or the connect error). */
  reason?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    flinktsKafka: ServiceStatus;
    flinktsRabbitMq: ServiceStatus;
  }
}

const inCi = process.env.CI === 'true';

const HOW_TO_START = {
  Kafka: 'npm run kafka:start   (fetches Apache Kafka 3.9 with Maven on first use; needs java 17 and mvn)',
  RabbitMQ: 'sudo apt-get install rabbitmq-server && sudo service rabbitmq-server start',
};

function status(key: 'flinktsKafka' | 'flinktsRabbitMq'): ServiceStatus {
  // Outside vitest's global setup (e.g. a file run with another config) nothing was provided.
  const provided = inject(key) as ServiceStatus | undefined;
  return provided ?? { available: false, address: '?', reason: 'test/global-setup.ts did not run' };
}

/** The local Kafka broker's status. */
export const kafka: ServiceStatus = status('flinktsKafka');
/** Bootstrap address of the local Kafka broker (127.0.0.1:9092 unless FLINKTS_KAFKA_PORT is set). */
export const kafkaBootstrap: string = kafka.address;
/** The local RabbitMQ broker's status. */
export const rabbitMq: ServiceStatus = status('flinktsRabbitMq');
/** AMQP URL of the local RabbitMQ broker (guest/guest on 127.0.0.1:5672). */
export const rabbitMqUrl = `amqp://guest:guest@${rabbitMq.address}`;

function describeWith(name: keyof typeof HOW_TO_START, service: ServiceStatus, title: string, body: () => void): void {
  if (service.available) {
    describe(title, body);
    return;
  }
  const message = `${name} is not reachable at ${service.address}: ${service.reason ?? 'unknown reason'}`;
  if (inCi) {
    // In CI the broker is part of the environment (.ci/run starts it): its absence is a failure.
    describe(title, () => {
      it(`needs ${name}`, () => {
        throw new Error(`${message}\nStart it with: ${HOW_TO_START[name]}`);
      });
    });
    return;
  }
  console.warn(
    `\n${'!'.repeat(78)}\n! SKIPPED "${title}": ${message}\n! Start it with: ${HOW_TO_START[name]}\n${'!'.repeat(78)}\n`,
  );
  describe.skip(title, body);
}

/** `describe` for tests needing the local Kafka broker (fails in CI, skips loudly elsewhere). */
export function describeWithKafka(title: string, body: () => void): void {
  describeWith('Kafka', kafka, title, body);
}

/** `describe` for tests needing the local RabbitMQ broker (fails in CI, skips loudly elsewhere). */
export function describeWithRabbitMq(title: string, body: () => void): void {
  describeWith('RabbitMQ', rabbitMq, title, body);
}

/** Throws (with how to start it) when Kafka is unavailable; for use inside hooks and helpers. */
export function requireKafka(): string {
  if (!kafka.available) throw new Error(`Kafka is not reachable at ${kafka.address}: ${kafka.reason}\nStart it with: ${HOW_TO_START.Kafka}`);
  return kafkaBootstrap;
}

/** Throws (with how to start it) when RabbitMQ is unavailable; for use inside hooks and helpers. */
export function requireRabbitMq(): string {
  if (!rabbitMq.available) {
    throw new Error(`RabbitMQ is not reachable at ${rabbitMq.address}: ${rabbitMq.reason}\nStart it with: ${HOW_TO_START.RabbitMQ}`);
  }
  return rabbitMqUrl;
}
