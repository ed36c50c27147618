import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfigurationMarkdown } from '../../../src/config/docs.js';
import { defineOption } from '../../../src/config/option.js';
import { enumType } from '../../../src/config/option-types.js';
import { ALL_OPTIONS } from '../../../src/config/registry.js';

const DOCS_PAGE = new URL('../../../docs/configuration.md', import.meta.url);

describe('docs/configuration.md', () => {
  it('is what the renderer produces', () => {
    const committed = readFileSync(DOCS_PAGE, 'utf8');
    expect(committed === renderConfigurationMarkdown(), 'docs/configuration.md is out of date: run `npm run gen:docs`').toBe(true);
  });
});

describe('renderConfigurationMarkdown', () => {
  const page = renderConfigurationMarkdown();

  it('explains the sources and their precedence before the table', () => {
    expect(page.startsWith('# Configuration\n')).toBe(true);
    const precedence = ['1. the default of each option', '2. the configuration file given with `--config flinkts-conf.yaml`', '3. `-D key=value`'];
    const positions = precedence.map((line) => page.indexOf(line));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(page.indexOf('| Key | Type | Default | Description |')).toBeGreaterThan(positions[2] ?? Infinity);
  });

  it('has one row per option, in key order', () => {
    const rows = page.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows.map((row) => /^\| `([^`]+)`/.exec(row)?.[1])).toEqual(ALL_OPTIONS.map((option) => option.key));
  });

  it('renders type, constraint, default and description', () => {
    const lines = page.split('\n');
    expect(lines).toContain(
      '| `taskmanager.memory.segment-size` | Memory size (≥ 4 KiB) | `32 KiB` | Size of a network buffer: records sent between tasks ' +
        'that are not chained travel in buffers of this size. A record larger than a buffer travels alone in a buffer of its own size. |',
    );
    expect(lines.find((line) => line.startsWith('| `taskmanager.numberOfTaskSlots` |'))).toMatch(/^\| `taskmanager.numberOfTaskSlots` \| Integer \(≥ 1\) \| number of cores \| /);
    expect(lines.find((line) => line.startsWith('| `pipeline.name` |'))).toMatch(/^\| `pipeline.name` \| String \| \(none\) \| /);
    expect(lines.find((line) => line.startsWith('| `pipeline.max-parallelism` |'))).toMatch(/^\| `pipeline.max-parallelism` \| Integer \(-1 or 1 to 32768\) \| `-1` \| /);
  });

  it('keeps each row on one line and escapes pipes', () => {
    const option = defineOption({
      key: 'test.mode',
      type: enumType(['a', 'b']),
      default: 'a',
      description: 'Either a | b,\n  chosen per job.',
    });
    expect(renderConfigurationMarkdown([option]).split('\n')).toContain("| `test.mode` | Enum ('a', 'b') | `a` | Either a \\| b, chosen per job. |");
  });
});
