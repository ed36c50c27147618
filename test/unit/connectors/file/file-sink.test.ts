/**
 * FileSink writer and committer driven by hand: part files in progress →
 * pending → finished, rolling policies (size, rollover, inactivity, on
 * checkpoint) with exact part contents, bucket assigners, bulk formats,
 * restore (truncation to the checkpointed length, merging buckets after a
 * rescale), idempotent commits and clear errors.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import type { SinkWriter } from '../../../../src/api/sink.js';
import { BasePathBucketAssigner, DateTimeBucketAssigner, type BucketAssigner } from '../../../../src/connectors/file/bucket-assigners.js';
import { CsvBulkFormat, JsonLinesBulkFormat, OutputFileConfig, SimpleStringEncoder } from '../../../../src/connectors/file/encoders.js';
import { FileCommitter, type FileSinkCommittable } from '../../../../src/connectors/file/file-committer.js';
import { FileSink } from '../../../../src/connectors/file/file-sink.js';
import { TRUNCATED_COUNTER } from '../../../../src/connectors/file/file-sink-writer.js';
import { DefaultRollingPolicy, OnCheckpointRollingPolicy } from '../../../../src/connectors/file/rolling-policies.js';
import { Metrics, tempDirs, WRITE_CONTEXT, writerContext } from './harness.js';

const tempDir = tempDirs();
afterEach(() => {
  vi.useRealTimers();
});

/** 10 bytes each: `rec-00042\n`. */
const rec = (i: number) => `rec-${String(i).padStart(5, '0')}`;
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${rec(from + i)}\n`).join('');

/** Every file under `dir` (relative path → content), hidden ones included. */
function filesOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub)).sort()) {
      const rel = sub === '' ? name : `${sub}/${name}`;
      if (statSync(join(dir, rel)).isDirectory()) walk(rel);
      else out.set(rel, readFileSync(join(dir, rel), 'utf8'));
    }
  };
  walk('');
  return out;
}

const finished = (dir: string) => new Map([...filesOf(dir)].filter(([name]) => !name.split('/').pop()!.startsWith('.')));
const inProgress = (dir: string) => [...filesOf(dir).keys()].filter((name) => name.split('/').pop()!.startsWith('.'));
/** Finished contents in part-counter order. */
const finishedContents = (dir: string) =>
  [...finished(dir)].sort(([a], [b]) => Number(a.split('-').pop()) - Number(b.split('-').pop())).map(([, content]) => content);

function rowSink(dir: string, maxPartSize = 100) {
  return FileSink.forRowFormat(dir, new SimpleStringEncoder<string>())
    .withBucketAssigner(new BasePathBucketAssigner())
    .withRollingPolicy(DefaultRollingPolicy.builder().withMaxPartSize(maxPartSize).withRolloverInterval(3_600_000).withInactivityInterval(3_600_000).build())
    .build();
}

async function writeAll(writer: SinkWriter<string, FileSinkCommittable>, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) await writer.write(rec(i), WRITE_CONTEXT);
}

describe('FileSink row format', () => {
  it('rolls by size (checked before each record), finishes files only on commit, and all of them at the end of input', async () => {
    const dir = tempDir();
    const sink = rowSink(dir, 100);
    const writer = await sink.createWriter(writerContext());
    const committer = await sink.createCommitter();
    await writeAll(writer, 0, 25);
    // A part takes records while its size is at most 100: 11 records of 10 bytes (110 > 100 rolls before the 12th).
    const first = await writer.prepareCommit(1);
    expect(first.map((c) => c.size)).toEqual([110, 110]);
    expect(writer.snapshotState!(1)).toEqual([expect.objectContaining({ size: 30, bucketId: '' })]);
    // Pending and in-progress files are hidden until the commit.
    expect(finished(dir).size).toBe(0);
    expect(inProgress(dir)).toHaveLength(3);
    await committer.commit(first);
    expect(finishedContents(dir)).toEqual([lines(0, 11), lines(11, 22)]);
    await writer.endOfInput!();
    const last = await writer.prepareCommit(2);
    await committer.commit(last);
    await writer.close?.();
    expect(finishedContents(dir)).toEqual([lines(0, 11), lines(11, 22), lines(22, 25)]);
    expect(inProgress(dir)).toEqual([]);
    // <prefix>-<uid>-<subtask>-<n>, one uid per writer.
    const names = [...finished(dir).keys()];
    const uid = /^part-([0-9a-f-]{36})-0-0$/.exec(names.find((n) => n.endsWith('-0'))!)![1];
    expect(names.sort()).toEqual([0, 1, 2].map((n) => `part-${uid}-0-${n}`));
  });

  it('commits again idempotently, and fails naming the file when both names are gone', async () => {
    const dir = tempDir();
    const sink = rowSink(dir, 10);
    const writer = await sink.createWriter(writerContext());
    await writeAll(writer, 0, 3);
    await writer.endOfInput!();
    const committables = await writer.prepareCommit(1);
    const committer = new FileCommitter();
    await committer.commit(committables);
    const before = filesOf(dir);
    await committer.commit(committables);
    expect(filesOf(dir)).toEqual(before);
    const ghost = { ...committables[0]!, pendingPath: join(dir, '.gone'), finalPath: join(dir, 'gone') };
    await expect(committer.commit([ghost])).rejects.toThrow(`cannot commit the part file '${join(dir, 'gone')}': its pending file '${join(dir, '.gone')}' is gone`);
    await writer.close?.();
  });

  it('OnCheckpointRollingPolicy rolls at every checkpoint and never otherwise', async () => {
    const dir = tempDir();
    const sink = FileSink.forRowFormat(dir, new SimpleStringEncoder<string>()).withBucketAssigner(new BasePathBucketAssigner()).withRollingPolicy(OnCheckpointRollingPolicy.build()).build();
    const writer = await sink.createWriter(writerContext());
    const committer = await sink.createCommitter();
    await writeAll(writer, 0, 500);
    await committer.commit(await writer.prepareCommit(1));
    await committer.commit(await writer.prepareCommit(2));
    await writeAll(writer, 500, 503);
    await committer.commit(await writer.prepareCommit(3));
    expect(finishedContents(dir)).toEqual([lines(0, 500), lines(500, 503)]);
    expect(writer.snapshotState!(3)).toEqual([]);
    await writer.close?.();
  });

  it('rolls after the rollover interval and after inactivity, checked every bucket check interval', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: 1_000_000 });
    const dir = tempDir();
    const policy = DefaultRollingPolicy.builder().withMaxPartSize(1 << 30).withRolloverInterval(1000).withInactivityInterval(500).build<string>();
    const sink = FileSink.forRowFormat(dir, new SimpleStringEncoder<string>()).withBucketAssigner(new BasePathBucketAssigner()).withRollingPolicy(policy).withBucketCheckInterval(100).build();
    const writer = await sink.createWriter(writerContext());
    // Inactivity: written at 0 and 400; the check at 900 is the first with 500 ms without a write.
    await writer.write('a', WRITE_CONTEXT);
    vi.advanceTimersByTime(400);
    await writer.write('b', WRITE_CONTEXT);
    vi.advanceTimersByTime(499);
    expect(writer.snapshotState!(0)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(writer.snapshotState!(0)).toEqual([]);
    // Rollover: a write every 300 ms keeps it active; the check 1000 ms after it opened rolls it.
    await writer.write('c', WRITE_CONTEXT);
    for (let t = 0; t < 3; t++) {
      vi.advanceTimersByTime(300);
      await writer.write(`d${t}`, WRITE_CONTEXT);
    }
    vi.advanceTimersByTime(99);
    expect(writer.snapshotState!(0)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(writer.snapshotState!(0)).toEqual([]);
    vi.useRealTimers();
    const committed = await writer.prepareCommit(1);
    await new FileCommitter().commit(committed);
    expect(finishedContents(dir)).toEqual(['a\nb\n', 'c\nd0\nd1\nd2\n']);
    await writer.close?.();
  });
});

describe('FileSink restore', () => {
  it('cuts an in-progress file to the checkpointed length and writes on (no duplicate, no loss)', async () => {
    const dir = tempDir();
    const sink = rowSink(dir, 1 << 30);
    const first = await sink.createWriter(writerContext());
    await writeAll(first, 0, 150);
    expect(await first.prepareCommit(1)).toEqual([]);
    const state = structuredClone(first.snapshotState!(1));
    expect(state).toEqual([expect.objectContaining({ size: 1500 })]);
    // After the checkpoint: more than the 64 KiB buffer, so bytes reach the file; then the attempt dies.
    await writeAll(first, 150, 10_000);
    const [file] = inProgress(dir);
    expect(statSync(join(dir, file!)).size).toBeGreaterThan(1500);
    await first.close?.();

    const metrics = new Metrics();
    const second = await sink.createWriter(writerContext({ restoredState: state, metrics, attempt: 1 }));
    expect(statSync(join(dir, file!)).size).toBe(1500);
    expect(metrics.values.get(TRUNCATED_COUNTER)).toBe(1);
    await writeAll(second, 150, 200);
    await second.endOfInput!();
    await new FileCommitter().commit(await second.prepareCommit(2));
    await second.close?.();
    expect(finishedContents(dir)).toEqual([lines(0, 200)]);
    expect(inProgress(dir)).toEqual([]);
  });

  it('after a rescale keeps one in-progress file per bucket and rolls the others into pending files', async () => {
    const dir = tempDir();
    const sink = rowSink(dir, 1 << 30);
    const states: unknown[] = [];
    for (let subtask = 0; subtask < 2; subtask++) {
      const writer = await sink.createWriter(writerContext({ index: subtask, parallelism: 2 }));
      await writeAll(writer, subtask * 100, subtask * 100 + 5);
      await writer.prepareCommit(1);
      states.push(...writer.snapshotState!(1));
      await writer.close?.();
    }
    const merged = await sink.createWriter(writerContext({ restoredState: states }));
    expect(merged.snapshotState!(2)).toHaveLength(1);
    await writeAll(merged, 1000, 1002);
    await merged.endOfInput!();
    await new FileCommitter().commit(await merged.prepareCommit(2));
    await merged.close?.();
    expect(finishedContents(dir).sort()).toEqual([lines(0, 5) + lines(1000, 1002), lines(100, 105)].sort());
  });

  it('fails naming the in-progress file of the state when it is gone', async () => {
    const dir = tempDir();
    const state = [{ kind: 'flinkts.file-sink.in-progress', bucketId: '', path: join(dir, '.part-x-0-0.inprogress.y'), finalPath: join(dir, 'part-x-0-0'), size: 10, creationTime: 0 }];
    expect(() => rowSink(dir).createWriter(writerContext({ restoredState: state }))).toThrow(`cannot resume the in-progress part file '${join(dir, '.part-x-0-0.inprogress.y')}' of the restored state`);
  });
});

describe('FileSink buckets, names and formats', () => {
  it('DateTimeBucketAssigner formats the processing time (default yyyy-MM-dd--HH) in a time zone', () => {
    const t = Date.UTC(2024, 2, 5, 7, 8, 9, 123);
    const ctx = (time: number) => ({ currentProcessingTime: () => time, currentWatermark: () => 0, timestamp: () => undefined });
    expect(new DateTimeBucketAssigner(undefined, 'UTC').getBucketId('x', ctx(t))).toBe('2024-03-05--07');
    expect(new DateTimeBucketAssigner(undefined, 'Asia/Kolkata').getBucketId('x', ctx(t))).toBe('2024-03-05--12');
    expect(new DateTimeBucketAssigner("yyyy/MM/dd/HH-mm-ss.SSS 'h'''yy", 'UTC').getBucketId('x', ctx(t))).toBe("2024/03/05/07-08-09.123 h'24");
    // Cached per second, never across seconds.
    const assigner = new DateTimeBucketAssigner('HH:mm:ss', 'UTC');
    expect([t, t + 876, t + 877, t - 124].map((time) => assigner.getBucketId('x', ctx(time)))).toEqual(['07:08:09', '07:08:09', '07:08:10', '07:08:08']);
    expect(() => new DateTimeBucketAssigner('yyyy-ww')).toThrow("DateTimeBucketAssigner: 'ww' in 'yyyy-ww' is not supported");
    expect(() => new DateTimeBucketAssigner(undefined, 'Mars/Olympus')).toThrow("DateTimeBucketAssigner: unknown time zone 'Mars/Olympus'");
  });

  it('the default assigner buckets by the processing time of the write (fixed clock)', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2031, 0, 2, 3, 59, 59, 999) });
    const dir = tempDir();
    const sink = FileSink.forRowFormat(dir, new SimpleStringEncoder<string>()).build();
    expect(sink.settings.bucketAssigner).toBeInstanceOf(DateTimeBucketAssigner);
    const expectedBucket = (time: number) => new DateTimeBucketAssigner().format(time);
    const writer = await sink.createWriter(writerContext());
    await writer.write('a', WRITE_CONTEXT);
    vi.setSystemTime(Date.UTC(2031, 0, 2, 4, 0, 0, 0));
    await writer.write('b', WRITE_CONTEXT);
    await writer.endOfInput!();
    await new FileCommitter().commit(await writer.prepareCommit(1));
    await writer.close?.();
    const byBucket = [...finished(dir)].map(([name, content]) => [name.split('/')[0], content]);
    expect(byBucket.sort()).toEqual(
      [
        [expectedBucket(Date.UTC(2031, 0, 2, 3, 59, 59, 999)), 'a\n'],
        [expectedBucket(Date.UTC(2031, 0, 2, 4)), 'b\n'],
      ].sort(),
    );
    // The pattern, independent of the zone: yyyy-MM-dd--HH, different hours.
    expect(byBucket.every(([bucket]) => /^\d{4}-\d{2}-\d{2}--\d{2}$/.test(bucket!))).toBe(true);
  });

  it('a custom assigner with nested bucket ids; ids leaving the base directory are refused', async () => {
    const dir = tempDir();
    const byKey: BucketAssigner<string> = { getBucketId: (element) => `key=${element[0]}/sub` };
    const sink = FileSink.forRowFormat(dir, new SimpleStringEncoder<string>()).withBucketAssigner(byKey).withOutputFileConfig(OutputFileConfig.builder().withPartPrefix('out').withPartSuffix('.txt').build()).build();
    const writer = await sink.createWriter(writerContext({ index: 3, parallelism: 4 }));
    for (const value of ['a1', 'b1', 'a2']) await writer.write(value, WRITE_CONTEXT);
    await writer.endOfInput!();
    await new FileCommitter().commit(await writer.prepareCommit(1));
    await writer.close?.();
    const files = finished(dir);
    expect([...files.values()].sort()).toEqual(['a1\na2\n', 'b1\n']);
    expect([...files.keys()].every((name) => /^key=[ab]\/sub\/out-[0-9a-f-]{36}-3-\d\.txt$/.test(name))).toBe(true);

    for (const bad of ['../escape', '/abs', 'a/../../b', 'a//b', 'x\0y']) {
      const evil = FileSink.forRowFormat(dir, new SimpleStringEncoder<string>()).withBucketAssigner({ getBucketId: () => bad }).build();
      const w = await evil.createWriter(writerContext());
      expect(() => w.write('x', WRITE_CONTEXT)).toThrow(`FileSink: the bucket id ${JSON.stringify(bad)} is not a relative path inside the base directory`);
      await w.close?.();
    }
  });

  it('bulk formats: JSON lines and CSV with a header per part, rolled at every checkpoint', async () => {
    const dir = tempDir();
    const json = FileSink.forBulkFormat(join(dir, 'json'), new JsonLinesBulkFormat()).withBucketAssigner(new BasePathBucketAssigner()).build();
    const csv = FileSink.forBulkFormat(join(dir, 'csv'), new CsvBulkFormat({ columns: ['id', 'text'], header: true })).withBucketAssigner(new BasePathBucketAssigner()).build();
    for (const sink of [json, csv] as FileSink<unknown>[]) {
      const writer = await sink.createWriter(writerContext());
      const committer = await sink.createCommitter();
      await writer.write({ id: 1, text: 'plain' }, WRITE_CONTEXT);
      await writer.write({ id: 2, text: 'a,"b"\nc' }, WRITE_CONTEXT);
      await committer.commit(await writer.prepareCommit(1));
      await writer.write({ id: 3, text: 'x' }, WRITE_CONTEXT);
      await writer.endOfInput!();
      await committer.commit(await writer.prepareCommit(2));
      await writer.close?.();
    }
    expect(finishedContents(join(dir, 'json'))).toEqual(['{"id":1,"text":"plain"}\n{"id":2,"text":"a,\\"b\\"\\nc"}\n', '{"id":3,"text":"x"}\n']);
    expect(finishedContents(join(dir, 'csv'))).toEqual(['id,text\n1,plain\n2,"a,""b""\nc"\n', 'id,text\n3,x\n']);
    expect(() => FileSink.forBulkFormat(dir, new JsonLinesBulkFormat()).withRollingPolicy(DefaultRollingPolicy.builder().build() as never)).toThrow(/bulk formats roll at every checkpoint/);
  });

  it('names a directory it cannot create', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    const target = join(dir, 'file', 'out');
    const error = (() => {
      try {
        rowSink(target).createWriter(writerContext());
      } catch (e) {
        return e;
      }
      return undefined;
    })() as FlinktsError;
    expect(error).toBeInstanceOf(FlinktsError);
    expect(error.code).toBe('CONNECTOR');
    expect(error.message).toBe(`FileSink: cannot write to the directory '${target}': not a directory (ENOTDIR)`);
    expect(existsSync(target)).toBe(false);
  });
});
