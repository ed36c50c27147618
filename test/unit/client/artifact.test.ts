import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create as createTar, list as listTar } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { contentHash, type ArtifactManifest } from '../../../src/client/artifact.js';
import { compileJob } from '../../../src/client/compile.js';
import { describeJob } from '../../../src/client/info.js';
import { loadJob } from '../../../src/client/load-job.js';
import { packageVersion } from '../../../src/client/package-root.js';

let dir: string;
let job: string;
/** A valid artifact compiled once with -p 2 and job arguments. */
let artifact: string;
let compiledManifest: ArtifactManifest;

// The job names its map after --label, so the plan shows which arguments it was made with.
const JOB = `import { defineJob } from 'flinkts';
export default defineJob((env, params) => {
  env.fromSequence(1, 10).map((n: number) => n + 1).name('add ' + params.get('label', 'none')).print();
});
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-artifact-'));
  job = join(dir, 'job.ts');
  await writeFile(job, JOB);
  artifact = join(dir, 'job.tgz');
  compiledManifest = (await compileJob({ job, output: artifact, args: ['--label', 'one'], parallelism: 2 })).manifest;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The files of an artifact, read back. */
async function unpack(file: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  await listTar({
    file,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => files.set(entry.path, Buffer.concat(chunks)));
    },
  });
  return files;
}

/** Writes `files` (name → content; a `{ link }` value makes a symbolic link) into a fresh .tgz. */
async function pack(name: string, files: Record<string, Buffer | string | { link: string }>, options: { preservePaths?: boolean } = {}): Promise<string> {
  const staging = await mkdtemp(join(dir, 'staging-'));
  await mkdir(join(staging, 'sub'));
  const cwd = join(staging, 'sub');
  for (const [file, content] of Object.entries(files)) {
    if (typeof content === 'object' && 'link' in content) await symlink(content.link, join(cwd, file));
    else await writeFile(join(cwd, file), content);
  }
  const output = join(dir, name);
  await createTar({ gzip: true, file: output, cwd, portable: true, ...options }, Object.keys(files));
  return output;
}

async function validFiles(): Promise<Record<string, Buffer>> {
  return Object.fromEntries(await unpack(artifact));
}

async function loadError(path: string): Promise<FlinktsError> {
  const error = await loadJob(path).then(
    (loaded) => loaded.dispose().then(() => undefined),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlinktsError);
  expect((error as FlinktsError).code).toBe('INVALID_ARTIFACT');
  return error as FlinktsError;
}

describe('compileJob', () => {
  it('writes job.mjs, jobgraph.json and manifest.json, and nothing else', async () => {
    const files = await unpack(artifact);
    expect([...files.keys()].sort()).toEqual(['job.mjs', 'jobgraph.json', 'manifest.json']);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as ArtifactManifest;
    expect(manifest).toEqual(compiledManifest);
    expect(manifest).toMatchObject({
      format: 'flinkts-artifact',
      version: 1,
      entry: 'job.mjs',
      flinktsVersion: packageVersion(),
      contentHash: contentHash(files.get('job.mjs')!),
      jobName: 'job',
      jobArgs: ['--label', 'one'],
      settings: { defaultParallelism: 2, chainingEnabled: true },
    });
    expect(Date.parse(manifest.createdAt)).not.toBeNaN();
    const stored = JSON.parse(files.get('jobgraph.json')!.toString('utf8'));
    const { jobGraph } = await describeJob({ job, args: ['--label', 'one'], parallelism: 2 });
    expect(stored).toEqual(jobGraph);
  });

  it('refuses to compile an artifact', async () => {
    await expect(compileJob({ job: artifact, output: join(dir, 'again.tgz') })).rejects.toThrow(
      `${artifact} is already a compiled artifact; compile a .ts, .mts, .js or .mjs job file`,
    );
  });

  it('wants an output ending with .tgz in an existing directory', async () => {
    await expect(compileJob({ job, output: join(dir, 'job.zip') })).rejects.toThrow('an artifact file name must end with .tgz');
    await expect(compileJob({ job, output: join(dir, 'missing', 'job.tgz') })).rejects.toThrow(`the directory ${join(dir, 'missing')} does not exist`);
  });
});

describe('loading an artifact', () => {
  it('round-trips: the bundle, the manifest and the stored plan', async () => {
    const loaded = await loadJob(artifact);
    try {
      const files = await unpack(artifact);
      expect(loaded.artifact?.manifest).toEqual(compiledManifest);
      expect(loaded.artifact?.jobGraph).toEqual(JSON.parse(files.get('jobgraph.json')!.toString('utf8')));
      expect(await readFile(loaded.bundlePath)).toEqual(files.get('job.mjs'));
      expect(typeof loaded.definition.define).toBe('function');
    } finally {
      await loaded.dispose();
    }
  });

  it('describes an artifact without overrides by its stored plan, with stored arguments and settings', async () => {
    const { jobGraph } = await describeJob({ job: artifact });
    expect(jobGraph.vertices.map((v) => v.parallelism)).toContain(2);
    expect(jobGraph.vertices.flatMap((v) => v.operators.map((o) => o.name))).toContain('add one');
  });

  it('plans an artifact again from job.mjs when given overrides, keeping the stored arguments unless new ones are given', async () => {
    const rescaled = (await describeJob({ job: artifact, parallelism: 3 })).jobGraph;
    expect(rescaled.vertices.map((v) => v.parallelism)).toContain(3);
    expect(rescaled.vertices.flatMap((v) => v.operators.map((o) => o.name))).toContain('add one');
    const relabelled = (await describeJob({ job: artifact, args: ['--label', 'two'] })).jobGraph;
    expect(relabelled.vertices.flatMap((v) => v.operators.map((o) => o.name))).toContain('add two');
    expect(relabelled.jobName).toBe('job');
  });

  it('rejects a tampered job.mjs by its content hash', async () => {
    const files = await validFiles();
    const tampered = Buffer.concat([files['job.mjs']!, Buffer.from('\nconsole.log("owned");\n')]);
    const path = await pack('tampered.tgz', { ...files, 'job.mjs': tampered });
    const error = await loadError(path);
    expect(error.message).toBe(
      `${path}: job.mjs does not match the content hash of the manifest (expected ${compiledManifest.contentHash}, got ${contentHash(tampered)})`,
    );
  });

  it('rejects an artifact without a manifest', async () => {
    const { 'manifest.json': _manifest, ...rest } = await validFiles();
    const path = await pack('no-manifest.tgz', rest);
    expect((await loadError(path)).message).toBe(`${path}: the artifact has no manifest.json`);
  });

  it('rejects a manifest of another version or format', async () => {
    const files = await validFiles();
    const v2 = await pack('v2.tgz', { ...files, 'manifest.json': JSON.stringify({ ...compiledManifest, version: 2 }) });
    expect((await loadError(v2)).message).toBe(`${v2}: manifest.json has version 2; this flinkts reads version 1`);
    const other = await pack('other.tgz', { ...files, 'manifest.json': JSON.stringify({ ...compiledManifest, format: 'zip' }) });
    expect((await loadError(other)).message).toBe(`${other}: manifest.json has format "zip"; expected "flinkts-artifact"`);
    const broken = await pack('broken.tgz', { ...files, 'manifest.json': '{' });
    expect((await loadError(broken)).message).toMatch(new RegExp(`^${escape(broken)}: manifest.json is not valid JSON: `));
  });

  it('rejects a jobgraph.json that does not validate', async () => {
    const files = await validFiles();
    const graph = JSON.parse(files['jobgraph.json']!.toString('utf8'));
    graph.vertices[0].parallelism = 0;
    const path = await pack('bad-graph.tgz', { ...files, 'jobgraph.json': JSON.stringify(graph) });
    expect((await loadError(path)).message).toBe(`${path}: jobgraph.json /vertices/0/parallelism: must be >= 1`);
    const notJson = await pack('not-json.tgz', { ...files, 'jobgraph.json': 'nope' });
    expect((await loadError(notJson)).message).toMatch(new RegExp(`^${escape(notJson)}: jobgraph.json is not valid JSON: `));
  });

  it('rejects links, paths leaving the artifact and unexpected entries', async () => {
    const files = await validFiles();
    const linked = await pack('link.tgz', { 'manifest.json': files['manifest.json']!, 'jobgraph.json': files['jobgraph.json']!, 'job.mjs': { link: '/etc/passwd' } });
    expect((await loadError(linked)).message).toBe(`${linked}: entry 'job.mjs' is a link`);
    const escaping = await pack('escape.tgz', { ...files, '../escape.txt': 'x' }, { preservePaths: true });
    expect((await loadError(escaping)).message).toBe(`${escaping}: entry '../escape.txt' leaves the artifact ('..')`);
    const extra = await pack('extra.tgz', { ...files, 'extra.js': 'x' });
    expect((await loadError(extra)).message).toBe(
      `${extra}: unexpected entry 'extra.js' (an artifact holds manifest.json, job.mjs, jobgraph.json)`,
    );
  });

  it('rejects a file that is not a gzipped tar', async () => {
    const path = join(dir, 'text.tgz');
    await writeFile(path, 'not an archive at all, just some text that is long enough to be looked at');
    const error = await loadError(path);
    expect(error.message).toMatch(new RegExp(`^${escape(path)}: not a readable gzipped tar archive: `));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
