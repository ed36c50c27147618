/**
 * The states an embedded backend knows, by name and by the small id their
 * rows carry (ids are this store's own: the store lives as long as the
 * backend, and snapshot files name states, not ids). A state is known once
 * an operator asks for it, or once a restore brings entries of it.
 */
import { FlinktsError } from '../../../api/errors.js';
import type { AnyStateDescriptor, StateTtlConfig } from '../../../api/state.js';
import type { KeyedStateKind } from '../../checkpoint/metadata.js';

/** One known state. */
export interface RegisteredState {
  readonly id: number;
  readonly name: string;
  readonly kind: KeyedStateKind;
  /** The descriptor an operator asked with (restored states nobody asked for yet have none). */
  descriptor: AnyStateDescriptor | undefined;
}

/** Ids are u16 in row keys. */
const MAX_STATES = 0xffff;

export class StateRegistry {
  private readonly byName = new Map<string, RegisteredState>();
  private readonly byId: RegisteredState[] = [];

  /** The state a descriptor names, registered on first use; a name already known with another kind fails. */
  register(descriptor: AnyStateDescriptor): RegisteredState {
    const known = this.byName.get(descriptor.name);
    if (known === undefined) {
      const state = this.add(descriptor.name, descriptor.kind);
      state.descriptor = descriptor;
      return state;
    }
    if (known.kind !== descriptor.kind) {
      // The heap backend's messages: a restored state of another kind is incompatible state, a registered one a user error.
      if (known.descriptor === undefined) {
        throw new FlinktsError('STATE_INCOMPATIBLE', `state '${descriptor.name}' was restored as ${known.kind} state and is now requested as ${descriptor.kind} state`);
      }
      throw new FlinktsError('USER_FUNCTION', `state '${descriptor.name}' was registered as ${known.kind} state and is now requested as ${descriptor.kind} state`);
    }
    known.descriptor ??= descriptor;
    return known;
  }

  /** A state restored from a snapshot (its kind as the snapshot lists it). */
  restored(name: string, kind: KeyedStateKind): RegisteredState {
    const known = this.byName.get(name);
    if (known === undefined) return this.add(name, kind);
    if (known.kind !== kind) {
      throw new FlinktsError('STATE_INCOMPATIBLE', `keyed state '${name}' is ${kind} state in one snapshot and ${known.kind} state in another`);
    }
    return known;
  }

  byStateName(name: string): RegisteredState | undefined {
    return this.byName.get(name);
  }

  byStateId(id: number): RegisteredState | undefined {
    return this.byId[id];
  }

  /** Every known state. */
  all(): RegisteredState[] {
    return [...this.byName.values()];
  }

  /** The TTL of a state, if it was asked for with one. */
  ttlOf(state: RegisteredState): StateTtlConfig | undefined {
    const ttl = state.descriptor?.getTtlConfig();
    return ttl !== undefined && ttl.updateType !== 'Disabled' ? ttl : undefined;
  }

  private add(name: string, kind: KeyedStateKind): RegisteredState {
    const id = this.byId.length === 0 ? 1 : this.byId.length;
    if (id > MAX_STATES) throw new FlinktsError('INTERNAL', `the embedded state backend holds at most ${MAX_STATES} states`);
    const state: RegisteredState = { id, name, kind, descriptor: undefined };
    this.byId[id] = state;
    this.byName.set(name, state);
    return state;
  }
}
