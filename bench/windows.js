// Issue 3's window benchmark: keyed tumbling event-time window count over N
// records with 100 k keys, (a) as a hand-written single-thread loop, (b) as a
// flinkts job at parallelism 1, (c) at parallelism 2, plus (d) the loop in two
// threads (this machine's own 2-thread scaling). Each case runs in its own
// process. Prints records/s (median), ratios b/a and c/b.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000_000);
const KEYS = 100_000;
/** Records per millisecond of event time (all subtasks together) and the window size: 10 windows of 1 M records. */
const RATE = 100;
const WINDOW_MS = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BASE = 1_767_225_600_000;

/**
 * The hand-written baseline: the job's aggregation in one loop. Events
 * {key, ts} as the job generates them, counts per window start and key,
 * a watermark (max timestamp − 1) every 1024 events that emits and drops
 * every window it passed, and the rest at the end.
 */
export function handWritten(records, keys, rate = RATE) {
  const windows = new Map();
  let emitted = 0;
  let checksum = 0;
  const fire = (watermark) => {
    for (const [start, counts] of windows) {
      if (start + WINDOW_MS - 1 > watermark) continue;
      for (const [key, count] of counts) {
        const out = { key, start, end: start + WINDOW_MS, count };
        checksum += out.count;
        emitted++;
      }
      windows.delete(start);
    }
  };
  for (let i = 0; i < records; i++) {
    const tick = { key: i % keys, ts: BASE + Math.floor(i / rate) };
    const start = tick.ts - (tick.ts % WINDOW_MS);
    let counts = windows.get(start);
    if (counts === undefined) {
      counts = new Map();
      windows.set(start, counts);
    }
    counts.set(tick.key, (counts.get(tick.key) ?? 0) + 1);
    if ((i & 1023) === 1023) fire(tick.ts - 1);
  }
  fire(Number.POSITIVE_INFINITY);
  if (checksum !== records) throw new Error(`hand-written loop counted ${checksum} of ${records} records`);
  return emitted;
}

/** Both halves in two threads at once, timed from a common start signal (thread start-up excluded). */
async function twoThreadLoop() {
  const { Worker } = await import('node:worker_threads');
  const source = `const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(import.meta.url)}).then((m) => {
      parentPort.postMessage('ready');
      parentPort.once('message', () => { m.handWritten(workerData.records, workerData.keys, workerData.rate); parentPort.postMessage('done'); });
    });`;
  const workers = [0, 1].map(() => new Worker(source, { eval: true, workerData: { records: RECORDS / 2, keys: KEYS, rate: RATE / 2 } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const start = performance.now();
  const done = Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  for (const w of workers) w.postMessage('go');
  await done;
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return { seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

async function runCase(kind) {
  if (kind === 'loop2') return twoThreadLoop();
  if (kind === 'loop') {
    const start = performance.now();
    handWritten(RECORDS, KEYS);
    const seconds = (performance.now() - start) / 1000;
    return { seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  const { runJob } = await import('../dist/src/client/run.js');
  const result = await runJob({
    job: `${here}jobs/window-count.ts`,
    args: ['--records', String(RECORDS), '--keys', String(KEYS), '--rate', String(RATE), '--window', String(WINDOW_MS)],
    parallelism: kind === 'p2' ? 2 : 1,
  });
  if (result.status !== 'FINISHED') throw new Error(`job ${result.status}: ${result.error?.message}`);
  // Throughput over the running phase; start-up (workers, bundle import) is reported apart.
  return { seconds: result.runningMs / 1000, startupMs: result.durationMs - result.runningMs, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export default async function run() {
  const rows = {};
  for (const kind of ['loop', 'loop2', 'p1', 'p2']) {
    const samples = [];
    for (let round = 0; round < ROUNDS; round++) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--case', kind], { encoding: 'utf8', maxBuffer: 1 << 20 });
      samples.push(JSON.parse(out.trim().split('\n').pop()));
    }
    const seconds = median(samples.map((s) => s.seconds));
    rows[kind] = {
      recordsPerSecond: RECORDS / seconds,
      startupMs: median(samples.map((s) => s.startupMs ?? 0)),
      peakRssMb: Math.max(...samples.map((s) => s.peakRssMb)),
    };
  }
  const fmt = (n) => `${(n / 1e6).toFixed(2)} M/s`;
  console.log(`windows: keyed tumbling event-time window count, ${RECORDS.toLocaleString('en')} records, ${KEYS.toLocaleString('en')} keys, ${RECORDS / RATE / WINDOW_MS} windows, median of ${ROUNDS} runs`);
  console.log(`  (a) hand-written loop      ${fmt(rows.loop.recordsPerSecond)}  peak RSS ${rows.loop.peakRssMb.toFixed(0)} MB`);
  console.log(`  (b) flinkts parallelism 1  ${fmt(rows.p1.recordsPerSecond)}  peak RSS ${rows.p1.peakRssMb.toFixed(0)} MB  (start-up ${rows.p1.startupMs.toFixed(0)} ms)`);
  console.log(`  (c) flinkts parallelism 2  ${fmt(rows.p2.recordsPerSecond)}  peak RSS ${rows.p2.peakRssMb.toFixed(0)} MB  (start-up ${rows.p2.startupMs.toFixed(0)} ms)`);
  console.log(`  (d) hand-written loop, 2 threads each doing half  ${fmt(rows.loop2.recordsPerSecond)}: this machine's own 2-thread scaling d/a = ${(rows.loop2.recordsPerSecond / rows.loop.recordsPerSecond).toFixed(2)}`);
  console.log(`  b/a = ${(rows.p1.recordsPerSecond / rows.loop.recordsPerSecond).toFixed(2)} (target ≥ 0.3)   c/b = ${(rows.p2.recordsPerSecond / rows.p1.recordsPerSecond).toFixed(2)} (target ≥ 1.6)`);
  return rows;
}

if (process.argv[2] === '--case') {
  console.log(JSON.stringify(await runCase(process.argv[3])));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run();
}
