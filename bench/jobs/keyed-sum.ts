// The core pipeline benchmark as a flinkts job: generate {key, value, ts} →
// map → filter → keyBy(key) → rolling sum(value) → discard.
import { defineJob, DiscardingSink } from 'flinkts';

export interface Reading {
  key: number;
  value: number;
  ts: number;
}

export default defineJob((env, params) => {
  const records = params.getInt('records');
  const keys = params.getInt('keys', 10_000);
  const base = 1_767_225_600_000;
  env
    .fromSequence(0, records - 1)
    .map((i): Reading => ({ key: i % keys, value: i & 1023, ts: base + i }))
    .map((r): Reading => ({ key: r.key, value: r.value * 2, ts: r.ts }))
    .filter((r) => (r.value & 3) !== 3)
    .keyBy((r) => r.key)
    .sum('value')
    .addSink(new DiscardingSink());
});
