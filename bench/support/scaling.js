// The harness shared by the scaling benchmarks (core pipeline, windows):
// (a) a hand-written single-thread loop, (loop2) the same loop in two threads
// each doing half, and flinkts jobs at parallelism 1 and 2 — each case in its
// own process (so peak RSS is per case), the median of several rounds.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const rss = () => process.resourceUsage().maxRSS / 1024;

/** Times `loop()` in this process. */
export function timeLoop(loop) {
  const start = performance.now();
  loop();
  return { seconds: (performance.now() - start) / 1000, peakRssMb: rss() };
}

/**
 * Runs `exportName(...args)` of `moduleUrl` in two threads at once, timed
 * from a common start signal (thread start-up excluded).
 */
export async function timeInTwoThreads(moduleUrl, exportName, args) {
  const { Worker } = await import('node:worker_threads');
  const source = `const { workerData, parentPort } = require('node:worker_threads');
    import(${JSON.stringify(moduleUrl)}).then((m) => {
      parentPort.postMessage('ready');
      parentPort.once('message', () => { m[${JSON.stringify(exportName)}](...workerData); parentPort.postMessage('done'); });
    });`;
  const workers = [0, 1].map(() => new Worker(source, { eval: true, workerData: args }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const start = performance.now();
  const done = Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  for (const w of workers) w.postMessage('go');
  await done;
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return { seconds, peakRssMb: rss() };
}

/** Runs a job; throughput is over its running phase, start-up is reported apart. */
export async function timeJob(job, args, parallelism) {
  const { runJob } = await import('../../dist/src/client/run.js');
  const result = await runJob({ job, args, parallelism });
  if (result.status !== 'FINISHED') throw new Error(`job ${result.status}: ${result.error?.message}`);
  return { seconds: result.runningMs / 1000, startupMs: result.durationMs - result.runningMs, peakRssMb: rss() };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs every case of `scriptUrl` (`node script --case <kind>`) `rounds` times, each in a fresh process. */
export function measureCases(scriptUrl, kinds, rounds, records) {
  const rows = {};
  for (const kind of kinds) {
    const samples = [];
    for (let round = 0; round < rounds; round++) {
      const out = execFileSync(process.execPath, [fileURLToPath(scriptUrl), '--case', kind], { encoding: 'utf8', maxBuffer: 1 << 20 });
      samples.push(JSON.parse(out.trim().split('\n').pop()));
    }
    rows[kind] = {
      recordsPerSecond: records / median(samples.map((s) => s.seconds)),
      startupMs: median(samples.map((s) => s.startupMs ?? 0)),
      peakRssMb: Math.max(...samples.map((s) => s.peakRssMb)),
    };
  }
  return rows;
}

/** Prints rows `loop`, `p1`, `p2`, `loop2` with the ratios against their targets. */
export function printScaling(title, rows, targets) {
  const fmt = (n) => `${(n / 1e6).toFixed(2)} M/s`;
  const startup = (row) => `  (start-up ${row.startupMs.toFixed(0)} ms)`;
  console.log(title);
  console.log(`  (a) hand-written loop      ${fmt(rows.loop.recordsPerSecond)}  peak RSS ${rows.loop.peakRssMb.toFixed(0)} MB`);
  console.log(`  (b) flinkts parallelism 1  ${fmt(rows.p1.recordsPerSecond)}  peak RSS ${rows.p1.peakRssMb.toFixed(0)} MB${startup(rows.p1)}`);
  console.log(`  (c) flinkts parallelism 2  ${fmt(rows.p2.recordsPerSecond)}  peak RSS ${rows.p2.peakRssMb.toFixed(0)} MB${startup(rows.p2)}`);
  console.log(
    `  (d) hand-written loop, 2 threads each doing half  ${fmt(rows.loop2.recordsPerSecond)}: this machine's own 2-thread scaling d/a = ${(rows.loop2.recordsPerSecond / rows.loop.recordsPerSecond).toFixed(2)}`,
  );
  console.log(
    `  b/a = ${(rows.p1.recordsPerSecond / rows.loop.recordsPerSecond).toFixed(2)} (target ≥ ${targets.p1VsLoop})   c/b = ${(rows.p2.recordsPerSecond / rows.p1.recordsPerSecond).toFixed(2)} (target ≥ ${targets.p2VsP1})`,
  );
}

/** The entry point of a scaling benchmark script: a case when run with `--case`, else the whole report. */
export async function main(scriptUrl, runCase, run) {
  if (process.argv[2] === '--case') console.log(JSON.stringify(await runCase(process.argv[3])));
  else if (process.argv[1] === fileURLToPath(scriptUrl)) await run();
}
