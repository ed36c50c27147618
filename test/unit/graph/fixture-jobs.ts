/**
 * The jobs whose `jobgraph.json` is kept as a golden fixture under
 * `test/fixtures/jobgraph/`. Each fixture was written by hand from Flink's
 * rules (only the operator ids, being hashes, were taken from a first run);
 * `golden.test.ts` compares the planned graph with it byte for byte, so any
 * change of the format or of the planner shows up in review.
 */
import {
  KeyedBroadcastProcessFunction,
  MapStateDescriptor,
  OutputTag,
  ProcessFunction,
  type Collector,
  type EnvironmentSettings,
  type JobDefinitionFunction,
  type ProcessFunctionContext,
} from '../../../src/index.js';
import { identity } from './helpers.js';

/** A job with its settings and the fixture file of its graph. */
export interface FixtureJob {
  readonly file: string;
  readonly settings: EnvironmentSettings;
  readonly defaultJobName: string;
  readonly define: JobDefinitionFunction;
}

/** Odd numbers to `odd`, numbers above 90 to `big`, the rest to the main output. */
class Route extends ProcessFunction<number, number> {
  constructor(
    private readonly odd: OutputTag<number>,
    private readonly big: OutputTag<number>,
  ) {
    super();
  }

  processElement(value: number, ctx: ProcessFunctionContext, out: Collector<number>): void {
    if (value > 90) ctx.output(this.big, value);
    else if (value % 2 === 1) ctx.output(this.odd, value);
    else out.collect(value);
  }
}

/**
 * Text source → flatMap → keyBy → sum → print, at parallelism 2. The
 * collection source is not parallel: a rebalance edge into the tokenizer,
 * a hash edge into the aggregation, which chains with the sink.
 */
export const wordCount: FixtureJob = {
  file: 'word-count.json',
  settings: { defaultParallelism: 2 },
  defaultJobName: 'word-count',
  define: (env) => {
    env
      .fromElements('to be or not to be', 'that is the question')
      .flatMap((line: string, out: Collector<[string, number]>) => {
        for (const word of line.split(' ')) out.collect([word, 1]);
      })
      .name('Tokenizer')
      .keyBy(0)
      .sum(1)
      .print()
      .uid('word-count-print');
    env.execute('WordCount');
  },
};

/**
 * A process function with a main output and two side outputs: main and `odd`
 * chain (a fan-out `Split -> (Square -> ..., Small -> ...)`), `big` goes to an
 * operator of parallelism 2 over a rebalance edge that carries the tag.
 */
export const fanOut: FixtureJob = {
  file: 'fan-out-side-outputs.json',
  settings: { defaultParallelism: 1 },
  defaultJobName: 'fan-out',
  define: (env) => {
    const odd = new OutputTag<number>('odd');
    const big = new OutputTag<number>('big');
    const split = env.fromSequence(1, 100).process(new Route(odd, big)).name('Split');
    split.map((n) => n * n).name('Square').print().name('evens');
    split.getSideOutput(odd).filter((n) => n < 50).name('Small').print().name('odds');
    split.getSideOutput(big).map(identity).name('Big').setParallelism(2).addSink(() => {}).name('big-sink');
    env.execute('Fan-out');
  },
};

/**
 * disableChaining, an explicit max parallelism, three parallelisms and a slot
 * sharing group that the sink inherits.
 */
export const mixedParallelism: FixtureJob = {
  file: 'mixed-parallelism.json',
  settings: { defaultParallelism: 1 },
  defaultJobName: 'mixed',
  define: (env) => {
    env.setParallelism(2);
    env
      .fromSequence(0, 999)
      .uid('numbers')
      .map((n) => n * 3)
      .name('Parse')
      .filter((n) => n % 2 === 0)
      .name('Valid')
      .disableChaining()
      .keyBy((n) => n % 10)
      .reduce((a, b) => a + b)
      .name('Totals')
      .setParallelism(3)
      .setMaxParallelism(90)
      .map((n) => `total ${n}`)
      .name('Format')
      .setParallelism(1)
      .slotSharingGroup('output')
      .print()
      .setParallelism(1);
    env.execute('Mixed parallelism');
  },
};

/** Two sources unioned (one rescaled) into a map, broadcast to a file sink; the job name is the default. */
export const unionBroadcast: FixtureJob = {
  file: 'union-broadcast.json',
  settings: { defaultParallelism: 2 },
  defaultJobName: 'union-job',
  define: (env) => {
    const left = env.fromSequence(1, 50).name('left');
    const right = env.fromSequence(51, 100).name('right');
    left.union(right.rescale()).map(identity).name('Merge').broadcast().writeAsText('out.txt');
  },
};

/** Forwards events; the broadcast side only updates state. */
class ApplyRules extends KeyedBroadcastProcessFunction<number, number, string, number> {
  processElement(value: number, _ctx: unknown, out: Collector<number>): void {
    out.collect(value);
  }
  processBroadcastElement(): void {}
}

/**
 * Two-input operators: a keyed stream connected with a broadcast stream (a
 * hash edge into input 0, a broadcast edge into input 1; the rules source has
 * parallelism 1), then a co-map of that result with a third source (forward
 * edges into inputs 0 and 1, no chaining into the two-input operator; the
 * sink chains after it).
 */
export const twoInput: FixtureJob = {
  file: 'two-input.json',
  settings: { defaultParallelism: 2 },
  defaultJobName: 'two-input',
  define: (env) => {
    const rules = env.fromElements('a', 'b').name('rules').broadcast(new MapStateDescriptor<string, string>('rules'));
    const applied = env
      .fromSequence(1, 100)
      .name('events')
      .keyBy((n) => n % 4)
      .connect(rules)
      .process(new ApplyRules())
      .uid('apply-rules');
    const other = env.fromSequence(1, 10).name('other');
    applied.connect(other).map({ map1: (n: number) => n, map2: (n: number) => -n }).print();
  },
};

export const fixtureJobs: readonly FixtureJob[] = [wordCount, fanOut, mixedParallelism, unionBroadcast, twoInput];
