/**
 * `flinkts new` → `npm install` → `npm test` → `npx flinkts run` in the
 * generated project, as a user would. Slow: it installs vitest and
 * TypeScript (from the npm cache when possible).
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedRunningCounts, flinkts, printedLines } from './helpers.js';

const INSTALL_TIMEOUT_MS = 10 * 60_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-e2e-new-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('flinkts new', () => {
  it(
    'creates a wordcount project that installs, tests and runs against this checkout',
    async () => {
      const project = join(dir, 'word-count');
      const created = await flinkts(['new', project, '--template', 'wordcount']);
      expect(created.exitCode).toBe(0);
      expect(String(created.stdout)).toContain('Created word-count (template wordcount)');

      // npm_config_* from an enclosing `npm test` would leak into the project's npm.
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
      const inProject = { cwd: project, env: { ...env, CI: '1' }, extendEnv: false, reject: false, all: true } as const;

      const install = await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], inProject);
      expect(install.exitCode, String(install.all)).toBe(0);

      const test = await execa('npm', ['test'], inProject);
      expect(test.exitCode, String(test.all)).toBe(0);
      expect(String(test.all)).toMatch(/1 passed/);

      const text = 'Hello flinkts, hello Flink.\nHELLO again!\n';
      await writeFile(join(project, 'input.txt'), text);
      const run = await execa('npx', ['flinkts', 'run', 'src/job.ts', '--', '--input', 'input.txt'], { ...inProject, all: false, stripFinalNewline: false });
      expect(run.exitCode, String(run.stderr)).toBe(0);
      expect(printedLines(String(run.stdout))).toEqual(expectedRunningCounts(text));
      expect(String(run.stderr)).toMatch(/^Job 'word-count' \([0-9a-f]+\) FINISHED/);

      const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8'));
      const start = await execa('npm', ['start', '--silent'], { ...inProject, all: false });
      expect(start.exitCode, String(start.stderr)).toBe(0);
      expect(pkg.scripts.start).toBe('flinkts run src/job.ts -- --input README.md');
      expect(String(start.stdout)).toMatch(/^\(/m);
    },
    INSTALL_TIMEOUT_MS,
  );

  it('refuses a directory that is not empty', async () => {
    const taken = join(dir, 'taken');
    await flinkts(['new', taken]);
    const again = await flinkts(['new', taken]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe(`Error: ${taken} already exists and is not empty\nHint: choose a new directory name, or empty this one\n`);
  });
});
