/** Helpers for tests that run jobs: temp dirs and reading `writeAsText` output. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'flinkts-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The lines written by `writeAsText(path)`: one file at parallelism 1, a directory of files otherwise. */
export function readLines(path: string): string[] {
  const files = statSync(path).isDirectory() ? readdirSync(path).sort().map((name) => join(path, name)) : [path];
  return files.flatMap((file) => readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0));
}

/** The lines per subtask file (`1`, `2`, ...) of a parallel `writeAsText`. */
export function readLinesPerSubtask(path: string): Map<number, string[]> {
  const result = new Map<number, string[]>();
  for (const name of readdirSync(path)) {
    result.set(Number(name) - 1, readFileSync(join(path, name), 'utf8').split('\n').filter((line) => line.length > 0));
  }
  return result;
}

/** A multiset as a sorted array, for order-insensitive comparison. */
export function sorted<T>(values: Iterable<T>): T[] {
  return [...values].sort();
}

export const JOBS = new URL('../fixtures/jobs/', import.meta.url).pathname;
