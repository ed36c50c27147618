/**
 * Finding the input files of a `FileSource`: the given paths, recursively
 * (nested directories), without hidden and in-progress files, through the
 * user's filter; and which reader owns a file (a stable hash of its path).
 */
import type { Dirent, Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileError } from './line-cursor.js';

/**
 * Flink's legacy `FilePathFilter`: `filterPath(path)` returns true for a
 * file to **leave out**. Applied to files only (never to directories, so a
 * filter on a file extension does not stop the walk into subdirectories).
 */
export interface FilePathFilter {
  filterPath(filePath: string): boolean;
}

/** A filter of a `FileSource`: true for a file to read. */
export type FileFilter = (filePath: string) => boolean;

/**
 * Whether a file or directory name is left out by default, as Flink's
 * `DefaultFileFilter` / `FilePathFilter.createDefaultFilter()` do: hidden
 * names ('.'), names starting with '_' (`_SUCCESS`, in-progress files of
 * some writers) and names containing `_COPYING_` (files being copied).
 * The in-progress and pending part files of a `FileSink` start with '.'.
 */
export function isExcludedByDefault(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_') || name.includes('_COPYING_');
}

/** One input file as a listing found it. */
export interface ListedFile {
  /** Absolute path. */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The files under `roots` (absolute paths) that `accept` takes, sorted by
 * path. A root that is a file is listed as is (no default or user filter:
 * it was named explicitly); directories are walked recursively, leaving out
 * names {@link isExcludedByDefault} and files `filter` rejects. `accept` runs
 * before the file is stat'ed, so a reader only pays for the files it owns.
 * A missing or unreadable root or directory throws a `CONNECTOR` error naming it.
 */
export async function listFiles(roots: readonly string[], filter: FileFilter | undefined, accept: (filePath: string) => boolean): Promise<ListedFile[]> {
  const files: ListedFile[] = [];
  // Directories already walked (device:inode), so that a symbolic link cycle ends.
  const walked = new Set<string>();
  for (const root of roots) {
    let stats: Stats;
    try {
      stats = await fs.stat(root);
    } catch (error) {
      throw fileError(root, 'list', error);
    }
    if (stats.isDirectory()) await walk(root, stats, filter, accept, walked, files);
    else if (stats.isFile() && accept(root)) files.push({ path: root, size: stats.size, mtimeMs: stats.mtimeMs });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // A file reached through two roots (or a link) is read once.
  return files.filter((file, i) => i === 0 || files[i - 1]!.path !== file.path);
}

async function walk(
  dir: string,
  stats: Stats,
  filter: FileFilter | undefined,
  accept: (filePath: string) => boolean,
  walked: Set<string>,
  files: ListedFile[],
): Promise<void> {
  const id = `${stats.dev}:${stats.ino}`;
  if (walked.has(id)) return;
  walked.add(id);
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw fileError(dir, 'list', error);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const dirent of entries) {
    if (isExcludedByDefault(dirent.name)) continue;
    const entry = path.join(dir, dirent.name);
    // The directory entry's type needs no system call; a symbolic link is followed (as Flink's local file system does).
    let kind: 'file' | 'directory' | 'other' = dirent.isFile() ? 'file' : dirent.isDirectory() ? 'directory' : 'other';
    let entryStats: Stats | undefined;
    if (dirent.isSymbolicLink() || kind === 'directory') {
      entryStats = await statEntry(entry);
      if (entryStats === undefined) continue;
      kind = entryStats.isDirectory() ? 'directory' : entryStats.isFile() ? 'file' : 'other';
    }
    if (kind === 'directory') {
      await walk(entry, entryStats!, filter, accept, walked, files);
    } else if (kind === 'file' && (filter === undefined || filter(entry)) && accept(entry)) {
      // Only accepted files are stat'ed: a reader pays for the files it owns.
      entryStats ??= await statEntry(entry);
      if (entryStats !== undefined) files.push({ path: entry, size: entryStats.size, mtimeMs: entryStats.mtimeMs });
    }
  }
}

/** The stats of a directory entry; undefined when it vanished since the listing or is a dangling link. */
async function statEntry(entry: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(entry);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(entry, 'list', error);
  }
}

/**
 * The bucket of a file: FNV-1a (32 bit) of its absolute path modulo
 * `buckets`. Stable across processes, runs and Node versions, so every
 * reader agrees on who owns a file without talking to the others.
 */
export function bucketOf(filePath: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < filePath.length; i++) {
    hash ^= filePath.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}
