/**
 * `stream.print(identifier?)` / `stream.printToErr(identifier?)`: every
 * record as one line on standard output (or error), as Flink's
 * `PrintSinkFunction`.
 *
 * Each line is `prefix + formatRecord(record)`. The prefix follows Flink's
 * `PrintSinkOutputWriter`: at parallelism > 1 `identifier:` (if given) plus
 * the 1-based subtask index and `> ` (`2> `, `bids:2> `); at parallelism 1
 * `identifier> ` if an identifier is given, else nothing.
 *
 * Output is batched: lines are appended to a string that is written when it
 * reaches 64 KiB, at most ~100 ms after a line was appended (an unref'd timer,
 * so unbounded jobs print promptly), and in `finish()` / `close()`. When the
 * stream reports back-pressure (a slow pipe, a worker thread's stdout
 * forwarded to the main thread), the `invoke` that flushed waits for 'drain',
 * so memory stays bounded.
 *
 * Delivery guarantee: none across failures. Lines still batched (≤ 64 KiB,
 * ≤ ~100 ms old) are lost if the process dies before `close()`, and records
 * the sources replay after a restart are printed again. Without failures,
 * every record is printed once, in the order this subtask received them.
 *
 * Settings: `toStderr`, `identifier`.
 */
import type { Configuration } from '../../api/configuration.js';
import { RichSinkFunction, type SinkContext } from '../../api/functions.js';
import { formatRecord } from '../format.js';

/** Write the batch once it holds this many characters. */
const FLUSH_THRESHOLD = 64 * 1024;
/** Write a non-empty batch at most this long after a line was appended to it. */
const FLUSH_DELAY_MS = 100;

/** The prefix of every printed line, as Flink's `PrintSinkOutputWriter` builds it. */
export function printPrefix(identifier: string | undefined, subtaskIndex: number, parallelism: number): string {
  let prefix = identifier ?? '';
  if (parallelism > 1) prefix = `${prefix ? `${prefix}:` : ''}${subtaskIndex + 1}`;
  return prefix ? `${prefix}> ` : '';
}

/** The sink behind `print()` and `printToErr()`. */
export class PrintSinkFunction<T> extends RichSinkFunction<T> {
  private prefix = '';
  private batch = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly toStderr: boolean,
    readonly identifier: string | undefined,
  ) {
    super();
  }

  override open(_parameters: Configuration): void {
    const context = this.getRuntimeContext();
    this.prefix = printPrefix(this.identifier, context.getIndexOfThisSubtask(), context.getNumberOfParallelSubtasks());
  }

  invoke(value: T, _context: SinkContext): void | Promise<void> {
    this.batch += `${this.prefix}${formatRecord(value)}\n`;
    if (this.batch.length >= FLUSH_THRESHOLD) return this.flush();
    // One timer per batch: it flushes whatever has accumulated by then.
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS).unref();
  }

  override finish(): Promise<void> | void {
    return this.flush();
  }

  override close(): Promise<void> | void {
    return this.flush();
  }

  /** Writes the batch; returns a promise when the stream asks the writer to wait for 'drain'. */
  private flush(): Promise<void> | void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const text = this.batch;
    this.batch = '';
    // Looked up on every write, not cached: tests and hosts may replace the stream or its write.
    const stream = this.toStderr ? process.stderr : process.stdout;
    if (stream.write(text)) return;
    return waitForDrain(stream);
  }
}

/** Resolves on 'drain', or when the stream can no longer drain (closed, errored). */
function waitForDrain(stream: NodeJS.WriteStream): Promise<void> | void {
  if (stream.destroyed || stream.writableEnded) return;
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
