// Issue 4's Nexmark benchmark: every query of examples/nexmark/ at
// parallelism 1 and 2 over NEXMARK_EVENTS events (default 10 M; the unbounded
// joins q3, q4 and q20 over NEXMARK_JOIN_EVENTS, default 2 M), each run in a
// process of its own with the discarding sink (`flinkts nexmark run`), and the
// hand-written single-thread generator-only loop (no engine at all) as the
// ceiling. Prints events/s per core used per query; writes nothing.
//   npm run bench -- nexmark
//   NEXMARK_EVENTS=1000000 NEXMARK_JOIN_EVENTS=200000 NEXMARK_QUERIES=q0,q5 npm run bench -- nexmark
import { fileURLToPath } from 'node:url';

const EVENTS = Number(process.env.NEXMARK_EVENTS ?? 10_000_000);
const JOIN_EVENTS = Number(process.env.NEXMARK_JOIN_EVENTS ?? 2_000_000);
const JOIN_QUERIES = new Set(['q3', 'q4', 'q20']);
const PARALLELISMS = (process.env.NEXMARK_PARALLELISM ?? '1,2').split(',').map(Number);

/**
 * The ceiling: the generator alone in one loop on one thread, every event
 * touched so that none is optimised away. Returns events per second.
 */
export async function generatorOnly(events) {
  const { NexmarkGenerator, DEFAULT_NEXMARK_CONFIG } = await import('../dist/src/index.js');
  const generator = new NexmarkGenerator({ ...DEFAULT_NEXMARK_CONFIG, events });
  let checksum = 0;
  const start = performance.now();
  for (let position = 0; position < events; position++) checksum += generator.eventAt(position).dateTime & 1;
  const seconds = (performance.now() - start) / 1000;
  if (!(checksum >= 0)) throw new Error('unreachable');
  return events / seconds;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(12);

export default async function run() {
  const { availableNexmarkQueries, runNexmarkQueries } = await import('../dist/src/client/nexmark.js');
  const queries = process.env.NEXMARK_QUERIES ? process.env.NEXMARK_QUERIES.split(',') : availableNexmarkQueries();
  const ceiling = await generatorOnly(EVENTS);
  console.log(`Nexmark, ${EVENTS.toLocaleString('en-US')} events (${JOIN_EVENTS.toLocaleString('en-US')} for q3, q4, q20); events/s per core used`);
  console.log(`  generator-only loop, 1 thread: ${fmt(ceiling)} events/s (the ceiling)`);
  console.log(`  query ${PARALLELISMS.map((p) => `p=${p}`.padStart(12)).join(' ')}   peak RSS (MB)`);
  for (const query of queries) {
    const events = JOIN_QUERIES.has(query) ? JOIN_EVENTS : EVENTS;
    const cells = [];
    const rss = [];
    for (const parallelism of PARALLELISMS) {
      const { queries: [m] } = await runNexmarkQueries({ queries: [query], events, parallelism });
      cells.push(fmt(m.eventsPerSecondPerCore));
      rss.push(Math.round(m.peakRssBytes / 1_048_576));
    }
    console.log(`  ${query.padEnd(5)} ${cells.join(' ')}   ${rss.join(' / ')}${events === EVENTS ? '' : `   (${events.toLocaleString('en-US')} events)`}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
