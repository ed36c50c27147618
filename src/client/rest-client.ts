/**
 * A small typed client of the cluster REST API (`/v1`, Flink's shapes; see
 * `src/cluster/jobmanager/rest-messages.ts`), and how a command finds its
 * cluster: `-m host:port` with a token from `--token`, `FLINKTS_REST_TOKEN` or
 * the local registry entry of that port; otherwise every live cluster of the
 * local registry.
 *
 * Errors are FlinktsErrors that say what went wrong in the user's terms:
 * `no flinkts cluster at host:port` (connection refused), `the REST token was
 * rejected` (401), or the server's own message from its `{"errors": [...]}`
 * body. {@link RestApiError} keeps the HTTP status for callers that branch on
 * it.
 */
import { FlinktsError, type ErrorCode } from '../api/errors.js';
import type {
  AsyncOperationMessage,
  CheckpointOperationMessage,
  CheckpointDetailsMessage,
  CheckpointStatsMessage,
  ClusterOverviewMessage,
  JobDetailsMessage,
  JobIdsMessage,
  JobsOverviewMessage,
  SavepointOperationMessage,
  TaskCheckpointDetailsMessage,
  TriggerMessage,
} from '../cluster/jobmanager/rest-messages.js';
import { isLoopbackAddress } from '../cluster/jobmanager/rest-server.js';
import { listLocalClusters, type RegistryLocation } from '../cluster/local-registry.js';

/** The environment variable holding the REST token for `-m host:port`. */
export const REST_TOKEN_ENV = 'FLINKTS_REST_TOKEN';

/** One cluster to talk to. */
export interface RestTarget {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** The cluster's process, when it came from the local registry. */
  readonly pid?: number;
}

/** An error answer of the REST API; `status` is the HTTP status. */
export class RestApiError extends FlinktsError {
  readonly status: number;

  constructor(status: number, code: ErrorCode, message: string, options: { hint?: string; retriable?: boolean } = {}) {
    super(code, message, options);
    this.name = 'RestApiError';
    this.status = status;
  }
}

/** `host:port` as written on the command line (IPv6 in brackets). */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Parses `-m host:port` (`[::1]:8081` for IPv6).
 *
 * @throws FlinktsError USAGE naming the value when it is not `host:port`.
 */
export function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]/@]+)):(\d{1,5})$/.exec(text);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port < 1 || port > 65535) {
    throw new FlinktsError('USAGE', `malformed cluster address '${text}': expected host:port`, { hint: 'for example -m localhost:8081' });
  }
  return { host: match[1] ?? match[2]!, port };
}

/** Which cluster(s) a command talks to. */
export interface ClusterSelection extends RegistryLocation {
  /** `-m host:port`; without it, every cluster of the local registry. */
  readonly jobManager?: string;
  /** `--token`; else `FLINKTS_REST_TOKEN`, else the registry entry of that port. */
  readonly token?: string;
  /** The environment to read `FLINKTS_REST_TOKEN` from. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The clusters to talk to: the one of `-m`, or every live local cluster (an
 * empty list when none runs).
 *
 * @throws FlinktsError USAGE for a malformed `-m`, CONFIG when no token is known for it.
 */
export function resolveTargets(selection: ClusterSelection = {}): RestTarget[] {
  const location = selection.stateDir === undefined ? {} : { stateDir: selection.stateDir };
  if (selection.jobManager === undefined) {
    return listLocalClusters(location).map((entry) => ({ host: entry.address, port: entry.port, token: entry.token, pid: entry.pid }));
  }
  const { host, port } = parseHostPort(selection.jobManager);
  const token = selection.token ?? nonEmpty((selection.env ?? process.env)[REST_TOKEN_ENV]);
  if (token !== undefined) return [{ host, port, token }];
  const local = isLoopbackAddress(host) ? listLocalClusters(location).find((entry) => entry.port === port && isLoopbackAddress(entry.address)) : undefined;
  if (local === undefined) {
    throw new FlinktsError('CONFIG', `no REST token for ${formatHostPort(host, port)}`, {
      hint: `pass the cluster's token with --token or ${REST_TOKEN_ENV} (a local cluster's token is in its registry file)`,
    });
  }
  return [{ host, port, token: local.token, pid: local.pid }];
}

/** Options of a {@link RestClient}. */
export interface RestClientOptions {
  /** Timeout of one request; 10 s by default. */
  readonly timeoutMs?: number;
}

/** The REST API of one cluster. */
export class RestClient {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(
    readonly target: RestTarget,
    options: RestClientOptions = {},
  ) {
    this.base = `http://${formatHostPort(target.host, target.port)}/v1`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** `host:port` of the cluster. */
  get hostPort(): string {
    return formatHostPort(this.target.host, this.target.port);
  }

  /** `GET /v1/overview`. */
  overview(): Promise<ClusterOverviewMessage> {
    return this.request('GET', '/overview');
  }

  /** `GET /v1/jobs`: ids and states. */
  jobIds(): Promise<JobIdsMessage> {
    return this.request('GET', '/jobs');
  }

  /** `GET /v1/jobs/overview`. */
  jobsOverview(): Promise<JobsOverviewMessage> {
    return this.request('GET', '/jobs/overview');
  }

  /** `GET /v1/jobs/:id`. */
  jobDetails(jobId: string): Promise<JobDetailsMessage> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}`);
  }

  /** `PATCH /v1/jobs/:id?mode=cancel`. */
  async cancel(jobId: string): Promise<void> {
    await this.request('PATCH', `/jobs/${encodeURIComponent(jobId)}?mode=cancel`);
  }

  /** `GET /v1/jobs/:id/checkpoints`. */
  checkpoints(jobId: string): Promise<CheckpointStatsMessage> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/checkpoints`);
  }

  /** `GET /v1/jobs/:id/checkpoints/details/:checkpointId`: the checkpoint per vertex. */
  checkpointDetails(jobId: string, checkpointId: number): Promise<CheckpointDetailsMessage> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/checkpoints/details/${checkpointId}`);
  }

  /** `GET /v1/jobs/:id/checkpoints/details/:checkpointId/subtasks/:vertexId`: one vertex per subtask (sync and async durations). */
  checkpointSubtasks(jobId: string, checkpointId: number, vertexId: string): Promise<TaskCheckpointDetailsMessage> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/checkpoints/details/${checkpointId}/subtasks/${encodeURIComponent(vertexId)}`);
  }

  /** `POST /v1/jobs/:id/checkpoints`; the trigger id. */
  async triggerCheckpoint(jobId: string, checkpointType: 'FULL' | 'INCREMENTAL' | 'CONFIGURED'): Promise<string> {
    const answer = await this.request<TriggerMessage>('POST', `/jobs/${encodeURIComponent(jobId)}/checkpoints`, { checkpointType });
    return answer['request-id'];
  }

  /** `GET /v1/jobs/:id/checkpoints/:triggerId`. */
  checkpointStatus(jobId: string, triggerId: string): Promise<AsyncOperationMessage<CheckpointOperationMessage>> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/checkpoints/${encodeURIComponent(triggerId)}`);
  }

  /** `POST /v1/jobs/:id/savepoints`; the trigger id. */
  async triggerSavepoint(jobId: string, body: { targetDirectory?: string; cancelJob: boolean; formatType: 'CANONICAL' | 'NATIVE' }): Promise<string> {
    const answer = await this.request<TriggerMessage>('POST', `/jobs/${encodeURIComponent(jobId)}/savepoints`, {
      ...(body.targetDirectory === undefined ? {} : { 'target-directory': body.targetDirectory }),
      'cancel-job': body.cancelJob,
      formatType: body.formatType,
    });
    return answer['request-id'];
  }

  /** `GET /v1/jobs/:id/savepoints/:triggerId` (savepoint and stop operations). */
  savepointStatus(jobId: string, triggerId: string): Promise<AsyncOperationMessage<SavepointOperationMessage>> {
    return this.request('GET', `/jobs/${encodeURIComponent(jobId)}/savepoints/${encodeURIComponent(triggerId)}`);
  }

  /** `POST /v1/jobs/:id/stop`; the trigger id (poll it with {@link savepointStatus}). */
  async stop(jobId: string, body: { targetDirectory?: string; drain: boolean; formatType: 'CANONICAL' | 'NATIVE' }): Promise<string> {
    const answer = await this.request<TriggerMessage>('POST', `/jobs/${encodeURIComponent(jobId)}/stop`, {
      ...(body.targetDirectory === undefined ? {} : { targetDirectory: body.targetDirectory }),
      drain: body.drain,
      formatType: body.formatType,
    });
    return answer['request-id'];
  }

  /** One request; the parsed JSON answer of a 2xx status, else a {@link RestApiError}. */
  async request<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${this.target.token}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.connectionError(error);
    }
    const text = await response.text().catch(() => '');
    const json = parseJson(text);
    if (response.ok) {
      if (json === undefined) throw this.notFlinkts(response);
      return json as T;
    }
    const message = errorMessage(json);
    if (response.status === 401) {
      throw new RestApiError(401, 'CONFIG', `the REST token was rejected by ${this.hostPort}`, {
        hint: `pass the cluster's token with --token or ${REST_TOKEN_ENV}`,
      });
    }
    if (message === undefined) throw this.notFlinkts(response);
    if (response.status >= 500) throw new RestApiError(response.status, 'INTERNAL', message, { hint: `the cluster at ${this.hostPort} failed; see its log` });
    throw new RestApiError(response.status, 'USAGE', message, response.status === 429 ? { retriable: true } : {});
  }

  private connectionError(error: unknown): FlinktsError {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return new FlinktsError('CONFIG', `the cluster at ${this.hostPort} did not answer within ${this.timeoutMs} ms`, { cause: error, retriable: true });
    }
    if (code === 'ECONNREFUSED') {
      return new FlinktsError('CONFIG', `no flinkts cluster at ${this.hostPort}`, {
        cause: error,
        retriable: true,
        hint: 'check -m host:port, or start a job with flinkts run',
      });
    }
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    return new FlinktsError('CONFIG', `cannot reach ${this.hostPort}: ${reason}`, { cause: error, retriable: true });
  }

  private notFlinkts(response: Response): FlinktsError {
    return new RestApiError(response.status, 'CONFIG', `${this.hostPort} did not answer like a flinkts cluster (HTTP ${response.status})`, {
      hint: 'check -m host:port',
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The messages of a `{"errors": [...]}` body, joined. */
function errorMessage(json: unknown): string | undefined {
  const errors = (json as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0 || !errors.every((e) => typeof e === 'string')) return undefined;
  return errors.join('; ');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
