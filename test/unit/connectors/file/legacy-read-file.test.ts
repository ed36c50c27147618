/**
 * `env.readFile(format, path, watchType, interval, filter)` records a
 * FileSource with the legacy settings: PROCESS_ONCE is bounded,
 * PROCESS_CONTINUOUSLY monitors at the interval and re-reads modified files;
 * the filter is a legacy FilePathFilter; bad arguments are USAGE errors.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceTransformation } from '../../../../src/api/transformation.js';
import { StreamExecutionEnvironment, TextLineFormat } from '../../../../src/index.js';
import { FileSource } from '../../../../src/connectors/file/file-source.js';

function recordedSource(env: StreamExecutionEnvironment): { transformation: SourceTransformation; source: FileSource<unknown> } {
  const transformation = env.getTransformations().find((t): t is SourceTransformation => t.kind === 'source')!;
  const spec = transformation.source as { kind: 'source'; source: FileSource<unknown> };
  return { transformation, source: spec.source };
}

describe('env.readFile', () => {
  it('PROCESS_ONCE (the default) is a bounded FileSource of the path', () => {
    const env = new StreamExecutionEnvironment({ defaultParallelism: 2 });
    env.readFile(new TextLineFormat(), 'in/dir').print();
    const { transformation, source } = recordedSource(env);
    expect(source).toBeInstanceOf(FileSource);
    expect(transformation.bounded).toBe(true);
    expect(transformation.name).toBe('readFile(in/dir)');
    expect(source.settings).toMatchObject({ paths: [resolve('in/dir')], mode: 'PROCESS_ONCE', reprocessModified: false, filter: undefined });
  });

  it('PROCESS_CONTINUOUSLY monitors at the interval, re-reads modified files and takes a FilePathFilter', () => {
    const env = new StreamExecutionEnvironment({ defaultParallelism: 1 });
    env.readFile(new TextLineFormat(), '/data', 'PROCESS_CONTINUOUSLY', 250, { filterPath: (p) => p.endsWith('.tmp') }).print();
    const { transformation, source } = recordedSource(env);
    expect(transformation.bounded).toBe(false);
    expect(source.settings).toMatchObject({ mode: 'PROCESS_CONTINUOUSLY', intervalMs: 250, reprocessModified: true });
    // The legacy filter says which files to leave out; the source keeps the others.
    expect([source.settings.filter!('/data/a.tmp'), source.settings.filter!('/data/a.txt')]).toEqual([false, true]);
  });

  it('refuses bad arguments', () => {
    const env = new StreamExecutionEnvironment({ defaultParallelism: 1 });
    expect(() => env.readFile(new TextLineFormat(), '')).toThrow(/the path must be a non-empty string/);
    expect(() => env.readFile(new TextLineFormat(), '/d', 'SOMETIMES' as never)).toThrow(/the watch type must be PROCESS_ONCE or PROCESS_CONTINUOUSLY/);
    expect(() => env.readFile(new TextLineFormat(), '/d', 'PROCESS_CONTINUOUSLY', 0)).toThrow('FileSource: monitorContinuously(0): the interval must be at least 1 ms');
    expect(() => env.readFile({} as never, '/d')).toThrow(/FileSource: expected a format/);
  });
});
