// Vitest global setup: makes the real brokers of the connector tests available once per run.
// - Kafka: runs `scripts/kafka-broker.mjs start`, which reuses a broker already answering on
//   127.0.0.1:$FLINKTS_KAFKA_PORT (default 9092) in ~0.2 s, or fetches and starts one (~10 s).
//   A broker this setup started is LEFT RUNNING after the tests, so the next run starts fast;
//   `npm run kafka:stop` stops it. Nothing else is ever stopped here.
// - RabbitMQ: only checked (AMQP connect as guest/guest to 127.0.0.1:5672); starting it needs
//   root (`.ci/run` installs and starts Debian's rabbitmq-server).
// The outcome reaches the test files through vitest's provide/inject (see test/support/services.ts),
// where a missing service fails the tests in CI and skips them loudly elsewhere.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import amqp from 'amqplib';
import type { ServiceStatus } from './support/services.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const KAFKA_START_TIMEOUT_MS = 180_000;

function startKafka(): Promise<ServiceStatus> {
  const port = process.env.FLINKTS_KAFKA_PORT ?? '9092';
  const address = `127.0.0.1:${port}`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/kafka-broker.mjs', 'start'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), KAFKA_START_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ available: false, address, reason: `could not run scripts/kafka-broker.mjs: ${error.message}` });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) {
        // Say so only when a broker was started: a reused one needs no comment.
        if (output.includes('started broker')) process.stderr.write(output);
        resolve({ available: true, address });
      } else {
        resolve({ available: false, address, reason: output.trim() || `kafka-broker.mjs exited with ${code}` });
      }
    });
  });
}

async function checkRabbitMq(): Promise<ServiceStatus> {
  const address = '127.0.0.1:5672';
  try {
    const connection = await amqp.connect(`amqp://guest:guest@${address}`, { timeout: 3000 });
    await connection.close();
    return { available: true, address };
  } catch (error) {
    return { available: false, address, reason: `AMQP connect as guest failed: ${(error as Error).message}` };
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const [kafka, rabbitmq] = await Promise.all([startKafka(), checkRabbitMq()]);
  project.provide('flinktsKafka', kafka);
  project.provide('flinktsRabbitMq', rabbitmq);
}
