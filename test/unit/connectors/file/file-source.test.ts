/**
 * FileSource readers driven by hand: exact records of text, JSON-lines and
 * CSV files (expected values from the file contents with plain string
 * operations), nested directories, default and user filters, parallel
 * ownership, bad-record policies, and snapshots restored at the same and at
 * another parallelism without a record skipped or repeated.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { OutputTag } from '../../../../src/api/output-tag.js';
import { BadRecordPolicy, type DeadLetter } from '../../../../src/connectors/bad-records.js';
import { CsvFormat } from '../../../../src/connectors/file/csv-format.js';
import { FileSource } from '../../../../src/connectors/file/file-source.js';
import { FILE_SOURCE_BUCKETS, type FileBucketState } from '../../../../src/connectors/file/file-source-reader.js';
import { JsonLinesFormat, TextLineFormat } from '../../../../src/connectors/file/record-formats.js';
import { redistributeOperatorState } from '../../../../src/runtime/state/operator-state-store.js';
import { Metrics, pollToEnd, readAllSubtasks, Recorded, sorted, startReader, tempDirs } from './harness.js';

const tempDir = tempDirs();

function write(file: string, content: string): string {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** The lines of `content` as the format defines them: '\n' ends a line, a '\r' before it is dropped. */
function linesOf(content: string): string[] {
  if (content === '') return [];
  const lines = content.split('\n');
  if (content.endsWith('\n')) lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** Compares long line lists without printing them whole: the length, then the first difference. */
function expectSameLines(actual: readonly string[], expected: readonly string[]): void {
  const clip = (s: string | undefined) => (s === undefined ? s : s.length > 40 ? `${s.slice(0, 40)}…(${s.length})` : s);
  const at = actual.findIndex((line, i) => line !== expected[i]);
  expect({ length: actual.length, firstDifference: at, actual: clip(actual[at]), expected: clip(expected[at]) }).toEqual({
    length: expected.length,
    firstDifference: actual.length > expected.length ? expected.length : -1,
    actual: clip(actual.length > expected.length ? actual[expected.length] : undefined),
    expected: undefined,
  });
}

/** `n` lines `<tag>-<i>` and the file content. */
function numbered(tag: string, n: number): { lines: string[]; content: string } {
  const lines = Array.from({ length: n }, (_, i) => `${tag}-${i}`);
  return { lines, content: lines.map((l) => `${l}\n`).join('') };
}

describe('FileSource with TextLineFormat, PROCESS_ONCE', () => {
  it('reads every line of nested directories, leaving out hidden, _-prefixed and _COPYING_ names', async () => {
    const dir = tempDir();
    const contents: Record<string, string> = {
      'a.txt': 'one\r\ntwo\n\nfour',
      'sub/b.txt': 'b1\nb2\n',
      'sub/deeper/c.log': 'c1\n',
      'empty.txt': '',
    };
    for (const [name, content] of Object.entries(contents)) write(join(dir, name), content);
    write(join(dir, '.hidden'), 'never\n');
    write(join(dir, '_SUCCESS'), 'never\n');
    write(join(dir, 'x._COPYING_'), 'never\n');
    write(join(dir, '.hidden-dir/d.txt'), 'never\n');
    write(join(dir, '_tmp/e.txt'), 'never\n');
    write(join(dir, 'sub/.part-1.inprogress.2'), 'never\n');

    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).build();
    expect(source.boundedness).toBe('BOUNDED');
    const [records] = await readAllSubtasks(source, 1);
    // One reader reads its files in path order, each file's lines in order.
    expect(records).toEqual([...linesOf(contents['a.txt']!), ...linesOf(contents['sub/b.txt']!), ...linesOf(contents['sub/deeper/c.log']!)]);
    expect(records).toEqual(['one', 'two', '', 'four', 'b1', 'b2', 'c1']);
  });

  it('reads a file named directly, and several paths, each file once', async () => {
    const dir = tempDir();
    const a = write(join(dir, 'a.txt'), 'a1\na2\n');
    write(join(dir, 'd/b.txt'), 'b1\n');
    const [records] = await readAllSubtasks(FileSource.forRecordStreamFormat(new TextLineFormat(), a, join(dir, 'd'), dir).build(), 1);
    expect(sorted(records!)).toEqual(['a1', 'a2', 'b1']);
  });

  it('splits the files over parallel readers: every file wholly at one reader, every line once', async () => {
    const dir = tempDir();
    const expected: string[] = [];
    for (let f = 0; f < 40; f++) {
      const { lines, content } = numbered(`f${f}`, 25);
      write(join(dir, `d${f % 3}`, `file-${f}.txt`), content);
      expected.push(...lines);
    }
    for (const parallelism of [1, 2, 3, 7]) {
      const perReader = await readAllSubtasks(FileSource.forRecordStreamFormat(new TextLineFormat(), dir).build(), parallelism);
      expect(sorted(perReader.flat()), `parallelism ${parallelism}`).toEqual(sorted(expected));
      const owners = new Map<string, Set<number>>();
      perReader.forEach((records, reader) => records.forEach((r) => owners.set(r.split('-')[0]!, (owners.get(r.split('-')[0]!) ?? new Set()).add(reader))));
      for (const [file, readers] of owners) expect(readers.size, file).toBe(1);
      if (parallelism > 1) expect(perReader.filter((r) => r.length > 0).length).toBeGreaterThan(1);
    }
  });

  it('applies a path predicate and a legacy FilePathFilter to files, not to directories', async () => {
    const dir = tempDir();
    write(join(dir, 'keep.csv'), 'k1\n');
    write(join(dir, 'drop.txt'), 'd1\n');
    write(join(dir, 'nested/keep2.csv'), 'k2\n');
    const predicate = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).setFileFilter((p) => p.endsWith('.csv')).build();
    expect(sorted((await readAllSubtasks(predicate, 1)).flat())).toEqual(['k1', 'k2']);
    const legacy = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).setFileFilter({ filterPath: (p) => p.endsWith('.csv') }).build();
    expect((await readAllSubtasks(legacy, 1)).flat()).toEqual(['d1']);
  });

  it('fails start() with a CONNECTOR error naming a missing path', async () => {
    const missing = join(tempDir(), 'nope');
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), missing).build();
    const error = await startReader(source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('CONNECTOR');
    expect((error as FlinktsError).message).toBe(`cannot list '${missing}': no such file or directory (ENOENT)`);
  });

  it('fails with a CONNECTOR error naming a directory that cannot be listed', async () => {
    const dir = tempDir();
    // A file where a directory is expected below a listed root: readdir fails with ENOTDIR (root ignores permissions).
    write(join(dir, 'plain'), 'x\n');
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), join(dir, 'plain', 'sub')).build();
    const error = (await startReader(source).catch((e: unknown) => e)) as FlinktsError;
    expect(error.code).toBe('CONNECTOR');
    expect(error.message).toBe(`cannot list '${join(dir, 'plain', 'sub')}': not a directory (ENOTDIR)`);
  });

  it('refuses bad settings with USAGE errors', () => {
    expect(() => FileSource.forRecordStreamFormat(new TextLineFormat())).toThrow('FileSource: give at least one file or directory to read');
    expect(() => FileSource.forRecordStreamFormat({} as never, 'x')).toThrow(/expected a format/);
    expect(() => FileSource.forRecordStreamFormat(new TextLineFormat(), 'x').monitorContinuously(0)).toThrow('FileSource: monitorContinuously(0): the interval must be at least 1 ms');
  });
});

describe('FileSource with JsonLinesFormat and CsvFormat', () => {
  it('reads one JSON value per line, skipping blank lines, through map', async () => {
    const dir = tempDir();
    write(join(dir, 'e.jsonl'), '{"id":1,"name":"a"}\n\n  \n{"id":2,"name":"b\\nc"}\r\n[1,2]\nnull\n"s"');
    const [records] = await readAllSubtasks(FileSource.forRecordStreamFormat(new JsonLinesFormat(), dir).build(), 1);
    expect(records).toEqual([{ id: 1, name: 'a' }, { id: 2, name: 'b\nc' }, [1, 2], null, 's']);
    const mapped = FileSource.forRecordStreamFormat(new JsonLinesFormat({ map: (v) => (v as { id?: number })?.id ?? -1 }), dir).build();
    expect((await readAllSubtasks(mapped, 1)).flat()).toEqual([1, 2, -1, -1, -1]);
  });

  it('reads CSV rows with quoted delimiters, doubled quotes and quoted line breaks', async () => {
    const dir = tempDir();
    write(join(dir, 'r.csv'), 'a,b,c\n"x,y","say ""hi""",\r\n"multi\nline\nfield",2,3\n\n"",,"last"');
    const [records] = await readAllSubtasks(FileSource.forRecordStreamFormat(new CsvFormat(), dir).build(), 1);
    expect(records).toEqual([
      ['a', 'b', 'c'],
      ['x,y', 'say "hi"', ''],
      ['multi\nline\nfield', '2', '3'],
      ['', '', 'last'],
    ]);
  });

  it('keys CSV rows by each file\'s header, or by given columns, and a custom delimiter', async () => {
    const dir = tempDir();
    write(join(dir, '1.csv'), 'id;name\n1;"a;b"\n');
    write(join(dir, '2.csv'), 'name;id\nc;2\n');
    const byHeader = FileSource.forRecordStreamFormat(new CsvFormat<Record<string, string>>({ header: true, delimiter: ';' }), dir).build();
    expect((await readAllSubtasks(byHeader, 1)).flat()).toEqual([{ id: '1', name: 'a;b' }, { name: 'c', id: '2' }]);
    const byColumns = FileSource.forRecordStreamFormat(new CsvFormat({ header: true, columns: ['x', 'y'], delimiter: ';', map: (r) => JSON.stringify(r) }), dir).build();
    expect((await readAllSubtasks(byColumns, 1)).flat()).toEqual(['{"x":"1","y":"a;b"}', '{"x":"c","y":"2"}']);
  });
});

describe('FileSource records spanning lines and reads', () => {
  it('assembles a quoted CSV field of 3 MiB with line breaks (more than one poll of reads)', async () => {
    const dir = tempDir();
    const big = Array.from({ length: 3 * 1024 }, (_, i) => `${i}`.padEnd(1023, 'q')).join('\n');
    write(join(dir, 'big.csv'), `1,"${big}"\n2,x\n`);
    const [records] = await readAllSubtasks(FileSource.forRecordStreamFormat(new CsvFormat(), dir).build(), 1);
    expect(records!.length).toBe(2);
    expect(records![0]![1] === big).toBe(true);
    expect(records![1]).toEqual(['2', 'x']);
  });

  it('keeps the CSV header of a file through a snapshot taken in the middle of it', async () => {
    const dir = tempDir();
    const rows = Array.from({ length: 3000 }, (_, i) => `${i},"v""${i}"`);
    write(join(dir, 'h.csv'), `n,v\n${rows.join('\n')}\n`);
    const source = FileSource.forRecordStreamFormat(new CsvFormat<Record<string, string>>({ header: true }), dir).build();
    const first = await startReader(source);
    const out = new Recorded<Record<string, string>>();
    first.pollNext(out);
    const snapshot = structuredClone(first.snapshotState!(1));
    await first.close?.();
    const second = await startReader(source, { restoredSplits: snapshot });
    await pollToEnd(second, out);
    expect(out.records.length).toBe(3000);
    expect(out.records.every((r, i) => r.n === String(i) && r.v === `v"${i}`)).toBe(true);
  });
});

describe('bad records (RELIABILITY B1) in files', () => {
  /** 200 JSON lines, every 20th malformed: the truth computed from the generator, not the reader. */
  function jsonFile(dir: string): { file: string; valid: number[]; bad: { line: number; raw: string }[] } {
    const valid: number[] = [];
    const bad: { line: number; raw: string }[] = [];
    let content = '';
    for (let i = 1; i <= 200; i++) {
      if (i % 20 === 7) {
        const raw = `{"id":${i},broken\u00e9`;
        bad.push({ line: i, raw });
        content += `${raw}\n`;
      } else {
        valid.push(i);
        content += `{"id":${i}}\n`;
      }
    }
    return { file: write(join(dir, 'events.jsonl'), content), valid, bad };
  }

  const idOf = new JsonLinesFormat<number>({ map: (v) => (v as { id: number }).id });

  it('fail: the error names the file and the line', async () => {
    const dir = tempDir();
    const { file } = jsonFile(dir);
    const reader = await startReader(FileSource.forRecordStreamFormat(idOf, dir).build());
    const out = new Recorded<number>();
    const error = (await pollToEnd(reader, out).catch((e: unknown) => e)) as FlinktsError;
    expect(error).toBeInstanceOf(FlinktsError);
    expect(error.code).toBe('BAD_RECORD');
    expect(error.message).toMatch(new RegExp(`^cannot deserialize the record at file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line 7: `));
    // Everything before the bad line was emitted.
    expect(out.records).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('skip: the valid records, and numRecordsSkipped equals the bad lines', async () => {
    const dir = tempDir();
    const { valid, bad } = jsonFile(dir);
    const metrics = new Metrics();
    const [records] = await readAllSubtasks(FileSource.forRecordStreamFormat(idOf, dir).setBadRecordPolicy(BadRecordPolicy.skip()).build(), 1, metrics);
    expect(records).toEqual(valid);
    expect(metrics.values.get('numRecordsSkipped')).toBe(bad.length);
    expect(bad.length).toBe(10);
  });

  it('dead-letter: exactly the raw bytes of each bad line with file and line', async () => {
    const dir = tempDir();
    const { file, valid, bad } = jsonFile(dir);
    const tag = new OutputTag<DeadLetter>('bad-json');
    const reader = await startReader(FileSource.forRecordStreamFormat(idOf, dir).setBadRecordPolicy(BadRecordPolicy.deadLetter(tag)).build());
    const out = new Recorded<number>();
    await pollToEnd(reader, out);
    expect(out.records).toEqual(valid);
    expect(out.side.map((s) => s.tag)).toEqual(bad.map(() => tag.id));
    const letters = out.side.map((s) => s.record as DeadLetter);
    expect(letters.map((l) => ({ raw: Buffer.from(l.raw).toString('hex'), provenance: l.provenance }))).toEqual(
      bad.map((b) => ({ raw: Buffer.from(b.raw, 'utf8').toString('hex'), provenance: { file, line: b.line } })),
    );
    expect(letters.every((l) => l.error.length > 0)).toBe(true);
  });

  it('CSV: a wrong field count, a stray quote and an unterminated quote are bad records on their own lines', async () => {
    const dir = tempDir();
    const file = write(join(dir, 'r.csv'), 'a,b\n1,2\n3\n4,5"x\n6,7\n"open,8\n9,10\n');
    const tag = new OutputTag<DeadLetter>('bad-csv');
    const reader = await startReader(FileSource.forRecordStreamFormat(new CsvFormat({ columns: ['x', 'y'] }), file).setBadRecordPolicy(BadRecordPolicy.deadLetter(tag)).build());
    const out = new Recorded<Record<string, string>>();
    await pollToEnd(reader, out);
    // The unterminated quote on line 6 ends only at the end of the file: line 6 is reported, and lines 7.. are read on their own.
    expect(out.records).toEqual([
      { x: 'a', y: 'b' },
      { x: '1', y: '2' },
      { x: '6', y: '7' },
      { x: '9', y: '10' },
    ]);
    expect(out.side.map((s) => [Buffer.from((s.record as DeadLetter).raw).toString('utf8'), (s.record as DeadLetter).provenance.line])).toEqual([
      ['3', 3],
      ['4,5"x', 4],
      ['"open,8', 6],
    ]);
  });
});

describe('FileSource snapshots', () => {
  /** Reads with a snapshot after every poll; returns the records and the snapshots (cloned as a checkpoint would). */
  async function readWithSnapshots(source: FileSource<string>, restoredSplits: readonly unknown[] | undefined, polls: number, index = 0, parallelism = 1) {
    const reader = await startReader(source, { index, parallelism, ...(restoredSplits !== undefined && { restoredSplits }) });
    const out = new Recorded<string>();
    let snapshot: unknown[] = structuredClone(reader.snapshotState!(0));
    let status = 'MORE_AVAILABLE';
    for (let i = 0; i < polls && status !== 'END_OF_INPUT'; i++) {
      status = reader.pollNext(out);
      snapshot = structuredClone(reader.snapshotState!(i + 1));
    }
    await reader.close?.();
    return { records: out.records, snapshot, ended: status === 'END_OF_INPUT' };
  }

  it('emits one element per owned bucket, all buckets over the readers', async () => {
    const dir = tempDir();
    write(join(dir, 'a.txt'), 'x\n');
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).build();
    const buckets: number[] = [];
    for (let i = 0; i < 3; i++) {
      const reader = await startReader(source, { index: i, parallelism: 3 });
      buckets.push(...(reader.snapshotState!(1) as FileBucketState[]).map((b) => b.bucket));
    }
    expect(buckets).toEqual(Array.from({ length: FILE_SOURCE_BUCKETS }, (_, i) => i));
  });

  it('a restored reader goes on after the last record of the snapshot: no line skipped or repeated', async () => {
    const dir = tempDir();
    const expected: string[] = [];
    // Long lines (>64 KiB) cross read chunks; 3000 lines need several polls per file.
    for (let f = 0; f < 3; f++) {
      const lines = Array.from({ length: 3000 }, (_, i) => (i % 997 === 5 ? `f${f}-${i}-${'z'.repeat(70_000)}` : `f${f}-${i}`));
      write(join(dir, `f${f}.txt`), `${lines.join('\n')}\n`);
      expected.push(...lines);
    }
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).build();
    const seen: string[] = [];
    let restored: readonly unknown[] | undefined;
    // Stop after 2 polls each time, restore a new reader from the snapshot, until the end.
    for (let round = 0; round < 100; round++) {
      const run = await readWithSnapshots(source, restored, 2);
      seen.push(...run.records);
      restored = run.snapshot;
      if (run.ended) break;
    }
    expectSameLines(seen, expected);
  });

  it('restores at another parallelism (2 -> 3 -> 1) with the runtime\'s redistribution, every line once', async () => {
    const dir = tempDir();
    const expected: string[] = [];
    for (let f = 0; f < 30; f++) {
      const { lines, content } = numbered(`f${f}`, 1500);
      write(join(dir, `f${f}.txt`), content);
      expected.push(...lines);
    }
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).build();
    const seen: string[] = [];
    let old: unknown[][] | undefined;
    const steps = [2, 3, 1, 2];
    for (const [step, parallelism] of steps.entries()) {
      const next: unknown[][] = [];
      for (let i = 0; i < parallelism; i++) {
        const restored = old === undefined ? undefined : redistributeOperatorState(old.map((elements) => [{ name: 'source-splits', mode: 'split', elements }]), i, parallelism)[0]!.elements;
        const run = await readWithSnapshots(source, restored, step === steps.length - 1 ? Number.MAX_SAFE_INTEGER : 3, i, parallelism);
        seen.push(...run.records);
        next.push(run.snapshot);
      }
      old = next;
    }
    expectSameLines(sorted(seen), sorted(expected));
  });

  it('PROCESS_ONCE: a restored reader does not list again (files added after the job started are not read)', async () => {
    const dir = tempDir();
    write(join(dir, 'a.txt'), numbered('a', 2000).content);
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).build();
    const first = await readWithSnapshots(source, undefined, 1);
    write(join(dir, 'b.txt'), 'late\n');
    const second = await readWithSnapshots(source, first.snapshot, Number.MAX_SAFE_INTEGER);
    expect([...first.records, ...second.records]).toEqual(numbered('a', 2000).lines);
  });
});

describe('FileSource monitoring continuously', () => {
  it('reads files added while running exactly once, and never again after a restore', async () => {
    const dir = tempDir();
    write(join(dir, 'a.txt'), 'a1\na2\n');
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).monitorContinuously(10).build();
    expect(source.boundedness).toBe('CONTINUOUS_UNBOUNDED');
    const reader = await startReader(source);
    const out = new Recorded<string>();
    expect(reader.pollNext(out)).toBe('NOTHING_AVAILABLE');
    expect(out.records).toEqual(['a1', 'a2']);
    // A file appears, written under a hidden name and renamed in, as a producer should.
    write(join(dir, 'sub/.b.tmp'), 'b1\n');
    const { renameSync } = await import('node:fs');
    renameSync(join(dir, 'sub/.b.tmp'), join(dir, 'sub/b.txt'));
    await reader.isAvailable!();
    expect(reader.pollNext(out)).toBe('NOTHING_AVAILABLE');
    expect(out.records).toEqual(['a1', 'a2', 'b1']);
    // Appending to a read file does not make it read again (files are identified by path).
    appendFileSync(join(dir, 'a.txt'), 'a3\n');
    write(join(dir, 'c.txt'), 'c1\n');
    await reader.isAvailable!();
    reader.pollNext(out);
    expect(out.records).toEqual(['a1', 'a2', 'b1', 'c1']);
    const snapshot = structuredClone(reader.snapshotState!(1));
    await reader.close?.();

    // A restored reader (at parallelism 2) reads only what is new.
    write(join(dir, 'd.txt'), 'd1\n');
    const outs = [new Recorded<string>(), new Recorded<string>()];
    for (let i = 0; i < 2; i++) {
      const restored = redistributeOperatorState([[{ name: 'source-splits', mode: 'split', elements: snapshot }]], i, 2)[0]!.elements;
      const r = await startReader(source, { index: i, parallelism: 2, restoredSplits: restored });
      expect(r.pollNext(outs[i]!)).toBe('NOTHING_AVAILABLE');
      await r.close?.();
    }
    expect(outs.flatMap((o) => o.records)).toEqual(['d1']);
  });

  it('legacy semantics (readFile): a file modified after it was read is read again, whole', async () => {
    const dir = tempDir();
    const file = write(join(dir, 'a.txt'), 'a1\n');
    const source = FileSource.forRecordStreamFormat(new TextLineFormat(), dir).monitorContinuously(10).reprocessModifiedFiles().build();
    const reader = await startReader(source);
    const out = new Recorded<string>();
    reader.pollNext(out);
    const { utimesSync } = await import('node:fs');
    appendFileSync(file, 'a2\n');
    // The modification time must grow even on coarse clocks.
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await reader.isAvailable!();
    reader.pollNext(out);
    await reader.close?.();
    expect(out.records).toEqual(['a1', 'a1', 'a2']);
  });

  it('fails from the next poll when a listing fails (the directory was removed)', async () => {
    const dir = tempDir();
    const watched = join(dir, 'watched');
    write(join(watched, 'a.txt'), 'a1\n');
    const reader = await startReader(FileSource.forRecordStreamFormat(new TextLineFormat(), watched).monitorContinuously(5).build());
    const out = new Recorded<string>();
    reader.pollNext(out);
    const { rmSync } = await import('node:fs');
    rmSync(watched, { recursive: true });
    await reader.isAvailable!();
    expect(() => reader.pollNext(out)).toThrow(`cannot list '${watched}': no such file or directory (ENOENT)`);
    await reader.close?.();
  });
});
