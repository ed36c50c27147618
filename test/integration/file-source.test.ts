/**
 * FileSource end to end on the MiniCluster (test/fixtures/jobs/file-copy.ts:
 * files → one line per record → exactly-once FileSink): text, JSON lines and
 * CSV read once at parallelism 1–3 with nested directories; a failure in
 * the middle of the input restored from a checkpoint; the legacy
 * `env.readFile`; continuous monitoring that picks up files added while the
 * job runs exactly once; and a savepoint restored at another parallelism.
 * Every expected line comes from the generated input, not from the engine,
 * and only finished (visible) part files are read.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob, type RunResult } from 'flinkts/client';
import { stopJob } from '../../src/client/job-control.js';
import { markerLines } from '../support/fault-truth.js';
import { JOBS, expectFinished, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();
const JOB = join(JOBS, 'file-copy.ts');

/** The lines of the finished part files in `dir` (hidden in-progress and pending files left out), sorted. */
function finishedLines(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').slice(0, -1))
    .sort();
}

const hiddenFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('.'));

/** Writes `content` under a hidden name and renames it into place, as a producer should. */
function publish(file: string, content: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const temp = join(file, '..', `.${Date.now()}-${Math.random()}.tmp`);
  writeFileSync(temp, content);
  renameSync(temp, file);
}

/** `files` text files of `lines` lines each under `dir`, in nested directories; returns their lines. */
function textInput(dir: string, files: number, lines: number, tag = 'f'): string[] {
  const all: string[] = [];
  for (let f = 0; f < files; f++) {
    const content = Array.from({ length: lines }, (_, i) => `${tag}${f} line ${i} ${'x'.repeat(i % 13)}`);
    publish(join(dir, `group-${f % 3}`, f % 2 === 0 ? '' : 'nested', `${tag}-${f}.txt`), `${content.join('\n')}\n`);
    all.push(...content);
  }
  // Left out by the default filter.
  writeFileSync(join(dir, '_SUCCESS'), 'never\n');
  writeFileSync(join(dir, '.hidden'), 'never\n');
  return all;
}

function sortedCopy(values: readonly string[]): string[] {
  return [...values].sort();
}

/** Compares sorted line lists by length and first difference (never prints the whole lists). */
function expectSameLines(actual: readonly string[], expected: readonly string[]): void {
  const at = actual.findIndex((line, i) => line !== expected[i]);
  expect({ length: actual.length, firstDifference: at, line: actual[at] }).toEqual({
    length: expected.length,
    firstDifference: actual.length > expected.length ? expected.length : -1,
    line: actual.length > expected.length ? actual[expected.length] : undefined,
  });
}

async function copy(args: string[], parallelism: number): Promise<RunResult> {
  return runJob({ job: JOB, args, parallelism });
}

/** Polls until `done()` or `timeoutMs`. */
async function waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('FileSource, PROCESS_ONCE', () => {
  it.each([1, 3])('copies the text lines of nested directories exactly once at parallelism %i', async (parallelism) => {
    const input = workDir();
    const output = workDir();
    const expected = textInput(input, 12, 2000);
    const result = await copy(['--input', input, '--output', output, '--checkpoints', workDir(), '--format', 'text'], parallelism);
    expectFinished(result);
    expectSameLines(finishedLines(output), sortedCopy(expected));
    // A bounded job finishes every part file.
    expect(hiddenFiles(output)).toEqual([]);
  });

  it('reads JSON lines and CSV with a header', async () => {
    const input = workDir();
    const records = Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `n"${i}`, tags: i % 3 === 0 ? ['a', 'b'] : [], nested: { ok: i % 2 === 0 } }));
    for (let f = 0; f < 3; f++) publish(join(input, 'json', `part-${f}.jsonl`), records.filter((r) => r.id % 3 === f).map((r) => JSON.stringify(r)).join('\n'));
    const rows = Array.from({ length: 3000 }, (_, i) => ({ id: String(i), text: i % 10 === 0 ? `multi\nline, "quoted" ${i}` : `plain ${i}` }));
    const csv = (part: typeof rows) => `id,text\n${part.map((r) => `${r.id},"${r.text.replaceAll('"', '""')}"`).join('\r\n')}\n`;
    publish(join(input, 'csv', 'a.csv'), csv(rows.slice(0, 1500)));
    publish(join(input, 'csv', 'b.csv'), csv(rows.slice(1500)));

    const jsonOut = workDir();
    expectFinished(await copy(['--input', join(input, 'json'), '--output', jsonOut, '--checkpoints', workDir(), '--format', 'json'], 2));
    expectSameLines(finishedLines(jsonOut), sortedCopy(records.map((r) => JSON.stringify(r))));

    const csvOut = workDir();
    expectFinished(await copy(['--input', join(input, 'csv'), '--output', csvOut, '--checkpoints', workDir(), '--format', 'csv'], 2));
    // The sink writes one line per record: JSON escapes the line breaks inside the text.
    expectSameLines(finishedLines(csvOut), sortedCopy(rows.map((r) => JSON.stringify(r))));
  });

  it('env.readFile(format, path, PROCESS_ONCE) reads the same files', async () => {
    const input = workDir();
    const output = workDir();
    const expected = textInput(input, 5, 300);
    expectFinished(await copy(['--input', input, '--output', output, '--legacy', 'true'], 2));
    expectSameLines(finishedLines(output), sortedCopy(expected));
  });

  it('restores from a checkpoint after a failure in the middle of the input: no line skipped or repeated', async () => {
    const input = workDir();
    const output = workDir();
    const markers = workDir();
    const expected = textInput(input, 20, 10_000);
    // Fails on a record that is not the first of its file (`f<n> line <i>` with i ≥ 1).
    const args = ['--input', input, '--output', output, '--checkpoints', workDir(), '--interval', '20', '--fail-after-checkpoint', 'true', '--fail-on', ' line [1-9]', '--markers', markers];
    const result = await copy(args, 2);
    expectFinished(result);
    expect(result.restarts).toBe(1);
    const faults = markerLines(markers, 'faults');
    expect(faults).toHaveLength(1);
    // The failure came in the middle of a file, before subtask 0 had read all it would.
    const [, seen, line] = /^fault after (\d+) records at f\d+ line (\d+) /.exec(faults[0]!)!.map(Number);
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(expected.length);
    expect(line).toBeGreaterThan(0);
    expectSameLines(finishedLines(output), sortedCopy(expected));
  });
});

describe('FileSource, PROCESS_CONTINUOUSLY', () => {
  it('reads files added while the job runs, each exactly once', async () => {
    const input = workDir();
    const output = workDir();
    const expected = textInput(input, 3, 500, 'w0-');
    const controller = new AbortController();
    const run = runJob({
      job: JOB,
      args: ['--input', input, '--output', output, '--checkpoints', workDir(), '--interval', '100', '--monitor', '50'],
      parallelism: 2,
      signal: controller.signal,
    });
    for (let wave = 1; wave <= 3; wave++) {
      await waitFor(() => finishedLines(output).length === expected.length, 30_000, `wave ${wave - 1}`);
      expected.push(...textInput(join(input, `wave-${wave}`), 2, 400, `w${wave}-`));
    }
    await waitFor(() => finishedLines(output).length >= expected.length, 30_000, 'the last wave');
    // Nothing more arrives: a file read twice would show up within a few listings.
    await new Promise((resolve) => setTimeout(resolve, 400));
    controller.abort();
    expect((await run).status).toBe('CANCELED');
    expectSameLines(finishedLines(output), sortedCopy(expected));
  });

  it('stops with a savepoint and goes on from it at another parallelism (2 -> 3): new files only, each once', async () => {
    const stateDir = workDir();
    const previous = process.env.FLINKTS_STATE_DIR;
    process.env.FLINKTS_STATE_DIR = stateDir;
    try {
      const input = workDir();
      const output = workDir();
      const expected = textInput(input, 6, 2000, 'a');
      const args = ['--input', input, '--output', output, '--checkpoints', workDir(), '--interval', '100', '--monitor', '50'];
      let jobId: string | undefined;
      const first = runJob({ job: JOB, args, parallelism: 2, onProgress: (p) => (jobId ??= p.jobId) });
      await waitFor(() => finishedLines(output).length === expected.length && jobId !== undefined, 30_000, 'the first files');
      const { savepointPath } = await stopJob({ jobId: jobId!, savepointPath: workDir() });
      expectFinished(await first);
      expect(savepointPath).toBeDefined();

      // Files that arrive while no job runs, and files that arrive after the restart.
      expected.push(...textInput(join(input, 'while-stopped'), 4, 1500, 'b'));
      const controller = new AbortController();
      const second = runJob({ job: JOB, args, parallelism: 3, fromSavepoint: savepointPath!, signal: controller.signal });
      await waitFor(() => finishedLines(output).length === expected.length, 30_000, 'the files added while stopped');
      expected.push(...textInput(join(input, 'after-restart'), 3, 700, 'c'));
      await waitFor(() => finishedLines(output).length >= expected.length, 30_000, 'the files added after the restart');
      await new Promise((resolve) => setTimeout(resolve, 400));
      controller.abort();
      expect((await second).status).toBe('CANCELED');
      expectSameLines(finishedLines(output), sortedCopy(expected));
    } finally {
      if (previous === undefined) delete process.env.FLINKTS_STATE_DIR;
      else process.env.FLINKTS_STATE_DIR = previous;
    }
  });
});
