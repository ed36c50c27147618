/**
 * The REST client against the real server (fixture JobControl): typed
 * answers, the errors a user sees (connection refused, rejected token, the
 * server's own message), and how `-m`, `--token`, FLINKTS_REST_TOKEN and the
 * local registry select the clusters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startRestEndpoint, type RestServerHandle } from '../../../src/cluster/jobmanager/rest-server.js';
import { parseHostPort, resolveTargets, RestApiError, RestClient } from '../../../src/client/rest-client.js';
import { FINISHED_JOB_ID, FixtureJobControl, RUNNING_JOB_ID, UNKNOWN_JOB_ID } from '../../support/job-control-fixture.js';

let stateDir: string;
let fixture: FixtureJobControl;
let server: RestServerHandle;
let client: RestClient;

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'flinkts-rest-client-'));
  fixture = new FixtureJobControl();
  server = await startRestEndpoint(fixture, { version: '0.0.0-test', stateDir });
  client = new RestClient({ host: '127.0.0.1', port: server.port, token: server.token });
});

afterEach(async () => {
  await server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('RestClient', () => {
  it('reads the overview, the jobs and a job', async () => {
    expect(await client.overview()).toMatchObject({ 'jobs-running': 1, 'jobs-finished': 1, 'flinkts-version': '0.0.0-test' });
    expect(await client.jobIds()).toEqual({ jobs: [{ id: RUNNING_JOB_ID, status: 'RUNNING' }, { id: FINISHED_JOB_ID, status: 'FINISHED' }] });
    expect((await client.jobsOverview()).jobs.map((job) => [job.jid, job.name, job.state])).toEqual([
      [RUNNING_JOB_ID, 'word count', 'RUNNING'],
      [FINISHED_JOB_ID, 'nexmark q5', 'FINISHED'],
    ]);
    expect((await client.jobDetails(RUNNING_JOB_ID)).vertices.map((v) => v.name)).toEqual(['Source: lines -> Flat Map', 'counter -> Sink: print']);
    expect((await client.checkpoints(RUNNING_JOB_ID)).history.map((c) => c.id)).toEqual([4, 3, 2, 1]);
    expect(client.hostPort).toBe(`127.0.0.1:${server.port}`);
  });

  it('triggers operations and reads their status; cancels', async () => {
    const release = fixture.hold();
    const savepoint = await client.triggerSavepoint(RUNNING_JOB_ID, { targetDirectory: '/sp', cancelJob: false, formatType: 'NATIVE' });
    expect(await client.savepointStatus(RUNNING_JOB_ID, savepoint)).toEqual({ status: { id: 'IN_PROGRESS' } });
    const checkpoint = await client.triggerCheckpoint(RUNNING_JOB_ID, 'FULL');
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await client.savepointStatus(RUNNING_JOB_ID, savepoint)).toEqual({ status: { id: 'COMPLETED' }, operation: { location: '/sp/savepoint-3f2b9c-1' } });
    expect(await client.checkpointStatus(RUNNING_JOB_ID, checkpoint)).toEqual({
      status: { id: 'COMPLETED' },
      operation: { checkpointId: 5, location: `/tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-5` },
    });
    const stop = await client.stop(RUNNING_JOB_ID, { drain: true, formatType: 'CANONICAL' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await client.savepointStatus(RUNNING_JOB_ID, stop)).toEqual({ status: { id: 'COMPLETED' }, operation: { location: '/data/savepoints/savepoint-3f2b9c-2' } });
    expect(fixture.calls).toEqual([
      { method: 'triggerSavepoint', jobId: RUNNING_JOB_ID, targetDirectory: '/sp', formatType: 'native', cancelJob: false },
      { method: 'triggerCheckpoint', jobId: RUNNING_JOB_ID, full: true },
      { method: 'stopWithSavepoint', jobId: RUNNING_JOB_ID, drain: true, formatType: 'canonical' },
    ]);
    await expect(client.cancel(RUNNING_JOB_ID)).rejects.toMatchObject({ status: 409, code: 'USAGE', message: `job ${RUNNING_JOB_ID} is FINISHED, not running` });
  });

  it('surfaces the server’s error message with the HTTP status', async () => {
    const error = await client.jobDetails(UNKNOWN_JOB_ID).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestApiError);
    expect(error).toMatchObject({ status: 404, code: 'USAGE', message: `job ${UNKNOWN_JOB_ID} not found` });
    await expect(client.jobDetails('nope')).rejects.toMatchObject({ status: 400, message: "malformed job id 'nope': expected 32 lowercase hexadecimal characters" });
  });

  it('a rejected token: "the REST token was rejected", without showing the token', async () => {
    const wrong = new RestClient({ host: '127.0.0.1', port: server.port, token: 'secret-but-wrong' });
    const error = (await wrong.overview().catch((e: unknown) => e)) as RestApiError;
    expect(error).toMatchObject({
      status: 401,
      code: 'CONFIG',
      message: `the REST token was rejected by 127.0.0.1:${server.port}`,
      hint: "pass the cluster's token with --token or FLINKTS_REST_TOKEN",
    });
    expect(JSON.stringify({ message: error.message, hint: error.hint })).not.toContain('secret-but-wrong');
  });

  it('connection refused: "no flinkts cluster at host:port"', async () => {
    const port = await closedPort();
    await expect(new RestClient({ host: '127.0.0.1', port, token: 't' }).overview()).rejects.toMatchObject({
      code: 'CONFIG',
      retriable: true,
      message: `no flinkts cluster at 127.0.0.1:${port}`,
      hint: 'check -m host:port, or start a job with flinkts run',
    });
  });

  it('another HTTP server: "did not answer like a flinkts cluster"', async () => {
    const other = createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>nope</h1>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      await expect(new RestClient({ host: '127.0.0.1', port, token: 't' }).overview()).rejects.toMatchObject({
        status: 404,
        code: 'CONFIG',
        message: `127.0.0.1:${port} did not answer like a flinkts cluster (HTTP 404)`,
      });
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });
});

describe('parseHostPort', () => {
  it.each([
    ['localhost:8081', { host: 'localhost', port: 8081 }],
    ['127.0.0.1:1', { host: '127.0.0.1', port: 1 }],
    ['[::1]:65535', { host: '::1', port: 65535 }],
    ['jm.example.com:443', { host: 'jm.example.com', port: 443 }],
  ])('%s', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });

  it.each(['localhost', ':8081', 'localhost:0', 'localhost:65536', 'http://localhost:8081', '::1:8081', 'a b:1', 'host:80x'])('rejects %s naming it', (text) => {
    expect(() => parseHostPort(text)).toThrow(`malformed cluster address '${text}': expected host:port`);
  });
});

describe('resolveTargets', () => {
  it('without -m: every live cluster of the registry', () => {
    expect(resolveTargets({ stateDir })).toEqual([{ host: '127.0.0.1', port: server.port, token: server.token, pid: process.pid }]);
    expect(resolveTargets({ stateDir: join(stateDir, 'empty') })).toEqual([]);
  });

  it('-m takes the token from --token, then FLINKTS_REST_TOKEN, then the registry entry of that port', () => {
    const m = `localhost:${server.port}`;
    expect(resolveTargets({ jobManager: m, token: 'flag', env: { FLINKTS_REST_TOKEN: 'env' }, stateDir })).toEqual([{ host: 'localhost', port: server.port, token: 'flag' }]);
    expect(resolveTargets({ jobManager: m, env: { FLINKTS_REST_TOKEN: 'env' }, stateDir })).toEqual([{ host: 'localhost', port: server.port, token: 'env' }]);
    expect(resolveTargets({ jobManager: m, env: {}, stateDir })).toEqual([{ host: 'localhost', port: server.port, token: server.token, pid: process.pid }]);
  });

  it('-m without any token for it: a CONFIG error saying where to get one', () => {
    expect(() => resolveTargets({ jobManager: 'jm.example.com:8081', env: {}, stateDir })).toThrow(
      expect.objectContaining({ code: 'CONFIG', message: 'no REST token for jm.example.com:8081' }),
    );
    // The registry only vouches for loopback addresses.
    expect(() => resolveTargets({ jobManager: `10.1.2.3:${server.port}`, env: {}, stateDir })).toThrow('no REST token for');
  });
});
