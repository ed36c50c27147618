/**
 * Where this flinkts installation lives. Job bundles resolve `import 'flinkts'`
 * to it (through a `node_modules/flinkts` link next to the bundle), so a job and
 * the runtime that executes it share the very same module instances, as a
 * Flink job jar compiled against the "provided" flink dependency does.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlinktsError } from '../api/errors.js';

let cachedRoot: string | undefined;

/**
 * The absolute path of the flinkts package root (the folder of its
 * `package.json`), found by walking up from this module. Works from the
 * TypeScript sources (`src/client/`) and from the build (`dist/src/client/`).
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = readPackageJson(dir);
    if (manifest?.name === 'flinkts') return (cachedRoot = dir);
    const parent = dirname(dir);
    if (parent === dir) {
      throw new FlinktsError('INTERNAL', `cannot find the flinkts package root above ${fileURLToPath(import.meta.url)}`);
    }
    dir = parent;
  }
}

/** The flinkts version, from its `package.json`. */
export function packageVersion(): string {
  return packageJson().version ?? '0.0.0';
}

/** The parsed `package.json` of the flinkts package. */
export function packageJson(): PackageJson {
  return readPackageJson(packageRoot()) ?? {};
}

/** The fields of a `package.json` flinkts reads. */
export interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

function readPackageJson(dir: string): PackageJson | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    return undefined;
  }
}
