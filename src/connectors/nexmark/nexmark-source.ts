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

/**
 * A split of the event stream: the positions `nextEvent`, `nextEvent + step`,
 * … A reader starts with one (`subtaskIndex`, step `parallelism`); after a
 * restore at another parallelism it may own several, or none.
 */
export interface NexmarkReaderState {
  readonly nextEvent: number;
  readonly step: number;
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

  /** @throws FlinktsError (STATE_INCOMPATIBLE) for a restored split that is not `{ nextEvent, step }`. */
  createReader(context: SourceReaderContext): NexmarkSourceReader {
    const splits = context.restoredSplits?.map((split) => checkSplit(split, context.operatorName)) ?? [{ nextEvent: context.subtaskIndex, step: context.parallelism }];
    return new NexmarkSourceReader(this.config, splits);
  }
}

function checkSplit(split: unknown, operatorName: string): NexmarkReaderState {
  const { nextEvent, step } = (split ?? {}) as Partial<NexmarkReaderState>;
  if (!Number.isSafeInteger(nextEvent) || nextEvent! < 0 || !Number.isSafeInteger(step) || step! < 1) {
    throw new FlinktsError('STATE_INCOMPATIBLE', `${operatorName}: cannot restore Nexmark split ${JSON.stringify(split)}: expected { nextEvent ≥ 0, step ≥ 1 } integers`);
  }
  return { nextEvent: nextEvent!, step: step! };
}

/** Emits the positions of its splits, the split furthest behind first, so event time advances evenly. */
export class NexmarkSourceReader implements SourceReader<NexmarkEvent> {
  private readonly generator: NexmarkGenerator;
  private readonly end: number;
  private readonly splits: { nextEvent: number; step: number }[];

  constructor(config: NexmarkConfig, splits: readonly NexmarkReaderState[]) {
    this.generator = new NexmarkGenerator(config);
    this.end = config.events ?? Number.POSITIVE_INFINITY;
    this.splits = splits.filter((split) => split.nextEvent < this.end).map((split) => ({ ...split }));
  }

  /** Nothing to open: the generator is ready once constructed (always synchronous). */
  start(): void | Promise<void> {}

  pollNext(output: ReaderOutput<NexmarkEvent>): InputStatus {
    let split = this.splits[0];
    if (split === undefined) return 'END_OF_INPUT';
    for (const other of this.splits) if (other.nextEvent < split.nextEvent) split = other;
    const generator = this.generator;
    const step = split.step;
    const stop = Math.min(this.end, split.nextEvent + NEXMARK_BATCH_SIZE * step);
    let position = split.nextEvent;
    for (; position < stop; position += step) {
      const event = generator.eventAt(position);
      output.collect(event, event.dateTime);
    }
    split.nextEvent = position;
    if (position >= this.end) this.splits.splice(this.splits.indexOf(split), 1);
    return this.splits.length === 0 ? 'END_OF_INPUT' : 'MORE_AVAILABLE';
  }

  /** Nothing to release (always synchronous). */
  close(): void | Promise<void> {}

  /** The read position of every split not yet finished, as operator state. */
  snapshotState(): NexmarkReaderState[] {
    return this.splits.map(({ nextEvent, step }) => ({ nextEvent, step }));
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
