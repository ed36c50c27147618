import type { Counter, MetricGroup } from '../../api/metrics.js';

/** Per-task counters, read by the worker's metric reporter. Plain fields: updated on the hot path. */
export class TaskMetrics implements MetricGroup {
  /** Records entering the chain (read from the network, or emitted by the source). */
  recordsIn = 0;
  /** Records leaving the chain (into network edges or sinks). */
  recordsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  busyTimeMs = 0;
  backPressuredTimeMs = 0;
  /** Named counters of connectors and functions (e.g. `numRecordsSkipped`). */
  private readonly counters = new Map<string, number>();

  /** The counter `name` (created at 0 on first use); counters of one name add up across the chain. */
  counter(name: string): Counter {
    if (!this.counters.has(name)) this.counters.set(name, 0);
    return { inc: (n = 1) => void this.counters.set(name, this.counters.get(name)! + n), getCount: () => this.counters.get(name)! };
  }

  snapshot(): TaskMetricsSnapshot {
    return {
      recordsIn: this.recordsIn,
      recordsOut: this.recordsOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      busyTimeMs: Math.round(this.busyTimeMs),
      backPressuredTimeMs: Math.round(this.backPressuredTimeMs),
      counters: Object.fromEntries(this.counters),
    };
  }
}

export interface TaskMetricsSnapshot {
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly busyTimeMs: number;
  readonly backPressuredTimeMs: number;
  readonly counters: Readonly<Record<string, number>>;
}
