/**
 * The job-control verbs of the client (`src/client/job-control.ts`) against
 * real servers registered in a temporary registry: finding the cluster that
 * runs a job, waiting for operations, and the typed results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRestEndpoint, startRestServer, type RestServerHandle } from '../../../src/cluster/jobmanager/rest-server.js';
import { registerLocalCluster } from '../../../src/cluster/local-registry.js';
import { cancelJob, checkJobId, createSavepoint, listCheckpoints, listJobs, stopJob, triggerCheckpoint } from '../../../src/client/job-control.js';
import {
  FAILING_SAVEPOINT_DIR,
  FINISHED_JOB_ID,
  FINISHED_START,
  FixtureJobControl,
  RUNNING_JOB_ID,
  RUNNING_START,
  UNKNOWN_JOB_ID,
} from '../../support/job-control-fixture.js';

let stateDir: string;
let fixture: FixtureJobControl;
let server: RestServerHandle;
let cluster: string;

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'flinkts-job-control-'));
  fixture = new FixtureJobControl(5);
  server = await startRestEndpoint(fixture, { version: '0.0.0-test', stateDir });
  cluster = `127.0.0.1:${server.port}`;
});

afterEach(async () => {
  await server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('listJobs', () => {
  it('lists the jobs that have not ended by default, running ones, or all, oldest first', async () => {
    const running = { id: RUNNING_JOB_ID, name: 'word count', status: 'RUNNING', startTime: RUNNING_START, endTime: null, durationMs: 65_000, cluster };
    const finished = { id: FINISHED_JOB_ID, name: 'nexmark q5', status: 'FINISHED', startTime: FINISHED_START, endTime: FINISHED_START + 123_500, durationMs: 123_500, cluster };
    expect(await listJobs({ stateDir })).toEqual({ filter: 'active', jobs: [running], clusters: [cluster], unreachable: [] });
    expect((await listJobs({ stateDir, filter: 'running' })).jobs).toEqual([running]);
    expect((await listJobs({ stateDir, filter: 'all' })).jobs).toEqual([finished, running]);
    expect(await listJobs({ stateDir: join(stateDir, 'none') })).toEqual({ filter: 'active', jobs: [], clusters: [], unreachable: [] });
  });

  it('across clusters; a registered cluster that does not answer is reported, a -m one fails', async () => {
    const second = await startRestEndpoint(new FixtureJobControl(), { version: '0.0.0-test', stateDir, token: 'other' });
    // A registry entry of a live process (this one) whose server is gone.
    const dead = await startRestServer({ control: new FixtureJobControl(), version: '0.0.0-test' });
    const deadCluster = `127.0.0.1:${dead.port}`;
    await dead.close();
    const ghost = registerLocalCluster({ address: '127.0.0.1', port: dead.port, token: 'x', version: 'x' }, { stateDir });
    try {
      const result = await listJobs({ stateDir, filter: 'all' });
      // Clusters registered in the same millisecond come in port order, so compare without the order across clusters.
      const secondCluster = `127.0.0.1:${second.port}`;
      expect(result.jobs.map((job) => `${job.status} ${job.cluster}`).sort()).toEqual(
        [`FINISHED ${cluster}`, `FINISHED ${secondCluster}`, `RUNNING ${cluster}`, `RUNNING ${secondCluster}`].sort(),
      );
      expect(result.jobs.map((job) => job.status)).toEqual(['FINISHED', 'FINISHED', 'RUNNING', 'RUNNING']);
      expect([...result.clusters].sort()).toEqual([cluster, secondCluster, deadCluster].sort());
      expect(result.unreachable).toEqual([{ cluster: deadCluster, message: `no flinkts cluster at ${deadCluster}` }]);
      await expect(listJobs({ stateDir, jobManager: deadCluster, token: 'x' })).rejects.toThrow(`no flinkts cluster at ${deadCluster}`);
    } finally {
      ghost.unregister();
      await second.close();
    }
  });
});

describe('verbs on one job', () => {
  it('checks the job id before anything else', async () => {
    expect(() => checkJobId('abc')).toThrow(expect.objectContaining({ code: 'USAGE', message: "malformed job id 'abc': expected 32 lowercase hexadecimal characters" }));
    await expect(cancelJob({ stateDir, jobId: RUNNING_JOB_ID.toUpperCase() })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(cancelJob({ stateDir: join(stateDir, 'none'), jobId: 'x' })).rejects.toThrow("malformed job id 'x'");
    expect(fixture.calls).toEqual([]);
  });

  it('finds the cluster that knows the job; none running or none knowing it is an error', async () => {
    await expect(listCheckpoints({ stateDir, jobId: UNKNOWN_JOB_ID })).rejects.toMatchObject({
      code: 'USAGE',
      message: `job ${UNKNOWN_JOB_ID} not found on 1 local cluster`,
      hint: 'flinkts list --all shows the jobs the clusters know',
    });
    await expect(listCheckpoints({ stateDir: join(stateDir, 'none'), jobId: RUNNING_JOB_ID })).rejects.toMatchObject({
      code: 'CONFIG',
      message: 'no flinkts cluster is running on this host',
    });
    await expect(listCheckpoints({ jobManager: cluster, token: server.token, jobId: UNKNOWN_JOB_ID })).rejects.toMatchObject({
      status: 404,
      message: `job ${UNKNOWN_JOB_ID} not found`,
    });
  });

  it('cancelJob waits for CANCELED', async () => {
    expect(await cancelJob({ stateDir, jobId: RUNNING_JOB_ID })).toEqual({ jobId: RUNNING_JOB_ID, cluster, status: 'CANCELED' });
    await expect(cancelJob({ stateDir, jobId: RUNNING_JOB_ID })).rejects.toThrow(`job ${RUNNING_JOB_ID} is CANCELED, not running`);
  });

  it('createSavepoint waits for the path (a relative directory made absolute), or returns the trigger id when detached', async () => {
    const triggered: string[] = [];
    const result = await createSavepoint({ stateDir, jobId: RUNNING_JOB_ID, targetDirectory: 'sp', formatType: 'native', onTriggered: (id) => triggered.push(id) });
    expect(result).toEqual({ jobId: RUNNING_JOB_ID, cluster, triggerId: triggered[0], savepointPath: `${resolve('sp')}/savepoint-3f2b9c-1` });
    expect(fixture.calls[0]).toEqual({ method: 'triggerSavepoint', jobId: RUNNING_JOB_ID, targetDirectory: resolve('sp'), formatType: 'native', cancelJob: false });
    const detached = await createSavepoint({ stateDir, jobId: RUNNING_JOB_ID, detached: true });
    expect(detached).toEqual({ jobId: RUNNING_JOB_ID, cluster, triggerId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(detached.triggerId).not.toBe(result.triggerId);
  });

  it('a failed savepoint fails with the cluster’s message and code', async () => {
    await expect(createSavepoint({ stateDir, jobId: RUNNING_JOB_ID, targetDirectory: FAILING_SAVEPOINT_DIR })).rejects.toMatchObject({
      code: 'CONFIG',
      message: `savepoint of job ${RUNNING_JOB_ID} failed: cannot write the savepoint to ${FAILING_SAVEPOINT_DIR}: permission denied`,
    });
  });

  it('stopJob returns the savepoint path; the job is FINISHED', async () => {
    expect(await stopJob({ stateDir, jobId: RUNNING_JOB_ID, savepointPath: '/data/sp', drain: true })).toMatchObject({
      jobId: RUNNING_JOB_ID,
      savepointPath: '/data/sp/savepoint-3f2b9c-1',
    });
    expect(fixture.calls).toEqual([{ method: 'stopWithSavepoint', jobId: RUNNING_JOB_ID, targetDirectory: '/data/sp', drain: true, formatType: 'canonical' }]);
    expect((await listJobs({ stateDir, filter: 'all' })).jobs.map((job) => job.status)).toEqual(['FINISHED', 'FINISHED']);
  });

  it('triggerCheckpoint and listCheckpoints', async () => {
    expect(await triggerCheckpoint({ stateDir, jobId: RUNNING_JOB_ID, full: true })).toEqual({
      jobId: RUNNING_JOB_ID,
      cluster,
      checkpointId: 5,
      path: `/tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-5`,
    });
    const list = await listCheckpoints({ stateDir, jobId: RUNNING_JOB_ID });
    expect(list.counts).toEqual({ total: 5, completed: 3, inProgress: 1, failed: 1, restored: 0 });
    expect(list.history).toEqual([
      { id: 5, status: 'COMPLETED', type: 'full checkpoint', triggerTime: RUNNING_START + 60_000, durationMs: 120, stateSize: 0, path: `/tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-5` },
      { id: 4, status: 'IN_PROGRESS', type: 'checkpoint', triggerTime: RUNNING_START + 40_000, durationMs: 0, stateSize: 0 },
      { id: 3, status: 'FAILED', type: 'checkpoint', triggerTime: RUNNING_START + 30_000, durationMs: 120, stateSize: 0, failureMessage: 'declined by counter (subtask 1)' },
      { id: 2, status: 'COMPLETED', type: 'checkpoint', triggerTime: RUNNING_START + 20_000, durationMs: 120, stateSize: 1536, path: `/tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-2` },
      { id: 1, status: 'COMPLETED', type: 'savepoint', triggerTime: RUNNING_START + 10_000, durationMs: 120, stateSize: 512, path: '/data/savepoints/savepoint-3f2b9c-1' },
    ]);
  });
});
