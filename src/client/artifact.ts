/**
 * The job artifact of DESIGN §4.3: a gzipped tar holding `job.mjs` (the
 * bundle), `jobgraph.json` (the plan) and `manifest.json` (what it is, which
 * flinkts made it, the content hash of the bundle). Reading one trusts
 * nothing: only the three expected regular files are accepted, and the
 * bundle must match the hash the manifest records.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { create as createTar, list as listTar, type ReadEntry } from 'tar';
import type { EnvironmentSettings } from '../api/environment.js';
import { FlinktsError } from '../api/errors.js';
import type { JobGraph } from '../graph/job-graph.js';
import { parseJobGraph } from '../graph/validate.js';

/** `manifest.json` `format`. */
export const ARTIFACT_FORMAT = 'flinkts-artifact';
/** `manifest.json` `version`; bump it on any incompatible change of the layout. */
export const ARTIFACT_VERSION = 1;
/** The bundle inside the artifact. */
export const ARTIFACT_ENTRY = 'job.mjs';
/** The plan inside the artifact. */
export const ARTIFACT_JOB_GRAPH = 'jobgraph.json';
/** The manifest inside the artifact. */
export const ARTIFACT_MANIFEST = 'manifest.json';

/** Largest total size of the files in an artifact; guards against decompression bombs. */
const MAX_ARTIFACT_BYTES = 512 * 1024 * 1024;

/** `manifest.json`: what the artifact is and how it was made. */
export interface ArtifactManifest {
  readonly format: typeof ARTIFACT_FORMAT;
  readonly version: typeof ARTIFACT_VERSION;
  /** The bundle to import: always `job.mjs`. */
  readonly entry: typeof ARTIFACT_ENTRY;
  /** The flinkts version that compiled the job. */
  readonly flinktsVersion: string;
  /** `sha256:<hex>` of the bundle's bytes. */
  readonly contentHash: string;
  /** ISO-8601 time of compilation. */
  readonly createdAt: string;
  /** The job name of the stored plan. */
  readonly jobName: string;
  /** The job arguments the plan was made with; used when a run gives none. */
  readonly jobArgs: readonly string[];
  /** The environment settings the plan was made with, so tasks re-create the very same graph. */
  readonly settings: EnvironmentSettings;
}

/** The three files of an artifact. */
export interface ArtifactContents {
  readonly manifest: ArtifactManifest;
  readonly jobGraph: JobGraph;
  /** The bundle's bytes. */
  readonly bundle: Buffer;
}

/** `sha256:<hex>` of `bytes`. */
export function contentHash(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Writes an artifact to `output` atomically: the tar is written next to it
 * under a temporary name and renamed into place.
 */
export async function writeArtifact(output: string, contents: ArtifactContents): Promise<void> {
  const staging = await mkdtemp(join(dirname(output), `.${basename(output)}-`));
  try {
    await writeFile(join(staging, ARTIFACT_MANIFEST), JSON.stringify(contents.manifest, null, 2) + '\n');
    await writeFile(join(staging, ARTIFACT_ENTRY), contents.bundle);
    await writeFile(join(staging, ARTIFACT_JOB_GRAPH), JSON.stringify(contents.jobGraph, null, 2) + '\n');
    const partial = join(staging, 'artifact.tgz');
    await createTar({ gzip: true, file: partial, cwd: staging, portable: true }, [ARTIFACT_MANIFEST, ARTIFACT_ENTRY, ARTIFACT_JOB_GRAPH]);
    await rename(partial, output);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Reads and checks the artifact at `file`; `sourcePath` names it in errors.
 * Throws INVALID_ARTIFACT for anything but a complete, untampered artifact of
 * a supported version.
 */
export async function readArtifact(file: string, sourcePath: string): Promise<ArtifactContents> {
  const files = await readEntries(file, sourcePath);
  const fail = (problem: string, hint?: string): never => {
    throw new FlinktsError('INVALID_ARTIFACT', `${sourcePath}: ${problem}`, hint === undefined ? {} : { hint });
  };
  for (const name of [ARTIFACT_MANIFEST, ARTIFACT_ENTRY, ARTIFACT_JOB_GRAPH]) {
    if (!files.has(name)) fail(`the artifact has no ${name}`, 'create artifacts with flinkts compile');
  }
  const manifest = parseManifest(files.get(ARTIFACT_MANIFEST)!.toString('utf8'), sourcePath);
  const bundle = files.get(ARTIFACT_ENTRY)!;
  const actual = contentHash(bundle);
  if (actual !== manifest.contentHash) {
    fail(`${ARTIFACT_ENTRY} does not match the content hash of the manifest (expected ${manifest.contentHash}, got ${actual})`, 'the artifact was modified or corrupted; compile the job again');
  }
  let graphJson: unknown;
  try {
    graphJson = JSON.parse(files.get(ARTIFACT_JOB_GRAPH)!.toString('utf8'));
  } catch (error) {
    fail(`${ARTIFACT_JOB_GRAPH} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { manifest, jobGraph: parseJobGraph(graphJson, sourcePath), bundle };
}

/** Validates `manifest.json`. */
export function parseManifest(text: string, sourcePath: string): ArtifactManifest {
  const fail = (problem: string): never => {
    throw new FlinktsError('INVALID_ARTIFACT', `${sourcePath}: ${ARTIFACT_MANIFEST} ${problem}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('is not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.format !== ARTIFACT_FORMAT) fail(`has format ${JSON.stringify(m.format)}; expected "${ARTIFACT_FORMAT}"`);
  if (m.version !== ARTIFACT_VERSION) {
    fail(`has version ${JSON.stringify(m.version)}; this flinkts reads version ${ARTIFACT_VERSION}`);
  }
  if (m.entry !== ARTIFACT_ENTRY) fail(`has entry ${JSON.stringify(m.entry)}; expected "${ARTIFACT_ENTRY}"`);
  for (const key of ['flinktsVersion', 'createdAt', 'jobName'] as const) {
    if (typeof m[key] !== 'string') fail(`has no string field "${key}"`);
  }
  if (typeof m.contentHash !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(m.contentHash)) {
    fail('has no field "contentHash" of the form sha256:<64 hex digits>');
  }
  if (!Array.isArray(m.jobArgs) || !m.jobArgs.every((a) => typeof a === 'string')) fail('has no string array field "jobArgs"');
  return { ...(m as unknown as ArtifactManifest), settings: parseSettings(m.settings, fail) };
}

function parseSettings(value: unknown, fail: (problem: string) => never): EnvironmentSettings {
  if (typeof value !== 'object' || value === null) return fail('has no object field "settings"');
  const s = value as Record<string, unknown>;
  const positive = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  if (!positive(s.defaultParallelism)) fail('has no positive integer "settings.defaultParallelism"');
  if (s.maxParallelism !== undefined && !positive(s.maxParallelism)) fail('has a "settings.maxParallelism" that is not a positive integer');
  if (s.chainingEnabled !== undefined && typeof s.chainingEnabled !== 'boolean') fail('has a "settings.chainingEnabled" that is not a boolean');
  return {
    defaultParallelism: s.defaultParallelism as number,
    ...(s.maxParallelism === undefined ? {} : { maxParallelism: s.maxParallelism as number }),
    ...(s.chainingEnabled === undefined ? {} : { chainingEnabled: s.chainingEnabled as boolean }),
  };
}

/** The regular files of the tar, by name; rejects links, unsafe paths, unexpected and duplicate entries. */
async function readEntries(file: string, sourcePath: string): Promise<Map<string, Buffer>> {
  const expected = new Set([ARTIFACT_MANIFEST, ARTIFACT_ENTRY, ARTIFACT_JOB_GRAPH]);
  const files = new Map<string, Buffer>();
  let problem: string | undefined;
  let total = 0;
  const onReadEntry = (entry: ReadEntry): void => {
    const reject = (why: string): void => {
      problem ??= why;
      entry.resume();
    };
    const name = entry.path.replace(/^\.\//, '');
    if (entry.path.startsWith('/') || /^[a-zA-Z]:/.test(entry.path)) return reject(`entry '${entry.path}' has an absolute path`);
    if (entry.path.split(/[\\/]/).includes('..')) return reject(`entry '${entry.path}' leaves the artifact ('..')`);
    if (entry.type === 'Directory' && (name === '' || name === '.')) return void entry.resume();
    if (entry.type === 'SymbolicLink' || entry.type === 'Link') return reject(`entry '${entry.path}' is a link`);
    if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') {
      return reject(`entry '${entry.path}' is a ${entry.type}, not a regular file`);
    }
    if (!expected.has(name)) return reject(`unexpected entry '${entry.path}' (an artifact holds ${[...expected].join(', ')})`);
    if (files.has(name)) return reject(`entry '${name}' occurs twice`);
    total += entry.size;
    if (total > MAX_ARTIFACT_BYTES) return reject(`the artifact is larger than ${MAX_ARTIFACT_BYTES / 1024 / 1024} MiB unpacked`);
    const chunks: Buffer[] = [];
    entry.on('data', (chunk: Buffer) => chunks.push(chunk));
    entry.on('end', () => files.set(name, Buffer.concat(chunks)));
  };
  try {
    await listTar({ file, strict: true, onReadEntry });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new FlinktsError('INVALID_ARTIFACT', `${sourcePath}: not a readable gzipped tar archive: ${reason}`, {
      cause: error,
      hint: 'create artifacts with flinkts compile',
    });
  }
  if (problem !== undefined) throw new FlinktsError('INVALID_ARTIFACT', `${sourcePath}: ${problem}`);
  return files;
}
