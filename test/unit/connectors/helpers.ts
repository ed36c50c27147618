/**
 * Drives readers and rich sinks the way a task would, without the runtime:
 * the connector tests need nothing but these and the connector under test.
 */
import { expect } from 'vitest';
import { ParameterTool } from '../../../src/api/parameter-tool.js';
import type { RuntimeContext } from '../../../src/api/functions.js';
import { collectingOutput, type Source, type SourceReader } from '../../../src/api/source.js';

/** The most records a reader may emit in one poll (the contract says a bounded batch). */
export const MAX_BATCH = 1024;

/** A reader of subtask `index` of `parallelism`, not yet started. */
export function createReader<T>(source: Source<T>, index = 0, parallelism = 1): SourceReader<T> {
  return source.createReader({ subtaskIndex: index, parallelism, operatorName: 'Test Source' });
}

/**
 * Starts the reader and polls it until END_OF_INPUT, waiting on
 * `isAvailable()` after NOTHING_AVAILABLE; closes it and returns every record.
 */
export async function readAll<T>(reader: SourceReader<T>): Promise<T[]> {
  await reader.start?.();
  return pollToEnd(reader);
}

/** Polls a started reader until END_OF_INPUT (as {@link readAll}), then closes it. */
export async function pollToEnd<T>(reader: SourceReader<T>): Promise<T[]> {
  const records: T[] = [];
  try {
    for (;;) {
      let emitted = 0;
      const status = reader.pollNext(
        collectingOutput((record) => {
          records.push(record);
          emitted++;
        }),
      );
      expect(emitted).toBeLessThanOrEqual(MAX_BATCH);
      if (status === 'END_OF_INPUT') return records;
      if (status === 'NOTHING_AVAILABLE') {
        expect(reader.isAvailable).toBeTypeOf('function');
        await reader.isAvailable?.();
      }
    }
  } finally {
    await reader.close?.();
  }
}

/** Every record of `source` read by each of `parallelism` subtasks: one array per subtask. */
export async function readAllSubtasks<T>(source: Source<T>, parallelism: number): Promise<T[][]> {
  const result: T[][] = [];
  for (let i = 0; i < parallelism; i++) result.push(await readAll(createReader(source, i, parallelism)));
  return result;
}

/** A small runtime context for rich sinks driven by hand. */
export function runtimeContext(index: number, parallelism: number, attempt = 0): RuntimeContext {
  return {
    getTaskName: () => 'Test Sink',
    getTaskNameWithSubtasks: () => `Test Sink (${index + 1}/${parallelism})`,
    getIndexOfThisSubtask: () => index,
    getNumberOfParallelSubtasks: () => parallelism,
    getMaxNumberOfParallelSubtasks: () => 128,
    getAttemptNumber: () => attempt,
    getGlobalJobParameters: () => ParameterTool.fromMap({}),
    getState: noKeyedState,
    getListState: noKeyedState,
    getMapState: noKeyedState,
    getReducingState: noKeyedState,
    getAggregatingState: noKeyedState,
  };
}

function noKeyedState(): never {
  throw new Error('sinks driven by hand have no keyed state');
}

/** The sink context handed to `invoke` (the built-in sinks ignore it). */
export const sinkContext = {
  currentProcessingTime: () => Date.now(),
  currentWatermark: () => Number.MIN_SAFE_INTEGER,
  timestamp: () => undefined,
};

/** Sorts a copy, for comparing multisets of strings. */
export function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}
