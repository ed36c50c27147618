/**
 * The registry of the flinkts clusters running on this host for this user:
 * one file `<state dir>/clusters/<pid>.json` per cluster holding its REST
 * address, port and token, so `flinkts list`, `cancel`, `savepoint` ... find
 * the clusters started by `flinkts run` without being told where they are.
 *
 * The token is a credential: the directory is 0700 and each file 0600, written
 * to a temporary name and renamed into place (readers never see half a file).
 * A cluster removes its file when it shuts down, and when its process exits;
 * a file left behind by a killed process is removed by the next reader that
 * finds its pid dead.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlinktsError } from '../api/errors.js';
import { localStateDir } from '../config/state-dir.js';

/** One registered cluster: the content of its registry file. */
export interface LocalClusterEntry {
  /** The process that runs the cluster. */
  readonly pid: number;
  /** Where its REST API is reached: a loopback address unless bound elsewhere. */
  readonly address: string;
  readonly port: number;
  /** The bearer token of its REST API. */
  readonly token: string;
  /** ISO-8601 instant. */
  readonly startedAt: string;
  /** The flinkts version of the cluster. */
  readonly version: string;
}

/** Where the registry lives; the default follows the environment (see {@link localStateDir}). */
export interface RegistryLocation {
  /** The flinkts state directory; the registry is its `clusters/` folder. */
  readonly stateDir?: string;
}

/** What {@link registerLocalCluster} returns. */
export interface LocalClusterRegistration {
  /** The registry file. */
  readonly path: string;
  readonly entry: LocalClusterEntry;
  /** Removes the registry file (idempotent). */
  unregister(): void;
}

export { localStateDir };

/** The folder of the registry files. */
export function clustersDir(location: RegistryLocation = {}): string {
  return join(location.stateDir ?? localStateDir(), 'clusters');
}

/** Registry files registered by this process, to give a second cluster in the same process a name of its own. */
const ownFiles = new Set<string>();

/**
 * Registers a cluster of this process (or of `pid`, for tests): writes its
 * file with mode 0600 into the 0700 registry directory and removes it again on
 * `unregister()` or when this process exits.
 *
 * @throws FlinktsError CONFIG when the registry directory cannot be created or is not a private directory.
 */
export function registerLocalCluster(
  cluster: { address: string; port: number; token: string; version: string; pid?: number; startedAt?: Date },
  location: RegistryLocation = {},
): LocalClusterRegistration {
  const dir = ensurePrivateDir(clustersDir(location));
  const entry: LocalClusterEntry = {
    pid: cluster.pid ?? process.pid,
    address: cluster.address,
    port: cluster.port,
    token: cluster.token,
    startedAt: (cluster.startedAt ?? new Date()).toISOString(),
    version: cluster.version,
  };
  let path = join(dir, `${entry.pid}.json`);
  if (ownFiles.has(path)) path = join(dir, `${entry.pid}-${entry.port}.json`);
  const temporary = join(dir, `.${entry.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temporary, JSON.stringify(entry, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    // The umask may have taken bits away, never added any; make it exactly 0600.
    chmodSync(temporary, 0o600);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new FlinktsError('CONFIG', `cannot register the cluster in ${dir}: ${(error as Error).message}`, { cause: error });
  }
  ownFiles.add(path);
  let registered = true;
  const remove = (): void => {
    if (!registered) return;
    registered = false;
    ownFiles.delete(path);
    process.off('exit', remove);
    rmSync(path, { force: true });
  };
  process.on('exit', remove);
  return { path, entry, unregister: remove };
}

/**
 * The clusters registered on this host whose process is alive, oldest first.
 * Files of dead processes are deleted; unreadable or malformed files are
 * skipped (and left alone: they may belong to another flinkts version).
 */
export function listLocalClusters(location: RegistryLocation = {}): LocalClusterEntry[] {
  const dir = clustersDir(location);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const entries: LocalClusterEntry[] = [];
  for (const name of names) {
    if (!/^\d+(-\d+)?\.json$/.test(name)) continue;
    const path = join(dir, name);
    const entry = readEntry(path);
    if (entry === undefined) continue;
    if (!processAlive(entry.pid)) {
      try {
        unlinkSync(path);
      } catch {
        // Another reader removed it first.
      }
      continue;
    }
    entries.push(entry);
  }
  return entries.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.pid - b.pid || a.port - b.port);
}

/** Whether a process with this id exists (one of another user counts: signalling it is merely not permitted). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readEntry(path: string): LocalClusterEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Record<string, unknown>;
  const valid =
    Number.isSafeInteger(entry.pid) &&
    (entry.pid as number) > 0 &&
    typeof entry.address === 'string' &&
    Number.isInteger(entry.port) &&
    (entry.port as number) > 0 &&
    (entry.port as number) < 65536 &&
    typeof entry.token === 'string' &&
    typeof entry.startedAt === 'string' &&
    typeof entry.version === 'string';
  if (!valid) return undefined;
  return {
    pid: entry.pid as number,
    address: entry.address as string,
    port: entry.port as number,
    token: entry.token as string,
    startedAt: entry.startedAt as string,
    version: entry.version as string,
  };
}

/** Creates `dir` (and its parents) as 0700 and checks it is a real directory, not a symlink planted by someone else. */
export function ensurePrivateDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) throw new Error('not a directory');
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) throw new Error('owned by another user');
    if ((stat.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  } catch (error) {
    throw new FlinktsError('CONFIG', `cannot use ${dir} as the cluster registry: ${(error as Error).message}`, {
      cause: error,
      hint: 'set FLINKTS_STATE_DIR to a directory of your own',
    });
  }
  return dir;
}
