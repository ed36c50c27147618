/**
 * `flinkts nexmark generate` and `flinkts nexmark run`: the Nexmark event
 * stream as JSON lines, and the query jobs of `examples/nexmark/` measured
 * one by one.
 *
 * Each query runs in a child process of its own (this module, forked with
 * `--nexmark-measure`), so that its CPU time and peak RSS are its own and one
 * query's heap and JIT state do not colour the next. In the child the query
 * runs with its discarding sink on the local cluster; wall time is the whole
 * `runJob` call (deployment included, reported apart as start-up), CPU time
 * that of the whole child process (main thread and task threads) over the
 * same call, so events/s ÷ cores used = events per CPU-second.
 */
import { fork } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Writable } from 'node:stream';
import { FlinktsError, type ErrorCode } from '../api/errors.js';
import { ParameterTool } from '../api/parameter-tool.js';
import { collectingOutput } from '../api/source.js';
import { nexmarkConfigFromParams } from '../connectors/nexmark/config.js';
import type { NexmarkConfig, NexmarkEvent } from '../connectors/nexmark/model.js';
import { NexmarkSource } from '../connectors/nexmark/nexmark-source.js';
import { isFlinktsError } from './flinkts-error.js';
import { packageRoot } from './package-root.js';
import { runJob } from './run.js';

/** The output formats of `nexmark generate`. */
export const NEXMARK_FORMATS = ['jsonl'] as const;
export type NexmarkFormat = (typeof NEXMARK_FORMATS)[number];

/** Generator flags as given on the command line (strings, checked here so that errors name the flag). */
export interface NexmarkGeneratorFlags {
  readonly events?: string | number | undefined;
  readonly rate?: string | number | undefined;
  readonly seed?: string | number | undefined;
  readonly baseTime?: string | number | undefined;
}

/**
 * The generator configuration of command-line flags, as the query jobs read
 * the same flags.
 *
 * @throws FlinktsError (USAGE) naming the flag that is not a number, zero or negative.
 */
export function nexmarkConfigFromFlags(flags: NexmarkGeneratorFlags): NexmarkConfig {
  const map: Record<string, string> = {};
  if (flags.events !== undefined) map.events = String(flags.events);
  if (flags.rate !== undefined) map.rate = String(flags.rate);
  if (flags.seed !== undefined) map.seed = String(flags.seed);
  if (flags.baseTime !== undefined) map['base-time'] = String(flags.baseTime);
  return nexmarkConfigFromParams(ParameterTool.fromMap(map));
}

/** What `nexmark generate` is asked to do. */
export interface GenerateOptions {
  readonly config: NexmarkConfig;
  readonly format?: NexmarkFormat;
  /** File to write; without it, `stdout`. */
  readonly output?: string;
  /** Where events go without `output`; default `process.stdout`. */
  readonly stdout?: Writable;
}

/** The outcome of `nexmark generate`. */
export interface GenerateResult {
  /** Events written (fewer than configured only when the reader of stdout went away). */
  readonly events: number;
  readonly output: string | undefined;
  readonly format: NexmarkFormat;
  readonly durationMs: number;
}

/**
 * Writes the events of `config` (which must be bounded) as JSON lines, in
 * stream order: the events a job at source parallelism 1 sees. Lines are
 * written in batches; the writer waits only when the stream asks it to
 * (back-pressure). A closed stdout (`| head`) ends the output quietly.
 */
export async function generateNexmark(options: GenerateOptions): Promise<GenerateResult> {
  const format = options.format ?? 'jsonl';
  if (!NEXMARK_FORMATS.includes(format)) throw new FlinktsError('USAGE', `--format must be one of ${NEXMARK_FORMATS.join(', ')}, got '${String(format)}'`);
  if (options.config.events === undefined) throw new FlinktsError('USAGE', 'nexmark generate needs --events N (a bounded stream)');
  const start = performance.now();
  const source = new NexmarkSource(options.config);
  const reader = source.createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'nexmark generate' });
  const stream: Writable = options.output === undefined ? (options.stdout ?? process.stdout) : createWriteStream(options.output);
  let closed = false;
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') closed = true;
    else failure = error;
  };
  stream.on('error', onError);
  const stop = (): boolean => closed || failure !== undefined;
  const lines = new LineBuffer();
  const batch = collectingOutput((event: NexmarkEvent): void => lines.add(JSON.stringify(event)));
  let written = 0;
  try {
    for (;;) {
      const status = reader.pollNext(batch);
      if (stop()) break;
      written += lines.count;
      stream.write(lines.take());
      if (status === 'END_OF_INPUT') break;
      // Keep a few MB queued so that generating overlaps writing; wait only beyond that.
      if (stream.writableLength > MAX_QUEUED_BYTES) await drained(stream, stop);
    }
    if (options.output !== undefined) await finished(stream);
    else if (!stop()) await flushed(stream);
  } finally {
    stream.off('error', onError);
  }
  if (failure !== undefined) {
    throw new FlinktsError('CONFIG', `cannot write ${options.output ?? 'stdout'}: ${failure.message}`, { cause: failure });
  }
  return { events: written, output: options.output, format, durationMs: Math.round(performance.now() - start) };
}

/** Bytes queued on the output stream before the generator waits for it. */
const MAX_QUEUED_BYTES = 8 << 20;

/** JSON lines gathered into one buffer per batch (one write per batch, no string joins). */
class LineBuffer {
  private buffer = Buffer.allocUnsafe(1 << 20);
  private length = 0;
  count = 0;

  add(line: string): void {
    const needed = line.length * 3 + 1; // UTF-8 bound
    if (this.length + needed > this.buffer.length) this.grow(this.length + needed);
    this.length += this.buffer.write(line, this.length, 'utf8');
    this.buffer[this.length++] = 0x0a;
    this.count++;
  }

  /** The lines so far; starts a new buffer (the stream keeps the old one until written). */
  take(): Buffer {
    const full = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.allocUnsafe(Math.max(1 << 20, this.buffer.length));
    this.length = 0;
    this.count = 0;
    return full;
  }

  private grow(size: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(size, this.buffer.length * 2));
    this.buffer.copy(bigger, 0, 0, this.length);
    this.buffer = bigger;
  }
}

/** Resolves when `stream` drains, errs or `stop()` turns true on an error. */
function drained(stream: Writable, stop: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    if (stop()) return resolve();
    stream.on('drain', done);
    stream.on('error', done);
    stream.on('close', done);
  });
}

/** Resolves once everything written to `stream` so far has been handed to the OS (or the write failed). */
function flushed(stream: Writable): Promise<void> {
  return new Promise((resolve) => void stream.write('', () => resolve()));
}

function finished(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    stream.end(() => resolve());
    stream.once('error', () => resolve());
  });
}

/** The query names of `examples/nexmark/` (`q0`, `q1`, … in numeric order). */
export function availableNexmarkQueries(examplesDir = nexmarkExamplesDir()): string[] {
  const names = existsSync(examplesDir) ? readdirSync(examplesDir) : [];
  return names
    .map((name) => /^(q\d+)\.ts$/.exec(name)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

/** Where the query jobs live: `examples/nexmark/` of the flinkts package. */
export function nexmarkExamplesDir(): string {
  return join(packageRoot(), 'examples', 'nexmark');
}

/** What `nexmark run` is asked to do. */
export interface NexmarkRunOptions {
  /** Query names (`q5`); every one must exist in `examples/nexmark/`. */
  readonly queries: readonly string[];
  readonly events: string | number;
  readonly rate?: string | number | undefined;
  /** Default parallelism of the jobs; default 1. */
  readonly parallelism?: number;
  /** Called with each query's figures as soon as it is measured. */
  readonly onResult?: (measurement: QueryMeasurement) => void;
  /** Called before each query starts. */
  readonly onStart?: (query: string) => void;
}

/** The figures of one query run. */
export interface QueryMeasurement {
  readonly query: string;
  readonly parallelism: number;
  readonly events: number;
  /** The whole run, deployment included. */
  readonly wallMs: number;
  /** Deployment until the sources started (part of `wallMs`). */
  readonly startupMs: number;
  /** CPU time of the process (all threads) over `wallMs`. */
  readonly cpuMs: number;
  readonly eventsPerSecond: number;
  /** `cpuMs / wallMs`. */
  readonly coresUsed: number;
  /** `eventsPerSecond / coresUsed` = events per CPU-second. */
  readonly eventsPerSecondPerCore: number;
  /** Peak resident set size of the process that ran the query, bytes. */
  readonly peakRssBytes: number;
}

/** The outcome of `nexmark run`. */
export interface NexmarkRunResult {
  readonly queries: readonly QueryMeasurement[];
}

/**
 * Runs each query with the discarding sink, each in its own process, one
 * after the other, and measures it.
 *
 * @throws FlinktsError USAGE for an unknown query (listing the available ones)
 *   or a bad flag (naming it); JOB_FAILED when a query fails.
 */
export async function runNexmarkQueries(options: NexmarkRunOptions): Promise<NexmarkRunResult> {
  const config = nexmarkConfigFromFlags({ events: options.events, rate: options.rate });
  if (config.events === undefined) throw new FlinktsError('USAGE', 'nexmark run needs --events N');
  const parallelism = options.parallelism ?? 1;
  if (!Number.isSafeInteger(parallelism) || parallelism < 1) throw new FlinktsError('USAGE', `--parallelism must be a positive integer, got '${parallelism}'`);
  const available = availableNexmarkQueries();
  if (options.queries.length === 0) throw new FlinktsError('USAGE', `no query given; available: ${available.join(', ')}`);
  for (const query of options.queries) {
    if (!available.includes(query)) {
      throw new FlinktsError('USAGE', `unknown Nexmark query '${query}'; available: ${available.join(', ') || '(none)'}`, {
        hint: `the queries are the files ${nexmarkExamplesDir()}/qN.ts`,
      });
    }
  }
  const results: QueryMeasurement[] = [];
  for (const query of options.queries) {
    options.onStart?.(query);
    const request: MeasureRequest = {
      query,
      job: join(nexmarkExamplesDir(), `${query}.ts`),
      args: ['--events', String(config.events), '--rate', String(config.rate)],
      events: config.events,
      parallelism,
    };
    const measurement = await measureInChild(request);
    options.onResult?.(measurement);
    results.push(measurement);
  }
  return { queries: results };
}

/** What the parent asks a measuring child. */
interface MeasureRequest {
  readonly query: string;
  readonly job: string;
  readonly args: readonly string[];
  readonly events: number;
  readonly parallelism: number;
}

/** What a measuring child answers. */
type MeasureReply =
  | { readonly ok: true; readonly measurement: QueryMeasurement }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly hint?: string } };

const MEASURE_FLAG = '--nexmark-measure';

/** The built copy of this module: children run JavaScript, also when the parent runs from sources. */
function measureEntry(): string {
  const self = fileURLToPath(import.meta.url);
  const entry = self.endsWith('.js') ? self : join(packageRoot(), 'dist', 'src', 'client', 'nexmark.js');
  if (!existsSync(entry)) throw new FlinktsError('INTERNAL', `${entry} is missing`, { hint: 'run npm run build first' });
  return entry;
}

function measureInChild(request: MeasureRequest): Promise<QueryMeasurement> {
  return new Promise((resolve, reject) => {
    const child = fork(measureEntry(), [MEASURE_FLAG], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
    let stderr = '';
    let reply: MeasureReply | undefined;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => void (stderr = (stderr + chunk).slice(-4000)));
    child.on('message', (message: MeasureReply) => void (reply = message));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (reply?.ok === true) return resolve(reply.measurement);
      if (reply?.ok === false) {
        const { code: errorCode, message, hint } = reply.error;
        return reject(new FlinktsError(errorCode as ErrorCode, message, hint === undefined ? {} : { hint }));
      }
      const how = signal === null ? `exit status ${code}` : `signal ${signal}`;
      reject(new FlinktsError('JOB_FAILED', `${request.query}: the measuring process ended with ${how}${stderr === '' ? '' : `: ${stderr.trim()}`}`));
    });
    child.send(request);
  });
}

/** In the child: runs the query and measures the process. */
async function measure(request: MeasureRequest): Promise<QueryMeasurement> {
  const cpuBefore = process.cpuUsage();
  const result = await runJob({ job: request.job, args: request.args, parallelism: request.parallelism, onOutput: () => {} });
  const cpu = process.cpuUsage(cpuBefore);
  if (result.status !== 'FINISHED') {
    throw new FlinktsError('JOB_FAILED', `${request.query} ${result.status.toLowerCase()}: ${result.error?.message ?? 'no reason given'}`);
  }
  const wallMs = Math.max(result.durationMs, 1);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const eventsPerSecond = (request.events * 1000) / wallMs;
  const coresUsed = cpuMs / wallMs;
  return {
    query: request.query,
    parallelism: request.parallelism,
    events: request.events,
    wallMs,
    startupMs: Math.max(0, result.durationMs - result.runningMs),
    cpuMs: Math.round(cpuMs),
    eventsPerSecond,
    coresUsed,
    eventsPerSecondPerCore: coresUsed > 0 ? eventsPerSecond / coresUsed : eventsPerSecond,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

if (process.argv[2] === MEASURE_FLAG && process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (request: MeasureRequest) => {
    measure(request).then(
      (measurement) => process.send!({ ok: true, measurement } satisfies MeasureReply, () => process.exit(0)),
      (error: unknown) => {
        const known = isFlinktsError(error);
        const failure = {
          code: known ? error.code : 'INTERNAL',
          message: error instanceof Error ? error.message : String(error),
          ...(known && error.hint !== undefined ? { hint: error.hint } : {}),
        };
        process.send!({ ok: false, error: failure } satisfies MeasureReply, () => process.exit(1));
      },
    );
  });
}
