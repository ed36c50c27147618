/**
 * Reading the state a snapshot holds, entry by entry, as of that snapshot:
 * the keyed files of a subtask are applied in order (a full file, then
 * deltas whose `DELETED` entries remove and whose `clearedKeyGroups` start a
 * key group from empty). Used by `savepoint inspect --state`; a restore
 * loads the same files into a backend instead.
 */
import { canonicalKey } from '../state/key-grouped-map.js';
import { CheckpointFormatError } from './checkpoint-errors.js';
import type { KeyedStateFile, KeyedStateHandle, OperatorStateHandle, StateFileReader, StateFileRef } from './metadata.js';
import { LocalStateFileReader } from './state-files.js';
import { decodeOperatorState, decodeSection, DELETED, type DecodedSection, type OperatorStateLists } from './state-sections.js';

/** One keyed state entry of a snapshot. */
export interface KeyedStateEntry {
  readonly keyGroup: number;
  readonly stateName: string;
  readonly key: unknown;
  readonly namespace: string;
  readonly value: unknown;
}

/**
 * The entries of one subtask's keyed state, by ascending key group, in the
 * order they were first written within a key group (an entry a delta updates
 * keeps its place). Only state `stateName` when given. A section that
 * does not decode is a CheckpointFormatError naming the file.
 */
export async function* readKeyedEntries(reader: StateFileReader, handle: KeyedStateHandle, stateName?: string): AsyncGenerator<KeyedStateEntry> {
  const groups = new Set<number>();
  for (const file of handle.files) {
    for (const [keyGroup] of file.sections) groups.add(keyGroup);
  }
  for (const keyGroup of [...groups].sort((a, b) => a - b)) {
    const entries = new Map<string, KeyedStateEntry>();
    for (const file of handle.files) {
      if (!file.delta || file.clearedKeyGroups?.includes(keyGroup) === true) entries.clear();
      const section = await readSection(reader, file, keyGroup);
      section?.forEach((name, key, namespace, value) => {
        if (stateName !== undefined && name !== stateName) return;
        const id = entryId(name, key, namespace);
        if (value === DELETED) entries.delete(id);
        else entries.set(id, { keyGroup, stateName: name, key, namespace, value });
      });
    }
    yield* entries.values();
  }
}

/**
 * The decoded section of `keyGroup` in `file` (undefined when the file has
 * none). A section that does not decode is a CheckpointFormatError naming
 * the file and the key group: every restore reads sections through here.
 */
export async function readSection(reader: StateFileReader, file: KeyedStateFile, keyGroup: number): Promise<DecodedSection | undefined> {
  const bytes = await reader.readSection(file, keyGroup);
  if (bytes === undefined) return undefined;
  try {
    return decodeSection(bytes);
  } catch (error) {
    throw new CheckpointFormatError(nameOf(reader, file), 'malformed', `the section of key group ${keyGroup} does not decode: ${(error as Error).message}`, { cause: error });
  } finally {
    // What decodeSection gives copies what it needs from the bytes.
    reader.release?.(bytes);
  }
}

/** The operator state lists of one subtask. */
export async function readOperatorLists(reader: StateFileReader, handle: OperatorStateHandle): Promise<OperatorStateLists> {
  const bytes = await reader.readFile(handle.file);
  try {
    return decodeOperatorState(bytes);
  } catch (error) {
    throw new CheckpointFormatError(nameOf(reader, handle.file), 'malformed', `operator state does not decode: ${(error as Error).message}`, { cause: error });
  }
}

/** The identity of an entry: state, namespace and key as the heap backend compares keys. */
function entryId(stateName: string, key: unknown, namespace: string): string {
  const canonical = canonicalKey(key);
  return `${stateName}\u0000${namespace}\u0000${typeof canonical}:${String(canonical)}`;
}

/** The absolute path of `file` when the reader knows it, else its relative path. */
function nameOf(reader: StateFileReader, file: StateFileRef): string {
  return reader instanceof LocalStateFileReader ? reader.resolve(file) : file.path;
}
