import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { describeJob, type DescribeOptions } from '../../../src/client/info.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-info-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function jobFile(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `import { defineJob } from 'flinkts';\nexport default defineJob((env, params) => {\n${body}\n});\n`);
  return path;
}

async function describeError(options: DescribeOptions): Promise<FlinktsError> {
  const error = await describeJob(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlinktsError);
  return error as FlinktsError;
}

describe('describeJob', () => {
  it('plans with -p, -D and the job arguments', async () => {
    const job = await jobFile('ok.ts', "env.fromSequence(1, 10).map((n: number) => n).name(params.get('name', 'map')).print();");
    const { jobGraph } = await describeJob({ job, args: ['--name', 'renamed'], parallelism: 2, dynamicProperties: ['pipeline.max-parallelism=64'] });
    expect(jobGraph.jobName).toBe('ok');
    expect(jobGraph.vertices).toHaveLength(1);
    expect(jobGraph.vertices[0]).toMatchObject({ parallelism: 2, maxParallelism: 64, name: 'Source: Sequence Source -> renamed -> Sink: Print to Std. Out' });
  });

  it('names the job after pipeline.name', async () => {
    const job = await jobFile('named.ts', 'env.fromSequence(1, 10).print();');
    expect((await describeJob({ job, dynamicProperties: ['pipeline.name=nightly'] })).jobGraph.jobName).toBe('nightly');
  });

  it('prefixes errors of the definition with the job file', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['no-sink.ts', 'env.fromSequence(1, 10).map((n: number) => n);', 'INVALID_GRAPH', 'the job defines no sink, so it would compute nothing'],
      ['parallelism-0.ts', 'env.setParallelism(0);', 'JOB_DEFINITION', 'env.setParallelism(0): the parallelism must be a positive integer'],
      [
        'max-below.ts',
        'env.setParallelism(4); env.setMaxParallelism(2); env.fromSequence(1, 10).print();',
        'INVALID_GRAPH',
        "operator 'Source: Sequence Source': parallelism 4 exceeds its max parallelism 2",
      ],
      ['throws.ts', "throw new Error('not today');", 'JOB_DEFINITION', 'the job definition threw: not today'],
    ];
    for (const [name, body, code, message] of cases) {
      const job = await jobFile(name, body);
      const error = await describeError({ job });
      expect([error.code, error.message]).toEqual([code, `${job}: ${message}`]);
    }
  });

  it('reports configuration problems before loading the job', async () => {
    const missing = join(dir, 'not-there.ts');
    const malformed = await describeError({ job: missing, dynamicProperties: ['parallelism.default'] });
    expect([malformed.code, malformed.message]).toEqual(['USAGE', "-D 'parallelism.default': expected key=value"]);
    const unknown = await describeError({ job: missing, dynamicProperties: ['parallelism.defualt=2'] });
    expect(unknown.code).toBe('CONFIG');
    expect(unknown.message).toContain("unknown configuration key 'parallelism.defualt'");
    expect(`${unknown.message} ${unknown.hint ?? ''}`).toContain("did you mean 'parallelism.default'?");
    const file = join(dir, 'flinkts-conf.yaml');
    await writeFile(file, 'pipeline.name: nightly\nparallelism.default: two\n');
    const badFile = await describeError({ job: missing, configFile: file });
    expect(badFile.code).toBe('CONFIG');
    expect(badFile.message.startsWith(`${file}:2:22: parallelism.default`)).toBe(true);
  });
});
