/**
 * FileSink end to end on the MiniCluster (test/fixtures/jobs/file-sink-kills.ts).
 *
 * RELIABILITY F1: while slot workers die at planned points (each after a
 * checkpoint completed and enough records that bytes past it reached the
 * in-progress file), the hash of the sorted lines of the finished files equals
 * the hash of the sequence's lines computed without the engine; every
 * finished file, once seen, never changes (content, size, modification time);
 * the restores cut in-progress files back (counter
 * `numInProgressFilesTruncated`); the kills that happened equal those planned.
 * A bounded job leaves no in-progress or pending file; the default bucket
 * assigner names directories by the hour.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob, type RunResult } from 'flinkts/client';
import { lineOf } from '../fixtures/jobs/file-sink-kills.js';
import { markerLines } from '../support/fault-truth.js';
import { JOBS, expectFinished, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();
const JOB = join(JOBS, 'file-sink-kills.ts');

/** Every file under `dir`, relative path → absolute path (the entry types need no stat: files come and go while the job runs). */
function allFiles(dir: string, sub = ''): Map<string, string> {
  const files = new Map<string, string>();
  let entries: Dirent[];
  try {
    entries = readdirSync(join(dir, sub), { withFileTypes: true });
  } catch {
    return files;
  }
  for (const entry of entries) {
    const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
    if (entry.isDirectory()) for (const [r, a] of allFiles(dir, rel)) files.set(r, a);
    else files.set(rel, join(dir, rel));
  }
  return files;
}

const isHidden = (rel: string) => rel.split('/').pop()!.startsWith('.');

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** What a finished file looked like when first seen. */
interface Seen {
  readonly hash: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Records every finished file when it first appears, until `until` settles. */
async function watchFinished(dir: string, until: Promise<unknown>): Promise<Map<string, Seen>> {
  const seen = new Map<string, Seen>();
  let done = false;
  void until.finally(() => (done = true));
  const look = () => {
    for (const [rel, abs] of allFiles(dir)) {
      if (isHidden(rel) || seen.has(rel)) continue;
      try {
        const stats = statSync(abs);
        seen.set(rel, { hash: sha256(readFileSync(abs)), size: stats.size, mtimeMs: stats.mtimeMs });
      } catch {
        // Listed but gone: a finished file must never disappear, which the final check catches.
      }
    }
  };
  while (!done) {
    look();
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  look();
  return seen;
}

/** The lines of all finished files under `dir`. */
function finishedLines(dir: string): string[] {
  return [...allFiles(dir)].filter(([rel]) => !isHidden(rel)).flatMap(([, abs]) => readFileSync(abs, 'utf8').split('\n').slice(0, -1));
}

function truncations(result: RunResult): number {
  return result.vertices.reduce((sum, v) => sum + (v.counters.numInProgressFilesTruncated ?? 0), 0);
}

describe('RELIABILITY F1: FileSink under slot worker deaths', () => {
  it.each([
    { parallelism: 1, kills: 2, count: 400_000 },
    { parallelism: 2, kills: 3, count: 600_000 },
  ])('p=$parallelism, $kills kills: finished files hold each line once and never change', async ({ parallelism, kills, count }) => {
    const output = workDir();
    const markers = workDir();
    const run = runJob({
      job: JOB,
      parallelism,
      args: ['--count', String(count), '--output', output, '--checkpoints', workDir(), '--markers', markers, '--interval', '50', '--kills', String(kills), '--kill-after', '8000'],
    });
    const seen = await watchFinished(output, run);
    const result = await run;
    expectFinished(result);

    // The planned kills happened, each once, and each cost one restart.
    expect(markerLines(markers, 'kills').map((line) => line.replace(/ after \d+ records$/, ''))).toEqual(Array.from({ length: kills }, (_, a) => `kill attempt ${a}`));
    expect(result.restarts).toBe(kills);

    // Exactly the sequence, each line once: the hash of the sorted lines, computed without the engine.
    const expected = Array.from({ length: count }, (_, i) => lineOf(i + 1)).sort();
    const actual = finishedLines(output).sort();
    expect(actual.length).toBe(count);
    expect(sha256(actual.join('\n'))).toBe(sha256(expected.join('\n')));

    // Finished files never changed after they first appeared, and none disappeared.
    const files = allFiles(output);
    for (const [rel, first] of seen) {
      const abs = files.get(rel);
      expect(abs, `${rel} disappeared`).toBeDefined();
      const stats = statSync(abs!);
      expect({ rel, hash: sha256(readFileSync(abs!)), size: stats.size, mtimeMs: stats.mtimeMs }).toEqual({ rel, ...first });
    }
    expect(seen.size).toBe([...files.keys()].filter((rel) => !isHidden(rel)).length);
    expect(seen.size).toBeGreaterThan(parallelism);

    // The last restore cut at least one in-progress file back to its checkpointed length
    // (8000 records ≈ 130 KB were written past the checkpoint, more than the 64 KiB buffer).
    expect(truncations(result)).toBeGreaterThan(0);
    // The failed attempts' in-progress files that no checkpoint refers to stay hidden; no visible file is partial.
    expect([...files.keys()].filter((rel) => !isHidden(rel)).every((rel) => /^part-[0-9a-f-]{36}-\d-\d+$/.test(rel))).toBe(true);
  });
});

describe('FileSink in a bounded job', () => {
  it('finishes every part file at the end; the default assigner buckets by the hour', async () => {
    const output = workDir();
    const start = Date.now();
    const result = await runJob({
      job: JOB,
      parallelism: 2,
      args: ['--count', '50000', '--output', output, '--checkpoints', workDir(), '--markers', workDir(), '--interval', '1000', '--date-buckets', 'true', '--part-size', '65536'],
    });
    const end = Date.now();
    expectFinished(result);
    const files = [...allFiles(output).keys()];
    expect(files.filter(isHidden)).toEqual([]);
    // yyyy-MM-dd--HH of the processing time in the process's zone, one of the hours the job ran in.
    const hour = (t: number) => {
      const d = new Date(t);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}--${pad(d.getHours())}`;
    };
    const buckets = new Set(files.map((rel) => rel.split('/')[0]));
    expect([...buckets].every((b) => b === hour(start) || b === hour(end))).toBe(true);
    expect(files.every((rel) => /^\d{4}-\d{2}-\d{2}--\d{2}\/part-[0-9a-f-]{36}-[01]-\d+$/.test(rel))).toBe(true);
    // 65 536-byte parts: each part but the last of a subtask is larger than that, by less than one line.
    const lines = finishedLines(output);
    expect(lines.sort()).toEqual(Array.from({ length: 50_000 }, (_, i) => lineOf(i + 1)).sort());
    const sizes = files.map((rel) => statSync(join(output, rel)).size);
    expect(sizes.filter((s) => s > 65_536).length).toBeGreaterThanOrEqual(sizes.length - 2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(65_536 + 20);
  });
});
