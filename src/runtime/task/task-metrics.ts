/** Per-task counters, read by the worker's metric reporter. Plain fields: updated on the hot path. */
export class TaskMetrics {
  /** Records entering the chain (read from the network, or emitted by the source). */
  recordsIn = 0;
  /** Records leaving the chain (into network edges or sinks). */
  recordsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  busyTimeMs = 0;
  backPressuredTimeMs = 0;

  snapshot(): TaskMetricsSnapshot {
    return {
      recordsIn: this.recordsIn,
      recordsOut: this.recordsOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      busyTimeMs: Math.round(this.busyTimeMs),
      backPressuredTimeMs: Math.round(this.backPressuredTimeMs),
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
}
