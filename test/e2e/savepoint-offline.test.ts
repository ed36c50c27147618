/** `flinkts savepoint inspect` and `savepoint dispose` on the golden fixture and on corrupted copies, through the built CLI. */
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flinkts, ROOT } from './helpers.js';

const FIXTURE = 'test/fixtures/checkpoint/savepoint-a1b2c3-000000000001';
const FIXTURE_ABS = join(ROOT, FIXTURE);
const KEYED = 'c6b27602-0-0000000000000001.keyed';
const OPERATOR = '85c8d377-0-0000000000000002.op';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-e2e-savepoint-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh copy of the fixture under the temp dir. */
async function copy(name: string): Promise<string> {
  const target = join(dir, name);
  await cp(FIXTURE_ABS, target, { recursive: true });
  return target;
}

async function flipByte(file: string, at: number): Promise<void> {
  const bytes = await readFile(file);
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(file, bytes);
}

describe('flinkts savepoint inspect', () => {
  it('prints the summary table', async () => {
    const result = await flinkts(['savepoint', 'inspect', FIXTURE]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      [
        'kind:        savepoint',
        'format:      canonical',
        'backend:     hashmap',
        'job:         fixture-job',
        'job id:      a1b2c3d4e5f60718293a4b5c6d7e8f90',
        'checkpoint:  7',
        'time:        2026-01-01T12:00:00.000Z',
        `path:        ${FIXTURE_ABS}`,
        'state size:  217 bytes in 2 files',
        '',
        'OPERATOR ID                       UID      NAME             PARALLELISM  MAX PARALLELISM  BYTES',
        '85c8d3774725eef91f68c78737bca907  numbers  Source: numbers  1            4                34',
        'c6b27602517c820c8ff153d1424ed436  counter  Counter          1            4                183',
        '',
        'OPERATOR  STATE            KIND                SUBTASK: KEY GROUPS OR ELEMENTS',
        'numbers   offsets          operator split      0: 2',
        'numbers   rules            operator broadcast  0: 1',
        'counter   count            keyed value         0: 0-3',
        'counter   seen             keyed map           0: 0-3',
        'counter   window-contents  keyed list          0: 0-3',
        '',
      ].join('\n'),
    );
  });

  it('prints the summary as JSON with --format json, and the same object with --json', async () => {
    const expected = {
      path: FIXTURE_ABS,
      kind: 'savepoint',
      format: 'canonical',
      backend: 'hashmap',
      jobId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      jobName: 'fixture-job',
      checkpointId: 7,
      timestamp: Date.UTC(2026, 0, 1, 12),
      time: '2026-01-01T12:00:00.000Z',
      bytes: 217,
      files: 2,
      operators: [
        {
          operatorId: '85c8d3774725eef91f68c78737bca907',
          uid: 'numbers',
          name: 'Source: numbers',
          parallelism: 1,
          maxParallelism: 4,
          bytes: 34,
          states: [
            { name: 'offsets', type: 'operator', kind: 'split', subtasks: [{ subtask: 0, elements: 2 }] },
            { name: 'rules', type: 'operator', kind: 'broadcast', subtasks: [{ subtask: 0, elements: 1 }] },
          ],
        },
        {
          operatorId: 'c6b27602517c820c8ff153d1424ed436',
          uid: 'counter',
          name: 'Counter',
          parallelism: 1,
          maxParallelism: 4,
          bytes: 183,
          states: [
            { name: 'count', type: 'keyed', kind: 'value', subtasks: [{ subtask: 0, keyGroups: { start: 0, end: 3 } }] },
            { name: 'seen', type: 'keyed', kind: 'map', subtasks: [{ subtask: 0, keyGroups: { start: 0, end: 3 } }] },
            { name: 'window-contents', type: 'keyed', kind: 'list', subtasks: [{ subtask: 0, keyGroups: { start: 0, end: 3 } }] },
          ],
        },
      ],
    };
    for (const flags of [['--format', 'json'], ['--json']]) {
      const result = await flinkts(['savepoint', 'inspect', `${FIXTURE}/_metadata`, ...flags]);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(expected);
    }
  });

  it('dumps keyed and operator state as exact JSON lines', async () => {
    const dump = async (...args: string[]): Promise<string> => {
      const result = await flinkts(['savepoint', 'inspect', FIXTURE, ...args]);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      return result.stdout;
    };
    expect(await dump('--state', 'count')).toBe(
      [
        '{"operator":"counter","state":"count","keyGroup":0,"key":"apple","namespace":"","value":3}',
        '{"operator":"counter","state":"count","keyGroup":1,"key":"banana","namespace":"","value":1}',
        '{"operator":"counter","state":"count","keyGroup":3,"key":"cherry","namespace":"","value":42}',
        '',
      ].join('\n'),
    );
    expect(await dump('--state', 'seen', '--operator', 'c6b27602517c820c8ff153d1424ed436', '--format', 'jsonl')).toBe(
      [
        '{"operator":"counter","state":"seen","keyGroup":0,"key":"apple","namespace":"","value":{"$map":[["red",2],["green",1]]}}',
        '{"operator":"counter","state":"seen","keyGroup":3,"key":"cherry","namespace":"","value":{"$map":[["dark",{"$set":[1,2]}]]}}',
        '',
      ].join('\n'),
    );
    expect(await dump('--state', 'window-contents', '--operator', 'counter')).toBe(
      '{"operator":"counter","state":"window-contents","keyGroup":1,"key":"banana","namespace":"0|10000","value":[{"$bigint":"1"},{"$date":"2026-01-01T00:00:00.000Z"},{"$undefined":true},{"$object":{"$ref":"not a tag","n":{"$number":"NaN"}}}]}\n',
    );
    expect(await dump('--state', 'offsets')).toBe(
      '{"operator":"numbers","state":"offsets","subtask":0,"index":0,"value":10}\n{"operator":"numbers","state":"offsets","subtask":0,"index":1,"value":11}\n',
    );
    expect(JSON.parse(await dump('--state', 'rules', '--format', 'json'))).toEqual([{ operator: 'numbers', state: 'rules', subtask: 0, index: 0, value: ['threshold', 5] }]);
  });

  it('an unknown state is a usage error listing the states', async () => {
    const result = await flinkts(['savepoint', 'inspect', FIXTURE, '--state', 'nope']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `Error: no state 'nope' in any operator of ${FIXTURE_ABS}; states (operator/state): numbers/offsets, numbers/rules, counter/count, counter/seen, counter/window-contents\n`,
    );
  });

  it('a corrupted copy fails with one line naming the file and the reason', async () => {
    const corrupt = await copy('corrupt-metadata');
    await flipByte(join(corrupt, '_metadata'), 200);
    const result = await flinkts(['savepoint', 'inspect', corrupt]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^Error: ${escape(join(corrupt, '_metadata'))}: checksum mismatch: the file records SHA-256 [0-9a-f]{64}, its content has [0-9a-f]{64}\\n$`));

    const missing = await copy('missing-file');
    await rm(join(missing, OPERATOR));
    const gone = await flinkts(['savepoint', 'inspect', missing]);
    expect(gone.exitCode).toBe(1);
    expect(gone.stderr).toBe(`Error: ${join(missing, OPERATOR)}: state file does not exist\n`);

    const flipped = await copy('corrupt-state');
    await flipByte(join(flipped, KEYED), 5);
    const dump = await flinkts(['savepoint', 'inspect', flipped, '--state', 'count']);
    expect(dump.exitCode).toBe(1);
    expect(dump.stdout).toBe('');
    expect(dump.stderr).toMatch(new RegExp(`^Error: ${escape(join(flipped, KEYED))}: checksum mismatch: the metadata records SHA-256 [0-9a-f]{64}, the file has [0-9a-f]{64}\\n$`));
  });
});

describe('flinkts savepoint dispose', () => {
  it('refuses a corrupted copy and keeps it; deletes a valid copy', async () => {
    const corrupt = await copy('dispose-corrupt');
    await writeFile(join(corrupt, '_metadata'), (await readFile(join(corrupt, '_metadata'))).subarray(0, 100));
    const refused = await flinkts(['savepoint', 'dispose', corrupt]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toBe(`Error: ${join(corrupt, '_metadata')}: truncated (expected 1198 bytes, got 100)\n`);
    expect((await stat(join(corrupt, KEYED))).isFile()).toBe(true);

    const valid = await copy('dispose-valid');
    let bytes = 0;
    for (const name of ['_metadata', KEYED, OPERATOR]) bytes += (await stat(join(valid, name))).size;
    const result = await flinkts(['savepoint', 'dispose', valid]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`Disposed of savepoint ${valid} (3 files, ${bytes.toLocaleString('en-US')} bytes).\n`);
    await expect(stat(valid)).rejects.toThrow(/ENOENT/);

    const again = await flinkts(['savepoint', 'dispose', valid, '--json']);
    expect(again.exitCode).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({ error: { code: 'INVALID_SNAPSHOT', message: `${valid}: does not exist`, exitCode: 1 } });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
