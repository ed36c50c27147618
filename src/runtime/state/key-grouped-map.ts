/**
 * Heap state of one operator subtask, organised by key group so it can be
 * snapshotted and redistributed per group. Keys are compared by value:
 * primitives as they are, arrays and objects by a canonical string.
 */
import { assignToKeyGroup } from '../../graph/key-groups.js';

/** An inclusive range of key groups. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/** A map from key to value, partitioned by key group. */
export class KeyGroupedMap<V> {
  private readonly groups: Map<unknown, V>[];

  constructor(
    private readonly range: KeyGroupRange,
    private readonly maxParallelism: number,
  ) {
    this.groups = Array.from({ length: range.end - range.start + 1 }, () => new Map<unknown, V>());
  }

  /** The table of `key`'s group; throws if the key belongs to another subtask. */
  tableFor(key: unknown): Map<unknown, V> {
    const group = assignToKeyGroup(key, this.maxParallelism);
    const table = this.groups[group - this.range.start];
    if (table === undefined) {
      throw new RangeError(`key group ${group} of key ${String(key)} is outside this subtask's range ${this.range.start}-${this.range.end}`);
    }
    return table;
  }

  get(key: unknown): V | undefined {
    return this.tableFor(key).get(canonicalKey(key));
  }

  set(key: unknown, value: V): void {
    this.tableFor(key).set(canonicalKey(key), value);
  }

  /** Entries of one key group (for snapshots). */
  groupEntries(group: number): IterableIterator<[unknown, V]> {
    return this.groups[group - this.range.start]!.entries();
  }

  get size(): number {
    let total = 0;
    for (const table of this.groups) total += table.size;
    return total;
  }
}

/** Primitives stand for themselves; composite keys become a canonical string. */
export function canonicalKey(key: unknown): unknown {
  if (typeof key !== 'object' || key === null) return key;
  return `\u0000${canonicalJson(key)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return `D${value.getTime()}`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'u';
  return JSON.stringify(value);
}
