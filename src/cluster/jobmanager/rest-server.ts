/**
 * The JobManager's REST API: Flink's routes and JSON shapes under `/v1`
 * (`/overview`, `/jobs`, `/jobs/overview`, `/jobs/:id`, checkpoints,
 * savepoints, stop, cancel), served by `node:http` over a {@link JobControl}.
 *
 * Secure by default (RELIABILITY S2–S4): it binds to 127.0.0.1 and refuses a
 * non-loopback address unless explicitly allowed; every request needs the
 * bearer token (compared in constant time); a request carrying an `Origin`
 * other than the server's own is refused, so a web page cannot drive it;
 * bodies are capped; no request value is ever written into a header.
 *
 * Checkpoint, savepoint and stop requests answer at once with a trigger id
 * (`request-id`); the operation's status is polled under that id and kept for
 * a while after it completes, in a bounded store.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { FlinktsError } from '../../api/errors.js';
import { REST_ADDRESS, REST_ALLOW_NON_LOOPBACK, REST_PORT, type FlinktsConfig } from '../../config/index.js';
import { registerLocalCluster, type RegistryLocation } from '../local-registry.js';
import {
  HEX_ID_PATTERN,
  JobControlError,
  TERMINAL_JOB_STATES,
  badJobRequestError,
  jobStateConflictError,
  unknownJobError,
  type CheckpointDetails,
  type JobControl,
  type JobDetails,
} from './job-control.js';
import {
  renderCheckpointDetails,
  renderCheckpointStats,
  renderJobDetails,
  renderJobIds,
  renderJobsOverview,
  renderOverview,
  renderTaskCheckpointDetails,
} from './rest-messages.js';
import { OperationStore, type OperationKind } from './rest-operations.js';
import {
  checkFields,
  formatOf,
  MAX_ECHOED_VALUE,
  optionalBoolean,
  optionalString,
  parseJsonObject,
  readBody,
  targetDirectoryOf,
  truncate,
} from './rest-requests.js';

/** The REST settings of a cluster, from the configuration (see {@link restSettings}). */
export interface RestSettings {
  /** Address to bind; 127.0.0.1 by default. */
  readonly address: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  /** Whether a non-loopback `address` may be bound. */
  readonly allowNonLoopback: boolean;
}

/** What {@link startRestServer} needs. */
export interface RestServerOptions extends Partial<RestSettings> {
  readonly control: JobControl;
  /** The flinkts version, shown by `/v1/overview`. */
  readonly version: string;
  /** The bearer token; a random one by default. */
  readonly token?: string;
  /** Largest accepted request body; 64 KiB by default. */
  readonly maxBodyBytes?: number;
  /** How long a completed operation's result stays available; 5 minutes by default (Flink's `rest.async.store-duration`). */
  readonly operationRetentionMs?: number;
  /** Most operations remembered at once; 1000 by default. */
  readonly maxOperations?: number;
}

/** A running REST server. */
export interface RestServerHandle {
  /** The address a client on this host connects to (loopback when bound to a wildcard address). */
  readonly address: string;
  readonly port: number;
  readonly token: string;
  /** `http://address:port`. */
  readonly url: string;
  /** Stops accepting requests and closes open connections. */
  close(): Promise<void>;
}

/** The REST settings from a loaded configuration. */
export function restSettings(config: FlinktsConfig): RestSettings {
  return { address: config.get(REST_ADDRESS), port: config.get(REST_PORT), allowNonLoopback: config.get(REST_ALLOW_NON_LOOPBACK) };
}

/** Whether `address` is a loopback address or `localhost`. */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (plain === 'localhost' || plain === '::1') return true;
  const v4 = plain.startsWith('::ffff:') ? plain.slice('::ffff:'.length) : plain;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Starts the REST server of a cluster and registers it in the local registry
 * (`<state dir>/clusters/<pid>.json`), so the job-control commands find it.
 * `close()` unregisters and stops the server.
 *
 * @example
 * const rest = await startRestEndpoint(jobControl, { ...restSettings(config), version: packageVersion() });
 * try { ... } finally { await rest.close(); }
 */
export async function startRestEndpoint(
  control: JobControl,
  options: Omit<RestServerOptions, 'control'> & RegistryLocation & { register?: boolean },
): Promise<RestServerHandle> {
  const server = await startRestServer({ ...options, control });
  if (options.register === false) return server;
  let registration;
  try {
    registration = registerLocalCluster({ address: server.address, port: server.port, token: server.token, version: options.version }, options);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    ...server,
    close: async () => {
      registration.unregister();
      await server.close();
    },
  };
}

/**
 * Starts the REST server.
 *
 * @throws FlinktsError CONFIG for a non-loopback address without `allowNonLoopback`, or when the port cannot be bound.
 */
export async function startRestServer(options: RestServerOptions): Promise<RestServerHandle> {
  const bindAddress = options.address ?? '127.0.0.1';
  if (!isLoopbackAddress(bindAddress) && options.allowNonLoopback !== true) {
    throw new FlinktsError('CONFIG', `refusing to expose the REST API on ${bindAddress}, which is not a loopback address`, {
      hint: `set ${REST_ALLOW_NON_LOOPBACK.key}: true to allow it (every request still needs the cluster's token)`,
    });
  }
  const token = options.token ?? randomBytes(32).toString('base64url');
  const api = new RestApi(options, token);
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => void api.handle(req, res));
  server.maxConnections = 256;
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new FlinktsError('CONFIG', `cannot start the REST API on ${bindAddress}:${options.port ?? 0}: ${error.code ?? error.message}`, { cause: error })),
    );
    server.listen(options.port ?? 0, bindAddress, () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  const plain = bindAddress.replace(/^\[(.*)\]$/, '$1');
  const address = plain === '0.0.0.0' ? '127.0.0.1' : plain === '::' ? '::1' : plain;
  api.allowOrigins(port, address);
  const host = isIP(address) === 6 ? `[${address}]` : address;
  return { address, port, token, url: `http://${host}:${port}`, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeAllConnections();
  });
}

/** An answer: status, JSON body, extra headers (constant values only). */
interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a route handler receives. */
interface RouteRequest {
  readonly jobId: string;
  readonly triggerId: string;
  /** Every path parameter, by name (`:checkpointId`, …). */
  readonly params: ReadonlyMap<string, string>;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
}

type Handler = (request: RouteRequest) => Reply | Promise<Reply>;

/** A route: literal segments and `:jobId` / `:triggerId` parameters, and a handler per method. */
interface Route {
  readonly segments: readonly string[];
  readonly methods: Readonly<Partial<Record<'GET' | 'POST' | 'PATCH', Handler>>>;
  /** Methods whose request has a JSON body. */
  readonly withBody?: readonly string[];
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The request handling: checks, routing and the handlers. */
class RestApi {
  private readonly tokenDigest: Buffer;
  private readonly maxBodyBytes: number;
  private readonly operations: OperationStore;
  private origins = new Set<string>();
  private readonly routes: readonly Route[];

  constructor(
    private readonly options: RestServerOptions,
    token: string,
  ) {
    this.tokenDigest = digest(token);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.operations = new OperationStore(options.maxOperations, options.operationRetentionMs);
    const control = options.control;
    this.routes = [
      { segments: ['overview'], methods: { GET: () => ok(renderOverview(control.listJobs(), control.resources(), options.version)) } },
      { segments: ['jobs'], methods: { GET: () => ok(renderJobIds(control.listJobs())) } },
      { segments: ['jobs', 'overview'], methods: { GET: () => ok(renderJobsOverview(control.listJobs())) } },
      {
        segments: ['jobs', ':jobId'],
        methods: { GET: ({ jobId }) => ok(renderJobDetails(this.job(jobId), Date.now())), PATCH: (request) => this.cancel(request) },
      },
      {
        segments: ['jobs', ':jobId', 'checkpoints'],
        methods: {
          GET: ({ jobId }) => {
            const stats = control.checkpoints(jobId);
            if (stats === undefined) throw unknownJobError(jobId);
            return ok(renderCheckpointStats(stats));
          },
          POST: (request) => this.triggerCheckpoint(request),
        },
        withBody: ['POST'],
      },
      { segments: ['jobs', ':jobId', 'checkpoints', ':triggerId'], methods: { GET: (request) => this.status(request, 'checkpoint') } },
      { segments: ['jobs', ':jobId', 'checkpoints', 'details', ':checkpointId'], methods: { GET: (request) => ok(renderCheckpointDetails(this.checkpointDetails(request))) } },
      {
        segments: ['jobs', ':jobId', 'checkpoints', 'details', ':checkpointId', 'subtasks', ':vertexId'],
        methods: {
          GET: (request) => {
            const details = this.checkpointDetails(request);
            const vertexId = request.params.get(':vertexId')!;
            const task = details.tasks.find((t) => t.vertexId === vertexId);
            if (task === undefined) throw new JobControlError('not-found', `vertex ${truncate(vertexId, MAX_ECHOED_VALUE)} is not part of job ${request.jobId}`);
            return ok(renderTaskCheckpointDetails(details.checkpoint, task));
          },
        },
      },
      { segments: ['jobs', ':jobId', 'savepoints'], methods: { POST: (request) => this.triggerSavepoint(request) }, withBody: ['POST'] },
      { segments: ['jobs', ':jobId', 'savepoints', ':triggerId'], methods: { GET: (request) => this.status(request, 'savepoint') } },
      { segments: ['jobs', ':jobId', 'stop'], methods: { POST: (request) => this.stop(request) }, withBody: ['POST'] },
    ];
  }

  /** The origins of the server itself: its loopback names and its bound address. */
  allowOrigins(port: number, address: string): void {
    const hosts = ['127.0.0.1', 'localhost', '[::1]', isIP(address) === 6 ? `[${address}]` : address];
    this.origins = new Set(hosts.map((host) => `http://${host}:${port}`));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: Reply;
    try {
      reply = await this.dispatch(req);
    } catch (error) {
      reply = errorReply(error);
    }
    send(res, reply);
  }

  private async dispatch(req: IncomingMessage): Promise<Reply> {
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin)) return failure(403, 'cross-origin requests are not allowed');
    if (!this.authorized(req.headers.authorization)) {
      return { ...failure(401, 'missing or invalid bearer token'), headers: { 'WWW-Authenticate': 'Bearer realm="flinkts"' } };
    }
    // The path is taken as sent: never normalised or decoded, so `..` or `%2e%2e` cannot steer it anywhere.
    const target = req.url ?? '';
    if (!target.startsWith('/')) return failure(400, 'malformed request URL');
    const queryAt = target.indexOf('?');
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));
    const segments = pathname.split('/').slice(1);
    if (segments.some((segment) => segment === '.' || segment === '..')) return failure(400, 'path segments . and .. are not allowed');
    if (segments[0] !== 'v1') return failure(404, 'unknown route; the API is under /v1');
    const match = this.match(segments.slice(1));
    if (match === undefined) return failure(404, `unknown route ${truncate(pathname, 200)}`);
    const { route, params } = match;
    const method = req.method ?? 'GET';
    const handler = Object.hasOwn(route.methods, method) ? route.methods[method as keyof Route['methods']] : undefined;
    const allowed = Object.keys(route.methods).join(', ');
    if (handler === undefined) return { ...failure(405, `method ${method} is not allowed here; allowed: ${allowed}`), headers: { Allow: allowed } };
    const jobId = params.get(':jobId') ?? '';
    const triggerId = params.get(':triggerId') ?? '';
    if (params.has(':jobId') && !HEX_ID_PATTERN.test(jobId)) {
      return failure(400, `malformed job id '${truncate(jobId, MAX_ECHOED_VALUE)}': expected 32 lowercase hexadecimal characters`);
    }
    if (params.has(':triggerId') && !HEX_ID_PATTERN.test(triggerId)) {
      return failure(400, `malformed trigger id '${truncate(triggerId, MAX_ECHOED_VALUE)}': expected 32 lowercase hexadecimal characters`);
    }
    let body: Record<string, unknown> = {};
    if (route.withBody?.includes(method) === true) {
      const read = await readBody(req, this.maxBodyBytes);
      if (read === 'too-large') return failure(413, `request body larger than ${this.maxBodyBytes} bytes`);
      body = parseJsonObject(read);
    }
    return handler({ jobId, triggerId, params, query, body });
  }

  /** The first route whose segments fit; routes with literals come before those with a parameter in the same place. */
  private match(segments: readonly string[]): { route: Route; params: Map<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.segments.length !== segments.length) continue;
      const params = new Map<string, string>();
      const fits = route.segments.every((part, i) => {
        if (!part.startsWith(':')) return part === segments[i];
        params.set(part, segments[i]!);
        return segments[i] !== '';
      });
      if (fits) return { route, params };
    }
    return undefined;
  }

  private authorized(header: string | undefined): boolean {
    const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    return match !== null && timingSafeEqual(digest(match[1]!), this.tokenDigest);
  }

  private job(jobId: string): JobDetails {
    const job = this.options.control.jobDetails(jobId);
    if (job === undefined) throw unknownJobError(jobId);
    return job;
  }

  /** The details of the checkpoint a route names (`:checkpointId`, a non-negative integer). */
  private checkpointDetails({ jobId, params }: RouteRequest): CheckpointDetails {
    const raw = params.get(':checkpointId')!;
    if (!/^\d{1,15}$/.test(raw)) throw badJobRequestError(`malformed checkpoint id '${truncate(raw, MAX_ECHOED_VALUE)}': expected a non-negative integer`);
    this.job(jobId);
    const details = this.options.control.checkpointDetails(jobId, Number(raw));
    if (details === undefined) throw new JobControlError('not-found', `checkpoint ${raw} of job ${jobId} not found (the history keeps the last ones)`);
    return details;
  }

  private runningJob(jobId: string): void {
    const job = this.job(jobId);
    if (job.state !== 'RUNNING') throw jobStateConflictError(jobId, job.state);
  }

  private cancel({ jobId, query }: RouteRequest): Reply {
    const mode = query.get('mode') ?? 'cancel';
    if (mode !== 'cancel') throw badJobRequestError(`mode '${truncate(mode, 20)}' is not supported: use mode=cancel, or POST /v1/jobs/:jobid/stop`);
    const job = this.job(jobId);
    if (TERMINAL_JOB_STATES.has(job.state)) throw jobStateConflictError(jobId, job.state, 'running');
    this.options.control.cancel(jobId);
    return { status: 202, body: {} };
  }

  private triggerCheckpoint({ jobId, body }: RouteRequest): Reply {
    checkFields(body, ['checkpointType']);
    const type = optionalString(body, 'checkpointType') ?? 'CONFIGURED';
    if (!['FULL', 'INCREMENTAL', 'CONFIGURED'].includes(type)) {
      throw badJobRequestError(`checkpointType must be FULL, INCREMENTAL or CONFIGURED, got '${truncate(type, 20)}'`);
    }
    this.runningJob(jobId);
    // INCREMENTAL asks for what the state backend does when configured incremental; flinkts treats it as CONFIGURED.
    const pending = this.options.control.triggerCheckpoint(jobId, { full: type === 'FULL' });
    return this.startOperation(jobId, 'checkpoint', pending, (done) => ({ checkpointId: done.checkpointId, location: done.externalPath }));
  }

  private triggerSavepoint({ jobId, body }: RouteRequest): Reply {
    checkFields(body, ['target-directory', 'cancel-job', 'formatType']);
    const targetDirectory = targetDirectoryOf(body, 'target-directory');
    const cancelJob = optionalBoolean(body, 'cancel-job') ?? false;
    const formatType = formatOf(body);
    this.runningJob(jobId);
    const pending = this.options.control.triggerSavepoint(jobId, { ...(targetDirectory === undefined ? {} : { targetDirectory }), formatType, cancelJob });
    return this.startOperation(jobId, 'savepoint', pending, (done) => ({ location: done.location }));
  }

  private stop({ jobId, body }: RouteRequest): Reply {
    checkFields(body, ['targetDirectory', 'drain', 'formatType']);
    const targetDirectory = targetDirectoryOf(body, 'targetDirectory');
    const drain = optionalBoolean(body, 'drain') ?? false;
    const formatType = formatOf(body);
    this.runningJob(jobId);
    const pending = this.options.control.stopWithSavepoint(jobId, { ...(targetDirectory === undefined ? {} : { targetDirectory }), drain, formatType });
    return this.startOperation(jobId, 'savepoint', pending, (done) => ({ location: done.location }));
  }

  private startOperation<T>(jobId: string, kind: OperationKind, pending: Promise<T>, toResult: (value: T) => unknown): Reply {
    const triggerId = this.operations.start(jobId, kind, pending, toResult);
    if (triggerId === undefined) return failure(429, 'too many operations in progress; try again later');
    return { status: 202, body: { 'request-id': triggerId } };
  }

  private status({ jobId, triggerId }: RouteRequest, kind: OperationKind): Reply {
    const result = this.operations.get(jobId, kind, triggerId);
    if (result === undefined) return failure(404, `no ${kind} operation ${triggerId} for job ${jobId}`);
    return ok(result);
  }
}

function ok(body: unknown): Reply {
  return { status: 200, body };
}

function failure(status: number, message: string): Reply {
  return { status, body: { errors: [message] } };
}

/** The answer to an error thrown by a handler or the JobControl. */
function errorReply(error: unknown): Reply {
  if (error instanceof FlinktsError) {
    const kind = (error as { failure?: unknown }).failure;
    const status = kind === 'unknown-job' || kind === 'not-found' ? 404 : kind === 'conflict' ? 409 : kind === 'bad-request' ? 400 : error.code === 'USAGE' || error.code === 'CONFIG' ? 400 : 500;
    return failure(status, error.message);
  }
  return failure(500, `internal error: ${error instanceof Error ? error.message : String(error)}`);
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...reply.headers,
  });
  res.end(text);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
