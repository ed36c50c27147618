// The file sink benchmark job: the lines of bench/file-sink.js
// (`line <i> <padding>`, about 100 bytes) → an exactly-once FileSink (row
// format, 128 MiB parts, one directory) with a checkpoint every second.
import { BasePathBucketAssigner, defineJob, FileSink, SimpleStringEncoder } from 'flinkts';

/** Line `i` of the benchmark (without its '\n'); bench/file-sink.js writes the same ones. */
function benchLine(i: number): string {
  return `line ${i} ${'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(3).slice(0, 80 + (i % 13))}`;
}

export default defineJob((env, params) => {
  env.enableCheckpointing(params.getInt('interval', 1000));
  env.getCheckpointConfig().setCheckpointStorage(params.getRequired('checkpoints'));
  env
    .fromSequence(0, params.getInt('lines') - 1)
    .map(benchLine)
    .sinkTo(FileSink.forRowFormat(params.getRequired('output'), new SimpleStringEncoder<string>()).withBucketAssigner(new BasePathBucketAssigner()).build());
});
