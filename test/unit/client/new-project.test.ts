import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { createProject, substitute, toPackageName } from '../../../src/client/new-project.js';
import { packageJson, packageRoot, packageVersion } from '../../../src/client/package-root.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-new-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const FILES = ['.gitignore', 'README.md', 'package.json', 'src/job.ts', 'test/job.test.ts', 'tsconfig.json'];

describe('createProject', () => {
  it.each(['basic', 'wordcount'])('creates the %s template with every placeholder substituted', async (template) => {
    const directory = join(dir, `My ${template} Job`);
    const result = await createProject({ directory, template });
    expect(result).toEqual({ directory, template, packageName: `my-${template}-job`, files: FILES });
    for (const file of FILES) {
      expect(await readFile(join(directory, file), 'utf8')).not.toMatch(/\{\{|\}\}/);
    }
    const pkg = JSON.parse(await readFile(join(directory, 'package.json'), 'utf8'));
    const dev = packageJson().devDependencies ?? {};
    expect(pkg).toMatchObject({
      name: `my-${template}-job`,
      type: 'module',
      private: true,
      dependencies: { flinkts: `file:${packageRoot()}` },
      devDependencies: { vitest: dev.vitest, typescript: dev.typescript, '@types/node': dev['@types/node'] },
      scripts: { test: 'vitest run' },
    });
    expect(pkg.devDependencies.vitest).toMatch(/^\^4\./);
    expect(pkg.devDependencies.typescript).toMatch(/^~5\.9/);
    expect(pkg.devDependencies['@types/node']).toMatch(/^\^20\./);
    expect(pkg.scripts.start).toMatch(/^flinkts run src\/job\.ts -- /);
    expect(pkg.scripts.info).toMatch(/^flinkts info src\/job\.ts/);
    const job = await readFile(join(directory, 'src/job.ts'), 'utf8');
    expect(job).toContain("import { defineJob } from 'flinkts';");
    expect(job).toContain(`env.execute('my-${template}-job');`);
    const test = await readFile(join(directory, 'test/job.test.ts'), 'utf8');
    expect(test).toContain("import { runJob } from 'flinkts/client';");
    expect(test).toContain("'--output'");
    expect(await readFile(join(directory, 'README.md'), 'utf8')).toContain(`# my-${template}-job`);
    expect(await readFile(join(directory, 'README.md'), 'utf8')).toContain(`flinkts ${packageVersion()}`);
    expect(JSON.parse(await readFile(join(directory, 'tsconfig.json'), 'utf8')).compilerOptions.strict).toBe(true);
  });

  it('defaults to the basic template and accepts an existing empty directory', async () => {
    const directory = join(dir, 'empty');
    await mkdir(directory);
    const result = await createProject({ directory });
    expect(result.template).toBe('basic');
    expect(await readFile(join(directory, 'src/job.ts'), 'utf8')).toContain('fromSequence');
  });

  it('refuses a non-empty directory', async () => {
    const directory = join(dir, 'taken');
    await mkdir(directory);
    await writeFile(join(directory, 'notes.txt'), 'mine');
    const error = await createProject({ directory }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('USAGE');
    expect((error as FlinktsError).message).toBe(`${directory} already exists and is not empty`);
  });

  it('refuses an unknown template', async () => {
    await expect(createProject({ directory: join(dir, 'x'), template: 'kafka' })).rejects.toThrow(
      "unknown template 'kafka'; available templates: basic, wordcount",
    );
  });
});

describe('substitute', () => {
  it('escapes values in JSON files', () => {
    expect(substitute('"{{path}}"', { path: 'C:\\a "b"' }, true, 'x.json')).toBe('"C:\\\\a \\"b\\""');
    expect(substitute('{{ path }}', { path: 'C:\\a' }, false, 'x.md')).toBe('C:\\a');
  });

  it('fails on an unknown placeholder, naming the template file', () => {
    expect(() => substitute('{{nope}}', {}, false, 'templates/basic/README.md.tmpl')).toThrow(
      'templates/basic/README.md.tmpl: unknown placeholder {{nope}}',
    );
  });
});

describe('toPackageName', () => {
  it.each([
    ['my-job', 'my-job'],
    ['My Job!', 'my-job'],
    ['.hidden', 'hidden'],
    ['!!!', 'flinkts-job'],
  ])('%s → %s', (input, expected) => {
    expect(toPackageName(input)).toBe(expected);
  });
});
