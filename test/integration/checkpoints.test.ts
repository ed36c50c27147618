/**
 * Checkpoints and recovery on the MiniCluster: keyed state stays exactly-once
 * through a planned failure at parallelism 1 and 3, with either keyed state
 * backend (`-D state.backend.type`), the job restarts from the latest
 * completed checkpoint, and a bounded job ends with a final checkpoint that
 * names its backend. Expected values are closed forms over the input
 * sequence, not engine output.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { RestClient, resolveTargets } from '../../src/client/rest-client.js';
import { decodeMetadata } from '../../src/runtime/checkpoint/metadata-format.js';
import { KEYS } from '../fixtures/jobs/checkpointed-count.js';
import { JOBS, expectFinished, readLines, workDirs } from '../support/job-output.js';

const { workDir, outputPath } = workDirs();

/** `-D` options for a backend, with the embedded stores under `tmp` (empty again once the job ended). */
function backendProperties(backend: string, tmp: string): string[] {
  return [`state.backend.type=${backend}`, `io.tmp.dirs=${tmp}`];
}

/** Per key k: the number of v in 1..count with v % KEYS = k, and their sum. */
function expectedTotals(count: number): Map<number, { n: number; sum: number }> {
  const totals = new Map<number, { n: number; sum: number }>();
  for (let k = 0; k < KEYS; k++) {
    // v = k + KEYS·j (v ≥ 1): an arithmetic series.
    const first = k === 0 ? KEYS : k;
    const n = first > count ? 0 : Math.floor((count - first) / KEYS) + 1;
    totals.set(k, { n, sum: (n * (2 * first + (n - 1) * KEYS)) / 2 });
  }
  return totals;
}

/** The last `key,count,sum` line of each key: the state after the last record. */
function finalTotals(lines: readonly string[]): Map<number, { n: number; sum: number }> {
  const last = new Map<number, { n: number; sum: number }>();
  for (const line of lines) {
    const [key, n, sum] = line.split(',').map(Number) as [number, number, number];
    const seen = last.get(key);
    if (seen === undefined || n > seen.n) last.set(key, { n, sum });
  }
  return last;
}

describe.each([
  ['hashmap', 1],
  ['hashmap', 3],
  ['embedded', 1],
  ['embedded', 3],
])('checkpointed keyed state, %s backend, at parallelism %i', (backend, parallelism) => {
  const count = 400_000;

  it('restarts once from the latest checkpoint after a planned failure and counts every record exactly once', async () => {
    const output = outputPath();
    const checkpoints = workDir();
    const tmp = workDir();
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', String(count), '--checkpoints', checkpoints, '--output', output, '--fail-after-checkpoint', 'true', '--interval', '20'],
      parallelism,
      dynamicProperties: backendProperties(backend, tmp),
    });
    expectFinished(result);
    expect(result.restarts).toBe(1);
    expect(finalTotals(readLines(output))).toEqual(expectedTotals(count));
    // The failed attempt's stores went with its tasks, the last attempt's when they finished.
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('without failures ends with a final checkpoint and the same totals', async () => {
    const output = outputPath();
    const checkpoints = workDir();
    const tmp = workDir();
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', String(count), '--checkpoints', checkpoints, '--output', output, '--interval', '50'],
      parallelism,
      dynamicProperties: backendProperties(backend, tmp),
    });
    expectFinished(result);
    // No restart (the history names the cause of any).
    expect(result.restartHistory).toEqual([]);
    expect(finalTotals(readLines(output))).toEqual(expectedTotals(count));
    // The final checkpoint is retained (num-retained 1): exactly one chk-<n> with its _metadata, naming the backend.
    const [jobDir] = readdirSync(checkpoints);
    const completed = readdirSync(join(checkpoints, jobDir!)).filter((name) => name.startsWith('chk-'));
    expect(completed).toHaveLength(1);
    const metadataFile = join(checkpoints, jobDir!, completed[0]!, '_metadata');
    expect(decodeMetadata(readFileSync(metadataFile), metadataFile).backend).toBe(backend);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('restore claim modes', () => {
  /** Runs the count job to its end and returns the directory of its retained final checkpoint. */
  async function finalCheckpoint(checkpoints: string): Promise<string> {
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', '20000', '--checkpoints', checkpoints, '--output', outputPath(), '--interval', '50'],
    });
    expectFinished(result);
    const jobDir = join(checkpoints, result.jobId);
    const [chk] = readdirSync(jobDir).filter((name) => name.startsWith('chk-'));
    return join(jobDir, chk!);
  }

  it.each([
    ['no_claim', true],
    ['claim', false],
  ] as const)('%s: the snapshot a job started from still exists after its first checkpoint: %s', async (claimMode, kept) => {
    const restoredFrom = await finalCheckpoint(workDir());
    const output = outputPath();
    const result = await runJob({
      job: join(JOBS, 'checkpointed-count.ts'),
      args: ['--count', '20000', '--checkpoints', workDir(), '--output', output, '--interval', '50'],
      fromSavepoint: restoredFrom,
      claimMode,
    });
    expectFinished(result);
    // The sources had read everything: the resumed job emits nothing and ends with its own final checkpoint.
    expect(readLines(output)).toEqual([]);
    expect(existsSync(join(restoredFrom, '_metadata'))).toBe(kept);
  });
});

describe('checkpoint statistics (REST checkpoint details)', () => {
  /** Polls `read` every 50 ms until it gives a value (at most 30 s). */
  async function until<T>(read: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 600; i++) {
      const value = await read().catch(() => undefined);
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('timed out');
  }

  it('each subtask reports its sync and async durations, alignment and start delay; the sizes add up to the files on disk', async () => {
    const SYNC_MS = 150;
    const checkpoints = workDir();
    const release = join(workDir(), 'release');
    let jobId: string | undefined;
    const run = runJob({
      job: join(JOBS, 'slow-snapshot.ts'),
      args: ['--checkpoints', checkpoints, '--release', release, '--sync-ms', String(SYNC_MS)],
      parallelism: 2,
      onProgress: (progress) => (jobId ??= progress.jobId),
    });
    try {
      // This process's local cluster, the one that runs the job.
      const client = await until(async () => {
        if (jobId === undefined) return undefined;
        for (const target of resolveTargets().filter((t) => t.pid === process.pid)) {
          const candidate = new RestClient(target);
          if ((await candidate.jobDetails(jobId).catch(() => undefined)) !== undefined) return candidate;
        }
        return undefined;
      });
      const id = jobId!;
      const completed = await until(async () => (await client.checkpoints(id)).history.find((c) => c.status === 'COMPLETED' && !c.is_savepoint));
      const vertices = (await client.jobDetails(id)).vertices;
      expect(vertices).toHaveLength(2);
      const [source, map] = vertices as [(typeof vertices)[number], (typeof vertices)[number]];
      expect(map.name).toMatch(/Map/);
      const details = await client.checkpointDetails(id, completed.id);
      const sourceStats = await client.checkpointSubtasks(id, completed.id, source.id);
      const mapStats = await client.checkpointSubtasks(id, completed.id, map.id);
      writeFileSync(release, '');

      expect(Object.keys(details.tasks).sort()).toEqual([source.id, map.id].sort());
      // A source subtask whose share of the sequence ended before the checkpoint took no part in it.
      expect(mapStats.subtasks.map((s) => [s.index, s.status])).toEqual([
        [0, 'completed'],
        [1, 'completed'],
      ]);
      expect(sourceStats.subtasks.length).toBeGreaterThanOrEqual(1);
      for (const stats of [sourceStats, mapStats]) {
        expect(stats.num_subtasks).toBe(stats.subtasks.length);
        expect(stats.num_acknowledged_subtasks).toBe(stats.subtasks.length);
        for (const s of stats.subtasks) expect(s.status).toBe('completed');
      }
      expect(sourceStats.num_subtasks + mapStats.num_subtasks).toBe(completed.num_subtasks);
      const acked = (stats: typeof mapStats) => stats.subtasks.flatMap((s) => (s.status === 'completed' ? [s] : []));
      // The map's snapshotState is the synchronous part: at least SYNC_MS on both of its subtasks.
      for (const s of acked(mapStats)) expect(s.checkpoint.sync).toBeGreaterThanOrEqual(SYNC_MS);
      expect(mapStats.summary.checkpoint_duration.sync.min).toBeGreaterThanOrEqual(SYNC_MS);
      // Sources are triggered directly: nothing to align.
      for (const s of acked(sourceStats)) expect(s.alignment.duration).toBe(0);
      for (const s of [...acked(sourceStats), ...acked(mapStats)]) {
        expect(s.checkpoint.async).toBeGreaterThanOrEqual(0);
        expect(s.start_delay).toBeGreaterThanOrEqual(0);
        expect(s.end_to_end_duration).toBeGreaterThanOrEqual(s.checkpoint.sync);
        expect(s.ack_timestamp).toBeLessThanOrEqual(completed.latest_ack_timestamp);
      }
      // The checkpoint's size is its files on disk (every file but _metadata). A source subtask that had finished
      // took no part, but its last state is carried into the checkpoint: the subtasks that took part account for the
      // rest, which the metadata says (by operator uid and subtask index).
      const chk = join(checkpoints, id, `chk-${completed.id}`);
      const onDisk = readdirSync(chk)
        .filter((name) => name !== '_metadata')
        .reduce((sum, name) => sum + statSync(join(chk, name)).size, 0);
      expect(onDisk).toBeGreaterThan(0);
      expect(details.state_size).toBe(onDisk);
      const metadataFile = join(chk, '_metadata');
      const sourceTookPart = new Set(sourceStats.subtasks.map((s) => s.index));
      let carried = 0;
      for (const operator of decodeMetadata(readFileSync(metadataFile), metadataFile).operators) {
        if (operator.uid !== 'numbers' && operator.uid !== 'hold') continue;
        for (const subtask of operator.subtasks) if (!sourceTookPart.has(subtask.subtaskIndex)) carried += subtask.operator?.file.size ?? 0;
      }
      expect(sourceStats.state_size + mapStats.state_size).toBe(onDisk - carried);
      expect([...acked(sourceStats), ...acked(mapStats)].reduce((sum, s) => sum + s.state_size, 0)).toBe(onDisk - carried);
    } finally {
      writeFileSync(release, '');
      expectFinished(await run);
    }
  });
});
