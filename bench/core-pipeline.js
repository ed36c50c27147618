// Issue 2's core benchmark: map → filter → keyed rolling sum over N records,
// (a) as a hand-written single-thread loop, (b) as a flinkts job at
// parallelism 1, (c) at parallelism 2. Each case runs in its own process so
// peak RSS is per case. Prints records/s (median), ratios b/a and c/b.
import { fileURLToPath } from 'node:url';
import { main, measureCases, printScaling, timeInTwoThreads, timeJob, timeLoop } from './support/scaling.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000_000);
const KEYS = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** The hand-written baseline: the same pipeline in one loop. */
export function handWritten(records, keys) {
  const base = 1_767_225_600_000;
  const sums = new Map();
  let emitted = 0;
  for (let i = 0; i < records; i++) {
    const generated = { key: i % keys, value: i & 1023, ts: base + i };
    const mapped = { key: generated.key, value: generated.value * 2, ts: generated.ts };
    if ((mapped.value & 3) === 3) continue;
    const previous = sums.get(mapped.key);
    const next = previous === undefined ? mapped : { key: previous.key, value: previous.value + mapped.value, ts: previous.ts };
    sums.set(mapped.key, next);
    emitted++;
  }
  return emitted;
}

async function runCase(kind) {
  if (kind === 'loop') return timeLoop(() => handWritten(RECORDS, KEYS));
  if (kind === 'loop2') return timeInTwoThreads(import.meta.url, 'handWritten', [RECORDS / 2, KEYS]);
  return timeJob(`${here}jobs/keyed-sum.ts`, ['--records', String(RECORDS), '--keys', String(KEYS)], kind === 'p2' ? 2 : 1);
}

export default async function run() {
  const rows = measureCases(import.meta.url, ['loop', 'loop2', 'p1', 'p2'], ROUNDS, RECORDS);
  printScaling(`core pipeline: ${RECORDS.toLocaleString('en')} records, ${KEYS} keys, median of ${ROUNDS} runs`, rows, { p1VsLoop: 0.5, p2VsP1: 1.6 });
  return rows;
}

await main(import.meta.url, runCase, run);
