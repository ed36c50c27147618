/**
 * What fault-injection and restore tests compare with: totals over integer
 * ranges in closed form (never engine output), and readers for the lines
 * and marker files the `fault-*` fixture jobs write.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Count and sum of the values of one key. */
export interface KeyTotals {
  readonly n: number;
  readonly sum: number;
}

/**
 * Per key k (0 ≤ k < keys): how many v in [from, to] have v % keys = k, and
 * their sum — an arithmetic series with difference `keys`.
 */
export function rangeTotals(from: number, to: number, keys: number): Map<number, KeyTotals> {
  const totals = new Map<number, KeyTotals>();
  for (let k = 0; k < keys; k++) {
    // The first v ≥ from with v ≡ k (mod keys), for from ≥ 0.
    const first = from + ((((k - from) % keys) + keys) % keys);
    const n = first > to ? 0 : Math.floor((to - first) / keys) + 1;
    totals.set(k, { n, sum: (n * (2 * first + (n - 1) * keys)) / 2 });
  }
  return totals;
}

/** Only the keys that have values (a key without records writes no line). */
export function nonEmpty(totals: ReadonlyMap<number, KeyTotals>): Map<number, KeyTotals> {
  return new Map([...totals].filter(([, t]) => t.n > 0));
}

/**
 * The state after the last record of each key, from `key,count,sum[,...]`
 * lines: the line with the highest count. Lines of a failed attempt that a
 * restart replays again are harmless here; a record counted twice or lost
 * changes the result.
 */
export function lastPerKey(lines: readonly string[]): Map<number, KeyTotals & { readonly rest: readonly string[] }> {
  const last = new Map<number, KeyTotals & { rest: string[] }>();
  for (const line of lines) {
    const [key, n, sum, ...rest] = line.split(',');
    const seen = last.get(Number(key));
    if (seen === undefined || Number(n) > seen.n) last.set(Number(key), { n: Number(n), sum: Number(sum), rest });
  }
  return last;
}

/** Count and sum only, for comparison with {@link rangeTotals}. */
export function totalsOf(last: ReadonlyMap<number, KeyTotals>): Map<number, KeyTotals> {
  return new Map([...last].map(([key, { n, sum }]) => [key, { n, sum }]));
}

/** The lines of a marker file in `dir` (none when the file does not exist). */
export function markerLines(dir: string, name: string): string[] {
  const file = join(dir, name);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0) : [];
}

/** How the sequence [from, to] is split over `parallelism` subtasks (as `fromSequence` does): sizes per subtask. */
export function evenSplit(count: number, parallelism: number): number[] {
  return Array.from({ length: parallelism }, (_, i) => Math.floor(count / parallelism) + (i < count % parallelism ? 1 : 0));
}
