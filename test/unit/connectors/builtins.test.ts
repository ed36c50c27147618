import { describe, expect, it } from 'vitest';
import { builtinConnectors } from '../../../src/api/builtins.js';
import type { SourceTransformation } from '../../../src/api/transformation.js';
import { DiscardingSink, StreamExecutionEnvironment } from '../../../src/index.js';
import { builtinConnectorImplementations } from '../../../src/connectors/builtins.js';
import { CollectionSource } from '../../../src/connectors/collection/collection-source.js';
import { TextFileSinkFunction } from '../../../src/connectors/file/text-file-sink.js';
import { TextFileSource } from '../../../src/connectors/file/text-file-source.js';
import { PrintSinkFunction } from '../../../src/connectors/print/print-sink.js';
import { NumberSequenceSource } from '../../../src/connectors/sequence/number-sequence-source.js';
import { SocketTextSource } from '../../../src/connectors/socket/socket-text-source.js';
import { sinkContext } from './helpers.js';

describe('built-in connector registration', () => {
  it('registers the implementations when the package entry point loads', () => {
    expect(builtinConnectors()).toBe(builtinConnectorImplementations);
    const c = builtinConnectors();
    expect(c.sequence(1, 2)).toBeInstanceOf(NumberSequenceSource);
    expect(c.collection([1])).toBeInstanceOf(CollectionSource);
    expect(c.textFile('/tmp/x')).toBeInstanceOf(TextFileSource);
    expect(c.socketText('localhost', 9999, '\n', 0)).toBeInstanceOf(SocketTextSource);
    expect(c.print(false, undefined)).toBeInstanceOf(PrintSinkFunction);
    expect(c.textFileSink('/tmp/x', 'OVERWRITE')).toBeInstanceOf(TextFileSinkFunction);
  });

  it('lets the environment record built-in sources with their parallelism limits', () => {
    const env = new StreamExecutionEnvironment({ defaultParallelism: 4 });
    env.fromSequence(1, 100).print();
    env.fromElements('a', 'b').print('x');
    const sources = env.getTransformations().filter((t): t is SourceTransformation => t.kind === 'source');
    expect(sources.map((s) => [s.bounded, s.maxSourceParallelism, s.parallelism])).toEqual([
      [true, undefined, undefined],
      [true, 1, 1],
    ]);
  });

  it('exports a DiscardingSink that drops records', () => {
    const sink = new DiscardingSink<number>();
    expect(sink.invoke(1, sinkContext)).toBeUndefined();
  });
});
