/**
 * The Nexmark generator as a source (`NexmarkSource`), its watermark strategy
 * and `nexmarkEvents(env, params)`, the event stream every Nexmark query job
 * starts from.
 *
 * Parallel; bounded with `events`, else unbounded (never ends). Subtask i of p
 * generates the stream positions i, i + p, i + 2p, … (interleaved, so that all
 * subtasks advance through event time together and watermarks stay close);
 * since each event is a pure function of its number, the multiset of events
 * is the same at every parallelism. Readers emit at most 1024 events a poll,
 * as fast as they are polled: `rate` shapes event time only.
 *
 * Delivery guarantee: the read position is a plain `{ nextEvent }` per reader
 * (`snapshot()` / `restore()`), ready to be kept in checkpoints; restored with
 * the same parallelism, every event is emitted exactly once. Until checkpoints
 * store it, a restarted job generates the stream again from the start.
 */
import type { StreamExecutionEnvironment } from '../../api/environment.js';
import type { SingleOutputStreamOperator } from '../../api/datastream.js';
import { FlinktsError } from '../../api/errors.js';
import type { ParameterTool } from '../../api/parameter-tool.js';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from '../../api/source.js';
import { Time } from '../../api/time.js';
import { WatermarkStrategy } from '../../api/watermark-strategy.js';
import { nexmarkConfigFromParams, resolveNexmarkConfig } from './config.js';
import { NexmarkGenerator } from './generator.js';
import type { NexmarkConfig, NexmarkEvent } from './model.js';

/** Events emitted per `pollNext` call at most. */
export const NEXMARK_BATCH_SIZE = 1024;

/** The bound of the out-of-orderness the watermark strategy allows, ms. */
export const NEXMARK_OUT_OF_ORDERNESS_MS = 4000;

/** A reader's position: the stream position of the next event it emits. */
export interface NexmarkReaderState {
  readonly nextEvent: number;
}

/** The Nexmark generator as a pull-based source (see the file header). */
export class NexmarkSource implements Source<NexmarkEvent> {
  readonly boundedness: 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';
  /** The complete, checked configuration. */
  readonly config: NexmarkConfig;

  /**
   * @param config knobs overriding `DEFAULT_NEXMARK_CONFIG`.
   * @throws FlinktsError (JOB_DEFINITION) naming a knob that cannot hold.
   */
  constructor(config: Partial<NexmarkConfig> = {}) {
    this.config = resolveNexmarkConfig(config);
    this.boundedness = this.config.events === undefined ? 'CONTINUOUS_UNBOUNDED' : 'BOUNDED';
  }

  createReader(context: SourceReaderContext): NexmarkSourceReader {
    return new NexmarkSourceReader(this.config, context.subtaskIndex, context.parallelism);
  }
}

/** Emits the stream positions of one subtask: `subtaskIndex + k * parallelism`. */
export class NexmarkSourceReader implements SourceReader<NexmarkEvent> {
  private readonly generator: NexmarkGenerator;
  private readonly end: number;
  private nextEvent: number;

  constructor(
    config: NexmarkConfig,
    private readonly subtaskIndex: number,
    private readonly parallelism: number,
  ) {
    this.generator = new NexmarkGenerator(config);
    this.end = config.events ?? Number.POSITIVE_INFINITY;
    this.nextEvent = subtaskIndex;
  }

  /** Nothing to open: the generator is ready once constructed (always synchronous). */
  start(): void | Promise<void> {}

  pollNext(output: ReaderOutput<NexmarkEvent>): InputStatus {
    const generator = this.generator;
    const step = this.parallelism;
    const stop = Math.min(this.end, this.nextEvent + NEXMARK_BATCH_SIZE * step);
    let position = this.nextEvent;
    for (; position < stop; position += step) {
      const event = generator.eventAt(position);
      output.collect(event, event.dateTime);
    }
    this.nextEvent = position;
    return position >= this.end ? 'END_OF_INPUT' : 'MORE_AVAILABLE';
  }

  /** Nothing to release (always synchronous). */
  close(): void | Promise<void> {}

  /** The read position, as operator state. */
  snapshot(): NexmarkReaderState {
    return { nextEvent: this.nextEvent };
  }

  /**
   * Continues from a position taken by `snapshot()` of the same subtask at the
   * same parallelism.
   *
   * @throws FlinktsError (CONFIG) when the position does not belong to this subtask.
   */
  restore(state: NexmarkReaderState): void {
    const next = state?.nextEvent;
    if (!Number.isSafeInteger(next) || next < 0 || next % this.parallelism !== this.subtaskIndex % this.parallelism) {
      throw new FlinktsError('CONFIG', `Nexmark reader (subtask ${this.subtaskIndex} of ${this.parallelism}) cannot restore position ${JSON.stringify(state)}`, {
        hint: 'restore a Nexmark source with the parallelism it was snapshotted at',
      });
    }
    this.nextEvent = next;
  }
}

/** Timestamps from `dateTime`; watermarks trail the largest one seen by 4 s. */
export function nexmarkWatermarkStrategy(): WatermarkStrategy<NexmarkEvent> {
  return WatermarkStrategy.forBoundedOutOfOrderness<NexmarkEvent>(Time.milliseconds(NEXMARK_OUT_OF_ORDERNESS_MS)).withTimestampAssigner(
    (event) => event.dateTime,
  );
}

/**
 * The Nexmark event stream of the job flags (`--events N --rate R --base-time T
 * --seed S`, see `nexmarkConfigFromParams`), with timestamps and watermarks,
 * as a source named `Nexmark`.
 */
export function nexmarkEvents(env: StreamExecutionEnvironment, params: ParameterTool): SingleOutputStreamOperator<NexmarkEvent> {
  return env.fromSource(new NexmarkSource(nexmarkConfigFromParams(params)), nexmarkWatermarkStrategy(), 'Nexmark');
}
