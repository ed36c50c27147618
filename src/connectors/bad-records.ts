/**
 * What a deserializing source does with a record it cannot read (RELIABILITY
 * B1), the same for every connector:
 *
 * - `fail` (the default): the task fails with a `BAD_RECORD` error naming
 *   where the record came from (topic/partition/offset, file/line, queue/
 *   delivery tag); the job restarts from its last checkpoint and fails
 *   again on the same record, so nothing already accepted is lost.
 * - `skip`: the record is dropped and counted in the source's
 *   `numRecordsSkipped` counter (in the job's vertex metrics).
 * - `dead-letter`: the raw bytes go, with their provenance and the error, to
 *   a side output of the source (`stream.getSideOutput(tag)`), which a job
 *   can send anywhere, e.g. to a Kafka topic; counted in `numRecordsDeadLettered`.
 */
import { FlinktsError } from '../api/errors.js';
import { OutputTag } from '../api/output-tag.js';
import type { ReaderOutput } from '../api/source.js';
import type { Counter, MetricGroup } from '../api/metrics.js';

/** A record a source could not deserialize, as the dead-letter side output carries it. */
export interface DeadLetter {
  /** The bytes as they arrived. */
  readonly raw: Uint8Array;
  /** Where they came from, e.g. `{ topic, partition, offset }` or `{ file, line }`. */
  readonly provenance: Readonly<Record<string, string | number>>;
  /** Why they could not be read. */
  readonly error: string;
}

/** The policy for records a source cannot deserialize. */
export type BadRecordPolicy = { readonly kind: 'fail' } | { readonly kind: 'skip' } | { readonly kind: 'dead-letter'; readonly tag: OutputTag<DeadLetter> };

export const BadRecordPolicy = {
  fail: (): BadRecordPolicy => ({ kind: 'fail' }),
  skip: (): BadRecordPolicy => ({ kind: 'skip' }),
  deadLetter: (tag: OutputTag<DeadLetter>): BadRecordPolicy => {
    if (!(tag instanceof OutputTag)) throw new FlinktsError('USAGE', 'BadRecordPolicy.deadLetter(tag): expected an OutputTag for the dead letters');
    return { kind: 'dead-letter', tag };
  },
} as const;

/** Counter names of {@link BadRecords}. */
export const SKIPPED_COUNTER = 'numRecordsSkipped';
export const DEAD_LETTERED_COUNTER = 'numRecordsDeadLettered';

/** Applies a {@link BadRecordPolicy} inside one source reader. */
export class BadRecords {
  private readonly skipped: Counter | undefined;
  private readonly deadLettered: Counter | undefined;

  constructor(
    private readonly policy: BadRecordPolicy,
    metricGroup: MetricGroup | undefined,
  ) {
    this.skipped = metricGroup?.counter(SKIPPED_COUNTER);
    this.deadLettered = metricGroup?.counter(DEAD_LETTERED_COUNTER);
  }

  /**
   * Handles a record that failed to deserialize: throws under `fail`;
   * otherwise counts it and, under `dead-letter`, emits it to the side output.
   * `where` describes the provenance for the error message
   * (`topic orders partition 2 offset 17`).
   */
  handle(output: ReaderOutput<unknown>, raw: Uint8Array | string, provenance: Record<string, string | number>, where: string, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    switch (this.policy.kind) {
      case 'fail':
        throw new FlinktsError('BAD_RECORD', `cannot deserialize the record at ${where}: ${reason}`, {
          cause: error,
          hint: 'fix or remove the record, or choose BadRecordPolicy.skip() or BadRecordPolicy.deadLetter(tag) for the source',
        });
      case 'skip':
        this.skipped?.inc();
        return;
      case 'dead-letter':
        this.deadLettered?.inc();
        output.collectSide(this.policy.tag, { raw: typeof raw === 'string' ? new TextEncoder().encode(raw) : raw, provenance, error: reason });
    }
  }
}
