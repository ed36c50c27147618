/**
 * Format stability: `test/fixtures/checkpoint/savepoint-a1b2c3-000000000001/`
 * was written once by `make-fixture.js` from the documented format (not by
 * flinkts). flinkts must decode it to exactly this metadata and these
 * entries, and encode this metadata to exactly those bytes. If this fails,
 * the format changed: bump the version and keep reading version 1.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assignToKeyGroup } from '../../../../src/graph/key-groups.js';
import { operatorIdFor } from '../../../../src/graph/operator-id.js';
import type { CheckpointMetadata } from '../../../../src/runtime/checkpoint/metadata.js';
import { decodeMetadata, encodeMetadata } from '../../../../src/runtime/checkpoint/metadata-format.js';
import { decodeKeyGroupSection, decodeOperatorState } from '../../../../src/runtime/checkpoint/state-sections.js';
import { loadSnapshot } from '../../../../src/runtime/checkpoint/storage.js';

const DIR = fileURLToPath(new URL('../../../fixtures/checkpoint/savepoint-a1b2c3-000000000001/', import.meta.url));
const KEYED = 'c6b27602-0-0000000000000001.keyed';
const OPERATOR = '85c8d377-0-0000000000000002.op';

const EXPECTED: CheckpointMetadata = {
  kind: 'savepoint',
  format: 'canonical',
  backend: 'hashmap',
  jobId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  jobName: 'fixture-job',
  checkpointId: 7,
  timestamp: Date.UTC(2026, 0, 1, 12, 0, 0),
  operators: [
    {
      operatorId: '85c8d3774725eef91f68c78737bca907',
      uid: 'numbers',
      name: 'Source: numbers',
      parallelism: 1,
      maxParallelism: 4,
      subtasks: [
        {
          subtaskIndex: 0,
          operator: {
            file: { path: OPERATOR, location: 'exclusive', size: 34, sha256: '833e71bf548a199e0140a845d6e53f9776d1826a7176c17819fe34fe35eac3ba' },
            states: [
              { name: 'offsets', mode: 'split', count: 2 },
              { name: 'rules', mode: 'broadcast', count: 1 },
            ],
          },
        },
      ],
    },
    {
      operatorId: 'c6b27602517c820c8ff153d1424ed436',
      uid: 'counter',
      name: 'Counter',
      parallelism: 1,
      maxParallelism: 4,
      subtasks: [
        {
          subtaskIndex: 0,
          keyed: {
            keyGroupRange: { start: 0, end: 3 },
            files: [
              {
                path: KEYED,
                location: 'exclusive',
                size: 183,
                sha256: '7cc9784f5ed6f23dddd64e9982a397ed08483adf1427dfae83a3d1c27f3f8099',
                sections: [
                  [0, 0, 42],
                  [1, 42, 98],
                  [3, 140, 43],
                ],
                delta: false,
              },
            ],
            states: [
              { name: 'count', kind: 'value' },
              { name: 'seen', kind: 'map' },
              { name: 'window-contents', kind: 'list' },
            ],
          },
        },
      ],
    },
  ],
};

describe('the golden savepoint fixture', () => {
  it('decodes to exactly the expected metadata', async () => {
    const bytes = await readFile(join(DIR, '_metadata'));
    expect(decodeMetadata(bytes, '_metadata')).toEqual(EXPECTED);
  });

  it('encoding the same metadata today gives the committed bytes', async () => {
    expect(encodeMetadata(EXPECTED)).toEqual(await readFile(join(DIR, '_metadata')));
  });

  it('is consistent: ids from the uids, files of the recorded size and SHA-256, keys in their key groups', async () => {
    expect(operatorIdFor('numbers', '')).toBe(EXPECTED.operators[0]!.operatorId);
    expect(operatorIdFor('counter', '')).toBe(EXPECTED.operators[1]!.operatorId);
    for (const [name, size, sha] of [
      [KEYED, 183, '7cc9784f5ed6f23dddd64e9982a397ed08483adf1427dfae83a3d1c27f3f8099'],
      [OPERATOR, 34, '833e71bf548a199e0140a845d6e53f9776d1826a7176c17819fe34fe35eac3ba'],
    ] as const) {
      const bytes = await readFile(join(DIR, name));
      expect(bytes.length).toBe(size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
    }
    expect(['apple', 'banana', 'cherry'].map((key) => assignToKeyGroup(key, 4))).toEqual([0, 1, 3]);
  });

  it('holds exactly these state entries', async () => {
    const { metadata, reader } = await loadSnapshot(DIR, { verifyChecksums: true });
    const keyed = metadata.operators[1]!.subtasks[0]!.keyed!.files[0]!;
    expect(decodeKeyGroupSection((await reader.readSection(keyed, 0))!)).toEqual([
      ['count', 'apple', '', 3],
      [
        'seen',
        'apple',
        '',
        new Map([
          ['red', 2],
          ['green', 1],
        ]),
      ],
    ]);
    expect(decodeKeyGroupSection((await reader.readSection(keyed, 1))!)).toEqual([
      ['count', 'banana', '', 1],
      ['window-contents', 'banana', '0|10000', [1n, new Date('2026-01-01T00:00:00.000Z'), undefined, { $ref: 'not a tag', n: NaN }]],
    ]);
    expect(await reader.readSection(keyed, 2)).toBeUndefined();
    expect(decodeKeyGroupSection((await reader.readSection(keyed, 3))!)).toEqual([
      ['count', 'cherry', '', 42],
      ['seen', 'cherry', '', new Map([['dark', new Set([1, 2])]])],
    ]);
    const operatorFile = metadata.operators[0]!.subtasks[0]!.operator!.file;
    expect(decodeOperatorState(await reader.readFile(operatorFile))).toEqual({ offsets: [10, 11], rules: [['threshold', 5]] });
  });
});
