// The Kafka benchmark, against the local broker (npm run kafka:start):
//   npm run bench -- kafka
//   KAFKA_BENCH_RECORDS=2000000 KAFKA_BENCH_ROUNDS=5 npm run bench -- kafka
//
// 1. Throughput: KAFKA_BENCH_RECORDS records (1 M) `k<seq % 100>,<seq>` in a 2-partition topic, read by
//    (a) a plain kafkajs loop: one consumer, each fetched batch produced to another topic (acks=all,
//        requests of 1000 records) before the next, until every record is acknowledged; and
//    (b) the flinkts job bench/jobs/kafka-window.ts at parallelism 1: KafkaSource → keyBy → 1 s tumbling
//        event-time windows (event time = seq ms) → KafkaSink EXACTLY_ONCE, a checkpoint every second;
//        its output is checked (every window of every key, read_committed).
//    records/s = records / running time (job start-up, i.e. bundling and deployment, apart; the plain
//    loop from its first fetch request). Target: b ≥ 0.5 × a.
// 2. End-to-end latency at KAFKA_BENCH_RATE records/s (10 k): a producer writes records stamped with their
//    send time, the job passes them through to another topic (bench/jobs/kafka-window.ts --mode pass,
//    p=1, 1 s checkpoints), a read_committed consumer takes receive time − send time. The first
//    KAFKA_BENCH_WARMUP_S (5 s) are left out of KAFKA_BENCH_LATENCY_S (20 s). AT_LEAST_ONCE (target p99 <
//    50 ms) and EXACTLY_ONCE (records become visible at the checkpoint: ≈ the interval).
// Each case runs in a process of its own; the median of KAFKA_BENCH_ROUNDS runs (3) is printed.
// KAFKA_BENCH_PARTS (`throughput,latency`) selects what runs.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';

const here = fileURLToPath(new URL('.', import.meta.url));
const JOB = join(here, 'jobs/kafka-window.ts');
const num = (name, fallback) => Number(process.env[name] ?? fallback);
const BOOTSTRAP = `127.0.0.1:${process.env.FLINKTS_KAFKA_PORT ?? 9092}`;
const RECORDS = num('KAFKA_BENCH_RECORDS', 1_000_000);
const ROUNDS = num('KAFKA_BENCH_ROUNDS', 3);
const RATE = num('KAFKA_BENCH_RATE', 10_000);
const LATENCY_S = num('KAFKA_BENCH_LATENCY_S', 20);
const WARMUP_S = num('KAFKA_BENCH_WARMUP_S', 5);
const PARTS = (process.env.KAFKA_BENCH_PARTS ?? 'throughput,latency').split(',');
const KEYS = 100;
const WINDOW_MS = 1000;
const RESULT = '@@result ';

const client = () => new kafkajs.Kafka({ brokers: [BOOTSTRAP], clientId: 'flinkts-bench', logLevel: kafkajs.logLevel.NOTHING, retry: { retries: 2 } });

async function createTopics(admin, names, partitions) {
  await admin.createTopics({ topics: names.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })), waitForLeaders: true });
}

async function produceInput(kafka, topic) {
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let from = 0; from < RECORDS; from += 10_000) {
    const messages = [];
    for (let seq = from; seq < Math.min(RECORDS, from + 10_000); seq++) messages.push({ partition: seq % 2, value: `k${seq % KEYS},${seq}` });
    await producer.send({ topic, messages, acks: -1 });
  }
  await producer.disconnect();
}

// ---------------------------------------------------------------------------------------------------------------
// Cases, each in a process of its own.

/** (a) consume → produce with kafkajs alone, one batch in flight. */
async function plainLoop({ input, output }) {
  const kafka = client();
  const consumer = kafka.consumer({ groupId: `bench-plain-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: input, fromBeginning: true });
  let done = 0;
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const start = performance.now();
  await consumer.run({
    eachBatch: async ({ batch }) => {
      // In requests of 1000 records, as the sink sends them: kafkajs encodes larger ones ever slower per record.
      for (let from = 0; from < batch.messages.length; from += 1000) {
        const messages = batch.messages.slice(from, from + 1000).map((m) => ({ value: m.value }));
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic: output, messages }] });
      }
      done += batch.messages.length;
      if (done >= RECORDS) finish();
    },
  });
  await finished;
  const seconds = (performance.now() - start) / 1000;
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  return { records: done, seconds };
}

/** (b) the flinkts job; its read_committed output must hold every window of every key. */
async function windowJob({ input, output }) {
  const { runJob } = await import('../dist/src/client/run.js');
  const dir = mkdtempSync(join(tmpdir(), 'flinkts-bench-kafka-'));
  try {
    const args = ['--bootstrap', BOOTSTRAP, '--input', input, '--output', output, '--prefix', `bench-${randomUUID().slice(0, 8)}`, '--checkpoints', join(dir, 'checkpoints')];
    const result = await runJob({ job: JOB, args, parallelism: 1 });
    if (result.status !== 'FINISHED') throw new Error(`job ${result.status}: ${result.error?.message}`);
    const expected = Math.ceil(RECORDS / WINDOW_MS) * KEYS;
    const lines = await countCommitted(output, expected);
    if (lines !== expected) throw new Error(`the job's output has ${lines} windows, expected ${expected}`);
    return { records: RECORDS, seconds: result.runningMs / 1000, startupMs: result.durationMs - result.runningMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function countCommitted(topic, expected) {
  const consumer = client().consumer({ groupId: `bench-check-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let count = 0;
  await consumer.run({ eachBatch: async ({ batch }) => void (count += batch.messages.length) });
  const deadline = Date.now() + 60_000;
  while (count < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise((resolve) => setTimeout(resolve, 500));
  await consumer.disconnect();
  return count;
}

/** End-to-end latency through the pass-through job at RATE records/s. */
async function latency({ guarantee }) {
  const { runJob } = await import('../dist/src/client/run.js');
  const kafka = client();
  const admin = kafka.admin();
  await admin.connect();
  const id = randomUUID().slice(0, 8);
  const [input, output] = [`bench-lat-in-${id}`, `bench-lat-out-${id}`];
  await createTopics(admin, [input, output], 1);
  const dir = mkdtempSync(join(tmpdir(), 'flinkts-bench-kafka-'));
  const controller = new AbortController();
  const args = ['--mode', 'pass', '--guarantee', guarantee, '--bootstrap', BOOTSTRAP, '--input', input, '--output', output, '--prefix', `bench-lat-${id}`];
  const job = runJob({ job: JOB, args: [...args, '--checkpoints', join(dir, 'checkpoints'), '--fetch-wait', '10'], parallelism: 1, signal: controller.signal });

  const consumer = kafka.consumer({ groupId: `bench-lat-${id}`, maxWaitTimeInMs: 10, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: output, fromBeginning: true });
  const samples = [];
  let measureFrom = Infinity;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) {
        const sent = Number(m.value.toString().split(',')[1]);
        if (sent >= measureFrom) samples.push(now - sent);
      }
    },
  });
  // Wait until the job passes records through, then produce at RATE for LATENCY_S.
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  let seq = 0;
  const start = Date.now();
  measureFrom = start + WARMUP_S * 1000;
  // Every 10 ms, the records due by then at RATE (stamped with their send time).
  while (Date.now() - start < LATENCY_S * 1000) {
    const tick = Date.now();
    const due = Math.floor(((tick - start) / 1000) * RATE) - seq;
    if (due > 0) await producer.send({ topic: input, messages: Array.from({ length: due }, () => ({ value: `${seq++},${tick}` })), acks: 1 });
    const wait = 10 - (Date.now() - tick);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  const sentRate = seq / ((Date.now() - start) / 1000);
  // Let the last records through (a checkpoint more under EXACTLY_ONCE).
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  controller.abort();
  const result = await job;
  await Promise.all([consumer.disconnect(), producer.disconnect()]);
  await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
  if (result.status !== 'CANCELED') throw new Error(`latency job ${result.status}: ${result.error?.message}`);
  const expected = seq - Math.round(RATE * WARMUP_S);
  if (samples.length < expected * 0.95) throw new Error(`only ${samples.length} of about ${expected} measured records arrived`);
  samples.sort((a, b) => a - b);
  const pct = (p) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
  return { p50: pct(50), p99: pct(99), max: samples[samples.length - 1], samples: samples.length, sentRate };
}

async function runCase(kind, input) {
  if (kind === 'plain') return plainLoop(input);
  if (kind === 'job') return windowJob(input);
  return latency(input);
}

// ---------------------------------------------------------------------------------------------------------------

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function inProcess(kind, input) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--case', kind, JSON.stringify(input)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = out.split('\n').find((l) => l.startsWith(RESULT));
  if (line === undefined) throw new Error(`case ${kind} printed no result:\n${out}`);
  return JSON.parse(line.slice(RESULT.length));
}

export default async function run() {
  const kafka = client();
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    console.log(`kafka: skipped, no broker at ${BOOTSTRAP} (${error.message}); start one with npm run kafka:start`);
    return undefined;
  }
  const result = {};
  if (PARTS.includes('throughput')) Object.assign(result, await throughput(kafka, admin));
  if (PARTS.includes('latency')) result.latencies = await latencies();
  await admin.disconnect();
  return result;
}

async function throughput(kafka, admin) {
  const id = randomUUID().slice(0, 8);
  const input = `bench-in-${id}`;
  await createTopics(admin, [input], 2);
  await produceInput(kafka, input);
  const rows = { plain: [], job: [] };
  const outputs = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of ['plain', 'job']) {
      const output = `bench-out-${kind}-${round}-${id}`;
      outputs.push(output);
      await createTopics(admin, [output], 2);
      const sample = inProcess(kind, { input, output });
      if (sample.records !== RECORDS) throw new Error(`${kind} handled ${sample.records} records, expected ${RECORDS}`);
      rows[kind].push(sample);
    }
  }
  const rate = (samples) => RECORDS / median(samples.map((s) => s.seconds));
  const [plain, job] = [rate(rows.plain), rate(rows.job)];
  const fmt = (n) => Math.round(n).toLocaleString('en');
  console.log(`kafka throughput: ${RECORDS.toLocaleString('en')} records, 2 partitions, ${KEYS} keys, median of ${ROUNDS} runs`);
  console.log(`  (a) plain kafkajs consume → produce loop (acks=all)                          ${fmt(plain)} records/s`);
  console.log(`  (b) flinkts Kafka → window → Kafka, EXACTLY_ONCE, 1 s checkpoints, p=1      ${fmt(job)} records/s  (start-up ${fmt(median(rows.job.map((s) => s.startupMs)))} ms)`);
  console.log(`  b/a = ${(job / plain).toFixed(2)}  (target ≥ 0.5)`);
  await admin.deleteTopics({ topics: [input, ...outputs] }).catch(() => undefined);
  return { plain, job, ratio: job / plain };
}

async function latencies() {
  const fmt = (n) => Math.round(n).toLocaleString('en');
  const latencies = {};
  for (const guarantee of ['AT_LEAST_ONCE', 'EXACTLY_ONCE']) {
    const samples = [];
    for (let round = 0; round < ROUNDS; round++) samples.push(inProcess('latency', { guarantee }));
    latencies[guarantee] = { p50: median(samples.map((s) => s.p50)), p99: median(samples.map((s) => s.p99)), sentRate: median(samples.map((s) => s.sentRate)) };
  }
  console.log(`kafka end-to-end latency: Kafka → Kafka pass-through, p=1, 1 s checkpoints, ${LATENCY_S} s at ${fmt(RATE)} records/s (first ${WARMUP_S} s left out), median of ${ROUNDS} runs`);
  for (const [guarantee, l] of Object.entries(latencies)) {
    const target = guarantee === 'AT_LEAST_ONCE' ? 'target p99 < 50 ms' : '≈ the checkpoint interval, 1000 ms';
    console.log(`  ${guarantee.padEnd(14)} p50 ${String(l.p50).padStart(5)} ms   p99 ${String(l.p99).padStart(5)} ms   (${target}; sent ${fmt(l.sentRate)} records/s)`);
  }
  return latencies;
}

if (process.argv[2] === '--case') console.log(RESULT + JSON.stringify(await runCase(process.argv[3], JSON.parse(process.argv[4]))));
else if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
