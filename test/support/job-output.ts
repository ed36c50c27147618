/** Helpers for tests that run jobs: temp dirs and reading `writeAsText` output. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';

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

/**
 * Per-test temp dirs for job output, removed after each test. Call once at
 * the top level of a test file.
 */
export function workDirs(): { workDir: () => string; outputPath: () => string } {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));
  const workDir = (): string => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    return dir;
  };
  return { workDir, outputPath: () => join(workDir(), 'out') };
}

/** Fails with the job's own error message when it did not finish. */
export function expectFinished(result: { status: string; error?: { message: string } }): void {
  expect(result.error?.message).toBeUndefined();
  expect(result.status).toBe('FINISHED');
}
