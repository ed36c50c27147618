/**
 * `flinkts new`: a job project from a template under `templates/<name>/`.
 *
 * Template files end with `.tmpl` (so no tool in this repository mistakes
 * them for its own sources); a leading `_` becomes `.` (`_gitignore.tmpl` →
 * `.gitignore`, which npm would drop from a package). `{{name}}` placeholders
 * are substituted; in `.json` files the values are JSON-escaped. An unknown
 * placeholder is an error, so a template cannot ship half-substituted.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { FlinktsError } from '../api/errors.js';
import { packageJson, packageRoot, packageVersion } from './package-root.js';

/** The templates `flinkts new` offers. */
export const PROJECT_TEMPLATES = ['basic', 'wordcount'] as const;

/** A project template name. */
export type ProjectTemplate = (typeof PROJECT_TEMPLATES)[number];

/** What `flinkts new` is asked to create. */
export interface NewProjectOptions {
  /** The project directory: must not exist or be empty. */
  readonly directory: string;
  /** Default `basic`. */
  readonly template?: string;
}

/** The result of {@link createProject} (and of `flinkts new --json`). */
export interface NewProjectResult {
  /** Absolute path of the project. */
  readonly directory: string;
  readonly template: ProjectTemplate;
  /** The npm package name. */
  readonly packageName: string;
  /** Created files, relative to the project, sorted. */
  readonly files: readonly string[];
}

const TEMPLATE_SUFFIX = '.tmpl';
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/** Versions the generated project's dev dependencies start from, unless this package pins its own. */
const FALLBACK_DEV_VERSIONS = { vitest: '^4.1.12', typescript: '~5.9.3', '@types/node': '^20.19.43' } as const;

/**
 * Creates the project. The `flinkts` dependency is `file:<this checkout>`, so
 * the project installs, tests and runs against this very installation.
 *
 * @throws FlinktsError USAGE for an unknown template or a directory that
 *   exists and is not empty (or is a file).
 */
export async function createProject(options: NewProjectOptions): Promise<NewProjectResult> {
  const template = checkTemplate(options.template ?? 'basic');
  const directory = resolve(options.directory);
  await checkDirectory(options.directory, directory);
  const packageName = toPackageName(basename(directory));
  const variables = templateVariables(packageName);
  const templateDir = join(packageRoot(), 'templates', template);
  const sources = await listFiles(templateDir);
  const files: string[] = [];
  for (const source of sources) {
    const target = targetName(relative(templateDir, source));
    const text = substitute(await readFile(source, 'utf8'), variables, target.endsWith('.json'), `templates/${template}/${relative(templateDir, source)}`);
    const path = join(directory, target);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    files.push(target.split('\\').join('/'));
  }
  return { directory, template, packageName, files: files.sort() };
}

/** The values of the placeholders a template may use. */
export function templateVariables(packageName: string): Record<string, string> {
  const dev = packageJson().devDependencies ?? {};
  return {
    packageName,
    flinktsVersion: packageVersion(),
    flinktsDependency: `file:${packageRoot()}`,
    vitestVersion: dev.vitest ?? FALLBACK_DEV_VERSIONS.vitest,
    typescriptVersion: dev.typescript ?? FALLBACK_DEV_VERSIONS.typescript,
    typesNodeVersion: dev['@types/node'] ?? FALLBACK_DEV_VERSIONS['@types/node'],
  };
}

/**
 * Replaces `{{name}}` placeholders. `json` escapes values for a JSON string.
 *
 * @throws FlinktsError INTERNAL naming `where` for an unknown placeholder.
 */
export function substitute(text: string, variables: Readonly<Record<string, string>>, json: boolean, where: string): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = variables[name];
    if (value === undefined) {
      throw new FlinktsError('INTERNAL', `${where}: unknown placeholder {{${name}}}; known: ${Object.keys(variables).join(', ')}`);
    }
    return json ? JSON.stringify(value).slice(1, -1) : value;
  });
}

/** A valid npm package name from a directory name: `My Job!` → `my-job`. */
export function toPackageName(directoryName: string): string {
  const name = directoryName
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .replace(/-+$/, '')
    .slice(0, 214);
  return name === '' ? 'flinkts-job' : name;
}

function checkTemplate(template: string): ProjectTemplate {
  const known = PROJECT_TEMPLATES.find((t) => t === template);
  if (known === undefined) {
    throw new FlinktsError('USAGE', `unknown template '${template}'; available templates: ${PROJECT_TEMPLATES.join(', ')}`);
  }
  return known;
}

async function checkDirectory(given: string, directory: string): Promise<void> {
  const stats = await stat(directory).catch(() => undefined);
  if (stats === undefined) return;
  if (!stats.isDirectory()) throw new FlinktsError('USAGE', `${given} exists and is not a directory`);
  const entries = await readdir(directory);
  if (entries.length > 0) {
    throw new FlinktsError('USAGE', `${given} already exists and is not empty`, { hint: 'choose a new directory name, or empty this one' });
  }
}

/** `src/job.ts.tmpl` → `src/job.ts`; `_gitignore.tmpl` → `.gitignore`. */
function targetName(templatePath: string): string {
  const withoutSuffix = templatePath.endsWith(TEMPLATE_SUFFIX) ? templatePath.slice(0, -TEMPLATE_SUFFIX.length) : templatePath;
  return withoutSuffix
    .split(/[\\/]/)
    .map((part) => (part.startsWith('_') ? `.${part.slice(1)}` : part))
    .join('/');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    throw new FlinktsError('INTERNAL', `template directory ${dir} is missing: ${(error as Error).message}`, { cause: error });
  });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}
