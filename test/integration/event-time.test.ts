/**
 * Event time on the MiniCluster: watermarks from strategies, event-time
 * timers of KeyedProcessFunction, the watermark minimum over inputs, idle
 * inputs, the end of input, and bad timestamps. Each expected result is
 * computed here from the fixture's input, without the engine.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { BOUND, EVENTS, SIZE } from '../fixtures/jobs/event-time-timers.js';
import { eventsOf } from '../fixtures/jobs/event-time-watermark-min.js';
import { READINGS } from '../fixtures/jobs/event-time-bad-timestamp.js';
import { JOBS, readLines, sorted, expectFinished, workDirs } from '../support/job-output.js';

const { outputPath } = workDirs();

/**
 * The hand-written tumbling window of event-time-timers.ts, simulated: the
 * watermark before each element is max(previous timestamps) − BOUND − 1.
 */
function expectedHandWindows(): string[] {
  let max = Number.NEGATIVE_INFINITY;
  const windows = new Map<string, { key: string; start: number; sum: number }>();
  const lines: string[] = [];
  for (const ev of EVENTS) {
    const watermark = max - BOUND - 1;
    if (ev.ts <= watermark) {
      lines.push(`late|${ev.key}|${ev.ts}|${ev.value}`);
    } else {
      const start = Math.floor(ev.ts / SIZE) * SIZE;
      const id = `${ev.key}|${start}`;
      if (ev.cancel === true) windows.delete(id);
      else windows.set(id, { key: ev.key, start, sum: (windows.get(id)?.sum ?? 0) + ev.value });
    }
    max = Math.max(max, ev.ts);
  }
  for (const { key, start, sum } of windows.values()) lines.push(`${key}|${start}|${sum}|EVENT_TIME@${start + SIZE - 1}`);
  return lines;
}

describe.each([1, 4])('KeyedProcessFunction with event-time timers at parallelism %i', (parallelism) => {
  it('fires one timer per key and window when the watermark passes it, late elements to the side output', async () => {
    const output = outputPath();
    expectFinished(await runJob({ job: join(JOBS, 'event-time-timers.ts'), args: ['--output', output], parallelism }));
    const expected = expectedHandWindows();
    // The input really is out of order within and beyond the bound, and cancels windows.
    expect(expected.filter((l) => l.startsWith('late|')).length).toBeGreaterThan(10);
    const maxBefore = EVENTS.map((_, i) => Math.max(...EVENTS.slice(0, i).map((p) => p.ts)));
    const disorderedButOnTime = EVENTS.filter((e, i) => e.ts < maxBefore[i]! && e.ts > maxBefore[i]! - BOUND - 1);
    expect(disorderedButOnTime.length).toBeGreaterThan(10);
    expect(sorted(readLines(output))).toEqual(sorted(expected));
  });
});

describe('the watermark is the minimum over inputs', () => {
  /** For every element (k, t): `k@t:n`, n = elements of k over all sources with ts <= t. */
  function expectedCounts(sources: number): string[] {
    const all = Array.from({ length: sources }, (_, i) => eventsOf(i, sources)).flat();
    return all.map((e) => `${e.key}@${e.ts}:${all.filter((o) => o.key === e.key && o.ts <= e.ts).length}`);
  }

  it.each([
    ['parallel', 2, 2],
    ['parallel', 4, 4],
    ['union', 2, 1],
    ['union', 3, 4],
  ])('%s sources (%i inputs, keyed parallelism %i): no timer fires before the lagging input passed it', async (mode, sources, parallelism) => {
    const output = outputPath();
    const result = await runJob({
      job: join(JOBS, 'event-time-watermark-min.ts'),
      args: ['--mode', mode, '--sources', String(sources), '--output', output],
      parallelism,
    });
    expectFinished(result);
    expect(sorted(readLines(output))).toEqual(sorted(expectedCounts(sources)));
  });
});

describe.each([1, 4])('idle inputs at parallelism %i', (parallelism) => {
  it('leaves an idle input out, so the other input moves the watermark; the end of input fires the rest', async () => {
    const output = outputPath();
    expectFinished(await runJob({ job: join(JOBS, 'event-time-idleness.ts'), args: ['--output', output], parallelism }));
    const expected = [
      ...Array.from({ length: 91 }, (_, i) => `fired A@${100 + i * 10}`),
      ...[1, 2, 3, 4, 5].map((t) => `fired B@${t}`),
      'late B:6 wm=1000',
    ];
    const lines = readLines(output);
    expect(sorted(lines)).toEqual(sorted(expected));
    if (parallelism === 1) {
      // One subtask, one file: A's timers fired while B was idle, before B's element came back.
      expect(lines.indexOf('fired A@1000')).toBeLessThan(lines.indexOf('late B:6 wm=1000'));
    }
  });

  it('an input that ends while idle still delivers its end-of-input watermark', async () => {
    const output = outputPath();
    expectFinished(await runJob({ job: join(JOBS, 'event-time-idleness.ts'), args: ['--mode', 'idle-then-end', '--output', output], parallelism }));
    expect(sorted(readLines(output))).toEqual([1, 2, 3, 4, 5].map((t) => `fired C@${t}`));
  });
});

describe('a legacy source that marked itself idle', () => {
  it('counts again in the watermark minimum once it emits', async () => {
    const output = outputPath();
    expectFinished(await runJob({ job: join(JOBS, 'event-time-source-idleness.ts'), args: ['--output', output], parallelism: 2 }));
    const expected = [...Array.from({ length: 30 }, (_, i) => `fired A@${100 + i * 100}`), 'fired B@1200', 'fired B@1300'];
    expect(sorted(readLines(output))).toEqual(sorted(expected));
  });

  it('still delivers its end-of-input watermark when it ends idle', async () => {
    const output = outputPath();
    const args = ['--mode', 'idle-then-end', '--output', output];
    expectFinished(await runJob({ job: join(JOBS, 'event-time-source-idleness.ts'), args, parallelism: 2 }));
    expect(sorted(readLines(output))).toEqual(['fired B@1200', 'fired B@1300']);
  });
});

describe('a timestamp that is not a finite number', () => {
  const shown = `${JSON.stringify(READINGS[2]).slice(0, 200)}…`;

  it('fails the job naming the operator and showing the record cut to 200 characters', async () => {
    const result = await runJob({ job: join(JOBS, 'event-time-bad-timestamp.ts'), args: ['--output', outputPath()], parallelism: 1 });
    expect(result.status).toBe('FAILED');
    expect(result.error?.operator).toBe('Assign Event Time');
    expect(result.error?.message).toBe(`the timestamp assigner returned NaN for record ${shown}`);
  });

  it('fails the same way when there is no assigner and the record has no timestamp', async () => {
    const result = await runJob({ job: join(JOBS, 'event-time-bad-timestamp.ts'), args: ['--no-assigner', '--output', outputPath()], parallelism: 1 });
    expect(result.status).toBe('FAILED');
    expect(result.error?.operator).toBe('Assign Event Time');
    expect(result.error?.message).toBe(`the timestamp assigner returned undefined (the record has no timestamp and no assigner was set) for record ${JSON.stringify(READINGS[0])}`);
  });
});
