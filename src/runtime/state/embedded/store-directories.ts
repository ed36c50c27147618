/**
 * Where the stores of the embedded backend live, and how the ones nobody
 * disposed are found again. A store is `<tmp dir>/flinkts-<pid>/<name>-<random>`,
 * where a job's stores are named `<job>_<attempt>-<operator>-<subtask>` (see
 * `state-backends.ts`). `dispose()` deletes a store; but a worker thread
 * terminated by its task manager (a job that restarts, fails or is cancelled)
 * runs nothing more, so its stores stay. They are deleted here instead:
 *
 * - when a job deploys attempt *n*, the stores of its attempts before *n* in
 *   this process (their workers were terminated before the redeployment);
 * - the per-process directories of processes that no longer run (a crashed
 *   or killed CLI; `kill(pid, 0)` says ESRCH).
 *
 * Deletion is best effort: several workers may clean at the same moment.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const PROCESS_DIR = /^flinkts-(\d+)$/;

/** The per-process directory of this process under `tmpDir`. */
export function processDirectory(tmpDir: string): string {
  return join(tmpDir, `flinkts-${process.pid}`);
}

/** The name prefix of a job attempt's stores: `<job>_<attempt>-`. */
export function attemptPrefix(job: string, attempt: number): string {
  return `${job}_${attempt}-`;
}

/**
 * Deletes, under each of `tmpDirs`, the stores of `job`'s attempts before
 * `attempt` left in this process's directory, and the directories of
 * processes that are gone.
 */
export function removeStaleStores(tmpDirs: readonly string[], job: string, attempt: number): void {
  for (const tmpDir of tmpDirs) {
    for (const name of list(processDirectory(tmpDir))) {
      if (!name.startsWith(`${job}_`)) continue;
      const earlier = Number(name.slice(job.length + 1, name.indexOf('-')));
      if (Number.isInteger(earlier) && earlier < attempt) remove(join(processDirectory(tmpDir), name));
    }
    for (const name of list(tmpDir)) {
      const pid = Number(PROCESS_DIR.exec(name)?.[1] ?? Number.NaN);
      if (Number.isInteger(pid) && pid !== process.pid && !isRunning(pid)) remove(join(tmpDir, name));
    }
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function remove(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Another worker is deleting it too, or a file is in use: the next clean-up tries again.
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
