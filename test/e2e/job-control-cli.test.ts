/**
 * `flinkts list | cancel | stop | savepoint create | checkpoint trigger |
 * checkpoint list` driven through the built CLI against a real REST server:
 * `test/support/job-control-server.ts` (the fixture JobControl), bundled with
 * esbuild and run as its own process, registered in a temporary
 * FLINKTS_STATE_DIR as `flinkts run` registers its cluster. Times print in
 * local time, so the CLI runs with TZ=UTC.
 */
import { build } from 'esbuild';
import { execa, type ResultPromise } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILING_SAVEPOINT_DIR, FINISHED_JOB_ID, FINISHED_START, RUNNING_JOB_ID, RUNNING_START, UNKNOWN_JOB_ID } from '../support/job-control-fixture.js';
import { flinkts, ROOT, type CliResult } from './helpers.js';

let dir: string;
let serverScript: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-e2e-job-control-'));
  serverScript = join(dir, 'job-control-server.mjs');
  await build({
    entryPoints: [join(ROOT, 'test/support/job-control-server.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: serverScript,
    logLevel: 'error',
    // Bundled CommonJS dependencies call require().
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fixture cluster in a process of its own, registered in its own state dir. */
interface FixtureCluster {
  readonly stateDir: string;
  readonly port: number;
  readonly token: string;
  stop(): Promise<void>;
}

async function startCluster(name: string): Promise<FixtureCluster> {
  const stateDir = join(dir, name);
  const child: ResultPromise = execa('node', [serverScript], { env: { FLINKTS_STATE_DIR: stateDir }, stdout: 'pipe', stderr: 'inherit', reject: false });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    void child.then((result) => reject(new Error(`the fixture server exited: ${result.exitCode}`)));
  });
  const { port, token } = JSON.parse(first) as { port: number; token: string };
  return {
    stateDir,
    port,
    token,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}

/** `flinkts ...args` against the clusters of `stateDir`. */
function cli(stateDir: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return flinkts(args, { env: { CI: '1', TZ: 'UTC', FLINKTS_STATE_DIR: stateDir, FLINKTS_REST_TOKEN: '', ...env } });
}

const LIST_HEADER = 'Job ID                            Name        Status   Start time             Duration';

describe('reading and triggering', () => {
  let cluster: FixtureCluster;
  beforeAll(async () => {
    cluster = await startCluster('read');
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('list: the running jobs of the local clusters as a table', async () => {
    const result = await cli(cluster.stateDir, ['list']);
    expect(result).toEqual({
      exitCode: 0,
      stdout: [LIST_HEADER, `${RUNNING_JOB_ID}  word count  RUNNING  2026-01-01 10:00:00  1 min 05 s`, ''].join('\n'),
      stderr: '',
    });
  });

  it('list --all also shows finished jobs, oldest first', async () => {
    const result = await cli(cluster.stateDir, ['list', '--all']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      [
        'Job ID                            Name        Status    Start time             Duration',
        `${FINISHED_JOB_ID}  nexmark q5  FINISHED  2026-01-01 09:00:00  2 min 03 s`,
        `${RUNNING_JOB_ID}  word count  RUNNING   2026-01-01 10:00:00  1 min 05 s`,
        '',
      ].join('\n'),
    );
  });

  it('list --json: the typed result', async () => {
    const result = await cli(cluster.stateDir, ['list', '--all', '--json']);
    expect(result.exitCode).toBe(0);
    const clusterAddress = `127.0.0.1:${cluster.port}`;
    expect(JSON.parse(result.stdout)).toEqual({
      filter: 'all',
      jobs: [
        { id: FINISHED_JOB_ID, name: 'nexmark q5', status: 'FINISHED', startTime: FINISHED_START, endTime: FINISHED_START + 123_500, durationMs: 123_500, cluster: clusterAddress },
        { id: RUNNING_JOB_ID, name: 'word count', status: 'RUNNING', startTime: RUNNING_START, endTime: null, durationMs: 65_000, cluster: clusterAddress },
      ],
      clusters: [clusterAddress],
      unreachable: [],
    });
  });

  it('list -m host:port takes the token from --token; a wrong one is rejected', async () => {
    const m = `127.0.0.1:${cluster.port}`;
    const empty = join(dir, 'no-clusters');
    const ok = await cli(empty, ['list', '-m', m, '--token', cluster.token]);
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout.split('\n')[1]).toBe(`${RUNNING_JOB_ID}  word count  RUNNING  2026-01-01 10:00:00  1 min 05 s`);
    const fromRegistry = await cli(cluster.stateDir, ['list', '-m', `localhost:${cluster.port}`]);
    expect(fromRegistry.stdout).toBe(ok.stdout);
    expect(await cli(empty, ['list', '-m', m, '--token', 'wrong'])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `Error: the REST token was rejected by ${m}\nHint: pass the cluster's token with --token or FLINKTS_REST_TOKEN\n`,
    });
    expect(await cli(empty, ['list', '-m', m], { FLINKTS_REST_TOKEN: cluster.token })).toMatchObject({ exitCode: 0, stdout: ok.stdout });
  });

  it('checkpoint list: counts and the history, newest first', async () => {
    const result = await cli(cluster.stateDir, ['checkpoint', 'list', RUNNING_JOB_ID]);
    expect(result).toEqual({
      exitCode: 0,
      stdout: [
        `Checkpoints of job ${RUNNING_JOB_ID}: 2 completed, 1 in progress, 1 failed`,
        'ID  Status       Type        Triggered            Duration  State size  Path',
        ' 4  IN_PROGRESS  checkpoint  2026-01-01 10:00:40         -         0 B',
        ' 3  FAILED       checkpoint  2026-01-01 10:00:30    120 ms         0 B  failed: declined by counter (subtask 1)',
        ` 2  COMPLETED    checkpoint  2026-01-01 10:00:20    120 ms     1.5 KiB  /tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-2`,
        ' 1  COMPLETED    savepoint   2026-01-01 10:00:10    120 ms       512 B  /data/savepoints/savepoint-3f2b9c-1',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('checkpoint trigger --full waits for the checkpoint', async () => {
    expect(await cli(cluster.stateDir, ['checkpoint', 'trigger', RUNNING_JOB_ID, '--full'])).toEqual({
      exitCode: 0,
      stdout: `Checkpoint 5 of job ${RUNNING_JOB_ID} completed: /tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-5\n`,
      stderr: '',
    });
    const list = await cli(cluster.stateDir, ['checkpoint', 'list', RUNNING_JOB_ID, '--json']);
    expect(JSON.parse(list.stdout).history[0]).toEqual({
      id: 5,
      status: 'COMPLETED',
      type: 'full checkpoint',
      triggerTime: RUNNING_START + 60_000,
      durationMs: 120,
      stateSize: 0,
      path: `/tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-5`,
    });
  });

  it('savepoint create prints the path; --detached the trigger id; a failure names the cause', async () => {
    expect(await cli(cluster.stateDir, ['savepoint', 'create', RUNNING_JOB_ID, '/data/sp', '--type', 'native'])).toEqual({
      exitCode: 0,
      stdout: '/data/sp/savepoint-3f2b9c-1\n',
      stderr: `Waiting for the native savepoint of job ${RUNNING_JOB_ID} ...\n`,
    });
    const detached = await cli(cluster.stateDir, ['savepoint', 'create', RUNNING_JOB_ID, '-d']);
    expect(detached.exitCode).toBe(0);
    expect(detached.stdout).toMatch(/^[0-9a-f]{32}\n$/);
    expect(detached.stderr).toBe('');
    expect(await cli(cluster.stateDir, ['savepoint', 'create', RUNNING_JOB_ID, FAILING_SAVEPOINT_DIR])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr:
        `Waiting for the canonical savepoint of job ${RUNNING_JOB_ID} ...\n` +
        `Error: savepoint of job ${RUNNING_JOB_ID} failed: cannot write the savepoint to ${FAILING_SAVEPOINT_DIR}: permission denied\n`,
    });
  });

  it('a malformed job id is a usage error naming it, before any request', async () => {
    for (const args of [['cancel', 'xyz'], ['stop', 'xyz'], ['savepoint', 'create', 'xyz'], ['checkpoint', 'trigger', 'xyz'], ['checkpoint', 'list', 'xyz']]) {
      expect(await cli(join(dir, 'no-clusters'), args)).toEqual({
        exitCode: 2,
        stdout: '',
        stderr: "Error: malformed job id 'xyz': expected 32 lowercase hexadecimal characters\nHint: flinkts list shows the ids of the running jobs\n",
      });
    }
  });

  it('an unknown job, a job that is not running, and no cluster at all', async () => {
    expect(await cli(cluster.stateDir, ['cancel', UNKNOWN_JOB_ID])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `Error: job ${UNKNOWN_JOB_ID} not found on 1 local cluster\nHint: flinkts list --all shows the jobs the clusters know\n`,
    });
    expect(await cli(cluster.stateDir, ['stop', FINISHED_JOB_ID, '-m', `127.0.0.1:${cluster.port}`])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: `Error: job ${FINISHED_JOB_ID} is FINISHED, not RUNNING\n`,
    });
    expect(await cli(join(dir, 'no-clusters'), ['cancel', RUNNING_JOB_ID])).toEqual({
      exitCode: 2,
      stdout: '',
      stderr:
        'Error: no flinkts cluster is running on this host\n' +
        'Hint: jobs started with flinkts run register their cluster; for another cluster pass -m host:port\n',
    });
    expect(await cli(join(dir, 'no-clusters'), ['list'])).toEqual({ exitCode: 0, stdout: 'No running or pending jobs.\n', stderr: '' });
  });
});

describe('ending a job', () => {
  it('cancel: the job ends CANCELED', async () => {
    const cluster = await startCluster('cancel');
    try {
      expect(await cli(cluster.stateDir, ['cancel', RUNNING_JOB_ID])).toEqual({ exitCode: 0, stdout: `Cancelled job ${RUNNING_JOB_ID}.\n`, stderr: '' });
      const list = await cli(cluster.stateDir, ['list', '--all']);
      expect(list.stdout.split('\n')[2]).toBe(`${RUNNING_JOB_ID}  word count  CANCELED  2026-01-01 10:00:00  1 min 05 s`);
      expect(await cli(cluster.stateDir, ['list', '--running'])).toMatchObject({ exitCode: 0, stdout: 'No running jobs.\n' });
      expect(await cli(cluster.stateDir, ['cancel', RUNNING_JOB_ID])).toMatchObject({ exitCode: 2, stderr: `Error: job ${RUNNING_JOB_ID} is CANCELED, not running\n` });
    } finally {
      await cluster.stop();
    }
  });

  it('stop --savepoint-path --drain prints the savepoint path; the job ends FINISHED; the registry entry goes with the cluster', async () => {
    const cluster = await startCluster('stop');
    try {
      expect(await cli(cluster.stateDir, ['stop', RUNNING_JOB_ID, '--savepoint-path', '/data/sp', '--drain'])).toEqual({
        exitCode: 0,
        stdout: '/data/sp/savepoint-3f2b9c-1\n',
        stderr: `Stopping job ${RUNNING_JOB_ID} with a canonical savepoint ...\n`,
      });
      const list = await cli(cluster.stateDir, ['list', '--all', '--json']);
      expect(JSON.parse(list.stdout).jobs.map((job: { status: string }) => job.status)).toEqual(['FINISHED', 'FINISHED']);
    } finally {
      await cluster.stop();
    }
    expect(await cli(cluster.stateDir, ['list', '--json'])).toMatchObject({ exitCode: 0 });
    expect(JSON.parse((await cli(cluster.stateDir, ['list', '--json'])).stdout).clusters).toEqual([]);
  });
});
