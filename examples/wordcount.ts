/**
 * Flink's streaming WordCount: reads a text file, splits it into lower-cased
 * words and keeps a running count per word, printed (or written with
 * `--output`) on every update.
 *
 *   npx flinkts run examples/wordcount.ts -- --input README.md
 *   npx flinkts run -p 2 examples/wordcount.ts -- --input README.md --output counts
 */
import { defineJob } from 'flinkts';

export default defineJob((env, params) => {
  const input = params.getRequired('input');
  env.setGlobalJobParameters(params);

  const counts = env
    .readTextFile(input)
    .flatMap<[string, number]>((line, out) => {
      for (const word of line.toLowerCase().split(/\W+/)) {
        if (word.length > 0) out.collect([word, 1]);
      }
    })
    .name('tokenizer')
    .keyBy((pair) => pair[0])
    .sum(1)
    .name('counter');

  const output = params.get('output');
  if (output === undefined) counts.print();
  else counts.writeAsText(output, 'OVERWRITE');

  env.execute('WordCount');
});
