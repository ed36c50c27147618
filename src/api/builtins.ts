/**
 * The built-in sources and sinks the environment and `DataStream` offer
 * (`fromSequence`, `readTextFile`, `print`, ...) live in `src/connectors/`,
 * which sits above this layer. They register themselves here when the
 * package entry point loads, so the API can create them without importing
 * upward.
 */
import { FlinktsError } from './errors.js';
import type { SinkFunction } from './functions.js';
import type { Source } from './source.js';

/** How `writeAsText` treats an existing path. */
export type WriteMode = 'NO_OVERWRITE' | 'OVERWRITE';

/** How `env.readFile` treats its path (Flink's `FileProcessingMode`). */
export type FileProcessingModeName = 'PROCESS_ONCE' | 'PROCESS_CONTINUOUSLY';

/** A record format of the file connector (`TextLineFormat`, `JsonLinesFormat`, `CsvFormat`), as `env.readFile` takes it. */
export interface FileReadFormat<T> {
  readonly name: string;
  deserialize(text: string, state: Record<string, unknown>): T | undefined;
}

/** Flink's `FilePathFilter`: `filterPath(path)` true leaves the file out. */
export interface PathFilter {
  filterPath(filePath: string): boolean;
}

/** The factories of the built-in connectors. */
export interface BuiltinConnectors {
  sequence(from: number, to: number): Source<number>;
  collection<T>(items: readonly T[]): Source<T>;
  textFile(path: string): Source<string>;
  fileSource<T>(format: FileReadFormat<T>, path: string, mode: FileProcessingModeName, intervalMs: number, filter: PathFilter | undefined): Source<T>;
  socketText(host: string, port: number, delimiter: string, maxRetry: number): Source<string>;
  print<T>(toStderr: boolean, identifier: string | undefined): SinkFunction<T>;
  textFileSink<T>(path: string, writeMode: WriteMode): SinkFunction<T>;
}

let registered: BuiltinConnectors | undefined;

/** Called once by the package entry point. */
export function registerBuiltinConnectors(connectors: BuiltinConnectors): void {
  registered = connectors;
}

/** The registered built-in connectors. */
export function builtinConnectors(): BuiltinConnectors {
  if (registered === undefined) {
    throw new FlinktsError('INTERNAL', 'built-in connectors are not registered: import the API from the package entry point (flinkts)');
  }
  return registered;
}
