/**
 * When a `FileSink` closes the in-progress part file of a bucket and starts a
 * new one (Flink's `RollingPolicy`). A rolled file is pending: it becomes
 * visible (finished) when the next checkpoint completes.
 *
 * - `DefaultRollingPolicy` (row formats): rolls when the part is larger than
 *   the maximum size (checked before each record and at each checkpoint, so a
 *   part exceeds it by at most one record), when it is older than the
 *   rollover interval, or when nothing was written to it for the inactivity
 *   interval (both checked every bucket check interval). Flink's defaults:
 *   128 MiB, 60 s, 60 s.
 * - `OnCheckpointRollingPolicy`: rolls at every checkpoint only; the policy of
 *   bulk formats, which cannot resume a file (any `CheckpointRollingPolicy`).
 */
import { FlinktsError } from '../../api/errors.js';

/** What a rolling policy knows about an in-progress part file. */
export interface PartFileInfo {
  readonly bucketId: string;
  /** When the part file was opened (processing time, ms). */
  readonly creationTime: number;
  /** When a record was last written to it (processing time, ms). */
  readonly lastUpdateTime: number;
  /** Bytes written so far. */
  readonly size: number;
}

/** Decides when in-progress part files roll. */
export interface RollingPolicy<T> {
  /** Asked at every checkpoint, for every in-progress part. */
  shouldRollOnCheckpoint(part: PartFileInfo): boolean;
  /** Asked before each record is written to an in-progress part. */
  shouldRollOnEvent(part: PartFileInfo, element: T): boolean;
  /** Asked every bucket check interval, for every in-progress part. */
  shouldRollOnProcessingTime(part: PartFileInfo, currentTime: number): boolean;
}

const MIB = 1024 * 1024;

/** Settings of a {@link DefaultRollingPolicy}. */
export interface DefaultRollingPolicySettings {
  readonly maxPartSize: number;
  readonly rolloverInterval: number;
  readonly inactivityInterval: number;
}

/** Rolls on size, age and inactivity (Flink's `DefaultRollingPolicy`). */
export class DefaultRollingPolicy<T = unknown> implements RollingPolicy<T> {
  /** @internal use {@link DefaultRollingPolicy.builder}. */
  constructor(readonly settings: DefaultRollingPolicySettings) {}

  /** A builder with Flink's defaults: 128 MiB, 60 s rollover, 60 s inactivity. */
  static builder(): DefaultRollingPolicyBuilder {
    return new DefaultRollingPolicyBuilder();
  }

  shouldRollOnCheckpoint(part: PartFileInfo): boolean {
    return part.size > this.settings.maxPartSize;
  }

  shouldRollOnEvent(part: PartFileInfo): boolean {
    return part.size > this.settings.maxPartSize;
  }

  shouldRollOnProcessingTime(part: PartFileInfo, currentTime: number): boolean {
    return currentTime - part.creationTime >= this.settings.rolloverInterval || currentTime - part.lastUpdateTime >= this.settings.inactivityInterval;
  }
}

/** Builds a {@link DefaultRollingPolicy}. */
export class DefaultRollingPolicyBuilder {
  private maxPartSize = 128 * MIB;
  private rolloverInterval = 60_000;
  private inactivityInterval = 60_000;

  /** Roll a part once it is larger than `bytes`. */
  withMaxPartSize(bytes: number): this {
    this.maxPartSize = positive('withMaxPartSize', bytes);
    return this;
  }

  /** Roll a part once it is `ms` old. */
  withRolloverInterval(ms: number): this {
    this.rolloverInterval = positive('withRolloverInterval', ms);
    return this;
  }

  /** Roll a part when nothing was written to it for `ms`. */
  withInactivityInterval(ms: number): this {
    this.inactivityInterval = positive('withInactivityInterval', ms);
    return this;
  }

  build<T = unknown>(): DefaultRollingPolicy<T> {
    return new DefaultRollingPolicy<T>({ maxPartSize: this.maxPartSize, rolloverInterval: this.rolloverInterval, inactivityInterval: this.inactivityInterval });
  }
}

/**
 * A policy that rolls at every checkpoint (Flink's `CheckpointRollingPolicy`);
 * subclasses may roll more often. The only kind bulk formats take.
 */
export abstract class CheckpointRollingPolicy<T = unknown> implements RollingPolicy<T> {
  shouldRollOnCheckpoint(): boolean {
    return true;
  }

  abstract shouldRollOnEvent(part: PartFileInfo, element: T): boolean;
  abstract shouldRollOnProcessingTime(part: PartFileInfo, currentTime: number): boolean;
}

/** Rolls at every checkpoint and never otherwise (Flink's `OnCheckpointRollingPolicy`). */
export class OnCheckpointRollingPolicy<T = unknown> extends CheckpointRollingPolicy<T> {
  static build<T = unknown>(): OnCheckpointRollingPolicy<T> {
    return new OnCheckpointRollingPolicy<T>();
  }

  shouldRollOnEvent(): boolean {
    return false;
  }

  shouldRollOnProcessingTime(): boolean {
    return false;
  }
}

/** Whether `value` has the three methods of a {@link RollingPolicy}. */
export function isRollingPolicy(value: unknown): value is RollingPolicy<unknown> {
  const p = value as RollingPolicy<unknown> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.shouldRollOnCheckpoint === 'function' &&
    typeof p.shouldRollOnEvent === 'function' &&
    typeof p.shouldRollOnProcessingTime === 'function'
  );
}

function positive(call: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new FlinktsError('USAGE', `DefaultRollingPolicy.${call}(${value}): expected a positive number`);
  return value;
}
