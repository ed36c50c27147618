/**
 * Bundles a job file into one ESM module with esbuild (DESIGN §4.1): the job's
 * own dependencies are inlined, `flinkts` stays external (Flink's "provided"
 * scope) and an inline source map points stack traces back into the user's
 * files.
 */
import { build, type BuildFailure, type Message } from 'esbuild';
import { FlinktsError } from '../api/errors.js';

/**
 * Bundled CommonJS dependencies may call `require` for Node built-ins; ESM has
 * no `require`, so the bundle gets one. esbuild renames user bindings that
 * would clash with it.
 */
const REQUIRE_SHIM = [
  "import { createRequire as __flinktsCreateRequire } from 'node:module';",
  'const require = __flinktsCreateRequire(import.meta.url);',
].join('\n');

/**
 * Bundles `entry` (an absolute path) into `outfile`. Throws a JOB_COMPILE
 * error in esbuild's `file:line:column: text` form when the job does not
 * compile; `sourcePath` names the job when esbuild gives no location.
 */
export async function bundleJob(entry: string, outfile: string, sourcePath: string): Promise<void> {
  try {
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: ['flinkts', 'flinkts/*'],
      sourcemap: 'inline',
      banner: { js: REQUIRE_SHIM },
      logLevel: 'silent',
      absWorkingDir: process.cwd(),
      write: true,
    });
  } catch (error) {
    if (isBuildFailure(error)) throw compileError(error.errors, sourcePath, error);
    throw new FlinktsError('JOB_COMPILE', `${sourcePath}: bundling failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/** One line for the first esbuild error, as esbuild prints locations; the count of the others. */
export function compileError(errors: readonly Message[], sourcePath: string, cause?: unknown): FlinktsError {
  const [first] = errors;
  if (first === undefined) return new FlinktsError('JOB_COMPILE', `${sourcePath}: bundling failed`, { cause });
  const where = first.location === null ? sourcePath : `${first.location.file}:${first.location.line}:${first.location.column}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
  return new FlinktsError('JOB_COMPILE', `${where}: ${first.text}${more}`, { cause });
}

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors);
}
