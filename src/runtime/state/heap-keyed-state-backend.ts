/**
 * The `hashmap` keyed state backend: every state of a keyed operator subtask
 * on the heap, organised by key group (for snapshots and rescaling), then key,
 * then namespace (`''`, or a window). The backend holds the current key; the
 * state objects read and write the entry of (current key, their namespace).
 */
import { FlinktsError } from '../../api/errors.js';
import type { AnyStateDescriptor } from '../../api/state.js';
import { canonicalKey, KeyGroupedMap, type KeyGroupRange } from './key-grouped-map.js';
import { createState, type InternalKvState, type StateHost } from './heap-states.js';

/** A namespace of keyed state: `''` for none, otherwise e.g. a window. */
export type Namespace = string;
export const VOID_NAMESPACE: Namespace = '';

/** The values of one state: key → namespace → value. */
export type StateTable = KeyGroupedMap<Map<Namespace, unknown>>;

export class HeapKeyedStateBackend implements StateHost {
  private currentKey: unknown = undefined;
  private currentCanonical: unknown = undefined;
  private readonly tables = new Map<string, { descriptor: AnyStateDescriptor; table: StateTable }>();

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
    let registered = this.tables.get(descriptor.name);
    if (registered === undefined) {
      registered = { descriptor, table: new KeyGroupedMap(this.keyGroupRange, this.maxParallelism) };
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

  /** Names of the registered states. */
  stateNames(): string[] {
    return [...this.tables.keys()];
  }

  /** The table of a state, for snapshots and tests. */
  tableOf(name: string): StateTable | undefined {
    return this.tables.get(name)?.table;
  }
}
