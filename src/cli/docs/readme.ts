/**
 * The README's command reference: for each command its summary and its
 * `--help` text, between `<!-- commands -->` and `<!-- commandsstop -->`.
 */
import { displayId, helpText, type CliMetadata } from './metadata.js';

/** Start marker of the generated section. */
export const README_START = '<!-- commands -->';
/** End marker of the generated section. */
export const README_STOP = '<!-- commandsstop -->';

/** The section between the markers (markers excluded). */
export function renderReadmeCommands(metadata: CliMetadata): string {
  const { bin } = metadata;
  const anchor = (id: string): string => `#${`${bin} ${id}`.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')}`;
  const lines = ['', ...metadata.commands.map((c) => `- [\`${bin} ${displayId(c)}\`](${anchor(displayId(c))})`), ''];
  for (const command of metadata.commands) {
    lines.push(`### \`${bin} ${displayId(command)}\``, '', command.summary ?? '', '', '```', helpText(metadata, command).trimEnd(), '```', '');
  }
  return lines.join('\n');
}

/**
 * `readme` with the text between the markers replaced by `section`.
 *
 * @throws Error when the markers are missing or out of order.
 */
export function replaceReadmeSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const stop = readme.indexOf(README_STOP);
  if (start === -1 || stop === -1 || stop < start) {
    throw new Error(`README.md must contain ${README_START} followed by ${README_STOP}`);
  }
  return readme.slice(0, start + README_START.length) + '\n' + section + readme.slice(stop);
}

/** The current section between the markers, or undefined when they are missing. */
export function readmeSection(readme: string): string | undefined {
  const start = readme.indexOf(README_START);
  const stop = readme.indexOf(README_STOP);
  if (start === -1 || stop === -1 || stop < start) return undefined;
  return readme.slice(start + README_START.length + 1, stop);
}
