/**
 * Where a Kafka source starts (`setStartingOffsets`) and, when bounded, where
 * it stops (`setBounded`), as Flink's `OffsetsInitializer`. An initializer is
 * resolved against the brokers to a concrete offset per partition; only
 * concrete offsets go into checkpoints.
 */
import { FlinktsError } from '../../../api/errors.js';
import type { KafkaAdminSession, PartitionOffset } from '../common/kafka-admin.js';

/** What `committedOffsets` does for a partition the group has no offset for. */
export type OffsetResetStrategy = 'earliest' | 'latest' | 'none';

/** Flink's `OffsetResetStrategy` constants. */
export const OffsetResetStrategy = {
  EARLIEST: 'earliest',
  LATEST: 'latest',
  NONE: 'none',
} as const satisfies Record<string, OffsetResetStrategy>;

/** @internal the variants of an initializer. */
export type OffsetsSpec =
  | { readonly kind: 'earliest' }
  | { readonly kind: 'latest' }
  | { readonly kind: 'committed'; readonly reset: OffsetResetStrategy }
  | { readonly kind: 'timestamp'; readonly timestamp: number }
  | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<string, number>; readonly reset: OffsetResetStrategy };

const RESETS: readonly OffsetResetStrategy[] = ['earliest', 'latest', 'none'];

function checkReset(reset: unknown, where: string): OffsetResetStrategy {
  if (!RESETS.includes(reset as OffsetResetStrategy)) {
    throw new FlinktsError('USAGE', `${where}: the reset strategy must be OffsetResetStrategy.EARLIEST, LATEST or NONE, got ${JSON.stringify(reset)}`);
  }
  return reset as OffsetResetStrategy;
}

/** `topic:partition`, the key of a partition in maps. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

/** Offsets per partition, resolved from the brokers when a reader starts. */
export class OffsetsInitializer {
  private constructor(
    /** @internal */
    readonly spec: OffsetsSpec,
  ) {}

  /** The first offset still in each partition. */
  static earliest(): OffsetsInitializer {
    return new OffsetsInitializer({ kind: 'earliest' });
  }

  /** The end of each partition when the reader starts (for a bounded source: what exists at the start). */
  static latest(): OffsetsInitializer {
    return new OffsetsInitializer({ kind: 'latest' });
  }

  /**
   * The offsets the source's group id committed; `reset` for a partition
   * without one (default NONE: the source fails, naming the partition).
   */
  static committedOffsets(reset: OffsetResetStrategy = 'none'): OffsetsInitializer {
    return new OffsetsInitializer({ kind: 'committed', reset: checkReset(reset, 'OffsetsInitializer.committedOffsets') });
  }

  /** The first record whose timestamp is ≥ `timestamp` (epoch ms); the end of a partition that has none. */
  static timestamp(timestamp: number): OffsetsInitializer {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new FlinktsError('USAGE', `OffsetsInitializer.timestamp: expected epoch milliseconds (a non-negative integer), got ${String(timestamp)}`);
    }
    return new OffsetsInitializer({ kind: 'timestamp', timestamp });
  }

  /**
   * Given offsets per partition; a partition not listed uses `reset`
   * (default EARLIEST; NONE makes it an error).
   */
  static offsets(offsets: Iterable<PartitionOffset>, reset: OffsetResetStrategy = 'earliest'): OffsetsInitializer {
    const map = new Map<string, number>();
    for (const entry of offsets ?? []) {
      const { topic, partition, offset } = entry ?? ({} as PartitionOffset);
      if (typeof topic !== 'string' || topic === '' || !Number.isInteger(partition) || partition < 0 || !Number.isSafeInteger(offset) || offset < 0) {
        throw new FlinktsError('USAGE', `OffsetsInitializer.offsets: expected { topic, partition, offset } with a topic name and non-negative integers, got ${JSON.stringify(entry)}`);
      }
      map.set(partitionKey(topic, partition), offset);
    }
    return new OffsetsInitializer({ kind: 'offsets', offsets: map, reset: checkReset(reset, 'OffsetsInitializer.offsets') });
  }

  /** For messages: `earliest`, `timestamp(…)`, … */
  toString(): string {
    const s = this.spec;
    switch (s.kind) {
      case 'committed':
        return `committedOffsets(${s.reset})`;
      case 'timestamp':
        return `timestamp(${s.timestamp})`;
      case 'offsets':
        return `offsets(${s.offsets.size} partitions, ${s.reset})`;
      default:
        return s.kind;
    }
  }

  /**
   * @internal The offset in each of `partitions` of `topic`. `groupId` is
   * needed for committed offsets.
   */
  async resolve(session: KafkaAdminSession, topic: string, partitions: readonly number[], groupId: string | undefined): Promise<Map<number, number>> {
    const s = this.spec;
    switch (s.kind) {
      case 'earliest':
      case 'latest':
        return session.offsetsFor(topic, partitions, s.kind);
      case 'timestamp':
        return session.offsetsFor(topic, partitions, { timestamp: s.timestamp });
      case 'committed': {
        if (groupId === undefined) throw new FlinktsError('USAGE', 'KafkaSource: OffsetsInitializer.committedOffsets() needs a group id (setGroupId)');
        const committed = await session.committedOffsets(groupId, topic);
        const missing = partitions.filter((p) => !committed.has(p));
        const reset = await this.reset(session, topic, missing, s.reset, () => `group '${groupId}' has no committed offset for`);
        return new Map(partitions.map((p) => [p, committed.get(p) ?? reset.get(p)!]));
      }
      case 'offsets': {
        const missing = partitions.filter((p) => !s.offsets.has(partitionKey(topic, p)));
        const reset = await this.reset(session, topic, missing, s.reset, () => 'OffsetsInitializer.offsets(…) lists no offset for');
        return new Map(partitions.map((p) => [p, s.offsets.get(partitionKey(topic, p)) ?? reset.get(p)!]));
      }
    }
  }

  private async reset(session: KafkaAdminSession, topic: string, partitions: readonly number[], reset: OffsetResetStrategy, why: () => string): Promise<Map<number, number>> {
    if (partitions.length === 0) return new Map();
    if (reset === 'none') {
      throw new FlinktsError('CONNECTOR', `${why()} topic '${topic}' partition ${partitions[0]} and the reset strategy is NONE`, {
        hint: 'commit offsets for the group first, or pass OffsetResetStrategy.EARLIEST or LATEST',
      });
    }
    return session.offsetsFor(topic, partitions, reset);
  }
}
