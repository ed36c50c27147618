/**
 * The configuration reference, generated from the registry. `npm run gen:docs`
 * writes it to `docs/configuration.md` (through `scripts/gen-docs.js`, which
 * imports this module from `dist/`), and a unit test fails when the committed
 * page differs, so the docs cannot drift from the options.
 */
import type { AnyConfigOption } from './option.js';
import { ALL_OPTIONS } from './registry.js';

const INTRO = `# Configuration

<!-- Generated from src/config/options.ts by \`npm run gen:docs\`. Do not edit by hand. -->

flinkts takes its configuration from three sources. A later source overrides an earlier one:

1. the default of each option (in the table below);
2. the configuration file given with \`--config flinkts-conf.yaml\`;
3. \`-D key=value\` arguments on the command line, e.g. \`-D parallelism.default=4\`
   (repeatable; when a key is given twice, the last one wins).

An unknown key or a value the option does not accept is an error that names
the file position (\`flinkts-conf.yaml:4:1\`) or the \`-D\` argument, and suggests
the key you probably meant.

## The configuration file

A YAML map. As in Flink's \`config.yaml\`, keys may be written flat with dots or
as nested maps, and both forms may be mixed; setting the same key twice is an
error:

\`\`\`yaml
parallelism.default: 4
pipeline:
  auto-watermark-interval: 500 ms
taskmanager:
  numberOfTaskSlots: 2
  memory.segment-size: 64 KiB
\`\`\`

## Values

- **Integer**: a whole number, e.g. \`4\` or \`-1\`.
- **Boolean**: \`true\` or \`false\`.
- **Duration**: a whole number and a unit, with or without a space:
  \`ms\`, \`s\`, \`min\` (or \`m\`), \`h\`, \`d\`; e.g. \`100 ms\`, \`100ms\`, \`1 s\`, \`2min\`.
  A bare number means milliseconds.
- **Memory size**: a whole number and a unit, with or without a space:
  \`b\`, \`kb\` (or \`k\`, \`KiB\`), \`mb\` (or \`m\`, \`MiB\`), \`gb\` (or \`g\`, \`GiB\`), \`tb\` (or \`t\`, \`TiB\`);
  all are powers of 1024, e.g. \`32kb\`, \`32 KiB\`, \`1mb\`, \`64 m\`. A bare number means bytes.
- Units and enum values are matched ignoring letter case; keys are case-sensitive.
`;

/**
 * Renders the configuration reference as Markdown: how to set options (file,
 * `-D`, precedence), the value syntaxes, then a table of every option with
 * its key, type, default and description.
 *
 * @param options - the options to list; every flinkts option by default.
 */
export function renderConfigurationMarkdown(options: readonly AnyConfigOption[] = ALL_OPTIONS): string {
  const rows = [...options]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((option) => `| ${[`\`${option.key}\``, typeText(option), defaultText(option), descriptionText(option)].map(cell).join(' | ')} |`);
  return [INTRO, '## Options', '', '| Key | Type | Default | Description |', '|---|---|---|---|', ...rows, ''].join('\n');
}

function typeText(option: AnyConfigOption): string {
  const { name, constraint } = option.type;
  return constraint === undefined ? name : `${name} (${constraint})`;
}

function defaultText(option: AnyConfigOption): string {
  const text = option.defaultText;
  if (text === undefined) return '(none)';
  // A computed default is a description ("number of cores"), not a value to type in.
  return option.defaultIsComputed ? text : `\`${text}\``;
}

function descriptionText(option: AnyConfigOption): string {
  return option.secret ? `${option.description} Secret: shown as \`******\`.` : option.description;
}

/** A table cell: one line, with pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}
