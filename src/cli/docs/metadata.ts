/**
 * The command metadata every generated document is made from: oclif's own
 * view of the compiled commands (the same source as `--help`), loaded from
 * the package root.
 */
import { CommandHelp, Config, settings, type Command, type Interfaces } from '@oclif/core';

/** Width of generated help text; fixed so documents do not depend on the terminal. */
export const DOCS_WIDTH = 80;

/** The loaded CLI: its configuration and its visible commands, sorted by id. */
export interface CliMetadata {
  readonly config: Interfaces.Config;
  readonly bin: string;
  readonly version: string;
  readonly description: string;
  readonly commands: readonly Command.Loadable[];
}

/**
 * Loads the CLI at `root` from its compiled commands (`oclif.commands` in
 * `package.json`). Never from TypeScript sources: documents describe what
 * users run.
 */
export async function loadCliMetadata(root: string): Promise<CliMetadata> {
  settings.enableAutoTranspile = false;
  const config = await Config.load({ root });
  const commands = config.commands.filter((c) => !c.hidden).sort((a, b) => a.id.localeCompare(b.id));
  return {
    config,
    bin: config.bin,
    version: config.version,
    description: config.pjson.description ?? '',
    commands,
  };
}

/** `savepoint:create` → `savepoint create`, as users type it. */
export function displayId(command: Pick<Command.Loadable, 'id'>): string {
  return command.id.split(':').join(' ');
}

/** `savepoint:create` → `flinkts-savepoint-create`, the man page name. */
export function manName(bin: string, command: Pick<Command.Loadable, 'id'>): string {
  return [bin, ...command.id.split(':')].join('-');
}

/**
 * Fills the templates oclif allows in usage and examples
 * (`<%= config.bin %>`, `<%= command.id %>`).
 *
 * @throws Error for any other template, so documents never show raw `<%`.
 */
export function fillTemplate(text: string, bin: string, command: Pick<Command.Loadable, 'id'>): string {
  const filled = text.replaceAll('<%= config.bin %>', bin).replaceAll('<%= command.id %>', displayId(command));
  if (filled.includes('<%')) throw new Error(`unsupported template in '${text}' of command ${command.id}`);
  return filled;
}

/** The command's examples as `{description, command}`. */
export function examplesOf(command: Command.Loadable, bin: string): Array<{ description: string; command: string }> {
  return (command.examples ?? []).map((example) =>
    typeof example === 'string'
      ? { description: '', command: fillTemplate(example, bin, command) }
      : { description: example.description, command: fillTemplate(example.command, bin, command) },
  );
}

/** The usage lines, without the leading `$`. */
export function usagesOf(command: Command.Loadable, bin: string): string[] {
  const usage = command.usage;
  const lines = usage === undefined ? [`<%= config.bin %> <%= command.id %>`] : Array.isArray(usage) ? usage : [usage];
  return lines.map((line) => {
    const filled = fillTemplate(line, bin, command);
    return filled.startsWith(`${bin} `) ? filled : `${bin} ${filled}`;
  });
}

/** The `--help` text of a command, exactly as the CLI prints it, without colour. */
export function helpText(metadata: CliMetadata, command: Command.Loadable): string {
  // Topic commands show with spaces (`nexmark run`), as --help prints them.
  return new CommandHelp({ ...command, id: displayId(command) }, metadata.config, { maxWidth: DOCS_WIDTH, stripAnsi: true }).generate();
}
