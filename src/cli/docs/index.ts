/**
 * Generated documentation (STYLE 10): man pages and the README command
 * reference come from the command metadata, the same source as `--help`.
 * `npm run gen:docs` writes them; a test regenerates them in memory and
 * fails when the files on disk are stale.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderManPages } from './man.js';
import { loadCliMetadata } from './metadata.js';
import { renderReadmeCommands, replaceReadmeSection } from './readme.js';

export { loadCliMetadata, type CliMetadata } from './metadata.js';
export { renderManPages } from './man.js';
export { renderReadmeCommands, replaceReadmeSection, readmeSection, README_START, README_STOP } from './readme.js';

/** Everything generated, in memory. */
export interface GeneratedDocs {
  /** Man pages by file name, to be written under `man/`. */
  readonly manPages: ReadonlyMap<string, string>;
  /** The README section between the markers. */
  readonly readmeCommands: string;
}

/** Generates the documents of the CLI at `root` (the package root, after a build). */
export async function generateDocs(root: string): Promise<GeneratedDocs> {
  const metadata = await loadCliMetadata(root);
  return { manPages: renderManPages(metadata), readmeCommands: renderReadmeCommands(metadata) };
}

/** What {@link checkDocs} found out of date, as paths relative to the root. */
export async function checkDocs(root: string): Promise<string[]> {
  const docs = await generateDocs(root);
  const stale: string[] = [];
  for (const [name, content] of docs.manPages) {
    const current = await readFile(join(root, 'man', name), 'utf8').catch(() => undefined);
    if (current !== content) stale.push(`man/${name}`);
  }
  for (const name of await readdir(join(root, 'man')).catch(() => [] as string[])) {
    if (name.endsWith('.1') && !docs.manPages.has(name)) stale.push(`man/${name} (no such command)`);
  }
  const readme = await readFile(join(root, 'README.md'), 'utf8').catch(() => '');
  let updated: string | undefined;
  try {
    updated = replaceReadmeSection(readme, docs.readmeCommands);
  } catch {
    updated = undefined;
  }
  if (updated !== readme) stale.push('README.md');
  return stale;
}

/** Writes the man pages and the README section; returns the written paths relative to the root. */
export async function writeDocs(root: string): Promise<string[]> {
  const docs = await generateDocs(root);
  await mkdir(join(root, 'man'), { recursive: true });
  const written: string[] = [];
  for (const name of await readdir(join(root, 'man'))) {
    // Pages of commands that no longer exist.
    if (name.endsWith('.1') && !docs.manPages.has(name)) await rm(join(root, 'man', name));
  }
  for (const [name, content] of docs.manPages) {
    await writeFile(join(root, 'man', name), content);
    written.push(`man/${name}`);
  }
  const readmePath = join(root, 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  await writeFile(readmePath, replaceReadmeSection(readme, docs.readmeCommands));
  written.push('README.md');
  return written;
}
