// The fault-tolerance benchmark: what checkpoints cost, what incremental
// checkpoints save, how long a recovery takes, and state larger than the heap.
//   npm run bench -- checkpoints                      (about 7 min)
//   CKPT_PARTS=window CKPT_ROUNDS=3 npm run bench -- checkpoints
//
// 1. window       bench/jobs/checkpoint-window.ts: keyed tumbling 10 s event-time windows (count and sum per key) over
//                 CKPT_KEYS keys (1 M): records/s without checkpoints and with a checkpoint every second, per backend
//                 (CKPT_WINDOW_RECORDS 8 M for `hashmap`, CKPT_WINDOW_RECORDS_EMBEDDED 1 M for `embedded`: ≥ 20 s each
//                 without checkpoints), the two runs of a backend alternating in CKPT_ROUNDS rounds; the ratio (target:
//                 ≤ 10 % lower) over the whole run and while the input flows (the source's progress from 10 % to 90 % of
//                 the input: no start-up, end of input or final checkpoint). Also per CPU-second of the whole process,
//                 which other load on the machine disturbs less.
// 2. durations    of those checkpoints: duration (median, p90, from the REST API), the longest synchronous part of any
//                 subtask and that subtask's asynchronous part (REST subtask statistics), and bytes written per checkpoint (the
//                 files it references that the checkpoint before did not, from the `_metadata` files: everything for
//                 `hashmap`, the new delta for incremental `embedded`); then bench/jobs/checkpoint-state.ts with
//                 CKPT_HOT_KEYS keys (500 k) of CKPT_VALUE_BYTES (200) values where, after the load, only 1 % of the
//                 keys change for CKPT_HOT_MS (20 s): bytes written by full and by incremental checkpoints.
// 3. recovery     bench/jobs/checkpoint-state.ts with CKPT_RECOVERY_KEYS keys (2.5 M, ≈ 500 MB of heap state) fails once
//                 after a checkpoint holding all of it: the time from the failure to RUNNING again (REST `timestamps`)
//                 and to the restarted attempt's first record (markers the job writes). Target < 5 s.
// 4. large        the same job with `embedded` in a process with --max-old-space-size=CKPT_LARGE_HEAP_MB (256) and
//                 values of 2.5× that (CKPT_LARGE_KEYS); then `hashmap` under the same limit, which runs out of memory
//                 (guarded by CKPT_OOM_TIMEOUT_S).
// CKPT_PARTS and CKPT_BACKENDS (`hashmap,embedded`) select what runs.
//
// Every job runs at parallelism 1 in a process of its own (`--case`), with its checkpoints, embedded stores and the
// local cluster registry (FLINKTS_STATE_DIR) in a temporary directory deleted afterwards. The `embedded` rows run only
// when `flinkts run -D state.backend.type=embedded` is accepted; otherwise they print why they were skipped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const WINDOW_JOB = join(here, 'jobs/checkpoint-window.ts');
const STATE_JOB = join(here, 'jobs/checkpoint-state.ts');

const num = (name, fallback) => Number(process.env[name] ?? fallback);
const PARTS = (process.env.CKPT_PARTS ?? 'window,incremental,recovery,large').split(',');
const BACKENDS = (process.env.CKPT_BACKENDS ?? 'hashmap,embedded').split(',');
const ROUNDS = num('CKPT_ROUNDS', 1);
const KEYS = num('CKPT_KEYS', 1_000_000);
/** Records of the window job: ≥ 20 s without checkpoints on the reference machine (see docs/benchmarks.md). */
const WINDOW_RECORDS = { hashmap: num('CKPT_WINDOW_RECORDS', 8_000_000), embedded: num('CKPT_WINDOW_RECORDS_EMBEDDED', 1_000_000) };
const HOT_KEYS = num('CKPT_HOT_KEYS', 500_000);
const HOT_MS = num('CKPT_HOT_MS', 20_000);
const VALUE_BYTES = num('CKPT_VALUE_BYTES', 200);
const RECOVERY_KEYS = num('CKPT_RECOVERY_KEYS', 2_500_000);
const LARGE_HEAP_MB = num('CKPT_LARGE_HEAP_MB', 256);
/** Values for 2.5× --max-old-space-size of logical state (≥ 2× V8's whole heap limit, young generation included). */
const LARGE_KEYS = num('CKPT_LARGE_KEYS', Math.ceil((2.5 * LARGE_HEAP_MB * 1_048_576) / VALUE_BYTES));
const OOM_TIMEOUT_S = num('CKPT_OOM_TIMEOUT_S', 180);
const CASE_TIMEOUT_MS = num('CKPT_CASE_TIMEOUT_S', 900) * 1000;
const INTERVAL = '1s';
const RESULT = '@@result ';

// ---------------------------------------------------------------------------------------------------------------
// One case, in a process of its own.

/**
 * Polls the job's REST API (the cluster this process runs registers itself) for its checkpoint history and status
 * timestamps, keeping every checkpoint seen: the cluster closes its endpoint when the job ends.
 */
function restWatcher() {
  let jobId;
  let client;
  const checkpoints = new Map();
  /** Per completed checkpoint id: the subtask with the longest synchronous part: that part and its asynchronous part (ms). */
  const parts = new Map();
  let timestamps = {};
  const poll = async () => {
    if (jobId === undefined) return;
    const { RestClient, resolveTargets } = await import('../dist/src/client/rest-client.js');
    client ??= resolveTargets()
      .filter((t) => t.pid === process.pid)
      .map((t) => new RestClient(t))[0];
    if (client === undefined) return;
    try {
      const [stats, details] = await Promise.all([client.checkpoints(jobId), client.jobDetails(jobId)]);
      for (const c of stats.history) if (!c.is_savepoint) checkpoints.set(c.id, c);
      timestamps = details.timestamps;
      for (const c of stats.history) {
        if (c.is_savepoint || c.status !== 'COMPLETED' || parts.has(c.id)) continue;
        const tasks = await Promise.all(details.vertices.map((v) => client.checkpointSubtasks(jobId, c.id, v.id)));
        const longest = tasks
          .flatMap((t) => t.subtasks)
          .filter((t) => t.status === 'completed')
          .reduce((a, b) => (b.checkpoint.sync > a.checkpoint.sync ? b : a));
        parts.set(c.id, { syncMs: longest.checkpoint.sync, asyncMs: longest.checkpoint.async });
      }
    } catch {
      // The endpoint closes as the job ends.
    }
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    poll().finally(() => (busy = false));
  }, 250);
  return {
    job(id) {
      jobId ??= id;
    },
    stop() {
      clearInterval(timer);
      return { checkpoints: [...checkpoints.values()].sort((a, b) => a.id - b.id).map((c) => ({ ...c, ...parts.get(c.id) })), timestamps };
    },
  };
}

/** The files a checkpoint's `_metadata` references, as `location:path` → size. */
function referencedFiles(metadata) {
  const files = new Map();
  const add = (f) => files.set(`${f.location}:${f.path}`, f.size);
  for (const op of metadata.operators) {
    for (const s of op.subtasks) {
      for (const f of s.keyed?.files ?? []) add(f);
      for (const f of s.timers?.files ?? []) add(f);
      if (s.operator !== undefined) add(s.operator.file);
    }
  }
  return files;
}

/**
 * Every completed checkpoint of `jobId` under `dir` (all retained): its trigger time, completion time (the
 * `_metadata` file's mtime), full size (every file it references) and the bytes it wrote (the files it references
 * that the previous checkpoint did not).
 */
async function checkpointsOnDisk(dir, jobId) {
  const { loadSnapshot } = await import('../dist/src/runtime/checkpoint/storage.js');
  const jobDir = join(dir, jobId);
  if (!existsSync(jobDir)) return [];
  const ids = readdirSync(jobDir)
    .filter((name) => /^chk-\d+$/.test(name))
    .map((name) => Number(name.slice(4)))
    .sort((a, b) => a - b);
  const out = [];
  let previous = new Map();
  for (const id of ids) {
    const chk = join(jobDir, `chk-${id}`);
    if (!existsSync(join(chk, '_metadata'))) continue;
    const { metadata } = await loadSnapshot(chk);
    const files = referencedFiles(metadata);
    let full = 0;
    let written = 0;
    for (const [key, size] of files) {
      full += size;
      if (!previous.has(key)) written += size;
    }
    out.push({ id, triggeredAt: metadata.timestamp, completedAt: statSync(join(chk, '_metadata')).mtimeMs, fullBytes: full, writtenBytes: written, backend: metadata.backend });
    previous = files;
  }
  return out;
}

/** Checkpoints of a run: durations from the REST API where seen (else from disk), sizes from disk. */
function mergeCheckpoints(rest, disk, inputEndedAt) {
  const byId = new Map(rest.filter((c) => c.status === 'COMPLETED').map((c) => [c.id, c]));
  return disk.map((d) => {
    const r = byId.get(d.id);
    return {
      id: d.id,
      durationMs: r?.end_to_end_duration ?? d.completedAt - d.triggeredAt,
      // The longest synchronous part of any subtask (its task processes nothing meanwhile), and that subtask's asynchronous part.
      syncMs: r?.syncMs,
      asyncMs: r?.asyncMs,
      fullBytes: d.fullBytes,
      writtenBytes: d.writtenBytes,
      backend: d.backend,
      triggeredAt: d.triggeredAt,
      // The checkpoint taken once every input ended (after the last windows fired) is not a steady-state one. The
      // end of the input is known from the metrics, reported every 500 ms: a second of margin.
      final: inputEndedAt !== undefined && d.triggeredAt >= inputEndedAt - 1000,
    };
  });
}

const rssMb = () => process.resourceUsage().maxRSS / 1024;

/** Runs `job` once with `props` (`-D`), watching its checkpoints; returns the run's figures. */
async function runWatched(job, args, props, { records, checkpointDir } = {}) {
  const { runJob } = await import('../dist/src/client/run.js');
  const watcher = restWatcher();
  let inputEndedAt;
  let sourceRecords = 0;
  const progress = [];
  const cpuBefore = process.cpuUsage();
  const result = await runJob({
    job,
    args,
    parallelism: 1,
    dynamicProperties: props,
    onProgress: (p) => {
      watcher.job(p.jobId);
      sourceRecords = p.sourceRecords;
      progress.push([p.elapsedMs, p.sourceRecords]);
      if (records !== undefined && inputEndedAt === undefined && p.sourceRecords >= records) inputEndedAt = Date.now();
      // The parent keeps the last one, for a case that dies (out of memory).
      console.log(`${RESULT}${JSON.stringify({ progress: { sourceRecords: p.sourceRecords, elapsedMs: p.elapsedMs, status: p.status } })}`);
    },
  });
  // No metrics report saw the whole input: it ended within the last report interval.
  if (records !== undefined && inputEndedAt === undefined) inputEndedAt = Date.now();
  const rest = watcher.stop();
  const disk = checkpointDir === undefined ? [] : await checkpointsOnDisk(checkpointDir, result.jobId);
  return {
    status: result.status,
    error: result.error?.message,
    restarts: result.restarts,
    jobId: result.jobId,
    runningMs: result.runningMs,
    steadyRps: records === undefined ? undefined : steadyRate(progress, records),
    startupMs: result.durationMs - result.runningMs,
    sourceRecords: result.vertices.find((v) => v.name.startsWith('Source'))?.recordsIn ?? sourceRecords,
    peakRssMb: rssMb(),
    // Every thread of the process (workers, GC, main), start-up included: less sensitive to other load than wall time.
    cpuSeconds: (() => {
      const cpu = process.cpuUsage(cpuBefore);
      return (cpu.user + cpu.system) / 1e6;
    })(),
    timestamps: rest.timestamps,
    checkpoints: mergeCheckpoints(rest.checkpoints, disk, inputEndedAt),
  };
}

/**
 * Records per second while the input flows: the source's progress (reported
 * every 500 ms) from the first report past 10 % of `records` to the last one
 * before 90 % — without the start, the end of input and, with checkpoints,
 * the final checkpoint a bounded job waits for.
 */
function steadyRate(progress, records) {
  const first = progress.find(([, n]) => n >= records * 0.1);
  const last = progress.findLast(([, n]) => n <= records * 0.9);
  if (first === undefined || last === undefined || last[0] <= first[0]) return undefined;
  return (last[1] - first[1]) / ((last[0] - first[0]) / 1000);
}

/** `-D` options of a case: backend, checkpoints, and every working directory inside `work`. */
function properties(work, { backend, checkpoints, incremental }) {
  const props = [];
  mkdirSync(join(work, 'tmp'), { recursive: true });
  // The backend options only for `embedded`, so the heap rows also run on a build without them.
  if (backend === 'embedded') props.push('state.backend.type=embedded', `io.tmp.dirs=${join(work, 'tmp')}`);
  if (incremental === false) props.push('state.backend.incremental=false');
  if (checkpoints) props.push(`execution.checkpointing.interval=${INTERVAL}`, `state.checkpoints.dir=${join(work, 'chk')}`, 'state.checkpoints.num-retained=1000');
  return props;
}

const marker = (dir, name) => (existsSync(join(dir, name)) ? Number(readFileSync(join(dir, name), 'utf8')) : undefined);

/** The largest size on disk of `dir` seen by a poll every 500 ms, in bytes. */
function diskWatcher(dir) {
  let max = 0;
  const measure = () => {
    // Allocated blocks, not apparent sizes: a memory-mapped store file may be sparse.
    const du = spawnSync('du', ['-sB1', dir], { encoding: 'utf8' });
    const bytes = Number(du.stdout?.split('\t')[0]) || 0;
    if (bytes > max) max = bytes;
  };
  const timer = setInterval(measure, 500);
  return {
    stop() {
      clearInterval(timer);
      return max;
    },
  };
}

async function runCase(spec) {
  const work = mkdtempSync(join(tmpdir(), 'flinkts-ckbench-'));
  try {
    switch (spec.kind) {
      case 'window': {
        const args = ['--records', String(spec.records), '--keys', String(spec.keys)];
        return await runWatched(WINDOW_JOB, args, properties(work, spec), { records: spec.records, checkpointDir: spec.checkpoints ? join(work, 'chk') : undefined });
      }
      case 'hot': {
        const markers = join(work, 'markers');
        mkdirSync(markers);
        const args = ['--keys', String(spec.keys), '--value-bytes', String(VALUE_BYTES), '--hot-ms', String(HOT_MS), '--markers', markers];
        const run = await runWatched(STATE_JOB, args, properties(work, { ...spec, checkpoints: true }), { checkpointDir: join(work, 'chk') });
        // The checkpoint taken after the source ended has nothing new to write: not a hot-phase one.
        const inputEnd = marker(markers, 'input-end');
        const checkpoints = run.checkpoints.map((c) => ({ ...c, final: inputEnd !== undefined && c.triggeredAt >= inputEnd }));
        return { ...run, checkpoints, loadDoneAt: marker(markers, 'load-done') };
      }
      case 'recovery': {
        const markers = join(work, 'markers');
        mkdirSync(markers);
        const args = ['--keys', String(spec.keys), '--value-bytes', String(VALUE_BYTES), '--hot-ms', '2000', '--fail', 'true', '--markers', markers];
        const props = [
          ...properties(work, { ...spec, checkpoints: true }),
          // One restart, at once: the figure is the engine's recovery, not a backoff.
          'restart-strategy.type=fixed-delay',
          'restart-strategy.fixed-delay.attempts=1',
          'restart-strategy.fixed-delay.delay=0 ms',
        ];
        const run = await runWatched(STATE_JOB, args, props, { checkpointDir: join(work, 'chk') });
        const names = ['load-done', 'full-checkpoint', 'failed-at', 'open-1', 'first-record-1'];
        return { ...run, markers: Object.fromEntries(names.map((n) => [n, marker(markers, n)])) };
      }
      case 'large': {
        const args = ['--keys', String(spec.keys), '--value-bytes', String(VALUE_BYTES), '--hot-ms', '0'];
        const disk = diskWatcher(join(work, 'tmp'));
        const v8 = await import('node:v8');
        const run = await runWatched(STATE_JOB, args, properties(work, { ...spec, checkpoints: false }), { records: spec.keys });
        return { ...run, heapLimitMb: v8.getHeapStatistics().heap_size_limit / 1_048_576, maxStoreBytes: disk.stop() };
      }
      default:
        throw new Error(`unknown case ${spec.kind}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The report.

/** Runs a case in a child process; its last result line (or the last progress line of a process that died). */
function caseProcess(spec, { nodeOptions, timeoutMs = CASE_TIMEOUT_MS } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'flinkts-ckbench-state-'));
  const env = { ...process.env, FLINKTS_STATE_DIR: stateDir };
  if (nodeOptions !== undefined) env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${nodeOptions}`.trim();
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--case', JSON.stringify(spec)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let last;
    let progress;
    let stderr = '';
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        if (!line.startsWith(RESULT)) continue;
        const value = JSON.parse(line.slice(RESULT.length));
        if (value.progress !== undefined) progress = value.progress;
        else last = value;
      }
    });
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(stateDir, { recursive: true, force: true });
      const wallMs = performance.now() - started;
      if (last !== undefined && code === 0) resolve({ ...last, wallMs });
      else resolve({ died: true, code, signal, timedOut: wallMs >= timeoutMs, wallMs, progress, stderr: stderr.trim().split('\n').slice(-3).join(' | ') });
    });
  });
}

/** Whether `flinkts run -D state.backend.type=embedded` is accepted: undefined, or why not. */
function embeddedUnavailable() {
  const stateDir = mkdtempSync(join(tmpdir(), 'flinkts-ckbench-state-'));
  const work = mkdtempSync(join(tmpdir(), 'flinkts-ckbench-'));
  try {
    const result = spawnSync(
      process.execPath,
      [join(root, 'bin/run.js'), 'run', STATE_JOB, '-D', 'state.backend.type=embedded', '-D', `io.tmp.dirs=${work}`, '--', '--keys', '10', '--hot-ms', '0'],
      { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FLINKTS_STATE_DIR: stateDir } },
    );
    if (result.status === 0) return undefined;
    const lines = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.split('\n').map((line) => line.trim());
    return lines.find((line) => line.startsWith('Error:')) ?? lines.find((line) => line !== '') ?? `exit status ${result.status} ${result.error ?? ''}`;
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)];
}

function p90(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)];
}

const mb = (bytes) => `${(bytes / 1_048_576).toFixed(bytes < 10 * 1_048_576 ? 2 : 1)} MB`;
const kps = (n) => `${(n / 1000).toFixed(0)} k/s`;
const ms = (n) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const failed = (r) => (r.died ? `died (${r.timedOut ? 'timeout' : (r.signal ?? `exit ${r.code}`)}): ${r.stderr}` : `${r.status}: ${r.error}`);

async function windowPart(available) {
  console.log(`window: keyed tumbling 10 s event-time windows, count and sum, ${KEYS.toLocaleString('en')} keys, parallelism 1, checkpoints every ${INTERVAL}; ${ROUNDS} round(s), median`);
  for (const backend of BACKENDS) {
    if (backend === 'embedded' && available !== undefined) {
      console.log(`  ${backend.padEnd(9)} skipped: ${available}`);
      continue;
    }
    const records = WINDOW_RECORDS[backend];
    const samples = { off: [], on: [] };
    let ckpts = [];
    let failure;
    for (let round = 0; round < ROUNDS && failure === undefined; round++) {
      // Alternate the order, so neither case always runs on a warmer (or more loaded) machine.
      for (const checkpoints of round % 2 === 0 ? [false, true] : [true, false]) {
        const r = await caseProcess({ kind: 'window', backend, checkpoints, records, keys: KEYS });
        if (r.died || r.status !== 'FINISHED') {
          failure = `${checkpoints ? 'with' : 'without'} checkpoints: ${failed(r)}`;
          break;
        }
        (checkpoints ? samples.on : samples.off).push({ rps: records / (r.runningMs / 1000), steady: r.steadyRps, perCpu: records / r.cpuSeconds, rss: r.peakRssMb, seconds: r.runningMs / 1000 });
        if (checkpoints) ckpts = ckpts.concat(r.checkpoints.filter((c) => !c.final));
      }
    }
    if (failure !== undefined) {
      console.log(`  ${backend.padEnd(9)} failed ${failure}`);
      continue;
    }
    const off = median(samples.off.map((s) => s.rps));
    const on = median(samples.on.map((s) => s.rps));
    const ratio = on / off;
    const runs = (list) => list.map((s) => s.seconds.toFixed(1)).join(' / ');
    const row = (label, list, rps) =>
      `${label} ${kps(rps)}, ${kps(median(list.map((s) => s.perCpu)))} per CPU-second (runs ${runs(list)} s, peak RSS ${Math.max(...list.map((s) => s.rss)).toFixed(0)} MB)`;
    console.log(`  ${backend.padEnd(9)} ${records.toLocaleString('en')} records`);
    console.log(`            ${row('no checkpoints  ', samples.off, off)}`);
    console.log(`            ${row('checkpoints 1 s ', samples.on, on)}`);
    console.log(
      `            with/without ${ratio.toFixed(2)} (target ≥ 0.90: ${ratio >= 0.9 ? 'met' : 'missed'}); per CPU-second ${(median(samples.on.map((s) => s.perCpu)) / median(samples.off.map((s) => s.perCpu))).toFixed(2)}`,
    );
    const steadyOff = median(samples.off.map((s) => s.steady).filter((v) => v !== undefined));
    const steadyOn = median(samples.on.map((s) => s.steady).filter((v) => v !== undefined));
    if (Number.isFinite(steadyOff) && Number.isFinite(steadyOn)) {
      const steadyRatio = steadyOn / steadyOff;
      console.log(
        `            while the input flows (10–90 % of it): ${kps(steadyOff)} without, ${kps(steadyOn)} with checkpoints, ratio ${steadyRatio.toFixed(2)} (target ≥ 0.90: ${steadyRatio >= 0.9 ? 'met' : 'missed'})`,
      );
    }
    const d = ckpts.map((c) => c.durationMs);
    const timed = ckpts.filter((c) => c.syncMs !== undefined);
    console.log(
      `            ${ckpts.length} checkpoints (final ones excluded): duration median ${ms(median(d))}, p90 ${ms(p90(d))}; bytes written median ${mb(median(ckpts.map((c) => c.writtenBytes)))}, p90 ${mb(p90(ckpts.map((c) => c.writtenBytes)))}; full state median ${mb(median(ckpts.map((c) => c.fullBytes)))}`,
    );
    if (timed.length > 0) {
      console.log(
        `            synchronous part (records wait; the longest subtask's) median ${ms(median(timed.map((c) => c.syncMs)))}, p90 ${ms(p90(timed.map((c) => c.syncMs)))}; its asynchronous part median ${ms(median(timed.map((c) => c.asyncMs)))} (${timed.length} checkpoints, REST subtask statistics)`,
      );
    }
  }
}

async function incrementalPart(available) {
  console.log(`incremental: ${HOT_KEYS.toLocaleString('en')} keys of ~${VALUE_BYTES}-byte ValueState loaded, then ${HOT_MS / 1000} s in which only 1 % of the keys change; checkpoints every ${INTERVAL}`);
  const variants = [
    { backend: 'hashmap', label: 'hashmap (full)' },
    { backend: 'embedded', incremental: false, label: 'embedded, full' },
    { backend: 'embedded', incremental: true, label: 'embedded, incremental' },
  ].filter((v) => BACKENDS.includes(v.backend));
  const written = {};
  for (const v of variants) {
    if (v.backend === 'embedded' && available !== undefined) {
      console.log(`  ${v.label.padEnd(22)} skipped: ${available}`);
      continue;
    }
    const r = await caseProcess({ kind: 'hot', backend: v.backend, incremental: v.incremental, keys: HOT_KEYS });
    if (r.died || r.status !== 'FINISHED') {
      console.log(`  ${v.label.padEnd(22)} failed: ${failed(r)}`);
      continue;
    }
    // Checkpoints whose predecessor was triggered after the load was in: they hold only hot-phase changes.
    const steady = r.checkpoints.filter((c, i) => i > 0 && r.loadDoneAt !== undefined && r.checkpoints[i - 1].triggeredAt > r.loadDoneAt && !c.final);
    const first = r.checkpoints.find((c) => r.loadDoneAt !== undefined && c.triggeredAt > r.loadDoneAt);
    if (steady.length === 0) {
      console.log(`  ${v.label.padEnd(22)} no checkpoint between two taken after the load: CKPT_HOT_MS (${HOT_MS} ms) is too short for this machine`);
      continue;
    }
    // Checkpoints that wrote less than a tenth of the state: the deltas (an incremental chain also rewrites a full base now and then).
    const deltas = steady.filter((c) => c.writtenBytes < c.fullBytes / 10);
    written[v.label] = median((v.incremental === true && deltas.length > 0 ? deltas : steady).map((c) => c.writtenBytes));
    console.log(
      `  ${v.label.padEnd(22)} ${steady.length} hot-phase checkpoints: written median ${mb(median(steady.map((c) => c.writtenBytes)))}, duration median ${ms(median(steady.map((c) => c.durationMs)))}` +
        (deltas.length === 0 ? '' : `; deltas only: ${deltas.length}, duration median ${ms(median(deltas.map((c) => c.durationMs)))}`) +
        `; state referenced ${mb(steady.at(-1).fullBytes)}`,
    );
    console.log(
      `  ${''.padEnd(22)} each: ${steady.map((c) => `${mb(c.writtenBytes)} in ${ms(c.durationMs)}`).join(', ')}` +
        (first === undefined ? '' : `; first after the load: ${mb(first.writtenBytes)} in ${ms(first.durationMs)}`),
    );
  }
  const full = written['embedded, full'] ?? written['hashmap (full)'];
  const delta = written['embedded, incremental'];
  if (full !== undefined && delta !== undefined) console.log(`  delta / full (medians) = ${mb(delta)} / ${mb(full)} = ${((100 * delta) / full).toFixed(2)} % (1 % of the keys changed)`);
}

async function recoveryPart() {
  console.log(`recovery: ${RECOVERY_KEYS.toLocaleString('en')} keys of ~${VALUE_BYTES}-byte ValueState on the heap, one failure after a checkpoint holding all of it, restarted at once (fixed-delay 0 ms)`);
  const r = await caseProcess({ kind: 'recovery', backend: 'hashmap', keys: RECOVERY_KEYS });
  if (r.died || r.status !== 'FINISHED') {
    console.log(`  failed: ${failed(r)}`);
    return;
  }
  const m = r.markers;
  const restored = r.checkpoints.filter((c) => c.triggeredAt <= (m['failed-at'] ?? Infinity)).at(-1);
  const running = r.timestamps.RUNNING;
  const restarting = r.timestamps.RESTARTING;
  console.log(
    `  restarts ${r.restarts}; restored checkpoint ${restored?.id ?? '?'} of ${restored === undefined ? '?' : mb(restored.fullBytes)} (written in ${restored === undefined ? '?' : ms(restored.durationMs)}); peak RSS ${r.peakRssMb.toFixed(0)} MB`,
  );
  console.log(
    `  failure → RUNNING (REST timestamps RESTARTING → RUNNING) ${running && restarting ? ms(running - restarting) : '?'}` +
      `; failure → restarted attempt opened (state restored) ${m['open-1'] && m['failed-at'] ? ms(m['open-1'] - m['failed-at']) : '?'}` +
      `; failure → its first record ${m['first-record-1'] && m['failed-at'] ? ms(m['first-record-1'] - m['failed-at']) : '?'} (target < 5 s: ${m['first-record-1'] - m['failed-at'] < 5000 ? 'met' : 'missed'})`,
  );
}

async function largePart(available) {
  const logical = LARGE_KEYS * VALUE_BYTES;
  console.log(`large state: ${LARGE_KEYS.toLocaleString('en')} keys × ${VALUE_BYTES} bytes (${mb(logical)} of values) with NODE_OPTIONS=--max-old-space-size=${LARGE_HEAP_MB}`);
  for (const backend of ['embedded', 'hashmap'].filter((b) => BACKENDS.includes(b))) {
    if (backend === 'embedded' && available !== undefined) {
      console.log(`  ${backend.padEnd(9)} skipped: ${available}`);
      continue;
    }
    const timeoutMs = backend === 'hashmap' ? OOM_TIMEOUT_S * 1000 : CASE_TIMEOUT_MS;
    const r = await caseProcess({ kind: 'large', backend, keys: LARGE_KEYS }, { nodeOptions: `--max-old-space-size=${LARGE_HEAP_MB}`, timeoutMs });
    if (r.died || r.status !== 'FINISHED') {
      const records = r.sourceRecords ?? r.progress?.sourceRecords;
      const seen = records === undefined ? '' : `after ${records.toLocaleString('en')} of ${LARGE_KEYS.toLocaleString('en')} records`;
      console.log(`  ${backend.padEnd(9)} did not finish ${seen} (${ms(r.wallMs)}): ${failed(r)}`);
      continue;
    }
    console.log(
      `  ${backend.padEnd(9)} ${r.status} in ${ms(r.runningMs)}: ${kps(LARGE_KEYS / (r.runningMs / 1000))}; values ${(logical / (r.heapLimitMb * 1_048_576)).toFixed(1)}× V8's heap limit (${r.heapLimitMb.toFixed(0)} MB)` +
        `, store on disk (max) ${mb(r.maxStoreBytes)} = ${(r.maxStoreBytes / (r.heapLimitMb * 1_048_576)).toFixed(1)}×; peak RSS ${r.peakRssMb.toFixed(0)} MB (the store's memory-mapped pages count in it)`,
    );
  }
}

export default async function run() {
  const available = BACKENDS.includes('embedded') ? embeddedUnavailable() : 'not in CKPT_BACKENDS';
  if (PARTS.includes('window')) await windowPart(available);
  if (PARTS.includes('incremental')) await incrementalPart(available);
  if (PARTS.includes('recovery')) await recoveryPart();
  if (PARTS.includes('large')) await largePart(available);
}

if (process.argv[2] === '--case') {
  const result = await runCase(JSON.parse(process.argv[3]));
  console.log(`${RESULT}${JSON.stringify(result)}`);
  process.exit(0);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
