/**
 * Helpers for the Nexmark query tests: the events a query sees (drained from
 * the generator directly), a query job run on the MiniCluster with its JSON
 * lines parsed, a changelog applied to a table, and a multiset comparison of
 * rows with a relative tolerance for floating-point columns.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runJob } from 'flinkts/client';
import { collectingOutput, nexmarkConfigFromParams, NexmarkSource, ParameterTool, type NexmarkEvent } from 'flinkts';
import { expectFinished, readLines, tempDir } from './job-output.js';

export const NEXMARK_EXAMPLES = fileURLToPath(new URL('../../examples/nexmark/', import.meta.url));

type NexmarkConfig = ReturnType<typeof nexmarkConfigFromParams>;

/** Generator knobs beyond the number of events (defaults: those of `--events N` alone). */
export type GenerateOptions = Partial<Omit<NexmarkConfig, 'events'>>;

/**
 * The `events` first Nexmark events of the configuration `--events N` plus
 * `options`, in generation order: one `NexmarkSource` reader at parallelism 1,
 * drained synchronously, from the built package (`flinkts`) as the jobs
 * run it. (That every parallelism yields the same multiset is
 * the generator's own test.)
 */
export function generateEvents(events: number, options: GenerateOptions = {}): NexmarkEvent[] {
  const base = nexmarkConfigFromParams(ParameterTool.fromArgs(['--events', String(events)]));
  const config: NexmarkConfig = { ...base, ...options, events };
  const reader = new NexmarkSource(config).createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'nexmark (test)' });
  if (reader.start?.() instanceof Promise) throw new Error('generateEvents: the NexmarkSource reader starts asynchronously; drain it with await');
  const result: NexmarkEvent[] = [];
  const output = collectingOutput((event: NexmarkEvent): void => void result.push(event));
  for (;;) {
    const status = reader.pollNext(output);
    if (status === 'END_OF_INPUT') break;
    if (status === 'NOTHING_AVAILABLE') throw new Error('generateEvents: the NexmarkSource reader is throttled (NOTHING_AVAILABLE); expected a bounded, unthrottled source');
  }
  void reader.close?.();
  return result;
}

/**
 * Runs `examples/nexmark/<query>.ts` with `--events N --output <temp>
 * --parallelism P` (plus `extraArgs`) and returns its JSON-lines rows. The
 * temp dir is removed before returning.
 */
export async function runQuery(query: string, events: number, parallelism: number, extraArgs: readonly string[] = []): Promise<object[]> {
  const { dir, cleanup } = tempDir(`flinkts-nexmark-${query}-`);
  try {
    const output = join(dir, 'out');
    const args = ['--events', String(events), '--output', output, '--parallelism', String(parallelism), ...extraArgs];
    expectFinished(await runJob({ job: join(NEXMARK_EXAMPLES, `${query}.ts`), args, parallelism }));
    return readLines(output).map((line) => JSON.parse(line) as object);
  } finally {
    cleanup();
  }
}

/** A changelog row: the table's columns plus Flink's row kind. */
type ChangelogRow = Record<string, unknown> & { op?: unknown };

/**
 * Applies a changelog (`op` = `+I` / `+U` insert or replace, `-U` / `-D`
 * remove) to a table keyed by `keyColumns`, in order, and returns the final
 * table: key (JSON of the key columns' values) → row without `op`.
 *
 * @throws Error on an unknown `op`, or a `-U` / `-D` of a row not in the table.
 */
export function applyChangelog(rows: readonly object[], keyColumns: readonly string[]): Map<string, object> {
  const table = new Map<string, object>();
  rows.forEach((row, index) => {
    const { op, ...columns } = row as ChangelogRow;
    const key = JSON.stringify(keyColumns.map((column) => columns[column]));
    switch (op) {
      case '+I':
      case '+U':
        table.set(key, columns);
        break;
      case '-U':
      case '-D':
        if (!table.delete(key)) throw new Error(`applyChangelog: row ${index} (${op}) retracts ${key}, which is not in the table: ${JSON.stringify(row)}`);
        break;
      default:
        throw new Error(`applyChangelog: row ${index} has op ${JSON.stringify(op)}, expected +I, -U, +U or -D: ${JSON.stringify(row)}`);
    }
  });
  return table;
}

/** Options of {@link expectSameRows}. */
export interface SameRowsOptions {
  /** Largest relative difference of two floating-point values that still counts as equal. */
  readonly floatTolerance: number;
}

/** Orders two column values: by type, then numbers numerically, strings by code unit, anything else by its JSON. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ta = a === null ? 'null' : typeof a;
  const tb = b === null ? 'null' : typeof b;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (ta === 'number') return (a as number) - (b as number) || (Number.isNaN(a) ? 1 : 0) - (Number.isNaN(b) ? 1 : 0);
  const sa = ta === 'string' ? (a as string) : JSON.stringify(a) ?? String(a);
  const sb = tb === 'string' ? (b as string) : JSON.stringify(b) ?? String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Expects two multisets of flat rows to be equal. Columns holding a
 * non-integer number in any row are compared with the relative tolerance;
 * every other column exactly. Both sides are sorted by the exact columns,
 * then the floating-point ones, and walked together. On a mismatch the
 * failure lists the first missing and unexpected rows.
 */
export function expectSameRows(actual: readonly object[], expected: readonly object[], options: SameRowsOptions = { floatTolerance: 1e-9 }): void {
  const columns = new Set<string>();
  const floatColumns = new Set<string>();
  for (const rows of [actual, expected]) {
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        columns.add(column);
        if (typeof value === 'number' && !Number.isInteger(value)) floatColumns.add(column);
      }
    }
  }
  const exact = [...columns].filter((column) => !floatColumns.has(column)).sort();
  const floats = [...floatColumns].sort();
  type R = Record<string, unknown>;
  const compareExact = (a: R, b: R): number => {
    for (const column of exact) {
      const d = compareValues(a[column], b[column]);
      if (d !== 0) return d;
    }
    return 0;
  };
  const compareAll = (a: R, b: R): number => {
    const d = compareExact(a, b);
    if (d !== 0) return d;
    for (const column of floats) {
      const f = compareValues(a[column], b[column]);
      if (f !== 0) return f;
    }
    return 0;
  };
  const close = (a: unknown, b: unknown): boolean => {
    if (a === b) return true;
    if (typeof a !== 'number' || typeof b !== 'number') return false;
    return Math.abs(a - b) <= options.floatTolerance * Math.max(Math.abs(a), Math.abs(b));
  };
  const as = ([...actual] as R[]).sort(compareAll);
  const es = ([...expected] as R[]).sort(compareAll);
  const missing: object[] = [];
  const unexpected: object[] = [];
  let i = 0;
  let j = 0;
  while (i < as.length || j < es.length) {
    const a = as[i];
    const e = es[j];
    if (a !== undefined && e !== undefined && compareExact(a, e) === 0 && floats.every((column) => close(a[column], e[column]))) {
      i++;
      j++;
    } else if (e === undefined || (a !== undefined && compareAll(a, e) < 0)) {
      unexpected.push(as[i++]!);
    } else {
      missing.push(es[j++]!);
    }
  }
  const summary = { rows: actual.length, missing: missing.length, unexpected: unexpected.length };
  expect({ ...summary, firstMissing: missing.slice(0, 5), firstUnexpected: unexpected.slice(0, 5) }).toEqual({
    rows: expected.length,
    missing: 0,
    unexpected: 0,
    firstMissing: [],
    firstUnexpected: [],
  });
}
