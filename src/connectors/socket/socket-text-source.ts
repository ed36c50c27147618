/**
 * `env.socketTextStream(host, port, delimiter, maxRetry)`: the text a TCP
 * server sends, split on a delimiter, as Flink's `SocketTextStreamFunction`.
 *
 * Not parallel (`maxSourceParallelism = 1`); bounded in practice (the input
 * ends when the server closes the connection and no reconnect is left) but
 * declared CONTINUOUS_UNBOUNDED, as in Flink.
 *
 * Settings:
 * - `delimiter`: one or more characters; split correctly across TCP chunks.
 *   With '\n', a trailing '\r' is stripped from every line (CRLF input).
 * - `maxRetry`: reconnect attempts after the connection closes or a connect
 *   fails, one every 500 ms: 0 ends the input at the first close, -1 retries
 *   forever. Attempts are counted over the life of the reader, as in Flink,
 *   but `maxRetry = n` really makes n attempts (Flink makes n - 1).
 *
 * When a connection closes, the text after the last delimiter is emitted as a
 * last line of that connection (unless empty) rather than glued to the next
 * connection's first line, which is where Flink would put it. A connect that
 * fails with no attempt left, or a connection error (not a clean close) with
 * no attempt left, fails the source with a FlinktsError naming host:port.
 *
 * Delivery guarantee: at-most-once. The socket cannot be replayed: lines
 * received but not yet emitted when the task fails are lost, and a restarted
 * reader only sees what the server sends from then on.
 *
 * Memory stays bounded: reading pauses while more than ~1 MiB of complete,
 * undelivered lines are buffered (one line longer than that is still held
 * whole, since it cannot be split).
 */
import * as net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { FlinktsError } from '../../api/errors.js';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from '../../api/source.js';
import { describeIoError } from '../format.js';

/** Lines emitted per `pollNext` call at most. */
const BATCH_SIZE = 1024;
/** Pause the socket above this many buffered characters of complete lines... */
const PAUSE_ABOVE = 1024 * 1024;
/** ...and resume it below this many. */
const RESUME_BELOW = 512 * 1024;
/** Flink's `SocketTextStreamFunction.DEFAULT_CONNECTION_RETRY_SLEEP`. */
export const RECONNECT_DELAY_MS = 500;

/** The source behind `env.socketTextStream`. */
export class SocketTextSource implements Source<string> {
  readonly boundedness = 'CONTINUOUS_UNBOUNDED' as const;
  readonly maxSourceParallelism = 1;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly delimiter: string,
    readonly maxRetry: number,
  ) {}

  createReader(_context: SourceReaderContext): SourceReader<string> {
    return new SocketTextReader(this.host, this.port, this.delimiter, this.maxRetry);
  }
}

/** Splits a character stream on a delimiter that may span chunk boundaries. */
export class DelimitedSplitter {
  private carry = '';

  constructor(private readonly delimiter: string) {}

  /** The complete lines that `text` finishes, in order. */
  push(text: string): string[] {
    const lines: string[] = [];
    const buffer = this.carry + text;
    // A delimiter may have begun in the carry; no earlier match is possible there.
    let searchFrom = Math.max(0, this.carry.length - this.delimiter.length + 1);
    let lineStart = 0;
    for (;;) {
      const at = buffer.indexOf(this.delimiter, searchFrom);
      if (at === -1) break;
      lines.push(this.clean(buffer.slice(lineStart, at)));
      lineStart = at + this.delimiter.length;
      searchFrom = lineStart;
    }
    this.carry = buffer.slice(lineStart);
    return lines;
  }

  /** The text after the last delimiter (the stream ended), or undefined when there is none. */
  end(): string | undefined {
    const rest = this.carry;
    this.carry = '';
    return rest.length > 0 ? this.clean(rest) : undefined;
  }

  private clean(line: string): string {
    return this.delimiter === '\n' && line.endsWith('\r') ? line.slice(0, -1) : line;
  }
}

/** Reads lines from one server, reconnecting as `maxRetry` allows. */
class SocketTextReader implements SourceReader<string> {
  private readonly address: string;
  private socket: net.Socket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private retriesUsed = 0;
  /** Lines received, not yet emitted: `lines[head..]`. */
  private lines: string[] = [];
  private head = 0;
  private bufferedChars = 0;
  private paused = false;
  private ended = false;
  private closed = false;
  private started = false;
  private failure: FlinktsError | undefined;
  private wakeUp: (() => void) | undefined;
  private available: Promise<void> | undefined;
  /** Settles `start()`: after the first connect, or the first failure. */
  private firstAttempt: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly delimiter: string,
    private readonly maxRetry: number,
  ) {
    this.address = `${host}:${port}`;
  }

  /** Resolves once connected, or once a failed first connect has a retry scheduled; rejects when it has none. */
  start(): Promise<void> {
    if (this.started) return Promise.reject(new FlinktsError('INTERNAL', `socketTextStream(${this.address}): start() called twice`));
    this.started = true;
    return new Promise((resolve, reject) => {
      this.firstAttempt = { resolve, reject };
      this.connect();
    });
  }

  pollNext(output: ReaderOutput<string>): InputStatus {
    if (!this.started) throw new FlinktsError('INTERNAL', `socketTextStream(${this.address}): pollNext() before start()`);
    if (this.failure !== undefined && this.head >= this.lines.length) throw this.failure;
    const stop = Math.min(this.lines.length, this.head + BATCH_SIZE);
    while (this.head < stop) {
      const line = this.lines[this.head++] as string;
      this.bufferedChars -= line.length;
      output.collect(line);
    }
    if (this.head >= this.lines.length) {
      // Drop delivered lines in one go rather than shifting the array per line.
      this.lines = [];
      this.head = 0;
    }
    if (this.paused && this.bufferedChars < RESUME_BELOW && this.socket !== undefined) {
      this.paused = false;
      this.socket.resume();
    }
    if (this.head < this.lines.length) return 'MORE_AVAILABLE';
    if (this.failure !== undefined) return 'MORE_AVAILABLE'; // the next poll throws it
    return this.ended ? 'END_OF_INPUT' : 'NOTHING_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    if (this.head < this.lines.length || this.ended || this.failure !== undefined || this.closed) return Promise.resolve();
    this.available ??= new Promise<void>((resolve) => {
      this.wakeUp = resolve;
    });
    return this.available;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    // A start() still waiting for its first connect must not wait forever.
    this.settleFirstAttempt();
    this.signal();
  }

  private connect(): void {
    if (this.closed) return;
    const socket = net.createConnection({ host: this.host, port: this.port });
    const splitter = new DelimitedSplitter(this.delimiter);
    const decoder = new StringDecoder('utf8');
    let connected = false;
    let error: Error | undefined;
    this.socket = socket;
    // A new socket flows; receive() pauses it again if the backlog is still large.
    this.paused = false;
    socket.on('connect', () => {
      connected = true;
      this.settleFirstAttempt();
    });
    socket.on('data', (data: Buffer) => this.receive(splitter.push(decoder.write(data))));
    socket.on('error', (cause: Error) => {
      error = cause;
    });
    // 'close' follows every ending: clean end, error, or destroy() from close().
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      if (this.closed) return;
      // A multi-byte character cut by the close decodes to U+FFFD rather than vanishing.
      const rest = decoder.end();
      this.receive(splitter.push(rest));
      const last = splitter.end();
      if (last !== undefined) this.receive([last]);
      this.connectionEnded(connected, error);
    });
  }

  private connectionEnded(connected: boolean, error: Error | undefined): void {
    if (this.maxRetry === -1 || this.retriesUsed < this.maxRetry) {
      this.retriesUsed++;
      this.settleFirstAttempt();
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.connect();
      }, RECONNECT_DELAY_MS);
      return;
    }
    if (connected && error === undefined) {
      // The server closed the connection and no reconnect is left: the input ends, as in Flink.
      this.ended = true;
      this.settleFirstAttempt();
    } else {
      const what = connected ? `lost the connection to ${this.address}` : `cannot connect to ${this.address}`;
      const reason = error === undefined ? 'connection closed' : describeIoError(error);
      const retries = this.maxRetry === 0 ? '' : ` (after ${this.retriesUsed} reconnect attempts)`;
      this.failure = new FlinktsError('JOB_FAILED', `socketTextStream: ${what}: ${reason}${retries}`, {
        cause: error,
        retriable: true,
      });
      if (this.firstAttempt !== undefined) {
        this.firstAttempt.reject(this.failure);
        this.firstAttempt = undefined;
      }
    }
    this.signal();
  }

  private receive(lines: string[]): void {
    if (lines.length === 0) return;
    for (const line of lines) {
      this.lines.push(line);
      this.bufferedChars += line.length;
    }
    if (!this.paused && this.bufferedChars > PAUSE_ABOVE && this.socket !== undefined) {
      this.paused = true;
      this.socket.pause();
    }
    this.signal();
  }

  private settleFirstAttempt(): void {
    this.firstAttempt?.resolve();
    this.firstAttempt = undefined;
  }

  /** Wakes a task waiting in `isAvailable()`. */
  private signal(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    this.available = undefined;
    wakeUp?.();
  }
}
