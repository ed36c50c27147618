import { lstat, mkdtemp, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { isJobDefinition } from '../../../src/api/job.js';
import { loadJob, packageRoot } from '../../../src/client/load-job.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
let dir: string;

/** Writes `name` with `source` into the test directory and returns its path. */
async function jobFile(name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, source);
  return path;
}

/** The FlinktsError `loadJob(path)` rejects with. */
async function loadError(path: string): Promise<FlinktsError> {
  const error = await loadJob(path).then(
    (job) => job.dispose().then(() => undefined),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlinktsError);
  return error as FlinktsError;
}

const VALID = `import { defineJob } from 'flinkts';
export default defineJob((env) => {
  env.fromElements(1, 2, 3).map((n: number) => n * 2).print();
});
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-load-job-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('packageRoot', () => {
  it('is the folder of the flinkts package.json', () => {
    expect(packageRoot()).toBe(ROOT);
  });
});

describe('loadJob', () => {
  it('bundles a .ts job with flinkts external and a node_modules/flinkts link to this package', async () => {
    const path = await jobFile('valid.ts', VALID);
    const job = await loadJob(path);
    try {
      expect(job.sourcePath).toBe(path);
      expect(job.artifact).toBeUndefined();
      expect(isJobDefinition(job.definition)).toBe(true);
      expect(job.bundlePath).toMatch(/job\.mjs$/);
      const link = join(job.bundlePath, '..', 'node_modules', 'flinkts');
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(await readlink(link)).toBe(ROOT);
      const { readFile } = await import('node:fs/promises');
      const bundle = await readFile(job.bundlePath, 'utf8');
      expect(bundle).toMatch(/from ["']flinkts["']/);
      expect(bundle).toContain('sourceMappingURL=data:application/json');
    } finally {
      await job.dispose();
    }
    await expect(stat(job.bundlePath)).rejects.toThrow();
  });

  it('inlines the job’s own imports and accepts .mjs and .mts', async () => {
    await jobFile('helper.ts', 'export const double = (n: number): number => n * 2;\n');
    const mts = await jobFile('with-helper.mts', VALID.replace('(n: number) => n * 2', 'double').replace("from 'flinkts';", "from 'flinkts';\nimport { double } from './helper.js';"));
    const mjs = await jobFile('plain.mjs', VALID.replace('(n: number)', '(n)'));
    for (const path of [mts, mjs]) {
      const job = await loadJob(path);
      expect(isJobDefinition(job.definition)).toBe(true);
      await job.dispose();
    }
  });

  it('rejects a missing file', async () => {
    const error = await loadError(join(dir, 'missing.ts'));
    expect(error.code).toBe('JOB_FILE');
    expect(error.message).toBe(`${join(dir, 'missing.ts')}: no such file`);
  });

  it('rejects a directory', async () => {
    const error = await loadError(dir);
    expect(error.code).toBe('JOB_FILE');
    expect(error.message).toBe(`${dir} is a directory; expected a .ts, .mts, .js, .mjs job file or a .tgz artifact`);
  });

  it('rejects an unsupported extension', async () => {
    const path = await jobFile('job.py', 'print("hi")\n');
    const error = await loadError(path);
    expect(error.code).toBe('JOB_FILE');
    expect(error.message).toBe(`${path} has the unsupported extension '.py'; expected a .ts, .mts, .js, .mjs job file or a .tgz artifact`);
  });

  it("reports esbuild's file:line:column and text for a job that does not compile", async () => {
    const path = await jobFile('syntax.ts', "import { defineJob } from 'flinkts';\nconst a = 1;\nlet b = 2 x;\n");
    const error = await loadError(path);
    expect(error.code).toBe('JOB_COMPILE');
    // esbuild names the file relative to the working directory, with its 0-based column.
    expect(error.message).toBe(`${relative(process.cwd(), path)}:3:10: Expected ";" but found "x"`);
  });

  it('names the imported file that fails to resolve', async () => {
    const path = await jobFile('bad-import.ts', "import { nothing } from './no-such-module.js';\nexport default nothing;\n");
    const error = await loadError(path);
    expect(error.code).toBe('JOB_COMPILE');
    expect(error.message).toBe(`${relative(process.cwd(), path)}:1:24: Could not resolve "./no-such-module.js"`);
  });

  it('rejects a module without a default export', async () => {
    const path = await jobFile('no-default.ts', 'export const x = 1;\n');
    const error = await loadError(path);
    expect(error.code).toBe('JOB_FILE');
    expect(error.message).toBe(`${path} has no default export; end it with export default defineJob(...)`);
  });

  it('rejects a default export not made with defineJob', async () => {
    const path = await jobFile('not-defined.ts', 'export default (env: unknown) => env;\n');
    const error = await loadError(path);
    expect(error.code).toBe('JOB_FILE');
    expect(error.message).toBe(`${path}: the default export is a function, not a job definition; wrap it with defineJob(...)`);
    expect(error.hint).toContain('export default defineJob(');
  });

  it('reports an error thrown while the module loads, with the stack in the cause pointing into the job file', async () => {
    const path = await jobFile(
      'throws.ts',
      "import { defineJob } from 'flinkts';\nfunction boom(): never {\n  throw new Error('kaboom');\n}\nboom();\nexport default defineJob(() => {});\n",
    );
    const error = await loadError(path);
    expect(error.code).toBe('JOB_DEFINITION');
    expect(error.message).toBe(`${path} threw while loading: kaboom`);
    expect((error.cause as Error).stack).toContain(`${path}:3:`);
  });

  it('keeps the code of a flinkts error thrown while the module loads and names the file', async () => {
    const path = await jobFile(
      'usage.ts',
      "import { defineJob, ParameterTool } from 'flinkts';\nParameterTool.fromArgs([]).getRequired('input');\nexport default defineJob(() => {});\n",
    );
    const error = await loadError(path);
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe(`${path}: no value for required job argument --input`);
  });
});
