/**
 * Windows on the embedded MiniCluster at parallelism 1 and 4, with each keyed
 * state backend (`-D state.backend.type=hashmap|embedded`): each scenario of
 * test/fixtures/jobs/windows-event-time.ts and windows-count.ts, with the
 * expected output worked out by hand from the fixture's event table (see the
 * comment above each expectation) — the same for both backends. Each key
 * lives on one subtask, so the lines of one key are in emission order.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { JOBS, readLines, sorted, expectFinished, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();

/** The output lines grouped by their first word (the key), in order. */
function byKey(lines: string[]): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const line of lines) (groups[line.split(' ')[0]!] ??= []).push(line);
  return groups;
}

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

async function scenario(name: string, parallelism: number, backend: string): Promise<{ main: string[]; late: string[] }> {
  const dir = workDir();
  const output = join(dir, 'out');
  const late = join(dir, 'late');
  const { dynamicProperties, storesLeft } = backendProperties(backend);
  const result = await runJob({ job: join(JOBS, 'windows-event-time.ts'), args: ['--scenario', name, '--output', output, '--late', late], parallelism, dynamicProperties });
  expectFinished(result);
  expect(storesLeft()).toEqual([]);
  const main = readLines(output);
  return { main, late: ['tumbling', 'lateness'].includes(name) ? readLines(late) : [] };
}

describe.each(RUNS)('event-time windows, %s backend, at parallelism %i', (backend, parallelism) => {
  it('tumbling: out-of-order within the bound counts, beyond it goes to the late side output', async () => {
    // Bound 3 (watermark = max − 4 after each new maximum). a@15 raises it to 11: [0,10) fires for a (1,5,7), b (3), c (2).
    // Then a@4 (wm 11), b@8 (wm 12) and c@9 (wm 26) belong to cleaned-up windows: late. c@30 (wm 26) fires [10,20)
    // for a (12,15) and b (16); the end of input fires c's [30,40).
    const { main, late } = await scenario('tumbling', parallelism, backend);
    expect(byKey(main)).toEqual({
      a: ['a [0,10): 1,5,7', 'a [10,20): 12,15'],
      b: ['b [0,10): 3', 'b [10,20): 16'],
      c: ['c [0,10): 2', 'c [30,40): 30'],
    });
    expect(sorted(late)).toEqual(['late a 4@4', 'late b 8@8', 'late c 9@9']);
  });

  it('allowed lateness: late elements fire the window again with everything so far, until cleanup', async () => {
    // Bound 0, lateness 5: a@11 (wm 10) fires [0,10) = 1,3; a@5 and, after wm 13, a@2 are late but within the
    // lateness: each fires the window again. a@15 (wm 14) reaches cleanup (9 + 5); a@6 is then late → side output.
    // b@20 (wm 19) fires a's [10,20); the end fires b's [20,30).
    const { main, late } = await scenario('lateness', parallelism, backend);
    expect(byKey(main)).toEqual({
      a: ['a [0,10): 1,3', 'a [0,10): 1,3,5', 'a [0,10): 1,3,5,2', 'a [10,20): 11,14,15'],
      b: ['b [20,30): 20'],
    });
    expect(late).toEqual(['late a 6@6']);
  });

  it('sliding: each element in size/slide windows; an element late for one of them still counts in the other', async () => {
    // Size 10, slide 5, bound 0. a@6 (wm 5) fires a's [−5,5) = 1. b@3 then lands in [0,10) only ([−5,5) is past cleanup).
    // a@12 (wm 11) fires [0,10) for a (1,6) and b (3); the end fires [5,15) and [10,20).
    const { main } = await scenario('sliding', parallelism, backend);
    expect(byKey(main)).toEqual({
      a: ['a [-5,5): 1', 'a [0,10): 1,6', 'a [5,15): 6,12', 'a [10,20): 12'],
      b: ['b [0,10): 3'],
    });
  });

  it('sessions: an out-of-order event bridging two sessions merges them', async () => {
    // Gap 10, bound 10. a: 1 → [1,11), 15 → [15,25), 8 → [8,18) bridges both → [1,25) with 1,15,8 (the state of [1,11)
    // first). b: [0,10) fires at b@30 (wm 19); [30,40) at the end.
    const { main } = await scenario('session', parallelism, backend);
    expect(byKey(main)).toEqual({ a: ['a [1,25): 1,15,8'], b: ['b [0,10): 0', 'b [30,40): 30'] });
  });

  it('sessions with allowed lateness: a late event merges a session that already fired with the next one', async () => {
    // Gap 10, bound 0, lateness 10: a@15 (wm 14) fires [1,11) = 1. a@8 (8 + 10 > 14: not late) → [8,18) merges
    // [1,11) (kept until 20) and [15,25) into [1,25), which fires at the end with 1,15,8.
    const { main } = await scenario('session-lateness', parallelism, backend);
    expect(main).toEqual(['a [1,11): 1', 'a [1,25): 1,15,8']);
  });

  it('aggregate with a ProcessWindowFunction: the average per key and window, with key and window in the context', async () => {
    // [0,10): a (1 + 2) / 2 = 1.5, b 4; [10,20): a 6, b 8. Records carry maxTimestamp (9, 19).
    const { main } = await scenario('aggregate', parallelism, backend);
    expect(byKey(main)).toEqual({
      'a/a': ['a/a [0,10) at 9: avg 1.5', 'a/a [10,20) at 19: avg 6'],
      'b/b': ['b/b [0,10) at 9: avg 4', 'b/b [10,20) at 19: avg 8'],
    });
  });

  it('windowAll: every key in one window per interval, at parallelism 1', async () => {
    // The sink runs at the job's parallelism: the two results may land in different files.
    const { main } = await scenario('all', parallelism, backend);
    expect(sorted(main)).toEqual(['[0,10): a1,b4,c2', '[10,20): a6,b8']);
  });

  it('event-time windows without a watermark strategy fail at start, naming the window and where to add one', async () => {
    const output = join(workDir(), 'out');
    // No check that the stores are gone: the workers of a failed job are terminated, maybe before they deleted them.
    const { dynamicProperties } = backendProperties(backend);
    const result = await runJob({ job: join(JOBS, 'windows-event-time.ts'), args: ['--scenario', 'no-watermarks', '--output', output], parallelism, dynamicProperties });
    expect(result.status).toBe('FAILED');
    expect(result.error?.message).toMatch(/^Hourly counts: event-time windows need timestamps and watermarks, but no watermark strategy is set upstream/);
    expect(result.error?.message).toMatch(/call assignTimestampsAndWatermarks\(.*\) on the stream before keyBy\(\.\.\.\)\.window\(\.\.\.\)/);
  });
});

describe.each(RUNS)('count and processing-time windows, %s backend, at parallelism %i', (backend, parallelism) => {
  async function run(name: string): Promise<string[]> {
    const output = join(workDir(), 'out');
    const { dynamicProperties, storesLeft } = backendProperties(backend);
    expectFinished(await runJob({ job: join(JOBS, 'windows-count.ts'), args: ['--scenario', name, '--output', output], parallelism, dynamicProperties }));
    expect(storesLeft()).toEqual([]);
    return sorted(readLines(output));
  }

  it('countWindow(3): the first 3 values of each key; the rest never fills a window', async () => {
    // odd: 1 + 3 + 5 = 9 (7, 9 left); even: 2 + 4 + 6 = 12 (8, 10 left).
    expect(await run('count')).toEqual(['tumbling 12', 'tumbling 9']);
  });

  it('countWindow(3, 2): every 2 values, the last 3', async () => {
    // odd: after 1,3 → 1,3; after 5,7 → 3,5,7; 9 alone does not fire. even: 2,4 → 2,4; 8 → 4,6,8.
    expect(await run('count-sliding')).toEqual(['even 2,4', 'even 4,6,8', 'odd 1,3', 'odd 3,5,7']);
  });

  it('processing-time windows fire at the end of input', async () => {
    // One window of 1000 days holds everything: odd 1+3+5+7+9, even 2+4+6+8+10.
    expect(await run('processing-time')).toEqual(['even 30', 'odd 25']);
  });
});
