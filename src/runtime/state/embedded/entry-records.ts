/**
 * Between rows of the embedded store and the entries of snapshot files
 * (`[stateName, key, namespace, value]`, see `state-sections.ts`). The value
 * of an entry is what the heap backend holds for it — the stored value
 * (`{ v, t }` with a TTL), a list's array of elements, a map state's
 * `Map<canonical key, [key, value]>` (`{ v: map, t }` with a TTL) — so files
 * of both backends read the same, and a canonical savepoint of one restores
 * into the other.
 */
import { FlinktsError } from '../../../api/errors.js';
import type { StateTtlConfig } from '../../../api/state.js';
import { DELETED, type KeyedEntryRecord } from '../../checkpoint/state-sections.js';
import { canonicalKey } from '../key-grouped-map.js';
import type { StoreWriter } from './embedded-store.js';
import { decodeKey, decodeNamespace, encodeKey, encodeNamespace, entryKey, parseRowKey, prefixRange, type ParsedRowKey } from './key-codec.js';
import { assembleRow, mapStampBody, pack, readMapStamp, rowHeader, splitRow, unpack, unpackAll } from './row-codec.js';
import type { RegisteredState } from './state-registry.js';

/** A row as the store gives it. */
export interface Row {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** The original key and namespace of an entry's row. */
export function keyAndNamespace(row: Row, parsed: ParsedRowKey = parseRowKey(row.key)): { key: unknown; namespace: string } {
  const decoded = decodeKey(row.key, parsed.keyStart, parsed.keyEnd);
  const namespace = decodeNamespace(row.key, parsed.namespaceStart, parsed.namespaceEnd);
  if (decoded.ok && namespace !== undefined) return { key: decoded.key, namespace };
  const split = splitRow(row.value);
  return { key: decoded.ok ? decoded.key : split.key?.value, namespace: namespace ?? split.namespace ?? '' };
}

/** The user key of a map row (its part after the entry key). */
export function userKeyOf(row: Row, entryEnd: number): unknown {
  const decoded = decodeKey(row.key, entryEnd);
  return decoded.ok ? decoded.key : splitRow(row.value).key?.value;
}

/**
 * The snapshot entry of a state entry from its rows (a map: its own row, then
 * its entries' rows), or `undefined` when it holds nothing (an emptied map)
 * or, with `expiredAt`, nothing unexpired.
 */
export function recordOf(state: Pick<RegisteredState, 'name' | 'kind'>, rows: readonly Row[], expiredAt?: { ttl: Pick<StateTtlConfig, 'ttlMs'>; now: number }): KeyedEntryRecord | undefined {
  const first = rows[0];
  if (first === undefined) return undefined;
  const parsed = parseRowKey(first.key);
  const { key, namespace } = keyAndNamespace(first, parsed);
  const body = splitRow(first.value).body;
  const expired = (t: number): boolean => expiredAt !== undefined && expiredAt.now - t >= expiredAt.ttl.ttlMs;
  switch (state.kind) {
    case 'list': {
      let elements = unpackAll([body]);
      if (expiredAt !== undefined) elements = elements.filter((e) => !expired((e as { t: number }).t));
      return elements.length === 0 ? undefined : [state.name, key, namespace, elements];
    }
    case 'map': {
      if (rows.length < 2) return undefined;
      const map = new Map<unknown, [unknown, unknown]>();
      for (const row of rows.slice(1)) {
        const userKey = userKeyOf(row, parsed.entryEnd);
        map.set(canonicalKey(userKey), [userKey, unpack(splitRow(row.value).body)]);
      }
      const stamp = readMapStamp(body);
      if (stamp !== undefined && expired(stamp)) return undefined;
      return [state.name, key, namespace, stamp === undefined ? map : { v: map, t: stamp }];
    }
    default: {
      const value = unpack(body);
      if (expiredAt !== undefined && expired((value as { t: number }).t)) return undefined;
      return [state.name, key, namespace, value];
    }
  }
}

/** The rows of the entry `rowKey` in a store view: the entry's row, then a map's entry rows. */
export function entryRows(state: Pick<RegisteredState, 'kind'>, rowKey: Buffer, view: { get(key: Buffer): Buffer | undefined; range(start: Buffer, end: Buffer): Iterable<Row> }): Row[] {
  if (state.kind !== 'map') {
    const value = view.get(rowKey);
    return value === undefined ? [] : [{ key: rowKey, value }];
  }
  const { start, end } = prefixRange(rowKey);
  const rows = [...view.range(start, end)];
  return rows.length > 0 && rows[0]!.key.equals(rowKey) ? rows : [];
}

/** Writes (or with `DELETED` removes) one snapshot entry into the store, replacing what was there. */
export function writeRecord(writer: StoreWriter, state: RegisteredState, keyGroup: number, record: KeyedEntryRecord): void {
  const [name, key, namespace, value] = record;
  const encodedKey = encodeKey(key);
  const encodedNamespace = encodeNamespace(namespace);
  const rowKey = entryKey(keyGroup, state.id, encodedKey.bytes, encodedNamespace.bytes);
  const header = rowHeader(encodedKey.decodable ? undefined : { value: key }, encodedNamespace.decodable ? undefined : namespace);
  if (state.kind === 'map') {
    const { start, end } = prefixRange(rowKey);
    writer.removeRange(start, end);
  }
  if (value === DELETED) {
    if (state.kind !== 'map') writer.remove(rowKey);
    return;
  }
  switch (state.kind) {
    case 'list': {
      if (!Array.isArray(value)) throw incompatible(name, 'a list state entry is not an array');
      writer.put(rowKey, assembleRow(header, value.map((e) => pack(e))));
      return;
    }
    case 'map': {
      const stamped = !(value instanceof Map);
      const map = stamped ? (value as { v?: unknown }).v : value;
      if (!(map instanceof Map)) throw incompatible(name, 'a map state entry is not a Map');
      writer.put(rowKey, assembleRow(header, mapStampBody(stamped ? Number((value as { t: unknown }).t) : undefined)));
      for (const pair of map.values() as Iterable<unknown>) {
        if (!Array.isArray(pair) || pair.length !== 2) throw incompatible(name, 'a map state entry is not a map of [key, value] pairs');
        const userKey = encodeKey(pair[0]);
        const userHeader = rowHeader(userKey.decodable ? undefined : { value: pair[0] }, undefined);
        writer.put(Buffer.concat([rowKey, userKey.bytes]), assembleRow(userHeader, [pack(pair[1])]));
      }
      return;
    }
    default:
      writer.put(rowKey, assembleRow(header, [pack(value)]));
  }
}

function incompatible(name: string, problem: string): FlinktsError {
  return new FlinktsError('STATE_INCOMPATIBLE', `keyed state '${name}': ${problem}`);
}
