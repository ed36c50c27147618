// `flinkts run examples/wordcount.ts` on 1 MB of text, timed end to end as a
// user runs it (a fresh `node bin/run.js` process, output to /dev/null).
// Prints the median wall time of several runs; the target is < 1.5 s.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

export default async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'flinkts-bench-'));
  try {
    const seed = readFileSync(join(root, 'README.md'), 'utf8');
    let text = '';
    while (text.length < 1024 * 1024) text += seed;
    const input = join(dir, 'input.txt');
    writeFileSync(input, text.slice(0, 1024 * 1024));
    const times = [];
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now();
      const result = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'run', join(root, 'examples/wordcount.ts'), '--', '--input', input], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const elapsed = performance.now() - start;
      if (result.status !== 0) throw new Error(`wordcount failed: ${result.stderr}`);
      times.push(elapsed);
    }
    times.sort((a, b) => a - b);
    const baseline = medianOf(ROUNDS, () => execFileSync(process.execPath, ['-e', '0']));
    console.log(`wordcount on 1 MiB via the CLI: median ${(times[Math.floor(ROUNDS / 2)] / 1000).toFixed(2)} s wall over ${ROUNDS} runs (min ${(times[0] / 1000).toFixed(2)} s); target < 1.5 s`);
    console.log(`  bare node start-up in the same run: ${baseline.toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function medianOf(rounds, fn) {
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(rounds / 2)];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
