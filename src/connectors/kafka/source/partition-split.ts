/**
 * A Kafka partition as a split: what a checkpoint holds per partition, and
 * the check of restored state (state from another version or from a foreign
 * source fails with a clear error instead of reading from a wrong offset).
 */
import { FlinktsError } from '../../../api/errors.js';

/** One partition in a checkpoint (structured-cloneable). */
export interface KafkaPartitionSplit {
  readonly topic: string;
  readonly partition: number;
  /** The offset of the next record to emit. */
  readonly nextOffset: number;
  /** Bounded sources: the partition ends before this offset. */
  readonly stoppingOffset?: number;
  /** Partitions per topic this reader knew of at the checkpoint (partitions outside are new after a restore). */
  readonly knownPartitions: Readonly<Record<string, number>>;
}

/** A split while a reader owns it. */
export interface SplitState {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  nextOffset: number;
  /** The next offset to fetch: past everything buffered. */
  fetchPosition: number;
  stoppingOffset: number | undefined;
  finished: boolean;
}

/** A restored split, checked (state from another version or a foreign source fails clearly). */
export function checkSplit(raw: unknown, where: string): KafkaPartitionSplit {
  const s = raw as Partial<KafkaPartitionSplit> | null;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    typeof s.topic === 'string' &&
    Number.isInteger(s.partition) &&
    Number.isSafeInteger(s.nextOffset) &&
    (s.stoppingOffset === undefined || Number.isSafeInteger(s.stoppingOffset)) &&
    typeof s.knownPartitions === 'object' &&
    s.knownPartitions !== null;
  if (!ok) throw new FlinktsError('STATE_INCOMPATIBLE', `${where}: the restored state holds ${JSON.stringify(raw)}, not a Kafka partition split`);
  return s as KafkaPartitionSplit;
}
