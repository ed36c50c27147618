// The file sink benchmark: MB/s written by an exactly-once FileSink (row
// format, checkpoint every second, parallelism 1 and 2) beside two plain
// loops writing the same lines to one file, measured in the same run: an
// fs.WriteStream, and fs.writeSync of a 64 KiB buffer (what the sink does
// underneath), each with one fsync at the end. Each case runs in a process of its own;
// the median of FILE_BENCH_ROUNDS runs (3) is printed.
//   npm run bench -- file-sink
//   FILE_BENCH_LINES=2000000 npm run bench -- file-sink
// The job's MB/s counts the bytes of the finished part files (checked against
// the lines written) over the job's running time (start-up apart).
import { execFileSync } from 'node:child_process';
import { closeSync, createWriteStream, fsyncSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const LINES = Number(process.env.FILE_BENCH_LINES ?? 1_000_000);
const ROUNDS = Number(process.env.FILE_BENCH_ROUNDS ?? 3);
const PAD = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3);

/** Line `i` as bench/jobs/file-sink.ts writes it. */
const line = (i) => `line ${i} ${PAD.slice(0, 80 + (i % 13))}`;

/** The bytes of all lines with their '\n': what every case must write. */
function expectedBytes() {
  let bytes = 0;
  for (let i = 0; i < LINES; i++) bytes += Buffer.byteLength(line(i)) + 1;
  return bytes;
}

async function baseline(dir) {
  const file = join(dir, 'out.txt');
  const start = performance.now();
  const stream = createWriteStream(file, { highWaterMark: 64 * 1024 });
  for (let i = 0; i < LINES; i++) {
    if (!stream.write(`${line(i)}\n`)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  await new Promise((resolve, reject) => stream.end((error) => (error ? reject(error) : resolve())));
  const fd = openSync(file, 'r+');
  fsyncSync(fd);
  closeSync(fd);
  return { seconds: (performance.now() - start) / 1000, bytes: statSync(file).size };
}

function baselineSync(dir) {
  const file = join(dir, 'out.txt');
  const start = performance.now();
  const fd = openSync(file, 'w');
  const buffer = Buffer.allocUnsafe(64 * 1024);
  let used = 0;
  for (let i = 0; i < LINES; i++) {
    const text = `${line(i)}\n`;
    if (used + text.length * 3 > buffer.length) {
      writeSync(fd, buffer, 0, used);
      used = 0;
    }
    used += buffer.write(text, used);
  }
  writeSync(fd, buffer, 0, used);
  fsyncSync(fd);
  closeSync(fd);
  return { seconds: (performance.now() - start) / 1000, bytes: statSync(file).size };
}

async function fileSink(dir, parallelism) {
  const { runJob } = await import('../dist/src/client/run.js');
  const output = join(dir, 'out');
  const result = await runJob({
    job: join(here, 'jobs/file-sink.ts'),
    args: ['--lines', String(LINES), '--output', output, '--checkpoints', join(dir, 'checkpoints')],
    parallelism,
  });
  if (result.status !== 'FINISHED') throw new Error(`job ${result.status}: ${result.error?.message}`);
  const names = readdirSync(output);
  if (names.some((name) => name.startsWith('.'))) throw new Error(`in-progress files left: ${names.join(', ')}`);
  const bytes = names.reduce((sum, name) => sum + statSync(join(output, name)).size, 0);
  return { seconds: result.runningMs / 1000, startupMs: result.durationMs - result.runningMs, bytes };
}

async function runCase(kind) {
  const dir = mkdtempSync(join(tmpdir(), 'flinkts-bench-file-'));
  try {
    if (kind === 'baseline') return await baseline(dir);
    if (kind === 'baseline-sync') return baselineSync(dir);
    return await fileSink(dir, kind === 'p2' ? 2 : 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export default async function run() {
  const bytes = expectedBytes();
  const rows = {};
  for (const kind of ['baseline', 'baseline-sync', 'p1', 'p2']) {
    const samples = [];
    for (let round = 0; round < ROUNDS; round++) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--case', kind], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const sample = JSON.parse(out.trim().split('\n').pop());
      if (sample.bytes !== bytes) throw new Error(`${kind} wrote ${sample.bytes} bytes, expected ${bytes}`);
      samples.push(sample);
    }
    rows[kind] = { mbPerSecond: bytes / 1_048_576 / median(samples.map((s) => s.seconds)), startupMs: median(samples.map((s) => s.startupMs ?? 0)) };
  }
  const fmt = (row) => `${row.mbPerSecond.toFixed(1)} MB/s`;
  console.log(`file sink: ${LINES.toLocaleString('en')} lines, ${(bytes / 1_048_576).toFixed(1)} MiB, median of ${ROUNDS} runs`);
  console.log(`  (a) fs.WriteStream loop, fsync at the end          ${fmt(rows.baseline)}`);
  console.log(`  (s) fs.writeSync 64 KiB buffer, fsync at the end    ${fmt(rows['baseline-sync'])}`);
  console.log(`  (b) FileSink, exactly-once, 1 s checkpoints, p=1    ${fmt(rows.p1)}  (start-up ${rows.p1.startupMs.toFixed(0)} ms)`);
  console.log(`  (c) FileSink, exactly-once, 1 s checkpoints, p=2    ${fmt(rows.p2)}  (start-up ${rows.p2.startupMs.toFixed(0)} ms)`);
  const ratio = (a, b) => (a.mbPerSecond / b.mbPerSecond).toFixed(2);
  console.log(`  b/a = ${ratio(rows.p1, rows.baseline)}   b/s = ${ratio(rows.p1, rows['baseline-sync'])}   c/a = ${ratio(rows.p2, rows.baseline)}   c/s = ${ratio(rows.p2, rows['baseline-sync'])}`);
  return rows;
}

if (process.argv[2] === '--case') console.log(JSON.stringify(await runCase(process.argv[3])));
else if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
