import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Configuration } from '../../../src/api/configuration.js';
import { PrintSinkFunction, printPrefix } from '../../../src/connectors/print/print-sink.js';
import { runtimeContext, sinkContext } from './helpers.js';

type StreamName = 'stdout' | 'stderr';

/** Replaces `process[name].write` until restored; records every chunk written. */
function capture(name: StreamName, result: () => boolean = () => true): { chunks: string[]; restore: () => void } {
  const stream = process[name];
  const original = stream.write;
  const chunks: string[] = [];
  stream.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return result();
  }) as typeof stream.write;
  const restore = (): void => {
    stream.write = original;
  };
  restores.push(restore);
  return { chunks, restore };
}

const restores: (() => void)[] = [];
afterEach(() => {
  for (const restore of restores.splice(0)) restore();
});

async function openSink<T>(toStderr: boolean, identifier: string | undefined, index: number, parallelism: number): Promise<PrintSinkFunction<T>> {
  const sink = new PrintSinkFunction<T>(toStderr, identifier);
  sink.setRuntimeContext(runtimeContext(index, parallelism));
  await sink.open(new Configuration());
  return sink;
}

/** Prints `records` through a sink of subtask `index` of `parallelism` and returns what reached stdout. */
async function printed(records: unknown[], identifier: string | undefined, index: number, parallelism: number): Promise<string> {
  const out = capture('stdout');
  const sink = await openSink<unknown>(false, identifier, index, parallelism);
  for (const record of records) await sink.invoke(record, sinkContext);
  await sink.finish();
  await sink.close();
  out.restore();
  return out.chunks.join('');
}

describe('PrintSinkFunction', () => {
  it('prefixes lines as Flink does', async () => {
    expect(await printed(['a', 'b'], undefined, 0, 1)).toBe('a\nb\n');
    expect(await printed(['a'], '', 0, 1)).toBe('a\n');
    expect(await printed(['a'], 'bids', 0, 1)).toBe('bids> a\n');
    expect(await printed(['a', 'b'], undefined, 1, 3)).toBe('2> a\n2> b\n');
    expect(await printed(['a'], 'bids', 2, 3)).toBe('bids:3> a\n');
    expect(await printed(['a'], '', 0, 2)).toBe('1> a\n');
  });

  it('computes the prefix table', () => {
    expect(printPrefix(undefined, 0, 1)).toBe('');
    expect(printPrefix('id', 0, 1)).toBe('id> ');
    expect(printPrefix(undefined, 6, 7)).toBe('7> ');
    expect(printPrefix('id', 6, 7)).toBe('id:7> ');
  });

  it('formats tuples, objects and scalars', async () => {
    const text = await printed([['hello', 3], { word: 'x', count: 2n }, 1.5, true, null, undefined, new Date(Date.UTC(2024, 0, 2))], undefined, 0, 1);
    expect(text).toBe('(hello,3)\n{"word":"x","count":"2"}\n1.5\ntrue\nnull\nundefined\n2024-01-02T00:00:00.000Z\n');
  });

  it('writes to stderr for printToErr, and nothing to stdout', async () => {
    const out = capture('stdout');
    const err = capture('stderr');
    const sink = await openSink<string>(true, 'e', 0, 1);
    await sink.invoke('boom', sinkContext);
    await sink.close();
    out.restore();
    err.restore();
    expect(err.chunks.join('')).toBe('e> boom\n');
    expect(out.chunks).toEqual([]);
  });

  it('batches writes, and flushes a pending batch about 100 ms after it was appended', async () => {
    const out = capture('stdout');
    const sink = await openSink<number>(false, undefined, 0, 1);
    await sink.invoke(1, sinkContext);
    await sink.invoke(2, sinkContext);
    expect(out.chunks).toEqual([]);
    await sleep(250);
    expect(out.chunks).toEqual(['1\n2\n']);
    await sink.invoke(3, sinkContext);
    await sink.close();
    expect(out.chunks).toEqual(['1\n2\n', '3\n']);
  });

  it('writes once the batch reaches 64 KiB, without waiting for the timer', async () => {
    const out = capture('stdout');
    const sink = await openSink<string>(false, undefined, 0, 1);
    const record = 'z'.repeat(1023); // 1 KiB per line with the newline
    for (let i = 0; i < 63; i++) await sink.invoke(record, sinkContext);
    expect(out.chunks).toEqual([]);
    await sink.invoke(record, sinkContext);
    expect(out.chunks.length).toBe(1);
    expect(out.chunks[0]).toBe(`${record}\n`.repeat(64));
    await sink.close();
  });

  it('makes the flushing invoke wait for drain when the stream is back-pressured', async () => {
    capture('stdout', () => false);
    const sink = await openSink<string>(false, undefined, 0, 1);
    const pending = sink.invoke('x'.repeat(70_000), sinkContext);
    expect(pending).toBeInstanceOf(Promise);
    let resolved = false;
    void (pending as Promise<void>).then(() => {
      resolved = true;
    });
    await sleep(20);
    expect(resolved).toBe(false);
    process.stdout.emit('drain');
    await sleep(0);
    expect(resolved).toBe(true);
  });
});
