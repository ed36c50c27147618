/** The metrics a connector or function can register (Flink's `MetricGroup`, counters only). */

/** A metric that counts (Flink's `Counter`). */
export interface Counter {
  inc(n?: number): void;
  getCount(): number;
}

/** Where connectors register their metrics; counters appear in the job's vertex metrics (`counters`). */
export interface MetricGroup {
  counter(name: string): Counter;
}
