/**
 * API argument validation: every invalid argument is a JOB_DEFINITION error
 * whose message starts with the call that was misused, thrown while the job
 * is being defined (not later when it runs).
 */
import { describe, expect, it } from 'vitest';
import { defineJob, OutputTag, StreamExecutionEnvironment, type DataStream } from '../../../src/index.js';

/** Passes a value the types forbid, as plain JavaScript could. */
const bad = (value: unknown): never => value as never;

function definitionError(call: () => unknown): { code: string; message: string } {
  try {
    call();
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
  throw new Error('no error was thrown');
}

function env(): StreamExecutionEnvironment {
  return new StreamExecutionEnvironment({ defaultParallelism: 1 });
}

function numbers(): DataStream<number> {
  return env().fromSequence(1, 10);
}

const cases: [string, () => unknown, string][] = [
  // Parallelism and max parallelism.
  ['env parallelism 0', () => env().setParallelism(0), 'env.setParallelism(0): the parallelism must be a positive integer'],
  ['env parallelism -1', () => env().setParallelism(-1), 'env.setParallelism(-1): the parallelism must be a positive integer'],
  ['env parallelism 1.5', () => env().setParallelism(1.5), 'env.setParallelism(1.5): the parallelism must be a positive integer'],
  ['env max parallelism 0', () => env().setMaxParallelism(0), 'env.setMaxParallelism(0): the max parallelism must be an integer between 1 and 32768'],
  ['env max parallelism 40000', () => env().setMaxParallelism(40000), 'env.setMaxParallelism(40000): the max parallelism must be an integer between 1 and 32768'],
  ['operator parallelism 0', () => numbers().map((n) => n).setParallelism(0), "setParallelism(0) on 'Map': the parallelism must be a positive integer"],
  ['operator parallelism -1', () => numbers().filter(() => true).setParallelism(-1), "setParallelism(-1) on 'Filter': the parallelism must be a positive integer"],
  ['operator parallelism 1.5', () => numbers().map((n) => n).setParallelism(1.5), "setParallelism(1.5) on 'Map': the parallelism must be a positive integer"],
  [
    'operator max parallelism 40000',
    () => numbers().map((n) => n).setMaxParallelism(40000),
    "setMaxParallelism(40000) on 'Map': the max parallelism must be an integer between 1 and 32768",
  ],
  [
    'source max parallelism 0',
    () => env().fromSequence(1, 2).setMaxParallelism(0),
    "setMaxParallelism(0) on 'Sequence Source': the max parallelism must be an integer between 1 and 32768",
  ],
  ['sink parallelism -1', () => numbers().print().setParallelism(-1), "setParallelism(-1) on sink 'Print to Std. Out': the parallelism must be a positive integer"],
  [
    'sink max parallelism 0',
    () => numbers().print().setMaxParallelism(0),
    "setMaxParallelism(0) on sink 'Print to Std. Out': the max parallelism must be an integer between 1 and 32768",
  ],
  [
    'non-parallel source parallelism 2',
    () => env().fromElements(1).setParallelism(2),
    "setParallelism(2) on 'Collection Source': the parallelism of this non-parallel source must be 1",
  ],
  // Names, uids, groups.
  ['empty operator name', () => numbers().map((n) => n).name(''), 'name: the name must be a non-empty string'],
  ['empty sink name', () => numbers().print().name(''), 'name: the name must be a non-empty string'],
  ['empty operator uid', () => numbers().map((n) => n).uid(''), 'uid: the uid must be a non-empty string'],
  ['empty sink uid', () => numbers().print().uid(''), 'uid: the uid must be a non-empty string'],
  ['empty slot sharing group', () => numbers().map((n) => n).slotSharingGroup(''), 'slotSharingGroup: the group must be a non-empty string'],
  ['empty sink slot sharing group', () => numbers().print().slotSharingGroup(''), 'slotSharingGroup: the group must be a non-empty string'],
  // User functions.
  ['a number as map function', () => numbers().map(bad(42)), 'map: expected a function or an object with a map() method, got number'],
  ['null as map function', () => numbers().map(bad(null)), 'map: expected a function or an object with a map() method, got null'],
  ['an object without map()', () => numbers().map(bad({ apply: () => 1 })), 'map: expected a function or an object with a map() method, got an object without it'],
  ['a string as flatMap function', () => numbers().flatMap(bad('split')), 'flatMap: expected a function or an object with a flatMap() method, got string'],
  // Arrays have filter() and map() methods, yet are not user functions.
  ['an array as filter function', () => numbers().filter(bad([])), 'filter: expected a function or an object with a filter() method, got an array'],
  ['an array as map function', () => numbers().map(bad([1])), 'map: expected a function or an object with a map() method, got an array'],
  ['undefined as process function', () => numbers().process(bad(undefined)), 'process: expected a function or an object with a processElement() method, got undefined'],
  ['undefined as reduce function', () => numbers().keyBy((n) => n).reduce(bad(undefined)), 'reduce: expected a function or an object with a reduce() method, got undefined'],
  ['a number as sink', () => numbers().addSink(bad(1)), 'addSink: expected a function or an object with an invoke() method, got number'],
  ['a number as partitioner', () => numbers().partitionCustom(bad(1), 0), 'partitionCustom: expected a function or an object with a partition() method, got number'],
  // Keys and fields.
  ['an empty key field', () => numbers().keyBy(''), 'keyBy: the key field name must not be empty'],
  ['a negative key index', () => numbers().keyBy(-1), 'keyBy: the key tuple index must be a non-negative integer, got -1'],
  ['a fractional key index', () => numbers().keyBy(1.5), 'keyBy: the key tuple index must be a non-negative integer, got 1.5'],
  ['null as key selector', () => numbers().keyBy(bad(null)), 'keyBy: expected a function or an object with a getKey() method, got null'],
  ['a negative sum field', () => env().fromElements<[string, number]>(['a', 1]).keyBy(0).sum(-1), 'sum(-1): the field must be a property name or a non-negative tuple index'],
  ['an empty max field', () => env().fromElements({ n: 1 }).keyBy('n').max(''), 'max(): the field must be a property name or a non-negative tuple index'],
  // Sources and sinks.
  ['fromSequence with from > to', () => env().fromSequence(5, 1), 'env.fromSequence(5, 1): the start must not be greater than the end'],
  ['fromSequence with a fraction', () => env().fromSequence(1.5, 3), 'env.fromSequence(1.5, 3): both bounds must be integers'],
  ['socketTextStream port 0', () => env().socketTextStream('localhost', 0), 'env.socketTextStream(localhost, 0): the port must be an integer between 1 and 65535'],
  ['socketTextStream port 65536', () => env().socketTextStream('localhost', 65536), 'env.socketTextStream(localhost, 65536): the port must be an integer between 1 and 65535'],
  ['socketTextStream empty delimiter', () => env().socketTextStream('localhost', 9999, ''), 'env.socketTextStream: the delimiter must not be empty'],
  ['readTextFile empty path', () => env().readTextFile(''), 'env.readTextFile: the path must be a non-empty string'],
  ['fromCollection of null', () => env().fromCollection(bad(null)), 'env.fromCollection: the collection must be an array or an iterable'],
  ['fromCollection of a number', () => env().fromCollection(bad(5)), 'env.fromCollection: the collection must be an array or an iterable'],
  ['addSource without cancel()', () => env().addSource(bad({ run: () => {} })), 'env.addSource: the source must be an object with run(ctx) and cancel() methods'],
  ['writeAsText empty path', () => numbers().writeAsText(''), 'writeAsText: the path must be a non-empty string'],
  ['writeAsText unknown mode', () => numbers().writeAsText('out.txt', bad('APPEND')), "writeAsText: unknown write mode 'APPEND': use NO_OVERWRITE or OVERWRITE"],
  // Streams and tags.
  ['union with a non-stream', () => numbers().union(bad(42)), 'union: every argument must be a DataStream'],
  ['union across environments', () => numbers().union(numbers()), 'union: the streams belong to different environments'],
  ['getSideOutput of a string', () => numbers().process(bad(() => {})).getSideOutput(bad('late')), 'getSideOutput: the argument must be an OutputTag'],
  ['an empty OutputTag id', () => new OutputTag(''), 'new OutputTag: the id must be a non-empty string'],
  ['defineJob of a non-function', () => defineJob(bad(42)), 'defineJob: expected a function (env, params) => { ... }'],
];

describe('API argument validation', () => {
  for (const [label, call, message] of cases) {
    it(`rejects ${label}`, () => {
      expect(definitionError(call)).toEqual({ code: 'JOB_DEFINITION', message });
    });
  }

  it('accepts the boundaries', () => {
    const e = env().setParallelism(1).setMaxParallelism(32768);
    expect(e.getParallelism()).toBe(1);
    expect(e.getMaxParallelism()).toBe(32768);
    expect(() => e.fromSequence(3, 3).map((n) => n).setMaxParallelism(1).setParallelism(1)).not.toThrow();
    expect(() => e.socketTextStream('localhost', 65535)).not.toThrow();
    expect(() => e.socketTextStream('localhost', 1)).not.toThrow();
  });

  it('only records: no user function runs while the job is defined', () => {
    const e = env();
    const boom = (): never => {
      throw new Error('ran during definition');
    };
    expect(() => {
      e.fromSequence(1, 10).map(boom).filter(boom).keyBy(boom).reduce(boom).addSink(boom);
    }).not.toThrow();
    expect(e.getTransformations().map((t) => t.kind)).toEqual(['source', 'operator', 'operator', 'partition', 'operator', 'sink']);
  });
});
