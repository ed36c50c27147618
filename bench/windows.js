// Issue 3's window benchmark: keyed tumbling event-time window count over N
// records with 100 k keys, (a) as a hand-written single-thread loop, (b) as a
// flinkts job at parallelism 1, (c) at parallelism 2, plus (d) the loop in two
// threads (this machine's own 2-thread scaling). Each case runs in its own
// process. Prints records/s (median), ratios b/a and c/b.
import { fileURLToPath } from 'node:url';
import { main, measureCases, printScaling, timeInTwoThreads, timeJob, timeLoop } from './support/scaling.js';

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

async function runCase(kind) {
  if (kind === 'loop') return timeLoop(() => handWritten(RECORDS, KEYS));
  if (kind === 'loop2') return timeInTwoThreads(import.meta.url, 'handWritten', [RECORDS / 2, KEYS, RATE / 2]);
  return timeJob(`${here}jobs/window-count.ts`, ['--records', String(RECORDS), '--keys', String(KEYS), '--rate', String(RATE), '--window', String(WINDOW_MS)], kind === 'p2' ? 2 : 1);
}

export default async function run() {
  const rows = measureCases(import.meta.url, ['loop', 'loop2', 'p1', 'p2'], ROUNDS, RECORDS);
  printScaling(`windows: keyed tumbling event-time window count, ${RECORDS.toLocaleString('en')} records, ${KEYS.toLocaleString('en')} keys, ${RECORDS / RATE / WINDOW_MS} windows, median of ${ROUNDS} runs`, rows, { p1VsLoop: 0.3, p2VsP1: 1.6 });
  return rows;
}

await main(import.meta.url, runCase, run);
