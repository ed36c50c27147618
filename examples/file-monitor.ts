// Watches a directory for new text files (nested directories too) and counts
// words and lines per 10-second processing-time window, writing the counts
// exactly once into part files with a FileSink. Files must appear complete:
// write them under a hidden name (or elsewhere) and rename them into place.
//   mkdir -p /tmp/words
//   npx flinkts run examples/file-monitor.ts -- --input /tmp/words --output /tmp/word-counts
//   echo "to be or not to be" > /tmp/words/.a.txt && mv /tmp/words/.a.txt /tmp/words/a.txt
//   cat /tmp/word-counts/*/part-*          # after the window and the next checkpoint
// Output lines: `<window end, ISO time> <word> <count>`, and `<window end> #lines <count>`.
import {
  defineJob,
  FileSink,
  FileSource,
  OnCheckpointRollingPolicy,
  ProcessWindowFunction,
  SimpleStringEncoder,
  TextLineFormat,
  Time,
  TumblingProcessingTimeWindows,
  WatermarkStrategy,
  type Collector,
  type ProcessWindowFunctionContext,
  type TimeWindow,
} from 'flinkts';

/** The key `#lines` counts lines; every other key is a word. */
const LINES = '#lines';

class WithWindowEnd extends ProcessWindowFunction<[string, number], string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowFunctionContext<string, TimeWindow>, counts: Iterable<[string, number]>, out: Collector<string>): void {
    for (const [, count] of counts) out.collect(`${new Date(ctx.window().getEnd()).toISOString()} ${key} ${count}`);
  }
}

export default defineJob((env, params) => {
  // A part file becomes visible when the checkpoint after it rolled completes.
  env.enableCheckpointing(params.getInt('checkpoint-interval', 2000));
  const windowSeconds = params.getInt('window-seconds', 10);
  const source = FileSource.forRecordStreamFormat(new TextLineFormat(), params.getRequired('input'))
    .monitorContinuously(params.getInt('monitor-interval', 1000))
    .build();
  env
    .fromSource(source, WatermarkStrategy.noWatermarks(), 'watched files')
    .uid('watched-files')
    .flatMap((line: string, out: Collector<[string, number]>) => {
      out.collect([LINES, 1]);
      for (const word of line.toLowerCase().split(/[^\p{L}\p{N}']+/u)) if (word.length > 0) out.collect([word, 1]);
    })
    .keyBy(([key]) => key)
    .window(TumblingProcessingTimeWindows.of(Time.seconds(windowSeconds)))
    .reduce((a, b) => [a[0], a[1] + b[1]], new WithWindowEnd())
    .uid('counts')
    .sinkTo(
      // The default bucket assigner: one directory per hour (yyyy-MM-dd--HH). Rolling at every checkpoint
      // makes a window's counts visible one checkpoint after it fired.
      FileSink.forRowFormat(params.getRequired('output'), new SimpleStringEncoder<string>()).withRollingPolicy(OnCheckpointRollingPolicy.build()).build(),
    )
    .uid('count-files');
});
