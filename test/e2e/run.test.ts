/** `flinkts run` driven through the built CLI: real jobs on the embedded local cluster, outputs checked exactly. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/client/run.js';
import { expectedRunningCounts, flinkts, printedLines, ROOT, WORDS } from './helpers.js';

const WORDCOUNT = 'examples/wordcount.ts';
let dir: string;
let expected: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-e2e-run-'));
  expected = expectedRunningCounts(await readFile(join(ROOT, WORDS), 'utf8'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('flinkts run', () => {
  it('counts words: exactly the running counts, then a summary on stderr', async () => {
    const result = await flinkts(['run', WORDCOUNT, '--', '--input', WORDS]);
    expect(result.exitCode).toBe(0);
    expect(printedLines(String(result.stdout))).toEqual(expected);
    const stderr = String(result.stderr);
    expect(stderr).toMatch(/^Job 'WordCount' \([0-9a-f]+\) FINISHED in [0-9.]+ m?s\n {2}Vertex +Parallelism +Records in +Records out\n/);
    expect(stderr).toMatch(new RegExp(`Source: readTextFile\\(${WORDS.replace(/\./g, '\\.')}\\) -> tokenizer +1 +\\d+ +${expected.length}\\n`));
    expect(stderr).toMatch(new RegExp(`counter -> Sink: Print to Std\\. Out +1 +${expected.length} +${expected.length}\\n`));
  });

  it('counts the same words at parallelism 2', async () => {
    const result = await flinkts(['run', '-p', '2', WORDCOUNT, '--', '--input', WORDS]);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout)).toMatch(/^[12]> \(/);
    expect(printedLines(String(result.stdout))).toEqual(expected);
  });

  it('runs a compiled artifact with its stored arguments to the same output', async () => {
    const artifact = join(dir, 'wordcount.tgz');
    const compiled = await flinkts(['compile', '-p', '2', WORDCOUNT, '-o', artifact, '--', '--input', WORDS]);
    expect(compiled.exitCode).toBe(0);
    const result = await flinkts(['run', artifact]);
    expect(result.stderr).toMatch(/FINISHED/);
    expect(result.exitCode).toBe(0);
    expect(printedLines(String(result.stdout))).toEqual(expected);
  });

  it('writes to --output instead of printing', async () => {
    const output = join(dir, 'counts.txt');
    const result = await flinkts(['run', WORDCOUNT, '--', '--input', WORDS, '--output', output]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    expect(printedLines(await readFile(output, 'utf8'))).toEqual(expected);
  });

  it('prints only the RunResult on stdout under --json', async () => {
    const result = await flinkts(['run', '--json', WORDCOUNT, '--', '--input', WORDS]);
    expect(result.exitCode).toBe(0);
    const run = JSON.parse(String(result.stdout)) as RunResult;
    expect(run).toMatchObject({ jobName: 'WordCount', status: 'FINISHED' });
    expect(run.vertices.map((v) => [v.name, v.parallelism, v.recordsOut])).toEqual([
      [`Source: readTextFile(${WORDS}) -> tokenizer`, 1, expected.length],
      ['counter -> Sink: Print to Std. Out', 1, expected.length],
    ]);
    // What the job prints goes to stderr, so stdout stays one JSON document.
    expect(printedLines(String(result.stderr))).toEqual(expected);
  });

  it('fails with exit 1 when a user function throws, naming the operator and subtask', async () => {
    const result = await flinkts(['run', 'test/e2e/fixtures/failing-map.ts']);
    expect(result.exitCode).toBe(1);
    const stderr = String(result.stderr);
    expect(stderr).toMatch(/^Job 'failing-map' \([0-9a-f]+\) FAILED in /);
    expect(stderr).toContain("Error: job 'failing-map' failed: fragile map (subtask 0): cannot handle 3\n");
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('shows the stack of the failure with --verbose, and FAILED under --json', async () => {
    const verbose = await flinkts(['run', '--verbose', 'test/e2e/fixtures/failing-map.ts']);
    expect(verbose.exitCode).toBe(1);
    expect(String(verbose.stderr)).toMatch(/\n\s+at /);
    const json = await flinkts(['run', '--json', 'test/e2e/fixtures/failing-map.ts']);
    expect(json.exitCode).toBe(1);
    const run = JSON.parse(String(json.stdout)) as RunResult;
    expect(run).toMatchObject({ jobName: 'failing-map', status: 'FAILED', error: { operator: 'fragile map', subtask: 0 } });
    expect(run.error?.message).toContain('cannot handle 3');
  });

  it('fails with one line naming the file for a job that does not exist', async () => {
    const result = await flinkts(['run', 'no-such-job.ts']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe('Error: no-such-job.ts: no such file\n');
  });
});
