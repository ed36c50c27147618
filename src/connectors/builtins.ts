/**
 * The implementations behind the built-in sources and sinks of the API
 * (`fromSequence`, `fromCollection`, `readTextFile`, `socketTextStream`,
 * `print`, `writeAsText`). Importing this module registers them with
 * `src/api/builtins.ts`; the package entry point does so, since the API layer
 * must not import connectors.
 */
import { registerBuiltinConnectors, type BuiltinConnectors, type WriteMode } from '../api/builtins.js';
import type { SinkFunction } from '../api/functions.js';
import type { Source } from '../api/source.js';
import { CollectionSource } from './collection/collection-source.js';
import { TextFileSinkFunction } from './file/text-file-sink.js';
import { TextFileSource } from './file/text-file-source.js';
import { legacyFileSource } from './file/legacy-read-file.js';
import { PrintSinkFunction } from './print/print-sink.js';
import { NumberSequenceSource } from './sequence/number-sequence-source.js';
import { SocketTextSource } from './socket/socket-text-source.js';

/** The built-in connectors, as registered. */
export const builtinConnectorImplementations: BuiltinConnectors = {
  sequence: (from: number, to: number): Source<number> => new NumberSequenceSource(from, to),
  collection: <T>(items: readonly T[]): Source<T> => new CollectionSource(items),
  textFile: (path: string): Source<string> => new TextFileSource(path),
  fileSource: legacyFileSource,
  socketText: (host: string, port: number, delimiter: string, maxRetry: number): Source<string> =>
    new SocketTextSource(host, port, delimiter, maxRetry),
  print: <T>(toStderr: boolean, identifier: string | undefined): SinkFunction<T> => new PrintSinkFunction<T>(toStderr, identifier),
  textFileSink: <T>(path: string, writeMode: WriteMode): SinkFunction<T> => new TextFileSinkFunction<T>(path, writeMode),
};

registerBuiltinConnectors(builtinConnectorImplementations);
