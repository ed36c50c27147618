/** The examples shown in the README run and print what the README says. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { expectFinished } from '../support/job-output.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

describe('examples/windowed-counts.ts', () => {
  it('prints per-window counts, a late update and the too-late clicks', async () => {
    const out: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
    expectFinished(await runJob({ job: `${EXAMPLES}windowed-counts.ts`, args: [], onOutput: (stream, data) => (out[stream] += data) }));
    // Worked out by hand from the example's click table, with watermark = max time − 2 s − 1 ms after each click:
    // [0,10) fires when bo@12 arrives (ana 1,4,9; bo 2), fires again with ana@8 (lateness 5 s),
    // [10,20) fires with ana@23, [20,30) with ana@31, [30,40) at the end of input;
    // bo@3 and bo@5 arrive once the watermark passed 14.999 s: the window was cleaned up.
    expect(out.stdout.split('\n').filter(Boolean)).toEqual([
      'ana: 3 clicks in [0 s, 10 s)',
      'bo: 1 clicks in [0 s, 10 s)',
      'ana: 4 clicks in [0 s, 10 s)',
      'bo: 2 clicks in [10 s, 20 s)',
      'ana: 1 clicks in [10 s, 20 s)',
      'ana: 1 clicks in [20 s, 30 s)',
      'ana: 1 clicks in [30 s, 40 s)',
    ]);
    expect(out.stderr.split('\n').filter(Boolean)).toEqual(['too late: bo@3 s', 'too late: bo@5 s']);
  });
});
