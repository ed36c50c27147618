import * as net from 'node:net';
import { collectingOutput } from '../../../src/api/source.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import type { SourceReader } from '../../../src/api/source.js';
import { SocketTextSource } from '../../../src/connectors/socket/socket-text-source.js';
import { createReader, pollToEnd, readAll } from './helpers.js';

const HOST = '127.0.0.1';

/** Servers and readers to clean up after each test. */
const servers: net.Server[] = [];
const readers: SourceReader<string>[] = [];

afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.close?.();
  for (const server of servers.splice(0)) {
    server.close();
    server.unref();
  }
});

/** Listens on a free port; `onConnection` gets each accepted socket and its 0-based number. */
async function startServer(onConnection: (socket: net.Socket, n: number) => void | Promise<void>, port = 0): Promise<number> {
  let connections = 0;
  const server = net.createServer((socket) => void onConnection(socket, connections++));
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, resolve);
  });
  return (server.address() as net.AddressInfo).port;
}

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Writes each chunk with a pause in between, so the client sees them as separate reads, then ends. */
async function sendChunks(socket: net.Socket, chunks: (string | Buffer)[]): Promise<void> {
  for (const chunk of chunks) {
    socket.write(chunk);
    await sleep(20);
  }
  socket.end();
}

function reader(port: number, delimiter = '\n', maxRetry = 0): SourceReader<string> {
  const created = createReader(new SocketTextSource(HOST, port, delimiter, maxRetry));
  readers.push(created);
  return created;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('SocketTextSource', () => {
  it('is unbounded and not parallel', () => {
    const source = new SocketTextSource(HOST, 9999, '\n', 0);
    expect(source.boundedness).toBe('CONTINUOUS_UNBOUNDED');
    expect(source.maxSourceParallelism).toBe(1);
  });

  it('joins lines split across chunks, strips CR, emits the last partial line and ends on close', async () => {
    const port = await startServer((socket) => sendChunks(socket, ['hel', 'lo\nwor', 'ld\r\n', '\n', 'x\ry\n', 'last\r']));
    expect(await readAll(reader(port))).toEqual(['hello', 'world', '', 'x\ry', 'last']);
  });

  it('splits on a multi-character delimiter across chunks and keeps CR when the delimiter is not \\n', async () => {
    const port = await startServer((socket) => sendChunks(socket, ['a|', '|b||c', '|', '|d\r|', '|||', '|', '|e']));
    // The stream is 'a||b||c||d\r||||||e': after 'd\r' come three delimiters, so two empty lines, then the tail 'e'.
    expect(await readAll(reader(port, '||'))).toEqual(['a', 'b', 'c', 'd\r', '', '', 'e']);
  });

  it('decodes a multi-byte character split across chunks', async () => {
    const euro = Buffer.from('€', 'utf8');
    const port = await startServer((socket) =>
      sendChunks(socket, [Buffer.from('price: '), euro.subarray(0, 1), euro.subarray(1, 2), Buffer.concat([euro.subarray(2), Buffer.from('5\n𝄞\n')])]),
    );
    expect(await readAll(reader(port))).toEqual(['price: €5', '𝄞']);
  });

  it('keeps a multi-byte character cut by the close as U+FFFD in the last line', async () => {
    const port = await startServer((socket) => sendChunks(socket, [Buffer.concat([Buffer.from('ok\nab'), Buffer.from('€').subarray(0, 2)])]));
    expect(await readAll(reader(port))).toEqual(['ok', 'ab\uFFFD']);
  });

  it('says NOTHING_AVAILABLE while waiting and resolves isAvailable() when a line arrives', async () => {
    let send: ((text: string) => void) | undefined;
    const port = await startServer((socket) => {
      send = (text) => socket.write(text);
    });
    const r = reader(port);
    await r.start?.();
    const out: string[] = [];
    const output = collectingOutput((line: string) => void out.push(line));
    expect(r.pollNext(output)).toBe('NOTHING_AVAILABLE');
    let available = false;
    const waiting = r.isAvailable!().then(() => {
      available = true;
    });
    await sleep(50);
    expect(available).toBe(false);
    while (send === undefined) await sleep(5);
    send('ping\n');
    await waiting;
    expect(r.pollNext(output)).toBe('NOTHING_AVAILABLE');
    expect(out).toEqual(['ping']);
  });

  it('fails start() with a FlinktsError naming host:port when the connection is refused', async () => {
    const port = await freePort();
    const error = await rejection(Promise.resolve(reader(port).start?.()));
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as Error).message).toContain(`${HOST}:${port}`);
    expect((error as Error).message).toContain('connection refused');
  });

  it('reconnects after the server closes, up to maxRetry times, then ends', async () => {
    let connections = 0;
    const port = await startServer((socket, n) => {
      connections++;
      void sendChunks(socket, [`line ${n}\npartial ${n}`]);
    });
    const started = Date.now();
    expect(await readAll(reader(port, '\n', 2))).toEqual(['line 0', 'partial 0', 'line 1', 'partial 1', 'line 2', 'partial 2']);
    expect(connections).toBe(3);
    // Two reconnects, each 500 ms after the close.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 500 - 20);
  });

  it('keeps retrying a refused connection and fails naming host:port when the retries are used up', async () => {
    const port = await freePort();
    const r = reader(port, '\n', 2);
    const started = Date.now();
    // The first connect fails but a retry is scheduled: start() succeeds.
    await r.start?.();
    const error = await rejection(
      (async () => {
        for (;;) {
          if (r.pollNext(collectingOutput(() => undefined)) === 'NOTHING_AVAILABLE') await r.isAvailable!();
        }
      })(),
    );
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as Error).message).toContain(`cannot connect to ${HOST}:${port}`);
    expect((error as Error).message).toContain('after 2 reconnect attempts');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 500 - 20);
  });

  it('connects to a server that starts after the source, when retries are allowed', async () => {
    const port = await freePort();
    const r = reader(port, '\n', -1);
    await r.start?.();
    await sleep(200);
    await startServer((socket) => sendChunks(socket, ['late\n']), port);
    // -1 retries forever: stop by closing once the line is in.
    const out: string[] = [];
    while (out.length === 0) {
      if (r.pollNext(collectingOutput((line) => out.push(line))) === 'NOTHING_AVAILABLE') await r.isAvailable!();
    }
    expect(out).toEqual(['late']);
  });

  it('stops reading while more than ~1 MiB of lines are undelivered, and delivers them all in order', async () => {
    const lineCount = 40_000;
    const line = (i: number): string => `${String(i).padStart(10, '0')} ${'y'.repeat(989)}`; // 1000 characters
    let serverSocket: net.Socket | undefined;
    const port = await startServer((socket) => {
      serverSocket = socket;
      const lines: string[] = [];
      for (let i = 0; i < lineCount; i++) lines.push(line(i));
      socket.end(`${lines.join('\n')}\n`);
    });
    const r = reader(port);
    await r.start?.();
    await sleep(500);
    // 40 MB sent and nothing polled: without pausing, the client would have read it all by now.
    // Kernel socket buffers and the reader's ~1 MiB hold far less than the 16 MiB asserted to be still waiting.
    expect(serverSocket).toBeDefined();
    expect(serverSocket!.writableLength).toBeGreaterThan(16 * 1024 * 1024);
    const received = await pollToEnd(r);
    expect(received.length).toBe(lineCount);
    received.forEach((text, i) => {
      if (text !== line(i)) expect(text).toBe(line(i));
    });
  });

  it('close() destroys the connection', async () => {
    let serverSide: net.Socket | undefined;
    const closed = new Promise<void>((resolve) => {
      void startServer((socket) => {
        serverSide = socket;
        socket.on('close', () => resolve());
      }).then((port) => {
        const r = reader(port);
        void Promise.resolve(r.start?.()).then(() => r.close?.());
      });
    });
    await closed;
    expect(serverSide?.destroyed).toBe(true);
  });
});
