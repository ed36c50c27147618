/** The examples shown in the README run and print what the README says. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { expectFinished } from '../support/job-output.js';
import { finishedPartFileLines, rabbitMqExampleTruth, withTestQueue } from '../support/rabbitmq.js';
import { describeWithRabbitMq, rabbitMqUrl } from '../support/services.js';

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

describeWithRabbitMq('examples/rabbitmq-to-files.ts', () => {
  it('publishes 1000 orders, then copies the large ones to finished part files, each exactly once', async () => {
    await withTestQueue(async (queue, broker, dir) => {
      const job = `${EXAMPLES}rabbitmq-to-files.ts`;
      const common = ['--uri', rabbitMqUrl, '--queue', queue, '--interval', '100'];
      expectFinished(await runJob({ job, args: [...common, '--publish', '1000'] }));
      expect(await broker.count(queue)).toBe(1001);
      expectFinished(await runJob({ job, args: [...common, '--output', dir] }));
      expect(finishedPartFileLines(dir).sort()).toEqual(rabbitMqExampleTruth(1000).sort());
      expect(await broker.count(queue)).toBe(0);
    });
  });
});

describe('examples/file-monitor.ts', () => {
  /** Σ count per word (and `#lines`) over the finished part files of `dir` (hour buckets), checking each line's form. */
  function totals(dir: string): Map<string, number> {
    const sums = new Map<string, number>();
    let buckets: string[] = [];
    try {
      buckets = readdirSync(dir);
    } catch {
      return sums;
    }
    for (const bucket of buckets) {
      expect(bucket).toMatch(/^\d{4}-\d{2}-\d{2}--\d{2}$/);
      for (const name of readdirSync(join(dir, bucket)).filter((n) => !n.startsWith('.'))) {
        for (const line of readFileSync(join(dir, bucket, name), 'utf8').split('\n').slice(0, -1)) {
          const [, key, count] = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (\S+) (\d+)$/.exec(line)!;
          sums.set(key!, (sums.get(key!) ?? 0) + Number(count));
        }
      }
    }
    return sums;
  }

  it('counts the words and lines of files dropped into a watched directory, each exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flinkts-file-monitor-'));
    try {
      const input = join(dir, 'words');
      const output = join(dir, 'counts');
      mkdirSync(join(input, 'nested'), { recursive: true });
      const controller = new AbortController();
      const args = ['--input', input, '--output', output, '--window-seconds', '1', '--checkpoint-interval', '200', '--monitor-interval', '100'];
      const run = runJob({ job: `${EXAMPLES}file-monitor.ts`, args, parallelism: 2, signal: controller.signal });
      // Written under a hidden name, then renamed into place.
      const drop = (name: string, text: string) => {
        const temp = join(input, `.${name.replace('/', '-')}.tmp`);
        writeFileSync(temp, text);
        renameSync(temp, join(input, name));
      };
      drop('a.txt', 'To be, or not to be:\nthat is the question.\n');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      drop('nested/b.txt', "Be quick, don't be late\n");
      // Counted by hand from the two files.
      const expected = new Map(Object.entries({ '#lines': 3, to: 2, be: 4, or: 1, not: 1, that: 1, is: 1, the: 1, question: 1, quick: 1, "don't": 1, late: 1 }));
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && totals(output).get('#lines') !== 3) await new Promise((resolve) => setTimeout(resolve, 100));
      // Whatever a duplicate would add arrives within a few windows and checkpoints.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      controller.abort();
      expect((await run).status).toBe('CANCELED');
      expect(totals(output)).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
