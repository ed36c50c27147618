/**
 * The REST API on a real ephemeral port over the fixture JobControl: every
 * route's exact answer in Flink's shape, the async trigger life cycle, and the
 * security defaults (RELIABILITY S2–S4): token on every route, foreign
 * Origins refused, loopback bind unless explicitly allowed, bounded bodies,
 * no request value in a response header. Also the local cluster registry:
 * file and directory modes, removal on close, stale entries of dead
 * processes.
 */
import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { badJobRequestError, jobStateConflictError } from '../../../src/cluster/jobmanager/job-control.js';
import { startRestEndpoint, startRestServer, type RestServerHandle } from '../../../src/cluster/jobmanager/rest-server.js';
import { listLocalClusters, localStateDir, registerLocalCluster } from '../../../src/cluster/local-registry.js';
import {
  FAILING_SAVEPOINT_DIR,
  FINISHED_JOB_ID,
  FINISHED_START,
  FixtureJobControl,
  RUNNING_JOB_ID,
  RUNNING_START,
  UNKNOWN_JOB_ID,
} from '../../support/job-control-fixture.js';

const EXECUTION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'RUNNING', 'FINISHED', 'CANCELING', 'CANCELED', 'FAILED', 'RECONCILING', 'INITIALIZING'];
const JOB_STATES = ['INITIALIZING', 'CREATED', 'RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED', 'FINISHED', 'RESTARTING', 'SUSPENDED', 'RECONCILING'];
const HEX32 = /^[0-9a-f]{32}$/;

/** Every state of `states` with 0, except those given. */
function counts(states: readonly string[], set: Record<string, number>, lower = false): Record<string, number> {
  return Object.fromEntries(states.map((s) => [lower ? s.toLowerCase() : s, set[s] ?? 0]));
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

let stateDir: string;
let fixture: FixtureJobControl;
let server: RestServerHandle;

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'flinkts-rest-'));
  fixture = new FixtureJobControl();
  server = await startRestEndpoint(fixture, { version: '0.0.0-test', stateDir });
});

afterEach(async () => {
  await server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

async function call(
  method: string,
  path: string,
  options: { token?: string | null; origin?: string; body?: unknown; rawBody?: string; authorization?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? server.token : options.token;
  if (options.authorization !== undefined) headers.Authorization = options.authorization;
  else if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (options.origin !== undefined) headers.Origin = options.origin;
  const body = method === 'GET' ? undefined : (options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)));
  const response = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: response.status, headers: response.headers, body: JSON.parse(await response.text()) };
}

/** A GET with the path exactly as given (fetch would normalise `..` and `%2e%2e`). */
function raw(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: 'GET', headers: { Authorization: `Bearer ${server.token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls an async operation until it is COMPLETED. */
async function completed(path: string): Promise<any> {
  for (let i = 0; i < 200; i++) {
    const answer = await call('GET', path);
    expect(answer.status).toBe(200);
    if (answer.body.status.id === 'COMPLETED') return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${path} never completed`);
}

describe('routes', () => {
  it('GET /v1/overview', async () => {
    const answer = await call('GET', '/v1/overview');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({
      taskmanagers: 1,
      'slots-total': 2,
      'slots-available': 0,
      'jobs-running': 1,
      'jobs-finished': 1,
      'jobs-cancelled': 0,
      'jobs-failed': 0,
      'flinkts-version': '0.0.0-test',
    });
  });

  it('GET /v1/jobs', async () => {
    expect((await call('GET', '/v1/jobs')).body).toEqual({
      jobs: [
        { id: RUNNING_JOB_ID, status: 'RUNNING' },
        { id: FINISHED_JOB_ID, status: 'FINISHED' },
      ],
    });
  });

  it('GET /v1/jobs/overview', async () => {
    const answer = await call('GET', '/v1/jobs/overview');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      jobs: [
        {
          jid: RUNNING_JOB_ID,
          name: 'word count',
          state: 'RUNNING',
          'start-time': RUNNING_START,
          'end-time': -1,
          duration: 65_000,
          'last-modification': RUNNING_START,
          tasks: { total: 4, ...counts(EXECUTION_STATES, { RUNNING: 4 }, true) },
        },
        {
          jid: FINISHED_JOB_ID,
          name: 'nexmark q5',
          state: 'FINISHED',
          'start-time': FINISHED_START,
          'end-time': FINISHED_START + 123_500,
          duration: 123_500,
          'last-modification': FINISHED_START + 123_500,
          tasks: { total: 4, ...counts(EXECUTION_STATES, { FINISHED: 4 }, true) },
        },
      ],
    });
    // Flink's key order: total, then the execution states.
    expect(Object.keys(answer.body.jobs[0].tasks)).toEqual(['total', ...EXECUTION_STATES.map((s) => s.toLowerCase())]);
  });

  it('GET /v1/jobs/:id', async () => {
    const before = Date.now();
    const answer = await call('GET', `/v1/jobs/${RUNNING_JOB_ID}`);
    expect(answer.status).toBe(200);
    expect(answer.body.now).toBeGreaterThanOrEqual(before);
    expect(answer.body.now).toBeLessThanOrEqual(Date.now());
    const vertex = (id: string, name: string, records: number) => ({
      id,
      name,
      maxParallelism: 128,
      parallelism: 2,
      status: 'RUNNING',
      'start-time': RUNNING_START,
      'end-time': -1,
      duration: 65_000,
      tasks: counts(EXECUTION_STATES, { RUNNING: 2 }),
      metrics: {
        'read-bytes': records * 10,
        'read-bytes-complete': true,
        'write-bytes': records * 12,
        'write-bytes-complete': true,
        'read-records': records,
        'read-records-complete': true,
        'write-records': records * 2,
        'write-records-complete': true,
        'accumulated-backpressured-time': 30,
        'accumulated-idle-time': 0,
        'accumulated-busy-time': 1200,
      },
    });
    expect(answer.body).toEqual({
      jid: RUNNING_JOB_ID,
      name: 'word count',
      state: 'RUNNING',
      'job-type': 'STREAMING',
      'start-time': RUNNING_START,
      'end-time': -1,
      duration: 65_000,
      maxParallelism: -1,
      now: answer.body.now,
      timestamps: counts(JOB_STATES, { INITIALIZING: RUNNING_START - 1000, CREATED: RUNNING_START - 500, RUNNING: RUNNING_START }),
      vertices: [
        vertex('bc764cd8ddf7a0cff126f51c16239658', 'Source: lines -> Flat Map', 1000),
        vertex('0a448493b4782967b150582570326227', 'counter -> Sink: print', 2000),
      ],
      'status-counts': counts(EXECUTION_STATES, { RUNNING: 2 }),
    });
  });

  it('GET /v1/jobs/:id/checkpoints', async () => {
    const answer = await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`);
    expect(answer.status).toBe(200);
    const base = { is_savepoint: false, savepointFormat: null, checkpoint_type: 'CHECKPOINT', num_subtasks: 4 };
    const chk4 = {
      ...base,
      className: 'in_progress',
      id: 4,
      status: 'IN_PROGRESS',
      trigger_timestamp: RUNNING_START + 40_000,
      latest_ack_timestamp: RUNNING_START + 40_000,
      state_size: 0,
      checkpointed_size: 0,
      end_to_end_duration: 0,
      num_acknowledged_subtasks: 1,
    };
    const chk3 = {
      ...base,
      className: 'failed',
      id: 3,
      status: 'FAILED',
      trigger_timestamp: RUNNING_START + 30_000,
      latest_ack_timestamp: RUNNING_START + 30_120,
      state_size: 0,
      checkpointed_size: 0,
      end_to_end_duration: 120,
      num_acknowledged_subtasks: 1,
      failure_timestamp: RUNNING_START + 30_250,
      failure_message: 'declined by counter (subtask 1)',
    };
    const chk2 = {
      ...base,
      className: 'completed',
      id: 2,
      status: 'COMPLETED',
      trigger_timestamp: RUNNING_START + 20_000,
      latest_ack_timestamp: RUNNING_START + 20_120,
      state_size: 1536,
      checkpointed_size: 1536,
      end_to_end_duration: 120,
      num_acknowledged_subtasks: 4,
      external_path: `/tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-2`,
      discarded: false,
    };
    const sp1 = {
      ...base,
      className: 'completed',
      id: 1,
      status: 'COMPLETED',
      is_savepoint: true,
      savepointFormat: 'CANONICAL',
      checkpoint_type: 'SAVEPOINT',
      trigger_timestamp: RUNNING_START + 10_000,
      latest_ack_timestamp: RUNNING_START + 10_120,
      state_size: 512,
      checkpointed_size: 512,
      end_to_end_duration: 120,
      num_acknowledged_subtasks: 4,
      external_path: '/data/savepoints/savepoint-3f2b9c-1',
      discarded: false,
    };
    expect(answer.body).toEqual({
      counts: { restored: 0, total: 4, in_progress: 1, completed: 2, failed: 1 },
      latest: { completed: chk2, savepoint: sp1, failed: chk3, restored: null },
      history: [chk4, chk3, chk2, sp1],
    });
  });

  it('GET /v1/jobs/:id/checkpoints/details/:checkpointId and …/subtasks/:vertexId: per vertex and subtask, with sync/async durations', async () => {
    const source = 'bc764cd8ddf7a0cff126f51c16239658';
    const counter = '0a448493b4782967b150582570326227';
    const t2 = RUNNING_START + 20_000;
    const details = await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/details/2`);
    expect(details.status).toBe(200);
    const task = (latestAck: number, stateSize: number) => ({
      id: 2,
      status: 'COMPLETED',
      latest_ack_timestamp: t2 + latestAck,
      state_size: stateSize,
      checkpointed_size: stateSize,
      end_to_end_duration: latestAck,
      num_subtasks: 2,
      num_acknowledged_subtasks: 2,
    });
    expect(details.body).toEqual({
      className: 'completed',
      id: 2,
      status: 'COMPLETED',
      is_savepoint: false,
      savepointFormat: null,
      checkpoint_type: 'CHECKPOINT',
      trigger_timestamp: t2,
      latest_ack_timestamp: t2 + 120,
      state_size: 1536,
      checkpointed_size: 1536,
      end_to_end_duration: 120,
      num_subtasks: 4,
      num_acknowledged_subtasks: 4,
      external_path: `/tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-2`,
      discarded: false,
      // Source: subtasks acknowledged after 60 and 61 ms with 100 + 101 bytes; counter: 80 and 120 ms, 200 + 201 bytes.
      tasks: { [source]: task(61, 201), [counter]: task(120, 401) },
    });

    type Figure = [min: number, max: number, avg: number];
    const summary = (size: Figure, e2e: Figure, sync: Figure, async: Figure, alignment: Figure, delay: Figure) => {
      const stats = ([min, max, avg]: Figure) => ({ min, max, avg });
      return {
        state_size: stats(size),
        end_to_end_duration: stats(e2e),
        checkpoint_duration: { sync: stats(sync), async: stats(async) },
        alignment: { duration: stats(alignment) },
        start_delay: stats(delay),
      };
    };
    const subtasks = await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/details/2/subtasks/${counter}`);
    expect(subtasks.status).toBe(200);
    const subtask = (index: number, ack: number) => ({
      index,
      status: 'completed',
      ack_timestamp: t2 + ack,
      end_to_end_duration: ack,
      state_size: 200 + index,
      checkpointed_size: 200 + index,
      checkpoint: { sync: 10 + index, async: 20 + index },
      alignment: { duration: 3 },
      start_delay: 6,
    });
    expect(subtasks.body).toEqual({
      ...task(120, 401),
      summary: summary([200, 201, 201], [80, 120, 100], [10, 11, 11], [20, 21, 21], [3, 3, 3], [6, 6, 6]),
      subtasks: [subtask(0, 80), subtask(1, 120)],
    });

    // In progress: only what acknowledged counts.
    const t4 = RUNNING_START + 40_000;
    const pending = await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/details/4/subtasks/${source}`);
    expect(pending.body).toEqual({
      id: 4,
      status: 'IN_PROGRESS',
      latest_ack_timestamp: t4 + 60,
      state_size: 100,
      checkpointed_size: 100,
      end_to_end_duration: 60,
      num_subtasks: 2,
      num_acknowledged_subtasks: 1,
      summary: summary([100, 100, 100], [60, 60, 60], [10, 10, 10], [20, 20, 20], [0, 0, 0], [5, 5, 5]),
      subtasks: [
        { index: 0, status: 'completed', ack_timestamp: t4 + 60, end_to_end_duration: 60, state_size: 100, checkpointed_size: 100, checkpoint: { sync: 10, async: 20 }, alignment: { duration: 0 }, start_delay: 5 },
        { index: 1, status: 'pending_or_failed' },
      ],
    });

    // Bad input: a malformed or unknown checkpoint id, an unknown vertex, an unknown job.
    expect(await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/details/two`)).toEqual(
      expect.objectContaining({ status: 400, body: { errors: ["malformed checkpoint id 'two': expected a non-negative integer"] } }),
    );
    expect(await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/details/3`)).toEqual(
      expect.objectContaining({ status: 404, body: { errors: [`checkpoint 3 of job ${RUNNING_JOB_ID} not found (the history keeps the last ones)`] } }),
    );
    expect(await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/details/2/subtasks/${UNKNOWN_JOB_ID}`)).toEqual(
      expect.objectContaining({ status: 404, body: { errors: [`vertex ${UNKNOWN_JOB_ID} is not part of job ${RUNNING_JOB_ID}`] } }),
    );
    expect(await call('GET', `/v1/jobs/${UNKNOWN_JOB_ID}/checkpoints/details/2`)).toEqual(
      expect.objectContaining({ status: 404, body: { errors: [`job ${UNKNOWN_JOB_ID} not found`] } }),
    );
  });

  it('POST /v1/jobs/:id/checkpoints: IN_PROGRESS, then COMPLETED with the id and location', async () => {
    const release = fixture.hold();
    const trigger = await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`, { body: { checkpointType: 'FULL' } });
    expect(trigger.status).toBe(202);
    expect(Object.keys(trigger.body)).toEqual(['request-id']);
    const triggerId = trigger.body['request-id'] as string;
    expect(triggerId).toMatch(HEX32);
    const path = `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/${triggerId}`;
    expect(await call('GET', path)).toMatchObject({ status: 200, body: { status: { id: 'IN_PROGRESS' } } });
    expect((await call('GET', path)).body).toEqual({ status: { id: 'IN_PROGRESS' } });
    release();
    expect(await completed(path)).toEqual({
      status: { id: 'COMPLETED' },
      operation: { checkpointId: 5, location: `/tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-5` },
    });
    // The trigger id is a checkpoint's: the savepoint route does not know it.
    expect((await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/savepoints/${triggerId}`)).status).toBe(404);
    const other = await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`, { body: {} });
    expect(other.body['request-id']).not.toBe(triggerId);
    await completed(`/v1/jobs/${RUNNING_JOB_ID}/checkpoints/${other.body['request-id']}`);
    await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`, { rawBody: '' });
    await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`, { body: { checkpointType: 'INCREMENTAL' } });
    expect(fixture.calls.map((c) => c.method === 'triggerCheckpoint' && c.full)).toEqual([true, false, false, false]);
  });

  it('POST /v1/jobs/:id/savepoints: IN_PROGRESS, then COMPLETED with the location', async () => {
    const release = fixture.hold();
    const trigger = await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/savepoints`, {
      body: { 'target-directory': '/data/sp', 'cancel-job': false, formatType: 'NATIVE' },
    });
    expect(trigger.status).toBe(202);
    const path = `/v1/jobs/${RUNNING_JOB_ID}/savepoints/${trigger.body['request-id']}`;
    expect((await call('GET', path)).body).toEqual({ status: { id: 'IN_PROGRESS' } });
    release();
    expect(await completed(path)).toEqual({ status: { id: 'COMPLETED' }, operation: { location: '/data/sp/savepoint-3f2b9c-1' } });
    expect(fixture.calls).toEqual([{ method: 'triggerSavepoint', jobId: RUNNING_JOB_ID, targetDirectory: '/data/sp', formatType: 'native', cancelJob: false }]);
    // Completed operations stay available.
    expect((await call('GET', path)).body.status.id).toBe('COMPLETED');
  });

  it('a failed savepoint completes with a failure-cause', async () => {
    const trigger = await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/savepoints`, { body: { 'target-directory': FAILING_SAVEPOINT_DIR } });
    expect(trigger.status).toBe(202);
    const answer = await completed(`/v1/jobs/${RUNNING_JOB_ID}/savepoints/${trigger.body['request-id']}`);
    const message = `cannot write the savepoint to ${FAILING_SAVEPOINT_DIR}: permission denied`;
    expect(answer).toEqual({
      status: { id: 'COMPLETED' },
      operation: { 'failure-cause': { class: 'FlinktsError', 'stack-trace': expect.stringContaining(`FlinktsError: ${message}\n    at `), message, code: 'CONFIG' } },
    });
  });

  it('POST /v1/jobs/:id/stop: status under the savepoints route; the job ends FINISHED', async () => {
    const trigger = await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/stop`, { body: { targetDirectory: '/data/sp', drain: true, formatType: 'CANONICAL' } });
    expect(trigger.status).toBe(202);
    const triggerId = trigger.body['request-id'] as string;
    expect(await completed(`/v1/jobs/${RUNNING_JOB_ID}/savepoints/${triggerId}`)).toEqual({
      status: { id: 'COMPLETED' },
      operation: { location: '/data/sp/savepoint-3f2b9c-1' },
    });
    expect((await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/${triggerId}`)).status).toBe(404);
    expect(fixture.calls).toEqual([{ method: 'stopWithSavepoint', jobId: RUNNING_JOB_ID, targetDirectory: '/data/sp', drain: true, formatType: 'canonical' }]);
    expect((await call('GET', `/v1/jobs/${RUNNING_JOB_ID}`)).body.state).toBe('FINISHED');
  });

  it('PATCH /v1/jobs/:id?mode=cancel: 202, then 409 for the canceled job', async () => {
    const answer = await call('PATCH', `/v1/jobs/${RUNNING_JOB_ID}?mode=cancel`);
    expect(answer).toMatchObject({ status: 202, body: {} });
    expect(fixture.calls).toEqual([{ method: 'cancel', jobId: RUNNING_JOB_ID }]);
    expect((await call('GET', '/v1/jobs')).body.jobs[0]).toEqual({ id: RUNNING_JOB_ID, status: 'CANCELED' });
    expect(await call('PATCH', `/v1/jobs/${RUNNING_JOB_ID}?mode=cancel`)).toMatchObject({
      status: 409,
      body: { errors: [`job ${RUNNING_JOB_ID} is CANCELED, not running`] },
    });
    expect(await call('PATCH', `/v1/jobs/${FINISHED_JOB_ID}?mode=stop`)).toMatchObject({
      status: 400,
      body: { errors: ["mode 'stop' is not supported: use mode=cancel, or POST /v1/jobs/:jobid/stop"] },
    });
  });

  it('triggers on a job that is not running: 409; on an unknown job: 404', async () => {
    for (const [method, route, body] of [
      ['POST', 'checkpoints', {}],
      ['POST', 'savepoints', {}],
      ['POST', 'stop', {}],
    ] as const) {
      expect(await call(method, `/v1/jobs/${FINISHED_JOB_ID}/${route}`, { body })).toEqual(
        expect.objectContaining({ status: 409, body: { errors: [`job ${FINISHED_JOB_ID} is FINISHED, not RUNNING`] } }),
      );
      expect(await call(method, `/v1/jobs/${UNKNOWN_JOB_ID}/${route}`, { body })).toEqual(
        expect.objectContaining({ status: 404, body: { errors: [`job ${UNKNOWN_JOB_ID} not found`] } }),
      );
    }
    expect(fixture.calls).toEqual([]);
  });
});

describe('errors', () => {
  it('a malformed job id: 400 naming it; an unknown one: 404', async () => {
    for (const id of ['xyz', RUNNING_JOB_ID.toUpperCase(), '%2e%2e', '%252e%252e', '..%2f..%2fetc', `${RUNNING_JOB_ID}%00`, `${RUNNING_JOB_ID}0`]) {
      expect(await raw(`/v1/jobs/${id}`)).toMatchObject({
        status: 400,
        body: { errors: [`malformed job id '${id}': expected 32 lowercase hexadecimal characters`] },
      });
    }
    for (const path of ['/v1/jobs/../overview', `/v1/jobs/${RUNNING_JOB_ID}/./checkpoints`, '/v1/..']) {
      expect(await raw(path)).toMatchObject({ status: 400, body: { errors: ['path segments . and .. are not allowed'] } });
    }
    expect(await call('GET', `/v1/jobs/${'a'.repeat(100)}/checkpoints`)).toMatchObject({
      status: 400,
      body: { errors: [`malformed job id '${'a'.repeat(64)}…': expected 32 lowercase hexadecimal characters`] },
    });
    expect(await call('GET', `/v1/jobs/${UNKNOWN_JOB_ID}`)).toMatchObject({ status: 404, body: { errors: [`job ${UNKNOWN_JOB_ID} not found`] } });
    expect(await call('GET', `/v1/jobs/${UNKNOWN_JOB_ID}/checkpoints`)).toMatchObject({ status: 404, body: { errors: [`job ${UNKNOWN_JOB_ID} not found`] } });
    expect(await call('PATCH', `/v1/jobs/${UNKNOWN_JOB_ID}`)).toMatchObject({ status: 404, body: { errors: [`job ${UNKNOWN_JOB_ID} not found`] } });
  });

  it('an unknown or malformed trigger id: 404 / 400', async () => {
    expect(await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/savepoints/${UNKNOWN_JOB_ID}`)).toMatchObject({
      status: 404,
      body: { errors: [`no savepoint operation ${UNKNOWN_JOB_ID} for job ${RUNNING_JOB_ID}`] },
    });
    expect(await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/config`)).toMatchObject({
      status: 400,
      body: { errors: ["malformed trigger id 'config': expected 32 lowercase hexadecimal characters"] },
    });
    // A trigger id is only valid with its own job.
    const trigger = await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/savepoints`, { body: {} });
    expect((await call('GET', `/v1/jobs/${FINISHED_JOB_ID}/savepoints/${trigger.body['request-id']}`)).status).toBe(404);
  });

  it('an unknown route: 404; a wrong method: 405 with Allow', async () => {
    expect(await call('GET', '/v1/nope')).toMatchObject({ status: 404, body: { errors: ['unknown route /v1/nope'] } });
    expect(await call('GET', '/overview')).toMatchObject({ status: 404, body: { errors: ['unknown route; the API is under /v1'] } });
    expect(await call('GET', '/v1/jobs/')).toMatchObject({ status: 404 });
    const answer = await call('DELETE', `/v1/jobs/${RUNNING_JOB_ID}`);
    expect(answer).toMatchObject({ status: 405, body: { errors: ['method DELETE is not allowed here; allowed: GET, PATCH'] } });
    expect(answer.headers.get('allow')).toBe('GET, PATCH');
    expect(await call('POST', '/v1/overview', { body: {} })).toMatchObject({ status: 405, body: { errors: ['method POST is not allowed here; allowed: GET'] } });
    expect(await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/stop`)).toMatchObject({ status: 405 });
  });

  it('bodies: 413 beyond 64 KiB, 400 for bad JSON, non-objects, unknown fields and bad values', async () => {
    const savepoints = `/v1/jobs/${RUNNING_JOB_ID}/savepoints`;
    const big = JSON.stringify({ 'target-directory': `/${'x'.repeat(70_000)}` });
    expect(await call('POST', savepoints, { rawBody: big })).toMatchObject({ status: 413, body: { errors: ['request body larger than 65536 bytes'] } });
    expect(await call('POST', savepoints, { rawBody: '{"target-directory": ' })).toMatchObject({
      status: 400,
      body: { errors: [expect.stringMatching(/^request body is not valid JSON: /)] },
    });
    expect(await call('POST', savepoints, { rawBody: '[1]' })).toMatchObject({ status: 400, body: { errors: ['request body must be a JSON object'] } });
    expect(await call('POST', savepoints, { body: { targetDirectory: '/x' } })).toMatchObject({
      status: 400,
      body: { errors: ['unknown field "targetDirectory" in the request body; expected: target-directory, cancel-job, formatType'] },
    });
    expect(await call('POST', savepoints, { body: { 'target-directory': 'relative/dir' } })).toMatchObject({
      status: 400,
      body: { errors: ['target-directory must be an absolute path or a URI'] },
    });
    expect(await call('POST', savepoints, { body: { 'target-directory': '/a\u0000b' } })).toMatchObject({ status: 400, body: { errors: ['target-directory is not a valid path'] } });
    expect(await call('POST', savepoints, { body: { 'cancel-job': 'yes' } })).toMatchObject({ status: 400, body: { errors: ['cancel-job must be true or false'] } });
    expect(await call('POST', savepoints, { body: { formatType: 'ZIP' } })).toMatchObject({ status: 400, body: { errors: ["formatType must be CANONICAL or NATIVE, got 'ZIP'"] } });
    expect(await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`, { body: { checkpointType: 'SOME' } })).toMatchObject({
      status: 400,
      body: { errors: ["checkpointType must be FULL, INCREMENTAL or CONFIGURED, got 'SOME'"] },
    });
    expect(fixture.calls).toEqual([]);
    // The server still answers after all of that.
    expect((await call('GET', '/v1/overview')).status).toBe(200);
  });

  it('the operation store is bounded: full of running operations it answers 429; completed ones expire', async () => {
    await server.close();
    server = await startRestServer({ control: fixture, version: 'x', maxOperations: 1, operationRetentionMs: 1000 });
    const release = fixture.hold();
    const first = await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`, { body: {} });
    expect(first.status).toBe(202);
    expect(await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`, { body: {} })).toMatchObject({
      status: 429,
      body: { errors: ['too many operations in progress; try again later'] },
    });
    release();
    const path = `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/${first.body['request-id']}`;
    await completed(path);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call('GET', path)).status).toBe(404);
    expect((await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`, { body: {} })).status).toBe(202);
  });

  it('errors of the JobControl: JobControlError by kind, other FlinktsErrors 400 (USAGE, CONFIG) or 500, anything else 500', async () => {
    class Failing extends FixtureJobControl {
      override listJobs(): never {
        throw new Error('boom');
      }
      override resources(): never {
        throw new FlinktsError('INTERNAL', 'slots unknown');
      }
      override checkpoints(): never {
        throw new FlinktsError('CONFIG', 'no checkpoint storage configured');
      }
      override triggerCheckpoint(): never {
        throw badJobRequestError('checkpointing is disabled for this job');
      }
      override cancel(jobId: string): never {
        throw jobStateConflictError(jobId, 'RESTARTING');
      }
    }
    await server.close();
    server = await startRestServer({ control: new Failing(), version: 'x' });
    expect(await call('GET', '/v1/jobs')).toMatchObject({ status: 500, body: { errors: ['internal error: boom'] } });
    expect(await call('GET', '/v1/overview')).toMatchObject({ status: 500, body: { errors: ['internal error: boom'] } });
    expect(await call('GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`)).toMatchObject({ status: 400, body: { errors: ['no checkpoint storage configured'] } });
    expect(await call('POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`, { body: {} })).toMatchObject({
      status: 400,
      body: { errors: ['checkpointing is disabled for this job'] },
    });
    expect(await call('PATCH', `/v1/jobs/${RUNNING_JOB_ID}`)).toMatchObject({ status: 409, body: { errors: [`job ${RUNNING_JOB_ID} is RESTARTING, not RUNNING`] } });
  });
});

describe('security', () => {
  const ROUTES: readonly (readonly [string, string])[] = [
    ['GET', '/v1/overview'],
    ['GET', '/v1/jobs'],
    ['GET', '/v1/jobs/overview'],
    ['GET', `/v1/jobs/${RUNNING_JOB_ID}`],
    ['PATCH', `/v1/jobs/${RUNNING_JOB_ID}?mode=cancel`],
    ['GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`],
    ['POST', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints`],
    ['GET', `/v1/jobs/${RUNNING_JOB_ID}/checkpoints/${UNKNOWN_JOB_ID}`],
    ['POST', `/v1/jobs/${RUNNING_JOB_ID}/savepoints`],
    ['GET', `/v1/jobs/${RUNNING_JOB_ID}/savepoints/${UNKNOWN_JOB_ID}`],
    ['POST', `/v1/jobs/${RUNNING_JOB_ID}/stop`],
    ['GET', '/v1/nope'],
    ['GET', '/'],
  ];

  it('every route needs the token: 401 without one, with a wrong one, or another scheme', async () => {
    for (const [method, path] of ROUTES) {
      for (const options of [{ token: null }, { token: 'wrong' }, { token: `${server.token}x` }, { authorization: `Basic ${server.token}` }, { token: '' }]) {
        const answer = await call(method, path, { ...options, body: {} });
        expect(answer.status, `${method} ${path} ${JSON.stringify(options)}`).toBe(401);
        expect(answer.body).toEqual({ errors: ['missing or invalid bearer token'] });
        expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="flinkts"');
      }
    }
    expect(fixture.calls).toEqual([]);
    expect((await call('GET', '/v1/jobs')).body.jobs[0].status).toBe('RUNNING');
  });

  it('a foreign Origin is refused (403) even with the token; the server’s own origin is fine', async () => {
    for (const [method, path] of ROUTES) {
      for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${server.port + 1}`, `https://127.0.0.1:${server.port}`]) {
        const answer = await call(method, path, { origin, body: {} });
        expect(answer.status, `${method} ${path} from ${origin}`).toBe(403);
        expect(answer.body).toEqual({ errors: ['cross-origin requests are not allowed'] });
        expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      }
    }
    expect(fixture.calls).toEqual([]);
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      expect((await call('GET', '/v1/overview', { origin: `http://${host}:${server.port}` })).status).toBe(200);
    }
  });

  it('no request value reaches a response header (CR/LF in the path)', async () => {
    for (const path of ['/v1/jobs/%0d%0aX-Injected:%20yes', '/v1/%0d%0aSet-Cookie:%20a=b', `/v1/jobs/${RUNNING_JOB_ID}/savepoints/%0d%0aX-Injected:%20yes`]) {
      const answer = await raw(path);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(Object.keys(answer.headers).sort()).toEqual(['cache-control', 'connection', 'content-length', 'content-type', 'date', 'keep-alive', 'x-content-type-options']);
    }
  });

  it('binds to 127.0.0.1 by default and refuses a non-loopback address unless allowed', async () => {
    expect(server.address).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(startRestServer({ control: fixture, version: 'x', address: '0.0.0.0' })).rejects.toMatchObject({
      code: 'CONFIG',
      message: 'refusing to expose the REST API on 0.0.0.0, which is not a loopback address',
      hint: 'set rest.allow-non-loopback: true to allow it (every request still needs the cluster\'s token)',
    });
    await expect(startRestServer({ control: fixture, version: 'x', address: '192.168.1.10' })).rejects.toMatchObject({ code: 'CONFIG' });
    const exposed = await startRestServer({ control: fixture, version: 'x', address: '0.0.0.0', allowNonLoopback: true });
    try {
      expect(exposed.address).toBe('127.0.0.1');
      const answer = await fetch(`${exposed.url}/v1/overview`);
      expect(answer.status).toBe(401);
    } finally {
      await exposed.close();
    }
  });
});

describe('local cluster registry', () => {
  it('registers the server in <state dir>/clusters/<pid>.json (0600, directory 0700) and removes it on close', async () => {
    const dir = join(stateDir, 'clusters');
    const file = join(dir, `${process.pid}.json`);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    expect(entry).toEqual({ pid: process.pid, address: '127.0.0.1', port: server.port, token: server.token, startedAt: expect.any(String), version: '0.0.0-test' });
    expect(Math.abs(Date.parse(entry.startedAt) - Date.now())).toBeLessThan(10_000);
    expect(listLocalClusters({ stateDir })).toEqual([entry]);
    await server.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(listLocalClusters({ stateDir })).toEqual([]);
    server = await startRestServer({ control: fixture, version: 'x' });
  });

  it('readers drop and delete the entries of processes that are gone; malformed files are skipped', async () => {
    const child = execa('node', ['-e', 'process.exit(0)']);
    const deadPid = child.pid!;
    await child;
    const stale = registerLocalCluster({ pid: deadPid, address: '127.0.0.1', port: 1, token: 't', version: 'x' }, { stateDir });
    const dir = join(stateDir, 'clusters');
    writeFileSync(join(dir, '12.json'), '{"pid": 12, "port": "no"}');
    expect(readdirSync(dir).sort()).toEqual([`${deadPid}.json`, '12.json', `${process.pid}.json`].sort());
    expect(listLocalClusters({ stateDir }).map((e) => e.pid)).toEqual([process.pid]);
    expect(readdirSync(dir).sort()).toEqual(['12.json', `${process.pid}.json`].sort());
    stale.unregister();
  });

  it('a second cluster of the same process gets a file of its own', async () => {
    const second = await startRestEndpoint(fixture, { version: '0.0.0-test', stateDir });
    try {
      expect(readdirSync(join(stateDir, 'clusters')).sort()).toEqual([`${process.pid}-${second.port}.json`, `${process.pid}.json`].sort());
      expect(listLocalClusters({ stateDir }).map((e) => e.port).sort()).toEqual([server.port, second.port].sort());
    } finally {
      await second.close();
    }
    expect(listLocalClusters({ stateDir }).map((e) => e.port)).toEqual([server.port]);
  });

  it('finds the state directory: FLINKTS_STATE_DIR, else an absolute XDG_STATE_HOME, else ~/.local/state', () => {
    expect(localStateDir({ FLINKTS_STATE_DIR: '/s', XDG_STATE_HOME: '/x' })).toBe('/s');
    expect(localStateDir({ XDG_STATE_HOME: '/x' })).toBe('/x/flinkts');
    expect(localStateDir({ XDG_STATE_HOME: 'relative' })).toBe(join(homedir(), '.local', 'state', 'flinkts'));
    expect(localStateDir({})).toBe(join(homedir(), '.local', 'state', 'flinkts'));
  });
});
