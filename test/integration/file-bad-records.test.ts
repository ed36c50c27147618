/**
 * RELIABILITY B1 for files (test/fixtures/jobs/file-bad-records.ts): JSON-lines
 * files with 1 % malformed lines (broken JSON, invalid UTF-8, a record the
 * format's map rejects). fail: the job fails naming the file and the line;
 * skip: the output is exactly the valid records and `numRecordsSkipped`
 * equals the lines injected; dead-letter: the side output holds exactly the
 * raw bytes of each bad line with its file and line. Expected values come
 * from the generator.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { JOBS, expectFinished, readLines, sorted, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();
const JOB = join(JOBS, 'file-bad-records.ts');

interface Input {
  readonly dir: string;
  readonly validIds: number[];
  /** Per bad line: its file, 1-based line number and raw bytes. */
  readonly bad: { file: string; line: number; raw: Buffer }[];
}

/** 6 files of 1500 lines; every 100th line (from an offset per file) is bad, in one of three ways. */
function generate(dir: string): Input {
  const validIds: number[] = [];
  const bad: Input['bad'] = [];
  let id = 0;
  for (let f = 0; f < 6; f++) {
    const file = join(dir, f % 2 === 0 ? 'a' : 'b', `events-${f}.jsonl`);
    mkdirSync(join(file, '..'), { recursive: true });
    const chunks: Buffer[] = [];
    for (let line = 1; line <= 1500; line++) {
      let raw: Buffer;
      if ((line + f * 37) % 100 === 0) {
        const kind = (line + f) % 3;
        raw =
          kind === 0
            ? Buffer.from(`{"id":${id},"cut`)
            : kind === 1
              ? Buffer.concat([Buffer.from('{"id":'), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('}')])
              : Buffer.from(`{"name":"no id ${id}"}`);
        bad.push({ file, line, raw });
      } else {
        raw = Buffer.from(JSON.stringify({ id, pad: 'p'.repeat(id % 11) }));
        validIds.push(id);
      }
      id++;
      chunks.push(raw, Buffer.from('\n'));
    }
    writeFileSync(file, Buffer.concat(chunks));
  }
  return { dir, validIds, bad };
}

describe('RELIABILITY B1: malformed lines in files', () => {
  it('the input has 1 % bad lines', () => {
    const input = generate(workDir());
    expect(input.bad.length).toBe(90);
    expect(input.validIds.length + input.bad.length).toBe(9000);
  });

  it('fail: the job fails with BAD_RECORD naming the file and the line', async () => {
    const input = generate(workDir());
    const result = await runJob({ job: JOB, parallelism: 2, args: ['--input', input.dir, '--policy', 'fail', '--output', workDir()] });
    expect(result.status).toBe('FAILED');
    expect(result.error?.code).toBe('BAD_RECORD');
    // A reader fails on the first bad line of the first file it reads.
    const firsts = [...new Set(input.bad.map((b) => b.file))].map((file) => input.bad.find((b) => b.file === file)!);
    const match = /^cannot deserialize the record at file (\S+) line (\d+): /.exec(result.error!.message);
    expect(match).not.toBeNull();
    expect(firsts.map((b) => `${b.file} ${b.line}`)).toContain(`${match![1]} ${match![2]}`);
  });

  it('skip: exactly the valid records, and numRecordsSkipped equals the bad lines', async () => {
    const input = generate(workDir());
    const output = join(workDir(), 'out');
    const result = await runJob({ job: JOB, parallelism: 2, args: ['--input', input.dir, '--policy', 'skip', '--output', output] });
    expectFinished(result);
    expect(sorted(readLines(output))).toEqual(sorted(input.validIds.map(String)));
    const skipped = result.vertices.reduce((sum, v) => sum + (v.counters.numRecordsSkipped ?? 0), 0);
    expect(skipped).toBe(input.bad.length);
  });

  it('dead-letter: exactly the raw bytes of every bad line, with file and line', async () => {
    const input = generate(workDir());
    const output = join(workDir(), 'out');
    const deadLetters = join(workDir(), 'dead');
    const result = await runJob({ job: JOB, parallelism: 2, args: ['--input', input.dir, '--policy', 'dead-letter', '--output', output, '--dead-letters', deadLetters] });
    expectFinished(result);
    expect(sorted(readLines(output))).toEqual(sorted(input.validIds.map(String)));
    expect(sorted(readLines(deadLetters))).toEqual(sorted(input.bad.map((b) => `${b.file} ${b.line} ${b.raw.toString('hex')}`)));
    const counted = result.vertices.reduce((sum, v) => sum + (v.counters.numRecordsDeadLettered ?? 0), 0);
    expect(counted).toBe(input.bad.length);
  });
});
