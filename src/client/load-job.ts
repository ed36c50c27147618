/**
 * Turns what the user named (`job.ts`, `job.mjs`, `job.tgz`) into an imported
 * job definition: bundled (or unpacked from an artifact) into a private temp
 * directory as `job.mjs`, next to a `node_modules/flinkts` link to this
 * package, so the bundle's `import 'flinkts'` yields the same module instances
 * the runtime uses. Worker threads import the same `bundlePath`.
 */
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlinktsError } from '../api/errors.js';
import { isJobDefinition, type JobDefinition } from '../api/job.js';
import type { JobGraph } from '../graph/job-graph.js';
import { ARTIFACT_ENTRY, readArtifact, type ArtifactManifest } from './artifact.js';
import { bundleJob } from './bundle.js';
import { isFlinktsError, prefixError } from './flinkts-error.js';
import { packageRoot } from './package-root.js';

export { packageRoot } from './package-root.js';

/** Extensions of job source files, bundled with esbuild. */
export const SOURCE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.js', '.mjs'];
/** The extension of compiled job artifacts. */
export const ARTIFACT_EXTENSION = '.tgz';

/** A job ready to plan or run. Call {@link LoadedJob.dispose} when done. */
export interface LoadedJob {
  /** What the user named (for messages). */
  readonly sourcePath: string;
  /** Absolute path of `job.mjs`; importable by worker threads too. */
  readonly bundlePath: string;
  readonly definition: JobDefinition;
  /** Set when the job was loaded from a `.tgz` artifact. */
  readonly artifact?: { readonly manifest: ArtifactManifest; readonly jobGraph: JobGraph };
  /** Removes the temp directory. */
  dispose(): Promise<void>;
}

/** Whether `path` names a compiled artifact rather than a source file. */
export function isArtifactPath(path: string): boolean {
  return extname(path).toLowerCase() === ARTIFACT_EXTENSION;
}

/**
 * Loads the job at `path` (relative to the working directory). Throws a
 * {@link FlinktsError} naming the file for a missing file, a directory, an
 * unsupported extension, a compile error, a broken artifact, a module without
 * a `defineJob` default export, or an error thrown while the module loads.
 */
export async function loadJob(path: string): Promise<LoadedJob> {
  const absolute = resolve(path);
  await checkJobFile(path, absolute);
  const dir = await mkdtemp(join(tmpdir(), 'flinkts-job-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    // Bundles carry inline source maps; let stack traces use them.
    process.setSourceMapsEnabled(true);
    await symlinkPackage(dir);
    const bundlePath = join(dir, ARTIFACT_ENTRY);
    let artifact: LoadedJob['artifact'];
    if (isArtifactPath(path)) {
      const contents = await readArtifact(absolute, path);
      await writeFile(bundlePath, contents.bundle);
      artifact = { manifest: contents.manifest, jobGraph: contents.jobGraph };
    } else {
      await bundleJob(absolute, bundlePath, path);
    }
    const definition = await importDefinition(bundlePath, path);
    return { sourcePath: path, bundlePath, definition, ...(artifact === undefined ? {} : { artifact }), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

async function checkJobFile(path: string, absolute: string): Promise<void> {
  let stats;
  try {
    stats = await stat(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new FlinktsError('JOB_FILE', `${path}: no such file`, { cause: error });
    }
    throw new FlinktsError('JOB_FILE', `${path}: cannot read it: ${(error as Error).message}`, { cause: error });
  }
  const accepted = `${SOURCE_EXTENSIONS.join(', ')} job file or a ${ARTIFACT_EXTENSION} artifact`;
  if (stats.isDirectory()) {
    throw new FlinktsError('JOB_FILE', `${path} is a directory; expected a ${accepted}`);
  }
  const extension = extname(path).toLowerCase();
  if (extension !== ARTIFACT_EXTENSION && !SOURCE_EXTENSIONS.includes(extension)) {
    const what = extension === '' ? 'has no extension' : `has the unsupported extension '${extension}'`;
    throw new FlinktsError('JOB_FILE', `${path} ${what}; expected a ${accepted}`);
  }
}

/** `node_modules/flinkts` → this package, so the bundle's bare `flinkts` imports resolve to it. */
async function symlinkPackage(dir: string): Promise<void> {
  const modules = join(dir, 'node_modules');
  await mkdir(modules);
  // 'junction' matters on Windows only (no privilege needed); POSIX ignores it.
  await symlink(packageRoot(), join(modules, 'flinkts'), 'junction');
}

async function importDefinition(bundlePath: string, sourcePath: string): Promise<JobDefinition> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
  } catch (error) {
    if (isFlinktsError(error)) throw prefixError(sourcePath, error);
    const reason = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    throw new FlinktsError('JOB_DEFINITION', `${sourcePath} threw while loading: ${reason}`, {
      cause: error,
      hint: 'run with --verbose to see where',
    });
  }
  if (!('default' in module) || module.default === undefined) {
    throw new FlinktsError('JOB_FILE', `${sourcePath} has no default export; end it with export default defineJob(...)`);
  }
  if (!isJobDefinition(module.default)) {
    throw new FlinktsError(
      'JOB_FILE',
      `${sourcePath}: the default export is ${describe(module.default)}, not a job definition; wrap it with defineJob(...)`,
      { hint: "export default defineJob((env, params) => { ... }) with defineJob imported from 'flinkts'" },
    );
  }
  return module.default;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
