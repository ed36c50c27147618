/**
 * `env.fromCollection(items)` / `env.fromElements(...items)`: the given items,
 * in order, as Flink's `FromElementsFunction`.
 *
 * Not parallel (`maxSourceParallelism = 1`) and bounded. Items are emitted by
 * reference, not copied: a downstream function that mutates a record mutates
 * the item the job definition created.
 *
 * Delivery guarantee: none of its own. The reader keeps no position in
 * checkpoints, so after a restart it emits every item again: downstream sees
 * each item at least once, and exactly once only when the job restarts from
 * scratch (no restored state).
 *
 * Settings: the items (an array the environment copied from the collection).
 */
import { FlinktsError } from '../../api/errors.js';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from '../../api/source.js';

/** Records emitted per `pollNext` call at most. */
const BATCH_SIZE = 1024;

/** The source behind `env.fromCollection` and `env.fromElements`. */
export class CollectionSource<T> implements Source<T> {
  readonly boundedness = 'BOUNDED' as const;
  readonly maxSourceParallelism = 1;

  constructor(private readonly items: readonly T[]) {}

  createReader(context: SourceReaderContext): SourceReader<T> {
    if (context.parallelism !== 1) {
      // The API pins this source to parallelism 1; several readers would each emit every item.
      throw new FlinktsError(
        'INTERNAL',
        `${context.operatorName}: a collection source runs with parallelism 1, not ${context.parallelism}`,
      );
    }
    const restored = context.restoredSplits;
    if (restored === undefined) return new CollectionReader(this.items, 0);
    // One split (parallelism 1): the index of the next item; none left when the reader had finished.
    const next = restored.length === 0 ? this.items.length : (restored[0] as { next?: unknown }).next;
    if (!Number.isSafeInteger(next) || (next as number) < 0 || (next as number) > this.items.length) {
      throw new FlinktsError('STATE_INCOMPATIBLE', `${context.operatorName}: cannot restore the collection position ${JSON.stringify(restored)} (${this.items.length} items)`);
    }
    return new CollectionReader(this.items, next as number);
  }
}

/** Emits the items in order, a bounded batch per poll. */
class CollectionReader<T> implements SourceReader<T> {
  constructor(
    private readonly items: readonly T[],
    private next: number,
  ) {}

  snapshotState(): { next: number }[] {
    return [{ next: this.next }];
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    const stop = Math.min(this.items.length, this.next + BATCH_SIZE);
    while (this.next < stop) {
      // Advance before collecting so a throwing downstream never sees the item twice from this reader.
      const item = this.items[this.next++] as T;
      output.collect(item);
    }
    return this.next >= this.items.length ? 'END_OF_INPUT' : 'MORE_AVAILABLE';
  }
}
