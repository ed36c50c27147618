/**
 * Command-line parsing through the built CLI (`npm test` builds first): strict
 * flags, missing arguments, job arguments after `--`, and the exit statuses
 * and one-line messages of usage and configuration errors.
 */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const WORDCOUNT = 'examples/wordcount.ts';

function flinkts(...args: string[]) {
  return execa('node', ['bin/run.js', ...args], { cwd: ROOT, reject: false, env: { CI: '1' } });
}

describe('CLI parsing', () => {
  it('rejects an unknown flag, naming it, with exit 2 and no stack', async () => {
    const result = await flinkts('info', WORDCOUNT, '--bogus');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('Error: Nonexistent flag: --bogus\nHint: see flinkts info --help');
    expect(result.stdout).toBe('');
  });

  it('rejects an unknown flag before -- but passes flags after it to the job', async () => {
    const before = await flinkts('info', WORDCOUNT, '--bogus', '--', '--input', 'README.md');
    expect(before.exitCode).toBe(2);
    expect(before.stderr).toContain('Nonexistent flag: --bogus');
    const after = await flinkts('info', WORDCOUNT, '--', '--input', 'README.md', '--bogus');
    expect(after.stderr).toBe('');
    expect(after.exitCode).toBe(0);
  });

  it('rejects a missing argument, naming it', async () => {
    const result = await flinkts('compile', '-o', 'x.tgz');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('Error: missing required argument JOB\nHint: see flinkts compile --help');
  });

  it('rejects a missing required flag', async () => {
    const result = await flinkts('compile', WORDCOUNT);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Missing required flag output');
  });

  it('rejects an unexpected extra argument', async () => {
    const result = await flinkts('info', WORDCOUNT, 'extra.ts');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe('Error: Unexpected argument: extra.ts\nHint: see flinkts info --help');
  });

  it('rejects -p 0', async () => {
    const result = await flinkts('info', '-p', '0', WORDCOUNT);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Expected an integer greater than or equal to 1 but received: 0');
  });

  it('rejects an unknown target, listing the supported ones', async () => {
    const result = await flinkts('run', '-t', 'yarn-session', WORDCOUNT, '--', '--input', 'README.md');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("Error: unknown target 'yarn-session'; supported targets: local");
  });

  it('relays a malformed -D and an unknown configuration key from the configuration', async () => {
    const malformed = await flinkts('info', '-D', 'parallelism.default', WORDCOUNT);
    expect(malformed.exitCode).toBe(2);
    expect(malformed.stderr).toBe("Error: -D 'parallelism.default': expected key=value\nHint: e.g. -D parallelism.default=4");
    const unknown = await flinkts('info', '-D', 'parallelism.defualt=2', WORDCOUNT);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("unknown configuration key 'parallelism.defualt'");
    expect(unknown.stderr).toContain("did you mean 'parallelism.default'?");
  });

  it('accepts -D more than once, each taking one value', async () => {
    const result = await flinkts('info', '--format', 'json', '-D', 'parallelism.default=2', '-D', 'pipeline.max-parallelism=64', WORDCOUNT, '--', '--input', 'README.md');
    expect(result.exitCode).toBe(0);
    const graph = JSON.parse(result.stdout) as { vertices: Array<{ parallelism: number; maxParallelism: number }> };
    expect(graph.vertices.map((v) => [v.parallelism, v.maxParallelism])).toEqual([
      [2, 64],
      [2, 64],
    ]);
  });

  it('reports a user error under --json as an error object on stdout', async () => {
    const result = await flinkts('info', '--json', 'no-such-job.ts');
    expect(result.exitCode).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'JOB_FILE', message: 'no-such-job.ts: no such file', exitCode: 1 } });
  });

  it('shows the stack only with --verbose', async () => {
    const plain = await flinkts('info', 'no-such-job.ts');
    expect(plain.stderr).toBe('Error: no-such-job.ts: no such file');
    const verbose = await flinkts('info', '--verbose', 'no-such-job.ts');
    expect(verbose.stderr).toMatch(/^Error: no-such-job\.ts: no such file\n\nFlinktsError: no-such-job\.ts: no such file\n {4}at /);
  });
});
