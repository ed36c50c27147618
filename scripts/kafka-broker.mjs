#!/usr/bin/env node
// Starts, stops and reports a single-node Apache Kafka 3.9 broker (KRaft, broker + controller in one
// JVM) on loopback, for the Kafka connector tests, the examples and the benchmarks.
//
//   node scripts/kafka-broker.mjs start    # fetch (first time), format, start; idempotent
//   node scripts/kafka-broker.mjs stop     # stop the broker this script started
//   node scripts/kafka-broker.mjs status   # print whether a broker answers; exit 1 if not
//
// Environment:
//   FLINKTS_KAFKA_HOME   cache + run directory (default ~/.cache/flinkts/kafka-<version>)
//   FLINKTS_KAFKA_PORT   client port on 127.0.0.1 (default 9092); the controller uses port + 1
//   FLINKTS_KAFKA_START_TIMEOUT_MS  how long `start` waits for the broker to answer (default 90000)
//
// Why Kafka 3.9 and not 4.x: kafkajs 2.2 speaks protocol versions that Kafka 4 removed.
// Why Maven: Apache Kafka is published to Maven Central (`org.apache.kafka:kafka_2.13`), which is
// reachable where the Apache download mirrors may not be; Maven resolves the runtime dependencies.
//
// Broker settings worth knowing (see `serverProperties` below):
// - auto.create.topics.enable=false: a job reading a topic that does not exist gets a clear error
//   unless the connector is configured to create it (as the issue asks).
// - offsets/transaction state logs with replication factor 1 and min ISR 1: one broker.
// - transaction.max.timeout.ms is left at the broker default, 900000 ms (15 min); an exactly-once
//   KafkaSink checks its transaction.timeout.ms against it.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';

const KAFKA_VERSION = '3.9.1';
const SCALA_VERSION = '2.13';
const SLF4J_VERSION = '1.7.36';

const home = process.env.FLINKTS_KAFKA_HOME ?? path.join(os.homedir(), '.cache', 'flinkts', `kafka-${KAFKA_VERSION}`);
const port = Number(process.env.FLINKTS_KAFKA_PORT ?? 9092);
const controllerPort = port + 1;
const host = '127.0.0.1';
const bootstrap = `${host}:${port}`;
const startTimeoutMs = Number(process.env.FLINKTS_KAFKA_START_TIMEOUT_MS ?? 90_000);

const libDir = path.join(home, 'libs');
// One run directory per port, so two brokers on different ports can share the cached jars.
const runDir = path.join(home, `run-${port}`);
const dataDir = path.join(runDir, 'data');
const pidFile = path.join(runDir, 'kafka.pid');
const logFile = path.join(runDir, 'kafka.log');
const propsFile = path.join(runDir, 'server.properties');
const log4jFile = path.join(runDir, 'log4j.properties');

function say(message) {
  process.stderr.write(`[kafka-broker] ${message}\n`);
}

function fail(message) {
  say(`error: ${message}`);
  process.exit(1);
}

/** Downloads the broker jars and their runtime dependencies from Maven Central (once). */
function fetchJars() {
  const marker = path.join(libDir, '.complete');
  if (fs.existsSync(marker)) return;
  say(`fetching Apache Kafka ${KAFKA_VERSION} with Maven into ${libDir}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'flinkts-kafka-fetch-'));
  const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>flinkts</groupId><artifactId>kafka-broker-fetch</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_${SCALA_VERSION}</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <!-- the broker logs through slf4j; without a binding it logs nothing -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>${SLF4J_VERSION}</version></dependency>
  </dependencies>
</project>
`;
  fs.writeFileSync(path.join(work, 'pom.xml'), pom);
  fs.rmSync(libDir, { recursive: true, force: true });
  fs.mkdirSync(libDir, { recursive: true });
  const result = spawnSync(
    'mvn',
    ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${libDir}`, '-DincludeScope=runtime'],
    { cwd: work, stdio: 'inherit' },
  );
  fs.rmSync(work, { recursive: true, force: true });
  if (result.error) fail(`could not run mvn (${result.error.message}); install Maven (apt-get install maven)`);
  if (result.status !== 0) fail(`mvn exited with status ${result.status} while fetching Kafka ${KAFKA_VERSION}`);
  fs.writeFileSync(marker, `${KAFKA_VERSION}\n`);
}

function serverProperties() {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=10',
    // transaction.max.timeout.ms: broker default (900000 ms).
    // Tests create and join many short-lived groups: do not wait 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    // Tests delete topics to stay independent of each other.
    'delete.topic.enable=true',
    // Tests write records with timestamps from 1970 (event-time tests): time-based retention would delete them
    // at the broker's next retention check (every 5 minutes), in the middle of a test.
    'log.retention.ms=-1',
    '',
  ].join('\n');
}

function log4jProperties() {
  return [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    // The state change and request logs are noisy and not needed to diagnose a test broker.
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.request.logger=WARN',
    '',
  ].join('\n');
}

function javaArgs(mainClass, args) {
  return [
    '-Xms256m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4jFile}`,
    '-cp',
    `${libDir}${path.sep}*`,
    mainClass,
    ...args,
  ];
}

/** Formats the KRaft storage once (a formatted directory holds meta.properties). */
function formatStorage() {
  if (fs.existsSync(path.join(dataDir, 'meta.properties'))) return;
  fs.mkdirSync(dataDir, { recursive: true });
  // A cluster id is 16 bytes in base64url (22 characters); a fixed one keeps re-formats reproducible.
  const id = Buffer.from('flinkts-kafka-01').toString('base64url');
  const result = spawnSync('java', javaArgs('kafka.tools.StorageTool', ['format', '-t', id, '-c', propsFile]), {
    encoding: 'utf8',
  });
  if (result.error) fail(`could not run java (${result.error.message}); install a JDK 17 (apt-get install openjdk-17-jre-headless)`);
  if (result.status !== 0) fail(`formatting ${dataDir} failed:\n${result.stdout}\n${result.stderr}`);
}

function readPid() {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True when something accepts TCP connections on the port (cheap first check). */
function portOpen() {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** True when a kafkajs admin client connects and lists topics (the broker really serves). */
async function brokerAnswers() {
  if (!(await portOpen())) return false;
  const require = createRequire(import.meta.url);
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({
    clientId: 'flinkts-kafka-broker-script',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function start() {
  if (await brokerAnswers()) {
    say(`a broker already answers at ${bootstrap}`);
    process.stdout.write(`${bootstrap}\n`);
    return;
  }
  if (await portOpen()) fail(`port ${port} on ${host} is taken by something that is not a Kafka broker (set FLINKTS_KAFKA_PORT)`);
  const stale = readPid();
  if (stale !== undefined && isAlive(stale)) {
    say(`broker process ${stale} exists but does not answer yet; waiting for it`);
  } else {
    fetchJars();
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(propsFile, serverProperties());
    fs.writeFileSync(log4jFile, log4jProperties());
    formatStorage();
    const out = fs.openSync(logFile, 'a');
    const child = spawn('java', javaArgs('kafka.Kafka', [propsFile]), {
      detached: true,
      stdio: ['ignore', out, out],
    });
    child.unref();
    fs.closeSync(out);
    fs.writeFileSync(pidFile, `${child.pid}\n`);
    say(`started broker process ${child.pid}; log ${logFile}`);
  }
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (await brokerAnswers()) {
      say(`broker ready at ${bootstrap}`);
      process.stdout.write(`${bootstrap}\n`);
      return;
    }
    const pid = readPid();
    if (pid === undefined || !isAlive(pid)) fail(`the broker process exited during start-up; see ${logFile}`);
    await sleep(500);
  }
  fail(`the broker did not answer at ${bootstrap} within ${startTimeoutMs} ms; see ${logFile}`);
}

async function stop() {
  const pid = readPid();
  if (pid === undefined || !isAlive(pid)) {
    say(`no broker started by this script is running (pid file ${pidFile})`);
    fs.rmSync(pidFile, { force: true });
    return;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) {
    say(`broker ${pid} did not stop within 30 s; sending SIGKILL`);
    process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile, { force: true });
  say(`stopped broker ${pid}`);
}

async function status() {
  const answers = await brokerAnswers();
  const pid = readPid();
  const owned = pid !== undefined && isAlive(pid) ? ` (process ${pid}, log ${logFile})` : '';
  if (answers) {
    process.stdout.write(`running at ${bootstrap}${owned}\n`);
  } else {
    process.stdout.write(`not running at ${bootstrap}${owned}\n`);
    process.exitCode = 1;
  }
}

const command = process.argv[2];
const commands = { start, stop, status };
if (!(command in commands)) {
  process.stderr.write('usage: node scripts/kafka-broker.mjs start|stop|status\n');
  process.exit(2);
}
await commands[command]();
