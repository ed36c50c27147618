/**
 * `env.fromSequence(from, to)`: the integers from `from` to `to`, both
 * included, as Flink's `NumberSequenceSource`.
 *
 * Parallel and bounded. Subtask i of p reads one contiguous sub-range; the
 * count is split as evenly as possible (the first `count % p` subtasks get one
 * number more), and every subtask emits its numbers in ascending order.
 *
 * Delivery guarantee: none of its own. The reader keeps no position in
 * checkpoints, so after a restart each subtask emits its whole sub-range
 * again: downstream sees every number at least once, and exactly once only
 * when the job restarts from scratch (no restored state).
 *
 * Settings: `from` and `to` (safe integers, `from <= to`; checked by the API).
 */
import { FlinktsError } from '../../api/errors.js';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from '../../api/source.js';

/** Records emitted per `pollNext` call at most. */
const BATCH_SIZE = 1024;

/** The inclusive sub-range `[first, last]` of one subtask; empty when `first > last`. */
export interface SequenceRange {
  readonly first: number;
  readonly last: number;
}

/**
 * The share of `[from, to]` of subtask `index` of `parallelism`. Counts are
 * computed with bigints so that a range spanning the whole safe-integer space
 * (more than 2^53 numbers) still splits exactly.
 */
export function sequenceRangeOf(from: number, to: number, index: number, parallelism: number): SequenceRange {
  const count = BigInt(to) - BigInt(from) + 1n;
  const p = BigInt(parallelism);
  const i = BigInt(index);
  const base = count / p;
  const extra = count % p;
  // The first `extra` subtasks each take one more number than the others.
  const start = BigInt(from) + i * base + (i < extra ? i : extra);
  const size = base + (i < extra ? 1n : 0n);
  return { first: Number(start), last: Number(start + size - 1n) };
}

/** The source behind `env.fromSequence`. */
export class NumberSequenceSource implements Source<number> {
  readonly boundedness = 'BOUNDED' as const;

  constructor(
    readonly from: number,
    readonly to: number,
  ) {}

  createReader(context: SourceReaderContext): SourceReader<number> {
    const splits = context.restoredSplits === undefined ? [sequenceRangeOf(this.from, this.to, context.subtaskIndex, context.parallelism)] : context.restoredSplits.map(checkSplit);
    return new NumberSequenceReader(splits.map(({ first, last }) => ({ next: first, last })));
  }
}

/** A restored split: the next number and the last one of a sub-range. */
function checkSplit(split: unknown): SequenceRange {
  const { first, last } = (split ?? {}) as Partial<SequenceRange>;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) {
    throw new FlinktsError('STATE_INCOMPATIBLE', `a number sequence split must be {first, last} integers, got ${JSON.stringify(split)}`);
  }
  return { first: first!, last: last! };
}

/** Emits its splits (sub-ranges) one after another, each in ascending order. */
class NumberSequenceReader implements SourceReader<number> {
  constructor(private readonly splits: { next: number; last: number }[]) {}

  pollNext(output: ReaderOutput<number>): InputStatus {
    const split = this.splits[0];
    if (split === undefined) return 'END_OF_INPUT';
    const stop = Math.min(split.last, split.next + BATCH_SIZE - 1);
    for (let n = split.next; n <= stop; n++) output.collect(n);
    split.next = stop + 1;
    if (split.next > split.last) this.splits.shift();
    return this.splits.length === 0 ? 'END_OF_INPUT' : 'MORE_AVAILABLE';
  }

  /** What is left of each split: `{first, last}` with `first` the next number. */
  snapshotState(): SequenceRange[] {
    return this.splits.map(({ next, last }) => ({ first: next, last }));
  }
}
