import * as fs from 'node:fs';
import { collectingOutput } from '../../../src/api/source.js';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { TextFileSource } from '../../../src/connectors/file/text-file-source.js';
import { redistributeOperatorState } from '../../../src/runtime/state/operator-state-store.js';
import { createReader, readAll, readAllSubtasks, sorted } from './helpers.js';

/** The lines a reader must emit for `content`, computed with string operations only. */
function expectedLines(content: string): string[] {
  if (content === '') return [];
  const lines = content.split('\n');
  // A final newline ends the last line; it does not start an empty one.
  if (content.endsWith('\n')) lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text of 1- to 4-byte characters, CRs, LFs and CRLFs, with a few very long lines. */
function randomText(seed: number, length: number): string {
  const next = random(seed);
  const pieces = ['a', 'b', 'Z', ' ', 'é', '€', '𝄞', '中', '\r', '\n', '\r\n', '\n\n'];
  let text = '';
  while (text.length < length) {
    const r = next();
    if (r < 0.002) text += 'x'.repeat(70_000 + Math.floor(next() * 70_000)) + '€';
    else text += pieces[Math.floor(next() * pieces.length)];
  }
  return text;
}

let dir: string;

function writeFile(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, 'utf8');
  return file;
}

async function expectSplitReadsExactly(file: string, content: string, parallelisms = [1, 2, 3, 4, 5]): Promise<void> {
  const expected = expectedLines(content);
  for (const parallelism of parallelisms) {
    const perSubtask = await readAllSubtasks(new TextFileSource(file), parallelism);
    // Ranges are in file order, so the subtasks' lines concatenated are the file's lines in order.
    expect(perSubtask.flat(), `parallelism ${parallelism}`).toEqual(expected);
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flinkts-text-source-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('TextFileSource', () => {
  it('is bounded and parallel', () => {
    const source = new TextFileSource('x');
    expect(source.boundedness).toBe('BOUNDED');
    expect((source as { maxSourceParallelism?: number }).maxSourceParallelism).toBeUndefined();
  });

  it('reads CRLF lines, empty lines and a last line without newline at p = 1..5', async () => {
    const content = 'first\r\n\r\nthird line\n\n  fifth  \r\nmid\rdle\r\nlast without newline';
    expect(expectedLines(content)).toEqual(['first', '', 'third line', '', '  fifth  ', 'mid\rdle', 'last without newline']);
    await expectSplitReadsExactly(writeFile('crlf.txt', content), content);
  });

  it('emits no empty line after a final newline, and keeps empty lines before it', async () => {
    await expectSplitReadsExactly(writeFile('final-newline.txt', 'a\nb\n'), 'a\nb\n');
    await expectSplitReadsExactly(writeFile('only-newlines.txt', '\n\n\n'), '\n\n\n');
    await expectSplitReadsExactly(writeFile('one-char.txt', 'x'), 'x');
  });

  it('reads an empty file as no lines', async () => {
    await expectSplitReadsExactly(writeFile('empty.txt', ''), '');
  });

  it('decodes multi-byte characters across the 64 KiB read boundary', async () => {
    // '€' occupies bytes 65535..65537, so the first read ends inside it.
    const first = 'a'.repeat(65_534);
    const content = `${first}\n€uro\r\n${'b'.repeat(65_530)}𝄞𝄞\nend 中文\n`;
    expect(Buffer.byteLength(`${first}\n`)).toBe(65_535);
    await expectSplitReadsExactly(writeFile('boundary.txt', content), content);
  });

  it('reads random text with multi-byte characters and lines longer than a chunk exactly once at p = 1..5', async () => {
    for (const seed of [1, 2, 3]) {
      const content = randomText(seed, 300_000);
      await expectSplitReadsExactly(writeFile(`random-${seed}.txt`, content), content);
    }
  });

  it('reads many short lines (more than a batch per poll) at p = 3', async () => {
    const content = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n');
    await expectSplitReadsExactly(writeFile('many.txt', content), content, [3]);
  });

  it('reads every non-hidden file of a directory, each split over the subtasks', async () => {
    const contents: Record<string, string> = {
      'a.txt': 'alpha\r\nbeta\n',
      'b.log': randomText(9, 150_000),
      'c.csv': 'one,1\ntwo,2',
      'd-empty': '',
    };
    for (const [name, content] of Object.entries(contents)) writeFile(`dir/${name}`, content);
    writeFile('dir/.hidden', 'hidden line\n');
    writeFile('dir/_SUCCESS', 'marker\n');
    writeFile('dir/nested/inner.txt', 'nested line\n');
    const expected = Object.values(contents).flatMap(expectedLines);
    for (const parallelism of [1, 2, 3, 4, 5]) {
      const perSubtask = await readAllSubtasks(new TextFileSource(path.join(dir, 'dir')), parallelism);
      expect(sorted(perSubtask.flat()), `parallelism ${parallelism}`).toEqual(sorted(expected));
    }
  });

  it('refuses to be polled before start()', () => {
    const reader = createReader(new TextFileSource(writeFile('unstarted.txt', 'line\n')));
    expect(() => reader.pollNext(collectingOutput(() => undefined))).toThrow(/before start/);
  });

  it('fails start() with a FlinktsError naming a missing path', async () => {
    const missing = path.join(dir, 'does-not-exist.txt');
    const reader = createReader(new TextFileSource(missing));
    const error = await Promise.resolve()
      .then(() => reader.start?.())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('no such file or directory');
  });

  it.skipIf(process.getuid?.() === 0)('fails start() with a FlinktsError naming an unreadable file', async () => {
    const file = writeFile('secret.txt', 'secret\n');
    fs.chmodSync(file, 0o000);
    try {
      const error = await readAll(createReader(new TextFileSource(file))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FlinktsError);
      expect((error as Error).message).toContain(file);
      expect((error as Error).message).toContain('permission denied');
    } finally {
      fs.chmodSync(file, 0o644);
    }
  });

  it('resumes from snapshots taken after every poll, also at another parallelism (3 -> 2 -> 4): every line once', async () => {
    const content = randomText(7, 900_000);
    const file = writeFile('resumed.txt', content);
    const source = new TextFileSource(file);
    const seen: string[] = [];
    let old: unknown[][] | undefined;
    const steps = [3, 2, 4, 1];
    for (const [step, parallelism] of steps.entries()) {
      const next: unknown[][] = [];
      for (let i = 0; i < parallelism; i++) {
        const restoredSplits = old === undefined ? undefined : redistributeOperatorState(old.map((elements) => [{ name: 'source-splits', mode: 'split', elements }]), i, parallelism)[0]!.elements;
        const reader = source.createReader({ subtaskIndex: i, parallelism, operatorName: 'Test Source', ...(restoredSplits !== undefined && { restoredSplits }) });
        await reader.start?.();
        let snapshot = structuredClone(reader.snapshotState!(0));
        const polls = step === steps.length - 1 ? Number.MAX_SAFE_INTEGER : 2;
        for (let poll = 0; poll < polls; poll++) {
          const status = reader.pollNext(collectingOutput((line) => seen.push(line)));
          snapshot = structuredClone(reader.snapshotState!(poll + 1));
          if (status === 'END_OF_INPUT') break;
        }
        await reader.close?.();
        next.push(snapshot);
      }
      old = next;
    }
    const expected = expectedLines(content);
    expect(seen.length).toBe(expected.length);
    expect(sorted(seen).join('\n') === sorted(expected).join('\n')).toBe(true);
  });
});
