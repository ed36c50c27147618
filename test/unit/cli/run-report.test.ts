import { describe, expect, it } from 'vitest';
import { decorationEnabled, formatCount, formatElapsed } from '../../../src/cli/output.js';
import { formatProgress, RateMeter } from '../../../src/cli/progress.js';
import { failureMessage, formatRunSummary } from '../../../src/cli/run-report.js';
import type { RunResult, VertexSummary } from '../../../src/client/run.js';

const vertex = (name: string, parallelism: number, recordsIn: number, recordsOut: number): VertexSummary => ({
  id: name,
  name,
  parallelism,
  recordsIn,
  recordsOut,
  bytesIn: 0,
  bytesOut: 0,
  busyTimeMs: 0,
  backPressuredTimeMs: 0,
  counters: {},
});

const finished: RunResult = {
  jobId: 'abc123',
  jobName: 'wordcount',
  status: 'FINISHED',
  durationMs: 1234,
  runningMs: 1100,
  restarts: 0,
  vertices: [vertex('Source: readTextFile(a.txt) -> tokenizer', 2, 10, 12345), vertex('counter -> Sink: Print to Std. Out', 2, 12345, 12345)],
};

describe('formatRunSummary', () => {
  it('shows name, id, status, duration and a row per vertex', () => {
    expect(formatRunSummary(finished)).toBe(
      [
        "Job 'wordcount' (abc123) FINISHED in 1.23 s",
        '  Vertex                                    Parallelism  Records in  Records out',
        '  Source: readTextFile(a.txt) -> tokenizer            2          10       12,345',
        '  counter -> Sink: Print to Std. Out                  2      12,345       12,345',
        '',
      ].join('\n'),
    );
  });
});

describe('failureMessage', () => {
  it('names the operator and the subtask', () => {
    const failed: RunResult = { ...finished, status: 'FAILED', error: { message: 'boom', operator: 'fragile map', subtask: 1 } };
    expect(failureMessage(failed)).toBe("job 'wordcount' failed: fragile map (subtask 1): boom");
  });

  it('does not repeat the operator when the message already starts with it', () => {
    const failed: RunResult = {
      ...finished,
      status: 'FAILED',
      error: { message: 'fragile map (subtask 0) threw: boom', operator: 'fragile map', subtask: 0 },
    };
    expect(failureMessage(failed)).toBe("job 'wordcount' failed: fragile map (subtask 0): boom");
  });

  it('works without an operator', () => {
    expect(failureMessage({ ...finished, status: 'FAILED', error: { message: 'worker died' } })).toBe("job 'wordcount' failed: worker died");
  });
});

describe('progress', () => {
  it('formats status, source records, rate and elapsed time', () => {
    const progress = { jobId: 'a', jobName: 'j', status: 'RUNNING' as const, elapsedMs: 2100, sourceRecords: 12345, vertices: [] };
    expect(formatProgress(progress, 6012.4)).toBe('RUNNING  12,345 records  6,012 records/s  2.10 s');
  });

  it('measures the rate between snapshots', () => {
    const meter = new RateMeter();
    expect(meter.update(1000, 1000)).toBe(1000);
    expect(meter.update(4000, 2000)).toBe(2000); // half of 3000/s and half of the previous 1000/s
  });

  it('decorates only a terminal stderr, outside CI and without --json', () => {
    const terminal = { isTTY: true, columns: 80 };
    expect(decorationEnabled(false, terminal, {})).toBe(true);
    expect(decorationEnabled(true, terminal, {})).toBe(false);
    expect(decorationEnabled(false, { isTTY: false, columns: 80 }, {})).toBe(false);
    expect(decorationEnabled(false, terminal, { CI: 'true' })).toBe(false);
    // A pseudo-terminal without a size (columns 0) cannot redraw a line.
    expect(decorationEnabled(false, { isTTY: true, columns: 0 }, {})).toBe(false);
  });

  it('formats counts and durations independently of the locale', () => {
    expect(formatCount(1234567.4)).toBe('1,234,567');
    expect([formatElapsed(850), formatElapsed(1234), formatElapsed(12_345), formatElapsed(125_000)]).toEqual(['850 ms', '1.23 s', '12.3 s', '2 min 05 s']);
  });
});
