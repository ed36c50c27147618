/**
 * man/*.1 and the README command reference are generated from the command
 * metadata (the source of --help). This fails when they no longer match the
 * commands: run `npm run build && npm run gen:docs`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDocs, generateDocs, readmeSection } from '../../../src/cli/docs/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('generated documentation', () => {
  it('is up to date (run npm run gen:docs)', async () => {
    const stale = await checkDocs(ROOT);
    expect(stale, `stale: ${stale.join(', ')} — run npm run gen:docs`).toEqual([]);
  });

  it('has a page per command plus the overview, and the README section lists every command', async () => {
    const docs = await generateDocs(ROOT);
    expect([...docs.manPages.keys()].sort()).toEqual([
      'flinkts-cancel.1',
      'flinkts-checkpoint-list.1',
      'flinkts-checkpoint-trigger.1',
      'flinkts-compile.1',
      'flinkts-info.1',
      'flinkts-list.1',
      'flinkts-new.1',
      'flinkts-nexmark-generate.1',
      'flinkts-nexmark-run.1',
      'flinkts-run.1',
      'flinkts-savepoint-create.1',
      'flinkts-savepoint-dispose.1',
      'flinkts-savepoint-inspect.1',
      'flinkts-stop.1',
      'flinkts.1',
    ]);
    const run = docs.manPages.get('flinkts-run.1')!;
    expect(run).toMatch(/^\.TH FLINKTS\\-RUN 1 "" "flinkts [0-9.]+" "flinkts manual"\n\.SH NAME\nflinkts\\-run \\- Run a job/);
    expect(run).toContain('\\fB\\-p\\fR, \\fB\\-\\-parallelism\\fR=\\fI<n>\\fR');
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    for (const id of ['compile', 'info', 'new', 'run']) expect(readmeSection(readme)).toContain(`### \`flinkts ${id}\``);
  });
});
