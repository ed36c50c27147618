/**
 * Drives file source readers and file sink writers the way a task would,
 * without the runtime: readers polled with a recording output (records, side
 * outputs), counters kept in a map, writer contexts with restored state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Counter, MetricGroup } from '../../../../src/api/metrics.js';
import type { OutputTag } from '../../../../src/api/output-tag.js';
import type { SinkWriteContext, SinkWriterContext } from '../../../../src/api/sink.js';
import type { ReaderOutput, Source, SourceReader } from '../../../../src/api/source.js';

/** Counters by name, as a task's metric group keeps them. */
export class Metrics implements MetricGroup {
  readonly values = new Map<string, number>();

  counter(name: string): Counter {
    return {
      inc: (n = 1) => void this.values.set(name, (this.values.get(name) ?? 0) + n),
      getCount: () => this.values.get(name) ?? 0,
    };
  }
}

/** What a reader emitted. */
export class Recorded<T> implements ReaderOutput<T> {
  readonly records: T[] = [];
  readonly side: { tag: string; record: unknown }[] = [];

  collect(record: T): void {
    this.records.push(record);
  }

  collectSide<X>(tag: OutputTag<X>, record: X): void {
    this.side.push({ tag: tag.id, record });
  }

  emitWatermark(): void {}

  markIdle(): void {}
}

export interface ReaderOptions {
  readonly index?: number;
  readonly parallelism?: number;
  readonly restoredSplits?: readonly unknown[];
  readonly metrics?: Metrics;
}

/** A started reader of `source`. */
export async function startReader<T>(source: Source<T>, options: ReaderOptions = {}): Promise<SourceReader<T>> {
  const reader = source.createReader({
    subtaskIndex: options.index ?? 0,
    parallelism: options.parallelism ?? 1,
    operatorName: 'File Source',
    metricGroup: options.metrics ?? new Metrics(),
    ...(options.restoredSplits !== undefined && { restoredSplits: options.restoredSplits }),
  });
  await reader.start?.();
  return reader;
}

/** Polls until END_OF_INPUT (waiting on isAvailable after NOTHING_AVAILABLE), at most `maxPolls` polls. */
export async function pollToEnd<T>(reader: SourceReader<T>, output: Recorded<T>, maxPolls = Number.MAX_SAFE_INTEGER): Promise<'END_OF_INPUT' | 'STOPPED'> {
  for (let i = 0; i < maxPolls; i++) {
    const status = reader.pollNext(output);
    if (status === 'END_OF_INPUT') return status;
    if (status === 'NOTHING_AVAILABLE') await reader.isAvailable!();
  }
  return 'STOPPED';
}

/** Every record of `source` read by `parallelism` fresh readers, one array per reader. */
export async function readAllSubtasks<T>(source: Source<T>, parallelism: number, metrics?: Metrics): Promise<T[][]> {
  const result: T[][] = [];
  for (let index = 0; index < parallelism; index++) {
    const reader = await startReader(source, { index, parallelism, metrics });
    const out = new Recorded<T>();
    await pollToEnd(reader, out);
    await reader.close?.();
    result.push(out.records);
  }
  return result;
}

/** A fresh temp dir per call, removed after each test. Call once at the top level of a test file. */
export function tempDirs(): () => string {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'flinkts-file-'));
    dirs.push(dir);
    return dir;
  };
}

/** A writer context of subtask `index` of `parallelism`. */
export function writerContext(options: { index?: number; parallelism?: number; restoredState?: readonly unknown[]; metrics?: Metrics; attempt?: number } = {}): SinkWriterContext {
  return {
    subtaskIndex: options.index ?? 0,
    parallelism: options.parallelism ?? 1,
    operatorName: 'File Sink',
    operatorId: '0'.repeat(32),
    attemptNumber: options.attempt ?? 0,
    restoredCheckpointId: options.restoredState === undefined ? undefined : 1,
    restoredState: options.restoredState ?? [],
    checkpointingEnabled: true,
    metricGroup: options.metrics ?? new Metrics(),
  };
}

/** A write context with no timestamp. */
export const WRITE_CONTEXT: SinkWriteContext = { timestamp: () => undefined, currentWatermark: () => Number.MIN_SAFE_INTEGER };

/** Sorts a copy. */
export function sorted<T>(values: readonly T[]): T[] {
  return [...values].sort();
}
