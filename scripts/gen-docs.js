#!/usr/bin/env node
// Regenerates the documents derived from code: man/*.1 and the README command
// reference (from the oclif command metadata, as --help), and
// docs/configuration.md (from the configuration registry). Run after a build:
// `npm run build && npm run gen:docs`. test/unit/cli/docs.test.ts fails when
// they are stale.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

async function importBuilt(path) {
  try {
    return await import(new URL(`../dist/${path}`, import.meta.url).href);
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(path)) return undefined;
    throw error;
  }
}

const docs = await importBuilt('src/cli/docs/index.js');
if (docs === undefined) {
  console.error('gen-docs: dist/src/cli/docs/index.js is missing; run npm run build first');
  process.exit(1);
}
for (const file of await docs.writeDocs(root)) console.log(`wrote ${file}`);

const configDocs = await importBuilt('src/config/docs.js');
if (typeof configDocs?.renderConfigurationMarkdown === 'function') {
  await mkdir(join(root, 'docs'), { recursive: true });
  await writeFile(join(root, 'docs', 'configuration.md'), configDocs.renderConfigurationMarkdown());
  console.log('wrote docs/configuration.md');
} else {
  console.log('skipped docs/configuration.md: dist/src/config/docs.js (renderConfigurationMarkdown) is not built');
}
