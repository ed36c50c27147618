/**
 * `flinkts compile`: bundle and plan a job and write the artifact of DESIGN
 * §4.3 (`job.tgz` with `job.mjs`, `jobgraph.json`, `manifest.json`), which
 * `run` and `info` accept in place of the source.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FlinktsError } from '../api/errors.js';
import { ARTIFACT_ENTRY, ARTIFACT_FORMAT, ARTIFACT_VERSION, contentHash, writeArtifact, type ArtifactManifest } from './artifact.js';
import { ARTIFACT_EXTENSION, isArtifactPath } from './load-job.js';
import { packageVersion } from './package-root.js';
import { prepareJob, type JobRequest } from './prepare.js';

/** What `flinkts compile` is asked to do. */
export interface CompileOptions extends JobRequest {
  /** Where to write the artifact; must end with `.tgz`. An existing file is replaced. */
  readonly output: string;
}

/** The result of {@link compileJob} (and of `flinkts compile --json`). */
export interface CompileResult {
  /** Absolute path of the written artifact. */
  readonly path: string;
  readonly manifest: ArtifactManifest;
}

/**
 * Bundles and plans the job and writes the artifact.
 *
 * @throws FlinktsError USAGE for a `.tgz` input or an output not ending with
 *   `.tgz` or in a missing directory; otherwise as {@link prepareJob}.
 */
export async function compileJob(options: CompileOptions): Promise<CompileResult> {
  if (isArtifactPath(options.job)) {
    throw new FlinktsError('USAGE', `${options.job} is already a compiled artifact; compile a .ts, .mts, .js or .mjs job file`);
  }
  const output = resolve(options.output);
  await checkOutput(options.output, output);
  const prepared = await prepareJob(options);
  try {
    const bundle = await readFile(prepared.job.bundlePath);
    const manifest: ArtifactManifest = {
      format: ARTIFACT_FORMAT,
      version: ARTIFACT_VERSION,
      entry: ARTIFACT_ENTRY,
      flinktsVersion: packageVersion(),
      contentHash: contentHash(bundle),
      createdAt: new Date().toISOString(),
      jobName: prepared.jobGraph.jobName,
      jobArgs: [...prepared.args],
      settings: prepared.settings,
    };
    await writeArtifact(output, { manifest, jobGraph: prepared.jobGraph, bundle });
    return { path: output, manifest };
  } finally {
    await prepared.dispose();
  }
}

async function checkOutput(given: string, output: string): Promise<void> {
  if (!output.toLowerCase().endsWith(ARTIFACT_EXTENSION)) {
    throw new FlinktsError('USAGE', `output ${given}: an artifact file name must end with ${ARTIFACT_EXTENSION}`, {
      hint: 'e.g. -o job.tgz',
    });
  }
  const parent = dirname(output);
  const stats = await stat(parent).catch(() => undefined);
  if (stats === undefined || !stats.isDirectory()) {
    throw new FlinktsError('USAGE', `output ${given}: the directory ${parent} does not exist`);
  }
  const existing = await stat(output).catch(() => undefined);
  if (existing?.isDirectory() === true) {
    throw new FlinktsError('USAGE', `output ${given} is a directory; name the artifact file, e.g. ${given}/job.tgz`);
  }
}
