/**
 * RELIABILITY R3: back-pressure with tiny network buffers and a slow sink
 * while checkpoints run. The two-phase-commit sink of the fixture pauses
 * 5 ms every 200 records, so the buffers between source and sink stay full;
 * aligned barriers queue behind the data. A planned failure after a
 * checkpoint must still give exactly the input sequence in the committed
 * files (computed without the engine), and checkpoints must keep completing
 * while the job is back-pressured; their durations are reported.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { markerLines } from '../support/fault-truth.js';
import { JOBS, expectFinished, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();
const COUNT = 40_000;

function committed(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('committed-'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((line) => line.length > 0).map(Number))
    .sort((a, b) => a - b);
}

/** Per checkpoint id of attempt `attempt`: complete − first snapshot, ms. */
function durations(markers: string, attempt: number): Map<number, number> {
  const snapshots = new Map<number, number>();
  const result = new Map<number, number>();
  for (const line of markerLines(markers, 'checkpoints')) {
    const [event, id, at, , a] = line.split(' ') as [string, string, string, string, string];
    if (Number(a) !== attempt) continue;
    if (event === 'snapshot' && !snapshots.has(Number(id))) snapshots.set(Number(id), Number(at));
    if (event === 'complete' && snapshots.has(Number(id)) && !result.has(Number(id))) result.set(Number(id), Number(at) - snapshots.get(Number(id))!);
  }
  return result;
}

describe('R3: back-pressure with tiny buffers and a slow sink during checkpoints', () => {
  it.each([1, 3])('exactly once through a failure at parallelism %i, checkpoints completing under back-pressure', async (parallelism) => {
    const output = workDir();
    const markers = workDir();
    mkdirSync(markers, { recursive: true });
    const result = await runJob({
      job: join(JOBS, 'two-phase-sink.ts'),
      parallelism,
      args: ['--count', String(COUNT), '--interval', '50', '--checkpoints', workDir(), '--output', output, '--markers', markers,
        '--fail-after-checkpoint', 'true', '--slow-every', '200', '--slow-ms', '5'],
      // The smallest buffers: 4 KiB segments, one per channel (and the default overdraft a poll may need).
      dynamicProperties: ['taskmanager.memory.segment-size=4kb', 'taskmanager.network.memory.buffers-per-channel=1'],
    });
    expectFinished(result);
    expect(result.restartHistory?.map((r) => r.cause)).toEqual([expect.stringMatching(/^planned failure at \d+/)]);
    expect(committed(output)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));

    // The restarted attempt ran ~1 s against the slow sink: checkpoints completed meanwhile, not only the final one.
    const after = durations(markers, 1);
    expect(after.size).toBeGreaterThanOrEqual(2);
    const sorted = [...after.values()].sort((a, b) => a - b);
    console.log(`R3 p=${parallelism}: ${after.size} checkpoints under back-pressure, duration median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms`);
  });
});
