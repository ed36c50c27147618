/**
 * Real jobs on the embedded MiniCluster (worker threads, network exchanges),
 * at parallelism 1, 2 and 4, compared with results computed here directly.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { READINGS } from '../fixtures/jobs/aggregations.js';
import { JOBS, readLines, readLinesPerSubtask, sorted, expectFinished, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();

const TEXT = [
  'To be, or not to be, that is the question:',
  "Whether 'tis nobler in the mind to suffer",
  'The slings and arrows of outrageous fortune,',
  'Or to take arms against a sea of troubles',
  'And by opposing end them. To die—to sleep,',
  'No more; and by a sleep to say we end',
].join('\n');

describe.each([1, 2, 4])('at parallelism %i', (parallelism) => {
  it('counts words: every rolling count of every word, exactly once', async () => {
    const dir = workDir();
    const input = join(dir, 'input.txt');
    writeFileSync(input, TEXT.repeat(50));
    const output = join(dir, 'out');
    const result = await runJob({ job: join(JOBS, 'word-count.ts'), args: ['--input', input, '--output', output], parallelism });
    expectFinished(result);

    const counts = new Map<string, number>();
    for (const word of TEXT.repeat(50).toLowerCase().split(/\W+/)) if (word) counts.set(word, (counts.get(word) ?? 0) + 1);
    const expected: string[] = [];
    for (const [word, n] of counts) for (let i = 1; i <= n; i++) expected.push(`(${word},${i})`);
    expect(sorted(readLines(output))).toEqual(sorted(expected));
  });

  it('keeps each key on one subtask and emits rolling updates in input order per key', async () => {
    const dir = workDir();
    const output = join(dir, 'out');
    const result = await runJob({ job: join(JOBS, 'aggregations.ts'), args: ['--agg', 'sum', '--output', output], parallelism });
    expectFinished(result);
    const lines = parallelism === 1 ? new Map([[0, readLines(output)]]) : readLinesPerSubtask(output);
    const subtaskOfKey = new Map<string, number>();
    for (const [subtask, rows] of lines) {
      for (const row of rows) {
        const key = row.slice(1, row.indexOf(','));
        expect(subtaskOfKey.get(key) ?? subtask).toBe(subtask);
        subtaskOfKey.set(key, subtask);
      }
    }
    // Per key, the running sums in order: a: 5, 7, 14, 16; b: 3, 6, 15, 16; c: 1, 2.
    const perKey = new Map<string, string[]>();
    for (const rows of lines.values()) for (const row of rows) perKey.set(row[1]!, [...(perKey.get(row[1]!) ?? []), row]);
    expect(perKey.get('a')).toEqual(['(a,5,0)', '(a,7,0)', '(a,14,0)', '(a,16,0)']);
    expect(perKey.get('b')).toEqual(['(b,3,1)', '(b,6,1)', '(b,15,1)', '(b,16,1)']);
    expect(perKey.get('c')).toEqual(['(c,1,5)', '(c,2,5)']);
  });

  it('routes side outputs and unions them with the main output', async () => {
    const dir = workDir();
    const output = join(dir, 'out');
    const n = 5000;
    const result = await runJob({ job: join(JOBS, 'side-outputs.ts'), args: ['--count', String(n), '--output', output], parallelism });
    expectFinished(result);
    const expected: string[] = [];
    for (let v = 1; v <= n; v++) {
      const x = v * 3;
      if (x % 5 === 0) continue;
      expected.push(x % 2 === 0 ? `even:${x}` : `ODD:${x}`);
    }
    expect(sorted(readLines(output))).toEqual(sorted(expected));
  });
});

describe('rolling aggregations (parallelism 2)', () => {
  // Expected rows worked out by hand from READINGS (fields other than the aggregated one come from the key's first record for min/max/sum; minBy/maxBy return whole records, the first of equals).
  const cases: Record<string, Record<string, string[]>> = {
    min: { a: ['(a,5,0)', '(a,2,0)', '(a,2,0)', '(a,2,0)'], b: ['(b,3,1)', '(b,3,1)', '(b,3,1)', '(b,1,1)'], c: ['(c,1,5)', '(c,1,5)'] },
    max: { a: ['(a,5,0)', '(a,5,0)', '(a,7,0)', '(a,7,0)'], b: ['(b,3,1)', '(b,3,1)', '(b,9,1)', '(b,9,1)'], c: ['(c,1,5)', '(c,1,5)'] },
    minBy: { a: ['(a,5,0)', '(a,2,2)', '(a,2,2)', '(a,2,2)'], b: ['(b,3,1)', '(b,3,1)', '(b,3,1)', '(b,1,9)'], c: ['(c,1,5)', '(c,1,5)'] },
    maxBy: { a: ['(a,5,0)', '(a,5,0)', '(a,7,3)', '(a,7,3)'], b: ['(b,3,1)', '(b,3,1)', '(b,9,7)', '(b,9,7)'], c: ['(c,1,5)', '(c,1,5)'] },
  };
  it.each(Object.keys(cases))('%s on tuple index 1', async (agg) => {
    const output = join(workDir(), 'out');
    expectFinished(await runJob({ job: join(JOBS, 'aggregations.ts'), args: ['--agg', agg, '--output', output], parallelism: 2 }));
    const perKey = new Map<string, string[]>();
    for (const rows of readLinesPerSubtask(output).values()) for (const row of rows) perKey.set(row[1]!, [...(perKey.get(row[1]!) ?? []), row]);
    expect(Object.fromEntries(perKey)).toEqual(cases[agg]);
  });

  it('sum on an object field keeps the other fields of the first record', async () => {
    const output = join(workDir(), 'out');
    expectFinished(await runJob({ job: join(JOBS, 'aggregations.ts'), args: ['--agg', 'sum', '--shape', 'object', '--output', output], parallelism: 2 }));
    const lastPerKey = new Map<string, unknown>();
    for (const rows of readLinesPerSubtask(output).values()) {
      for (const row of rows) {
        const parsed = JSON.parse(row) as { sensor: string };
        lastPerKey.set(parsed.sensor, parsed);
      }
    }
    const totals = new Map<string, number>();
    for (const [sensor, value] of READINGS) totals.set(sensor, (totals.get(sensor) ?? 0) + value);
    expect(lastPerKey.get('a')).toEqual({ sensor: 'a', value: totals.get('a'), seq: 0 });
    expect(lastPerKey.get('b')).toEqual({ sensor: 'b', value: totals.get('b'), seq: 1 });
    expect(lastPerKey.get('c')).toEqual({ sensor: 'c', value: totals.get('c'), seq: 5 });
  });
});

describe('partitioners (source parallelism 2 → map parallelism 3)', () => {
  const count = 3000;
  async function run(mode: string): Promise<Map<number, number[]>> {
    const output = join(workDir(), 'out');
    expectFinished(await runJob({ job: join(JOBS, 'partitioners.ts'), args: ['--mode', mode, '--count', String(count), '--output', output], parallelism: 3 }));
    const bySubtask = new Map<number, number[]>();
    for (const line of readLines(output)) {
      const [subtask, value] = line.split(':').map(Number) as [number, number];
      bySubtask.set(subtask, [...(bySubtask.get(subtask) ?? []), value]);
    }
    return bySubtask;
  }
  const all = Array.from({ length: count }, (_, i) => i);
  const flat = (m: Map<number, number[]>): number[] => [...m.values()].flat().sort((a, b) => a - b);

  it('rebalance spreads evenly (round-robin per producer)', async () => {
    const result = await run('rebalance');
    expect(flat(result)).toEqual(all);
    // Each producer sends 1500 records round-robin over 3 channels: 500 per channel, 1000 per consumer.
    for (const subtask of [0, 1, 2]) expect(result.get(subtask)).toHaveLength(1000);
  });

  it('global sends everything to subtask 0', async () => {
    const result = await run('global');
    expect([...result.keys()]).toEqual([0]);
    expect(flat(result)).toEqual(all);
  });

  it('broadcast delivers every record to every subtask', async () => {
    const result = await run('broadcast');
    for (const subtask of [0, 1, 2]) expect([...result.get(subtask)!].sort((a, b) => a - b)).toEqual(all);
  });

  it('partitionCustom follows the partitioner', async () => {
    const result = await run('custom');
    for (const [subtask, values] of result) for (const v of values) expect(v % 3).toBe(subtask);
    expect(flat(result)).toEqual(all);
  });

  it('keyBy sends each key to the subtask owning its key group', async () => {
    const result = await run('hash');
    const owner = new Map<number, number>();
    for (const [subtask, values] of result) {
      for (const v of values) {
        expect(owner.get(v % 10) ?? subtask).toBe(subtask);
        owner.set(v % 10, subtask);
      }
    }
    expect(flat(result)).toEqual(all);
  });

  it('shuffle and rescale lose and duplicate nothing', async () => {
    expect(flat(await run('shuffle'))).toEqual(all);
    const rescaled = await run('rescale');
    expect(flat(rescaled)).toEqual(all);
  });
});

describe('functions and failures', () => {
  it('gives rich functions their parameters and runtime context', async () => {
    const output = join(workDir(), 'out');
    const result = await runJob({ job: join(JOBS, 'rich-functions.ts'), args: ['--tag', 'blue', '--output', output], parallelism: 2 });
    expectFinished(result);
    const rows = sorted(readLines(output));
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const [label, tag, subtasks, maxParallelism, taskName, value] = row.split('|');
      expect([label, tag, maxParallelism]).toEqual(['configured', 'blue', '128']);
      const index = Number(subtasks!.split('/')[0]);
      expect(subtasks).toBe(`${index}/2`);
      expect(taskName).toBe(`Describe -> Sink: writeAsText(${output}) (${index + 1}/2)`);
      expect(Number(value)).toBeGreaterThanOrEqual(1);
    }
    expect(rows.map((r) => Number(r.split('|')[5])).sort()).toEqual([1, 2, 3, 4]);
  });

  it('fails the job when a function throws, naming the operator and subtask', async () => {
    const output = join(workDir(), 'out');
    const result = await runJob({ job: join(JOBS, 'failing.ts'), args: ['--fail-at', '4242', '--output', output], parallelism: 2 });
    expect(result.status).toBe('FAILED');
    expect(result.error?.operator).toBe('Exploding Map');
    // fromSequence(0, 10000) at parallelism 2: subtask 0 reads 0..5000, so 4242 is in subtask 0.
    expect(result.error?.subtask).toBe(0);
    expect(result.error?.message).toBe('bad record 4242');
  });

  it('fails the job when a slot worker dies', async () => {
    const output = join(workDir(), 'out');
    const result = await runJob({ job: join(JOBS, 'worker-exit.ts'), args: ['--output', output], parallelism: 1 });
    expect(result.status).toBe('FAILED');
    expect(result.error?.message).toBe('slot worker 0 exited with code 3');
  });

  it('back-pressures a fast source behind a slow sink: the lead stays within the buffers in flight', async () => {
    const output = join(workDir(), 'counters.json');
    const count = 200_000;
    const result = await runJob({
      job: join(JOBS, 'back-pressure.ts'),
      args: ['--count', String(count), '--output', output],
      parallelism: 1,
      dynamicProperties: ['taskmanager.memory.segment-size=4kb', 'taskmanager.network.memory.buffers-per-channel=2'],
    });
    expectFinished(result);
    const counters = JSON.parse(readLines(output)[0]!) as { emitted: number; consumed: number; maxLead: number };
    expect(counters.emitted).toBe(count);
    expect(counters.consumed).toBe(count);
    // Two exchanges (source → map → sink), each at most 2 segments plus the one being filled,
    // with at least 2 bytes per record (tag + small int): the lead can never exceed this.
    const bound = 2 * (2 + 1) * (4096 / 2);
    expect(counters.maxLead).toBeGreaterThan(0);
    expect(counters.maxLead).toBeLessThanOrEqual(bound);
  });
});
