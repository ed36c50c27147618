/**
 * Reads `flinkts-conf.yaml` into flat `key → value` entries, each with the
 * place it was written (`file:line:column`) for error messages.
 *
 * As in Flink's `config.yaml`, keys may be nested maps or flat dotted keys,
 * mixed freely: `taskmanager: { numberOfTaskSlots: 2 }` and
 * `taskmanager.numberOfTaskSlots: 2` are the same entry. A map is flattened
 * unless its key is a leaf option (one no other key continues), in which case
 * it is a map where a value was expected.
 */
import { readFileSync } from 'node:fs';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { FlinktsError } from '../api/errors.js';

/** The value of a file entry: the text of a scalar, or the kind of node found where a scalar belongs. */
export type FileValue = { kind: 'scalar'; text: string } | { kind: 'map' | 'list' | 'empty' };

/** One `key: value` of the file, with its key flattened to dotted form. */
export interface FileEntry {
  /** The dotted key: the path of nested map keys joined with `.`. */
  readonly key: string;
  /** The value found under the key. */
  readonly value: FileValue;
  /** Where the key is written: `file:line:column`. */
  readonly keyPlace: string;
  /** Where the value is written; the key's place when the value is empty. */
  readonly valuePlace: string;
}

/**
 * Reads and parses the configuration file at `file` (relative to the working
 * directory) into entries in document order.
 *
 * @param isLeafOption - whether a dotted key is an option no other key
 *   continues; a map under such a key is kept as a `map` entry instead of
 *   being flattened.
 * @throws FlinktsError (`CONFIG`) when the file cannot be read, is not valid
 *   YAML, or its top level is not a map.
 */
export function readConfigFile(file: string, isLeafOption: (key: string) => boolean): FileEntry[] {
  const source = readSource(file);
  const lines = new LineCounter();
  const document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const place = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const [error] = document.errors;
  if (error !== undefined) throw new FlinktsError('CONFIG', `${place(error.pos[0])}: ${error.message}`);

  const top = resolve(document, document.contents);
  if (top === null || (isScalar(top) && top.value === null)) return []; // an empty file or only comments
  if (!isMap(top)) {
    throw new FlinktsError('CONFIG', `${place(start(top))}: expected a map of configuration keys at the top level, got ${describe(top)}`, {
      hint: 'write one "key: value" per line, e.g. "parallelism.default: 4"',
    });
  }

  const entries: FileEntry[] = [];
  const visit = (map: Node, prefix: string): void => {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const keyNode = resolve(document, pair.key as Node | null);
      if (!isScalar(keyNode) || keyNode.value === null) {
        const at = keyNode === null ? start(map) : start(keyNode);
        throw new FlinktsError('CONFIG', `${place(at)}: configuration keys must be plain text, got ${describe(keyNode)}`);
      }
      const key = `${prefix}${scalarText(keyNode)}`;
      const keyPlace = place(start(keyNode));
      const valueNode = resolve(document, pair.value as Node | null);
      if (isMap(valueNode) && !isLeafOption(key)) {
        visit(valueNode, `${key}.`);
        continue;
      }
      const empty = valueNode === null || (isScalar(valueNode) && valueNode.value === null);
      const valuePlace = empty ? keyPlace : place(start(valueNode));
      entries.push({ key, value: toValue(valueNode), keyPlace, valuePlace });
    }
  };
  visit(top, '');
  return entries;
}

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'no such file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code ?? (cause as Error).message})`;
    const hint = code === 'ENOENT' || code === 'ENOTDIR' ? 'check the path given with --config' : undefined;
    throw new FlinktsError('CONFIG', `config file '${file}': ${problem}`, hint === undefined ? { cause } : { cause, hint });
  }
}

/** Follows an alias (`*name`) to the node it names. */
function resolve(document: Document, node: Node | null | undefined): Node | null {
  if (node === null || node === undefined) return null;
  return isAlias(node) ? ((node.resolve(document) as Node | undefined) ?? null) : node;
}

/** A plain scalar as written (`0x10` stays `0x10`, `1.0` stays `1.0`); a quoted or block scalar as its string. */
function scalarText(node: Node): string {
  if (!isScalar(node)) return '';
  if (node.type === 'PLAIN' && typeof node.source === 'string') return node.source;
  return String(node.value);
}

function toValue(node: Node | null): FileValue {
  if (node === null) return { kind: 'empty' };
  if (isMap(node)) return { kind: 'map' };
  if (isSeq(node)) return { kind: 'list' };
  if (isScalar(node) && node.value === null) return { kind: 'empty' };
  return { kind: 'scalar', text: scalarText(node) };
}

function describe(node: Node | null): string {
  if (node === null || (isScalar(node) && node.value === null)) return 'nothing';
  if (isMap(node)) return 'a map';
  if (isSeq(node)) return 'a list';
  return 'a single value';
}

function start(node: Node): number {
  return node.range?.[0] ?? 0;
}
