/**
 * Keyed state and processing-time timers on the MiniCluster, at parallelism
 * 1 and 4, with each keyed state backend (`-D state.backend.type`); keyed
 * state on a non-keyed stream fails the job at start. Expected results are
 * computed here from the fixtures' inputs, without the engine, the same for
 * both backends.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { KEYS } from '../fixtures/jobs/keyed-state-count.js';
import { JOBS, readLines, readLinesPerSubtask, sorted, expectFinished, workDirs } from '../support/job-output.js';

const { outputPath, workDir } = workDirs();

/** The runs: each backend at parallelism 1 and 4. */
const RUNS = [
  ['hashmap', 1],
  ['hashmap', 4],
  ['embedded', 1],
  ['embedded', 4],
] as const;

/** `-D` options for a backend, its stores under a fresh directory, which is empty again once the job ended. */
function backendProperties(backend: string): { dynamicProperties: string[]; storesLeft: () => string[] } {
  const tmp = workDir();
  return { dynamicProperties: [`state.backend.type=${backend}`, `io.tmp.dirs=${tmp}`], storesLeft: () => readdirSync(tmp) };
}

describe.each(RUNS)('keyed state in a rich function after keyBy, %s backend, at parallelism %i', (backend, parallelism) => {
  it('counts and sums per key exactly, each key on one subtask', async () => {
    const count = 5000;
    const output = outputPath();
    const { dynamicProperties, storesLeft } = backendProperties(backend);
    expectFinished(await runJob({ job: join(JOBS, 'keyed-state-count.ts'), args: ['--count', String(count), '--output', output], parallelism, dynamicProperties }));
    expect(storesLeft()).toEqual([]);
    const running = new Map<string, { n: number; sum: number }>();
    const expected: string[] = [];
    for (let v = 1; v <= count; v++) {
      const key = `k${v % KEYS}`;
      const r = running.get(key) ?? { n: 0, sum: 0 };
      r.n++;
      r.sum += v;
      running.set(key, r);
      expected.push(`${key},${r.n},${r.sum}`);
    }
    const lines = readLines(output);
    expect(sorted(lines)).toEqual(sorted(expected));
    if (parallelism > 1) {
      // Per subtask file, each key's rows come in input order and no key is on two subtasks.
      const owner = new Map<string, number>();
      for (const [subtask, rows] of readLinesPerSubtask(output)) {
        const last = new Map<string, number>();
        for (const row of rows) {
          const [key, n] = row.split(',') as [string, string];
          expect(owner.get(key) ?? subtask).toBe(subtask);
          owner.set(key, subtask);
          expect(Number(n)).toBe((last.get(key) ?? 0) + 1);
          last.set(key, Number(n));
        }
      }
      expect(new Set(owner.values()).size).toBeGreaterThan(1);
    }
  });
});

describe.each(RUNS)('KeyedProcessFunction with processing-time timers, %s backend, at parallelism %i', (backend, parallelism) => {
  it('fires each registered timer once, not the deleted one, and the one still pending when the input ends', async () => {
    const output = outputPath();
    const { dynamicProperties } = backendProperties(backend);
    expectFinished(await runJob({ job: join(JOBS, 'keyed-state-processing-timers.ts'), args: ['--output', output], parallelism, dynamicProperties }));
    const keys = Array.from({ length: 10 }, (_, k) => `k${k}`);
    const expected = [...keys.map((k) => `${k}|PROCESSING_TIME|count=3|agree=true@undefined`), ...keys.map((k) => `side|${k}`)];
    // `never` (an hour ahead) fires once at the end of input: nothing waits forever in a bounded job.
    expected.push('never|PROCESSING_TIME|count=1|agree=true@undefined', 'side|never');
    expect(sorted(readLines(output))).toEqual(sorted(expected));
  });
});

describe('keyed state on a stream that is not keyed', () => {
  it.each(['open', 'record'])('fails the job, naming the operator (state asked for in %s)', async (when) => {
    const result = await runJob({ job: join(JOBS, 'keyed-state-non-keyed.ts'), args: ['--when', when, '--output', outputPath()], parallelism: 2 });
    expect(result.status).toBe('FAILED');
    expect(result.error?.operator).toBe('Stateful Map');
    expect(result.error?.message).toBe("Stateful Map: keyed state ('count') can only be used on a keyed stream, i.e. after keyBy(...)");
  });
});
