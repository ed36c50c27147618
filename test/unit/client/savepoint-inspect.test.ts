/** `savepoint inspect` logic: the summary, dumps with delta files applied, and name errors listing what exists. */
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { collectStateDump, inspectSnapshot, renderSnapshotSummary, writeStateDump } from '../../../src/client/savepoint-inspect.js';
import type { CheckpointMetadata } from '../../../src/runtime/checkpoint/metadata.js';
import { DELETED, encodeKeyGroupSection, encodeOperatorState } from '../../../src/runtime/checkpoint/state-sections.js';
import { CheckpointStorage } from '../../../src/runtime/checkpoint/storage.js';
import { JOB_ID, makeTempDir } from '../runtime/checkpoint/helpers.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/checkpoint/savepoint-a1b2c3-000000000001', import.meta.url));

describe('inspectSnapshot', () => {
  it('summarises the golden fixture', async () => {
    const summary = await inspectSnapshot(FIXTURE);
    expect(summary).toEqual({
      path: FIXTURE,
      kind: 'savepoint',
      format: 'canonical',
      backend: 'hashmap',
      jobId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      jobName: 'fixture-job',
      checkpointId: 7,
      timestamp: Date.UTC(2026, 0, 1, 12),
      time: '2026-01-01T12:00:00.000Z',
      bytes: 34 + 183,
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
          states: ['count', 'seen', 'window-contents'].map((name, i) => ({
            name,
            type: 'keyed',
            kind: ['value', 'map', 'list'][i],
            subtasks: [{ subtask: 0, keyGroups: { start: 0, end: 3 } }],
          })),
        },
      ],
    });
    expect(renderSnapshotSummary(summary, 'table')).toBe(
      [
        'kind:        savepoint',
        'format:      canonical',
        'backend:     hashmap',
        'job:         fixture-job',
        'job id:      a1b2c3d4e5f60718293a4b5c6d7e8f90',
        'checkpoint:  7',
        'time:        2026-01-01T12:00:00.000Z',
        `path:        ${FIXTURE}`,
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
});

describe('dumping state', () => {
  let base: string;
  let cleanup: () => Promise<void>;
  let chk: string;

  /**
   * Checkpoint 1 of operator "op" (parallelism 2, max parallelism 4):
   * subtask 0 (key groups 0-1) has a full file and a delta file, subtask 1
   * operator state `offsets`.
   */
  beforeEach(async () => {
    ({ dir: base, cleanup } = await makeTempDir());
    const storage = new CheckpointStorage(base);
    chk = await storage.createCheckpointDir(JOB_ID, 1);
    const writer0 = storage.stateFileWriter(JOB_ID, 1, 'op-id', 0);
    const full = await writer0.writeKeyedStateFile(
      [
        [0, encodeKeyGroupSection([['count', 'a', '', 1], ['count', 'b', '', 2], ['other', 'a', '', 9]])],
        [1, encodeKeyGroupSection([['count', 'c', 'w1', 3]])],
      ],
      { location: 'shared' },
    );
    const delta = await writer0.writeKeyedStateFile(
      [
        [0, encodeKeyGroupSection([['count', 'a', '', DELETED], ['count', 'd', '', 4], ['count', 'b', '', new Map([['x', 1n]])]])],
        [1, encodeKeyGroupSection([['count', 'e', 'w1', 5]])],
      ],
      { location: 'shared', delta: true, clearedKeyGroups: [1] },
    );
    const op1 = await storage.stateFileWriter(JOB_ID, 1, 'op-id', 1).writeOperatorStateFile(encodeOperatorState({ offsets: [7, undefined] }));
    const metadata: CheckpointMetadata = {
      kind: 'checkpoint',
      format: 'native',
      backend: 'embedded',
      jobId: JOB_ID,
      jobName: 'j',
      checkpointId: 1,
      timestamp: 0,
      operators: [
        {
          operatorId: 'op-id',
          uid: 'op',
          name: 'Op',
          parallelism: 2,
          maxParallelism: 4,
          subtasks: [
            {
              subtaskIndex: 1,
              keyed: { keyGroupRange: { start: 2, end: 3 }, files: [], states: [] },
              operator: { file: op1, states: [{ name: 'offsets', mode: 'split', count: 2 }] },
            },
            {
              subtaskIndex: 0,
              keyed: {
                keyGroupRange: { start: 0, end: 1 },
                files: [full, delta],
                states: [
                  { name: 'count', kind: 'value' },
                  { name: 'other', kind: 'value' },
                ],
              },
            },
          ],
        },
      ],
    };
    await storage.commit(chk, metadata);
  });
  afterEach(() => cleanup());

  it('applies delta files in order: deletions, updates in place, new entries, cleared key groups', async () => {
    expect((await collectStateDump({ path: chk, state: 'count' })).entries).toEqual([
      { operator: 'op', state: 'count', keyGroup: 0, key: 'b', namespace: '', value: { $map: [['x', { $bigint: '1' }]] } },
      { operator: 'op', state: 'count', keyGroup: 0, key: 'd', namespace: '', value: 4 },
      { operator: 'op', state: 'count', keyGroup: 1, key: 'e', namespace: 'w1', value: 5 },
    ]);
    expect((await collectStateDump({ path: chk, state: 'other', operator: 'op-id' })).entries).toEqual([
      { operator: 'op', state: 'other', keyGroup: 0, key: 'a', namespace: '', value: 9 },
    ]);
  });

  it('dumps operator state per subtask and element', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    expect(await writeStateDump({ path: chk, state: 'offsets', format: 'jsonl', out })).toEqual({ entries: 2 });
    expect(text).toBe(
      '{"operator":"op","state":"offsets","subtask":1,"index":0,"value":7}\n{"operator":"op","state":"offsets","subtask":1,"index":1,"value":{"$undefined":true}}\n',
    );
    const json = new PassThrough();
    let array = '';
    json.on('data', (chunk: Buffer) => (array += chunk.toString()));
    await writeStateDump({ path: chk, state: 'offsets', format: 'json', out: json });
    expect(JSON.parse(array)).toEqual(text.trim().split('\n').map((line) => JSON.parse(line) as unknown));
  });

  it('an unknown operator or state lists those that exist, and nothing is written', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const unknownOperator = writeStateDump({ path: chk, state: 'count', operator: 'nope', format: 'json', out });
    await expect(unknownOperator).rejects.toThrow(new FlinktsError('USAGE', `no operator 'nope' in ${chk}; operators (uid and id): op (op-id)`));
    await expect(writeStateDump({ path: chk, state: 'missing', format: 'jsonl', out })).rejects.toThrow(
      `no state 'missing' in any operator of ${chk}; states (operator/state): op/offsets, op/count, op/other`,
    );
    await expect(collectStateDump({ path: chk, state: 'missing', operator: 'op' })).rejects.toMatchObject({ code: 'USAGE' });
    expect(text).toBe('');
  });
});
