/**
 * The `hashmap` keyed state backend: every state of a keyed operator subtask
 * on the heap, organised by key group (for snapshots and rescaling), then key,
 * then namespace (`''`, or a window). The backend holds the current key; the
 * state objects read and write the entry of (current key, their namespace).
 */
import { FlinktsError } from '../../api/errors.js';
import type { AnyStateDescriptor } from '../../api/state.js';
import type { KeyedStateFile, KeyedStateFileStream, KeyedStateHandle, KeyedStateKind, StateFileReader } from '../checkpoint/metadata.js';
import { readSection } from '../checkpoint/state-dump.js';
import { DELETED, KeyGroupSectionBuilder, packSection } from '../checkpoint/state-sections.js';
import { columnSlots, copySlots, encodeColumnSections } from './column-snapshot.js';
import type { KeyedSnapshotOptions, KeyedStateBackend } from './keyed-state-backend.js';
import { canonicalKey, KeyGroupedMap, type KeyGroupRange } from './key-grouped-map.js';
import { createState, type InternalKvState } from './heap-states.js';
import { NamespaceMap } from './namespace-map.js';
import { StateTable } from './state-table.js';

/**
 * A state value that is a live object (e.g. a session window set) gives its
 * persistent form for snapshots through this method; its owner rebuilds the
 * object from that form after a restore.
 */
export const SNAPSHOT_FORM: unique symbol = Symbol('flinkts.snapshotForm');
interface HasSnapshotForm {
  [SNAPSHOT_FORM](): unknown;
}
function snapshotForm(value: unknown): unknown {
  return typeof value === 'object' && value !== null && SNAPSHOT_FORM in value ? (value as HasSnapshotForm)[SNAPSHOT_FORM]() : value;
}

/** A namespace of keyed state: `''` for none, otherwise e.g. a window. */
export type Namespace = string;
export const VOID_NAMESPACE: Namespace = '';

/** Applies one restored entry of a state. */
type EntrySink = (key: unknown, namespace: string, value: unknown, keyGroup: number | undefined) => void;

export { StateTable };

export class HeapKeyedStateBackend implements KeyedStateBackend {
  private currentKey: unknown = undefined;
  private currentCanonical: unknown = undefined;
  private readonly tables = new Map<string, { descriptor: AnyStateDescriptor; table: StateTable }>();
  /** Restored tables whose state has not been asked for yet (kinds checked when it is). */
  private readonly restored = new Map<string, { kind: KeyedStateKind; table: StateTable }>();
  /** Tables of one raw value per key that runtime operators update in place (see {@link rawValueTable}). */
  private readonly rawTables = new Map<string, KeyGroupedMap<unknown>>();

  constructor(
    readonly keyGroupRange: KeyGroupRange,
    readonly maxParallelism: number,
    /** Processing time, for state TTL. */
    readonly clock: () => number = Date.now,
  ) {}

  setCurrentKey(key: unknown): void {
    this.currentKey = key;
    this.currentCanonical = canonicalKey(key);
  }

  getCurrentKey(): unknown {
    return this.currentKey;
  }

  /** @internal the canonical form of the current key. */
  currentKeyCanonical(): unknown {
    return this.currentCanonical;
  }

  /**
   * A view of the state `descriptor` names (its table is created on first
   * use). Every call gives a new view with its own namespace (`''`), so a
   * window operator and a user function can use the same state safely.
   * Asking for a name already registered with another kind is an error.
   */
  getState<S extends InternalKvState>(descriptor: AnyStateDescriptor): S {
    if (this.rawTables.has(descriptor.name)) {
      throw new FlinktsError('USER_FUNCTION', `state '${descriptor.name}' is the operator's own state; use another name`);
    }
    let registered = this.tables.get(descriptor.name);
    if (registered === undefined) {
      const restored = this.restored.get(descriptor.name);
      if (restored !== undefined && restored.kind !== descriptor.kind) {
        throw new FlinktsError(
          'STATE_INCOMPATIBLE',
          `state '${descriptor.name}' was restored as ${restored.kind} state and is now requested as ${descriptor.kind} state`,
        );
      }
      this.restored.delete(descriptor.name);
      registered = { descriptor, table: restored?.table ?? new StateTable(this.keyGroupRange, this.maxParallelism) };
      // Time-to-live stamps are updated in place on reads: such values stay objects.
      const ttl = descriptor.getTtlConfig();
      if (ttl !== undefined && ttl.updateType !== 'Disabled') registered.table.keepObjects();
      this.tables.set(descriptor.name, registered);
    } else if (registered.descriptor.kind !== descriptor.kind) {
      throw new FlinktsError(
        'USER_FUNCTION',
        `state '${descriptor.name}' was registered as ${registered.descriptor.kind} state and is now requested as ${descriptor.kind} state`,
      );
    }
    return createState(descriptor, registered.table, this) as S;
  }

  /** Merges the `sources` namespaces of a merging state into `target` (session windows). */
  mergeNamespaces(state: InternalKvState, target: Namespace, sources: readonly Namespace[]): void {
    if (state.mergeNamespaces === undefined) {
      throw new FlinktsError('USER_FUNCTION', `state '${state.name}' of kind ${state.kind} cannot be merged`);
    }
    state.mergeNamespaces(target, sources);
  }

  /** Calls `fn` for every key that has state `descriptor` in `namespace`, with that key current. */
  applyToAllKeys(namespace: Namespace, descriptor: AnyStateDescriptor, fn: (key: unknown, state: InternalKvState) => void): void {
    const state = this.getState(descriptor);
    const entry = this.tables.get(descriptor.name)!;
    const keys = [...entry.table.entries()].filter((e) => e.value.has(namespace)).map((e) => e.key);
    const previous = this.currentKey;
    try {
      for (const key of keys) {
        this.setCurrentKey(key);
        state.setCurrentNamespace(namespace);
        fn(key, state);
      }
    } finally {
      this.setCurrentKey(previous);
    }
  }

  /**
   * @internal A table of one value per key (namespace `''`, no TTL) that a
   * runtime operator reads and updates in place, one index lookup per record
   * (rolling aggregations; other backends give them a value state). Snapshots
   * write it as value state `name`, so every backend restores it as one; user
   * code cannot ask for the name.
   */
  rawValueTable(name: string): KeyGroupedMap<unknown> {
    let table = this.rawTables.get(name);
    if (table !== undefined) return table;
    if (this.tables.has(name)) throw new FlinktsError('INTERNAL', `state '${name}' is already registered as a ${this.tables.get(name)!.descriptor.kind} state`);
    table = new KeyGroupedMap(this.keyGroupRange, this.maxParallelism);
    const restored = this.restored.get(name);
    if (restored !== undefined) {
      this.restored.delete(name);
      const apply = this.entrySink(name, restored.kind, { raw: table });
      for (const entry of restored.table.entries()) apply(entry.key, VOID_NAMESPACE, entry.value.get(VOID_NAMESPACE), entry.keyGroup);
    }
    this.rawTables.set(name, table);
    return table;
  }

  /** Names of the registered states. */
  stateNames(): string[] {
    return [...this.tables.keys(), ...this.rawTables.keys()];
  }

  /**
   * A full snapshot. Values all in columns (value-columns.ts) are copied now
   * (the synchronous part) and, when the writer has an encoding thread,
   * ordered, encoded and written there by the asynchronous part. Otherwise
   * every key group is encoded now (so later changes to the live objects
   * cannot leak in) and written later.
   * Restored state nobody asked for again is kept in the snapshot.
   */
  snapshot(options: KeyedSnapshotOptions): () => Promise<KeyedStateHandle | undefined> {
    const tables = [...this.tables].map(([name, { descriptor, table }]) => ({ name, kind: descriptor.kind as KeyedStateKind, table }));
    for (const [name, { kind, table }] of this.restored) tables.push({ name, kind, table });
    const states = [...tables.map(({ name, kind }) => ({ name, kind })), ...[...this.rawTables.keys()].map((name) => ({ name, kind: 'value' as const }))];
    const handleOf = (file: KeyedStateFile | undefined): KeyedStateHandle | undefined => (file === undefined ? undefined : { keyGroupRange: this.keyGroupRange, files: [file], states });
    // Values all in columns: copied now, ordered, encoded and written on another thread.
    const onThread = options.files.writeKeyedSectionsOnThread?.bind(options.files);
    const slots = onThread !== undefined && this.rawTables.size === 0 ? columnSlots(tables) : undefined;
    if (slots !== undefined) {
      if (slots.tables.length === 0) return async () => undefined;
      const job = { kind: 'columns' as const, slots: copySlots(slots), range: this.keyGroupRange };
      return async () => handleOf((await onThread!(job)).file);
    }
    const sections: [number, Uint8Array][] = [];
    // Written section by section when the file can be opened now: one reused encoding buffer instead of every
    // section held until the asynchronous part (for large state, hundreds of MB outside the JS heap, for which V8
    // runs a full collection every 64 MB).
    let stream: KeyedStateFileStream | undefined;
    const write = (keyGroup: number, encode: (transient: boolean) => Uint8Array): void => {
      // Asked once, at the first section: without a file now, every section is kept.
      if (sections.length === 0) stream ??= options.files.openKeyedStateFile?.();
      if (stream !== undefined) stream.write(keyGroup, encode(true));
      else sections.push([keyGroup, encode(false)]);
    };
    try {
      // Tables whose values are all in columns are written from the columns alone; otherwise entry by entry.
      const fromColumns = this.rawTables.size === 0 && encodeColumnSections(tables, this.keyGroupRange, (keyGroup, columns) => write(keyGroup, (transient) => packSection(columns, transient)));
      if (!fromColumns) this.encodeSections(tables, (keyGroup, section) => write(keyGroup, (transient) => section.finish(transient)));
    } catch (error) {
      stream?.abort();
      throw error;
    }
    return async () => {
      if (stream === undefined && sections.length === 0) return undefined;
      return handleOf(stream !== undefined ? await stream.close() : await options.files.writeKeyedStateFile(sections));
    };
  }

  /** Encodes the entries of each key group that has any, in key-group order. */
  private encodeSections(tables: readonly { name: string; table: StateTable }[], emit: (keyGroup: number, section: KeyGroupSectionBuilder) => void): void {
    for (let keyGroup = this.keyGroupRange.start; keyGroup <= this.keyGroupRange.end; keyGroup++) {
      const section = new KeyGroupSectionBuilder();
      // No iterator results, pairs or closures per entry: this runs for every entry, every checkpoint.
      for (const { name, table } of tables) {
        const add = (value: unknown, namespace: string, key: unknown): void => section.add(name, key, namespace, snapshotForm(value));
        for (const entry of table.group(keyGroup)) entry.value.forEach(add, entry.key);
      }
      for (const [name, table] of this.rawTables) for (const entry of table.group(keyGroup)) section.add(name, entry.key, VOID_NAMESPACE, entry.value);
      if (section.size > 0) emit(keyGroup, section);
    }
  }

  /**
   * Loads the entries of this backend's key groups from `handles` (of any old
   * parallelism). A state already asked for (operators may ask in their
   * constructors, before the task restores) gets its entries in its own
   * table; the others wait in `restored` until asked for.
   */
  async restore(handles: readonly KeyedStateHandle[], files: StateFileReader): Promise<void> {
    for (const handle of handles) {
      const kinds = new Map(handle.states.map((s) => [s.name, s.kind]));
      const start = Math.max(handle.keyGroupRange.start, this.keyGroupRange.start);
      const end = Math.min(handle.keyGroupRange.end, this.keyGroupRange.end);
      for (const [index, file] of handle.files.entries()) {
        // As the embedded backend: a full file after others starts its key groups from empty; a delta clears the groups it says.
        const cleared = !file.delta && index > 0 ? range(start, end) : (file.clearedKeyGroups ?? []).filter((g) => g >= start && g <= end);
        for (const keyGroup of cleared) this.clearKeyGroup(keyGroup);
        for (const [keyGroup] of file.sections) {
          if (keyGroup < start || keyGroup > end) continue;
          const section = await readSection(files, file, keyGroup);
          if (section === undefined) continue;
          // A full section of one namespace has each key once per state: into a key group with nothing of that state
          // yet, every entry is a new key (no look-up first). A section written by another backend is trusted as far.
          const newKeys = !file.delta && section.singleNamespace;
          // Entries of one state come in runs: resolve where they go once per run.
          let runName: string | undefined;
          let apply: EntrySink | undefined;
          section.forEach((name, key, namespace, value) => {
            if (name !== runName) {
              apply = this.entrySink(name, kinds.get(name), newKeys ? { newKeysOf: keyGroup } : {});
              runName = name;
            }
            apply!(key, namespace, value, keyGroup);
          });
        }
      }
    }
  }

  /**
   * Where restored entries of state `name` go: its raw table (`raw`, else the
   * registered one), registered table or restored table. The key group passed
   * is the section's (trusted, as Flink trusts a snapshot's key groups). With
   * `newKeysOf`, every entry is a key new to that key group, unless the group
   * already holds some of the state.
   */
  private entrySink(name: string, kind: KeyedStateKind | undefined, { raw = this.rawTables.get(name), newKeysOf }: { raw?: KeyGroupedMap<unknown>; newKeysOf?: number } = {}): EntrySink {
    if (kind === undefined) throw new FlinktsError('STATE_INCOMPATIBLE', `keyed state '${name}' has entries but is not listed among the snapshot's states`);
    if (raw !== undefined) {
      return (key, namespace, value) => {
        if (kind !== 'value' || namespace !== VOID_NAMESPACE) {
          throw new FlinktsError('STATE_INCOMPATIBLE', `state '${name}' was restored as ${kind} state${namespace === VOID_NAMESPACE ? '' : ' with namespaces'} and is now requested as value state`);
        }
        if (value === DELETED || value === undefined) raw.delete(key);
        else raw.set(key, value);
      };
    }
    const table = this.restoreTable(name, kind);
    if (newKeysOf !== undefined && table.group(newKeysOf).length === 0) {
      return (key, namespace, value) => table.insertKey(key, canonicalKey(key), newKeysOf).value.set(namespace, value);
    }
    return (key, namespace, value, keyGroup) => {
      const canonical = canonicalKey(key);
      const namespaces = table.entryOfCanonical(canonical)?.value;
      if (value === DELETED) {
        namespaces?.delete(namespace);
        if (namespaces?.size === 0) table.delete(key);
      } else if (namespaces === undefined) table.insertKey(key, canonical, keyGroup).value.set(namespace, value);
      else namespaces.set(namespace, value);
    };
  }

  private clearKeyGroup(keyGroup: number): void {
    for (const table of [...[...this.tables.values(), ...this.restored.values()].map((t) => t.table), ...this.rawTables.values()]) {
      for (const entry of [...(table as KeyGroupedMap<unknown>).group(keyGroup)]) {
        if (entry.value instanceof NamespaceMap) entry.value.clear();
        table.delete(entry.key);
      }
    }
  }

  /** The table restored entries of state `name` go to: its registered table, else a restored one. */
  private restoreTable(name: string, kind: KeyedStateKind): StateTable {
    const registered = this.tables.get(name);
    if (registered !== undefined) {
      if (registered.descriptor.kind !== kind) {
        throw new FlinktsError('STATE_INCOMPATIBLE', `state '${name}' was restored as ${kind} state and is now requested as ${registered.descriptor.kind} state`);
      }
      return registered.table;
    }
    let restored = this.restored.get(name);
    if (restored === undefined) {
      restored = { kind, table: new StateTable(this.keyGroupRange, this.maxParallelism) };
      this.restored.set(name, restored);
    }
    return restored.table;
  }

  /** The restored entries of a state nobody registered (timers, operator internals), removed from the backend. */
  takeRestored(name: string): { key: unknown; namespace: string; value: unknown }[] {
    const restored = this.restored.get(name);
    if (restored === undefined) return [];
    this.restored.delete(name);
    const out: { key: unknown; namespace: string; value: unknown }[] = [];
    for (const entry of restored.table.entries()) for (const [namespace, value] of entry.value) out.push({ key: entry.key, namespace, value });
    return out;
  }

  notifyCheckpointComplete(): void {}

  async dispose(): Promise<void> {}

  /** The table of a state, for snapshots and tests. */
  tableOf(name: string): StateTable | undefined {
    return this.tables.get(name)?.table;
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start + 1) }, (_, i) => start + i);
}
