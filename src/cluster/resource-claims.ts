/**
 * Exclusive resources of running jobs (e.g. a Kafka transactional id
 * prefix: two jobs writing transactions under the same ids would fence and
 * abort each other). A source or sink names them (`exclusiveResources()`);
 * a cluster claims them when it starts a job and refuses the job when a
 * running job holds one. Claims are files `<state dir>/claims/<sha256>.json`
 * created exclusively (`wx`), so every flinkts process of this user on this
 * host sees them; a claim whose process is dead is taken over. They are
 * released when the job ends and when the process exits.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlinktsError } from '../api/errors.js';
import { localStateDir } from '../config/state-dir.js';
import { ensurePrivateDir, processAlive } from './local-registry.js';

/** A resource one operator of a job needs for itself. */
export interface ExclusiveResource {
  readonly resource: string;
  /** The operator that needs it, for messages. */
  readonly operator: string;
}

interface ClaimFile {
  readonly resource: string;
  readonly jobId: string;
  readonly jobName: string;
  readonly operator: string;
  readonly pid: number;
}

/**
 * Claims every resource for job `jobId`, all or none. Returns the release
 * function.
 *
 * @throws FlinktsError CONFIG naming the resource and the job holding it.
 */
export function claimResources(
  resources: readonly ExclusiveResource[],
  job: { readonly jobId: string; readonly jobName: string },
  stateDir: string = localStateDir(),
): () => void {
  if (resources.length === 0) return () => undefined;
  const dir = ensurePrivateDir(join(stateDir, 'claims'));
  const taken: string[] = [];
  const release = (): void => {
    process.off('exit', release);
    for (const path of taken.splice(0)) rmSync(path, { force: true });
  };
  process.on('exit', release);
  try {
    for (const { resource, operator } of resources) {
      const path = join(dir, `${createHash('sha256').update(resource).digest('hex')}.json`);
      const claim: ClaimFile = { resource, jobId: job.jobId, jobName: job.jobName, operator, pid: process.pid };
      if (!tryCreate(path, claim)) {
        // A claim being written right now reads empty for a moment.
        const holder = readClaim(path) ?? (sleepSync(100), readClaim(path));
        if (holder !== undefined && processAlive(holder.pid)) {
          throw new FlinktsError('CONFIG', `${operator}: ${resource} is in use by the running job '${holder.jobName}' (${holder.jobId}, process ${holder.pid})`, {
            hint: 'two jobs must not share it: stop the other job or give this one its own (e.g. another transactional id prefix)',
          });
        }
        // Left behind by a process that died: take it over.
        rmSync(path, { force: true });
        if (!tryCreate(path, claim)) throw new FlinktsError('CONFIG', `${operator}: ${resource} was claimed by another job at the same moment`);
      }
      taken.push(path);
    }
  } catch (error) {
    release();
    throw error;
  }
  return release;
}

function tryCreate(path: string, claim: ClaimFile): boolean {
  try {
    writeFileSync(path, JSON.stringify(claim) + '\n', { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FlinktsError('CONFIG', `cannot record the claim on a resource in ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function readClaim(path: string): ClaimFile | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ClaimFile;
  } catch {
    return undefined;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
