/**
 * roff man pages generated from the command metadata: `flinkts.1` (overview
 * and command list) and one `flinkts-<command>.1` per command (topics joined
 * with `-`, e.g. `flinkts-savepoint-create.1`). No dates, so regenerating an
 * unchanged CLI yields identical files.
 */
import type { Command } from '@oclif/core';
import { displayId, examplesOf, manName, usagesOf, type CliMetadata } from './metadata.js';

/** Escapes text for roff: backslashes, dashes, and control characters at line starts. */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');
}

/** Paragraphs of `text` separated by `.PP`. */
function paragraphs(text: string): string[] {
  return text
    .trim()
    .split(/\n\s*\n/)
    .flatMap((paragraph, i) => [...(i === 0 ? [] : ['.PP']), roff(paragraph.replace(/\s*\n\s*/g, ' '))]);
}

function header(name: string, version: string, bin: string): string[] {
  return [`.TH ${roff(name.toUpperCase())} 1 "" "${bin} ${roff(version)}" "${bin} manual"`];
}

/** The overview page `flinkts.1`. */
export function renderMainPage(metadata: CliMetadata): string {
  const { bin } = metadata;
  const lines = [
    ...header(bin, metadata.version, bin),
    '.SH NAME',
    `${bin} \\- ${roff(metadata.description)}`,
    '.SH SYNOPSIS',
    `.B ${bin}`,
    '.I command',
    '[\\fIflags\\fR] [\\fIarguments\\fR] [\\fB\\-\\-\\fR \\fIjob arguments\\fR]',
    '.SH DESCRIPTION',
    ...paragraphs(
      `${bin} runs streaming jobs written in TypeScript with the concepts of Apache Flink: a job module's default export is defineJob((env, params) => ...), which describes a dataflow of sources, transformations and sinks. ${bin} bundles the job, plans it into a JobGraph of chained operators and runs it on an embedded local cluster whose task slots are worker threads.\n\nEvery command accepts --help, --json (a stable result object on standard output) and --verbose (stack traces of errors).`,
    ),
    '.SH COMMANDS',
    ...metadata.commands.flatMap((command) => [
      '.TP',
      `.B ${roff(displayId(command))}`,
      `${roff(command.summary ?? '')} See \\fB${roff(manName(bin, command))}\\fR(1).`,
    ]),
    '.SH EXIT STATUS',
    '.TP', '.B 0', 'Success; for \\fBrun\\fR, the job finished.',
    '.TP', '.B 1', 'Failure: the job failed, or the job file could not be loaded, compiled or planned.',
    '.TP', '.B 2', 'Usage error: an unknown or malformed flag or argument, or a bad configuration.',
    '.TP', '.B 130', 'For \\fBrun\\fR, the job was canceled with Ctrl\\-C.',
    '.SH ENVIRONMENT',
    '.TP', '.B CI', 'When set, no progress line or spinner is drawn.',
    '.SH SEE ALSO',
    metadata.commands.map((command) => `.BR ${roff(manName(bin, command))} (1)`).join(',\n'),
  ];
  return lines.join('\n') + '\n';
}

/** The page of one command. */
export function renderCommandPage(metadata: CliMetadata, command: Command.Loadable): string {
  const { bin } = metadata;
  const name = manName(bin, command);
  const args = Object.values(command.args);
  const flags = Object.values(command.flags)
    .filter((flag) => !flag.hidden)
    .sort((a, b) => a.name.localeCompare(b.name));
  const lines = [
    ...header(name, metadata.version, bin),
    '.SH NAME',
    `${roff(name)} \\- ${roff(command.summary ?? '')}`,
    '.SH SYNOPSIS',
    ...usagesOf(command, bin).flatMap((usage, i) => [...(i === 0 ? [] : ['.br']), roff(usage)]),
    '.SH DESCRIPTION',
    ...paragraphs(command.description ?? command.summary ?? ''),
  ];
  if (args.length > 0) {
    lines.push('.SH ARGUMENTS');
    for (const arg of args) lines.push('.TP', `.I ${roff(arg.name.toUpperCase())}`, roff(`${arg.description ?? ''}${arg.required ? '' : ' Optional.'}`));
  }
  lines.push('.SH OPTIONS');
  for (const flag of flags) lines.push('.TP', flagTitle(flag), roff(flagText(flag)));
  const examples = examplesOf(command, bin);
  if (examples.length > 0) {
    lines.push('.SH EXAMPLES');
    for (const example of examples) {
      if (example.description !== '') lines.push('.PP', roff(example.description));
      lines.push('.PP', '.RS 4', '.nf', roff(`$ ${example.command}`), '.fi', '.RE');
    }
  }
  lines.push('.SH SEE ALSO', `.BR ${bin} (1)`);
  return lines.join('\n') + '\n';
}

function flagTitle(flag: Command.Flag.Cached): string {
  const long = `\\fB\\-\\-${roff(flag.name)}\\fR`;
  const names = flag.char === undefined ? long : `\\fB\\-${flag.char}\\fR, ${long}`;
  if (flag.type === 'boolean') return names;
  const value = flag.helpValue === undefined ? `<${flag.name}>` : Array.isArray(flag.helpValue) ? flag.helpValue.join(' ') : flag.helpValue;
  return `${names}=\\fI${roff(value)}\\fR`;
}

function flagText(flag: Command.Flag.Cached): string {
  const parts = [flag.summary ?? flag.description ?? ''];
  if (flag.summary !== undefined && flag.description !== undefined && flag.description !== flag.summary) parts.push(flag.description);
  if (flag.type === 'option') {
    if (flag.options !== undefined && flag.options.length > 0) parts.push(`One of: ${flag.options.join(', ')}.`);
    if (flag.default !== undefined && typeof flag.default !== 'function') parts.push(`Default: ${String(flag.default)}.`);
    if (flag.multiple === true) parts.push('May be given more than once.');
    if (flag.required === true) parts.push('Required.');
  }
  return parts.join(' ').replace(/\s*\n\s*/g, ' ');
}

/** Every page, by file name (`flinkts.1`, `flinkts-run.1`, ...). */
export function renderManPages(metadata: CliMetadata): Map<string, string> {
  const pages = new Map<string, string>([[`${metadata.bin}.1`, renderMainPage(metadata)]]);
  for (const command of metadata.commands) pages.set(`${manName(metadata.bin, command)}.1`, renderCommandPage(metadata, command));
  return pages;
}
