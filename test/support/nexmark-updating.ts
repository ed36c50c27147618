/**
 * Checks for the changelogs of the updating Nexmark queries, beyond what
 * `applyChangelog` (test/support/nexmark.ts) checks: Flink's changelog
 * discipline, row for row.
 */
import { isDeepStrictEqual } from 'node:util';

/** A changelog row: the table's columns plus Flink's row kind. */
type ChangelogRow = Record<string, unknown> & { op?: unknown };

/** How many rows of each kind a changelog has. */
export type ChangelogCounts = Record<'+I' | '-U' | '+U' | '-D', number>;

/**
 * Walks a changelog (in order; rows of one key must come in the order they
 * were emitted) and throws at the first row that breaks the discipline:
 * - `+I` only for a key that has no row;
 * - `-U` and `-D` only for a key that has a row, and with exactly that row;
 * - `-U` immediately followed by the `+U` of the same key, and `+U` only there.
 *
 * @returns the number of rows of each kind.
 */
export function checkChangelog(rows: readonly object[], keyColumns: readonly string[]): ChangelogCounts {
  const table = new Map<string, Record<string, unknown>>();
  const counts: ChangelogCounts = { '+I': 0, '-U': 0, '+U': 0, '-D': 0 };
  let retracted: string | undefined;
  rows.forEach((row, index) => {
    const { op, ...columns } = row as ChangelogRow;
    const key = JSON.stringify(keyColumns.map((column) => columns[column]));
    const fail = (why: string): never => {
      throw new Error(`changelog row ${index}: ${why}: ${JSON.stringify(row)}`);
    };
    if (retracted !== undefined && (op !== '+U' || key !== retracted)) fail(`expected the +U of ${retracted} after its -U`);
    switch (op) {
      case '+I':
        if (table.has(key)) fail(`+I of ${key}, which already has a row`);
        table.set(key, columns);
        break;
      case '-U':
      case '-D': {
        const current = table.get(key);
        if (current === undefined) fail(`${op} of ${key}, which has no row`);
        if (!isDeepStrictEqual(current, columns)) fail(`${op} of ${key} differs from its row ${JSON.stringify(current)}`);
        table.delete(key);
        if (op === '-U') retracted = key;
        break;
      }
      case '+U':
        if (retracted !== key) fail(`+U of ${key} without a -U just before`);
        retracted = undefined;
        table.set(key, columns);
        break;
      default:
        fail(`unknown op ${JSON.stringify(op)}`);
    }
    counts[op as keyof ChangelogCounts] += 1;
  });
  if (retracted !== undefined) throw new Error(`changelog ends after the -U of ${retracted}, without its +U`);
  return counts;
}
