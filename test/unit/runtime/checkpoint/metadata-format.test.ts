/** The `_metadata` format: its exact bytes, round trips, and a typed error naming the file for every corruption (RELIABILITY C1). */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { CheckpointFormatError, type CheckpointFormatReason } from '../../../../src/runtime/checkpoint/checkpoint-errors.js';
import type { CheckpointMetadata } from '../../../../src/runtime/checkpoint/metadata.js';
import { decodeMetadata, encodeMetadata } from '../../../../src/runtime/checkpoint/metadata-format.js';
import { fileRef, keyedRef, metadataWith } from './helpers.js';

const FILE = '/ckpt/job/chk-1/_metadata';
const MAGIC = [0x89, 0x46, 0x4c, 0x4b, 0x54, 0x53, 0x0d, 0x0a];

function sha(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** The layout as docs/checkpoint-format.md describes it, built by hand. */
function expectedBytes(payload: string, version = 1): Buffer {
  const body = Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(16);
  Buffer.from(MAGIC).copy(header);
  header.writeUInt32BE(version, 8);
  header.writeUInt32BE(body.length, 12);
  const headed = Buffer.concat([header, sha(header).subarray(0, 4), body]);
  return Buffer.concat([headed, sha(headed)]);
}

function decodeError(bytes: Uint8Array): CheckpointFormatError {
  try {
    decodeMetadata(bytes, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(CheckpointFormatError);
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as CheckpointFormatError).code).toBe('INVALID_SNAPSHOT');
    expect((error as CheckpointFormatError).file).toBe(FILE);
    expect((error as Error).message.startsWith(`${FILE}: `)).toBe(true);
    return error as CheckpointFormatError;
  }
  throw new Error('decoding succeeded');
}

function expectReason(bytes: Uint8Array, reason: CheckpointFormatReason, message: string | RegExp): void {
  const error = decodeError(bytes);
  expect(error.reason).toBe(reason);
  if (typeof message === 'string') expect(error.message).toBe(`${FILE}: ${message}`);
  else expect(error.message).toMatch(message);
}

const small: CheckpointMetadata = {
  kind: 'savepoint',
  format: 'canonical',
  backend: 'hashmap',
  jobId: 'j1',
  jobName: 'n',
  checkpointId: 3,
  timestamp: 5,
  operators: [],
};

describe('encodeMetadata', () => {
  it('writes magic, version 1, length, header check, sorted-key JSON and the SHA-256, byte for byte', () => {
    const payload = '{"backend":"hashmap","checkpointId":3,"format":"canonical","jobId":"j1","jobName":"n","kind":"savepoint","operators":[],"timestamp":5}';
    expect(encodeMetadata(small)).toEqual(expectedBytes(payload));
  });

  it('gives the same bytes whatever the key order of the object', () => {
    const reordered = { operators: [], timestamp: 5, checkpointId: 3, jobName: 'n', jobId: 'j1', backend: 'hashmap', format: 'canonical', kind: 'savepoint' } as const;
    expect(encodeMetadata(reordered)).toEqual(encodeMetadata(small));
  });

  it('round-trips metadata with keyed, operator and shared state', () => {
    const metadata = metadataWith([keyedRef('a.keyed'), { ...keyedRef('b.keyed', 'shared', 30), sections: [[2, 0, 10], [5, 10, 20]], delta: true, clearedKeyGroups: [4] }]);
    const withOperatorState: CheckpointMetadata = {
      ...metadata,
      operators: [
        ...metadata.operators,
        {
          operatorId: 'src',
          name: 'Source: s',
          parallelism: 2,
          maxParallelism: 2,
          subtasks: [
            { subtaskIndex: 1, operator: { file: fileRef('s.op'), states: [{ name: 'offsets', mode: 'union', count: 3 }] } },
            {
              subtaskIndex: 0,
              finished: true,
              timers: { keyGroupRange: { start: 0, end: 1 }, files: [keyedRef('t.keyed', 'shared')], states: [{ name: 'timers/0/event', kind: 'value' }] },
            },
          ],
        },
      ],
    };
    expect(decodeMetadata(encodeMetadata(withOperatorState), FILE)).toEqual(withOperatorState);
  });

  it('refuses to write metadata it could not read back', () => {
    expect(() => encodeMetadata(metadataWith([keyedRef('../escape.keyed')]))).toThrow(
      /cannot write _metadata: malformed content at \$\.operators\[0\]\.subtasks\[0\]\.keyed\.files\[0\]\.path/,
    );
  });
});

describe('decodeMetadata refuses corrupt files with the file and the reason', () => {
  const good = encodeMetadata(metadataWith([keyedRef('a.keyed')]));

  it('a flipped byte anywhere: bad magic in 0-7, unknown version in 8-11, checksum mismatch from 12 on', () => {
    for (let at = 0; at < good.length; at++) {
      const bad = Buffer.from(good);
      bad[at] = bad[at]! ^ 0x01;
      const error = decodeError(bad);
      const expected: CheckpointFormatReason = at < 8 ? 'bad-magic' : at < 12 ? 'unknown-version' : 'checksum-mismatch';
      expect(error.reason, `byte ${at}`).toBe(expected);
    }
  });

  it('names the header or the content in a checksum mismatch', () => {
    const header = Buffer.from(good);
    header[13] = header[13]! ^ 0xff;
    expectReason(header, 'checksum-mismatch', /: checksum mismatch in the header: expected [0-9a-f]{8}, computed [0-9a-f]{8}$/);
    const payload = Buffer.from(good);
    payload[30] = payload[30]! ^ 0x20;
    expectReason(payload, 'checksum-mismatch', /: checksum mismatch: the file records SHA-256 [0-9a-f]{64}, its content has [0-9a-f]{64}$/);
  });

  it('truncated at every length', () => {
    for (let length = 1; length < good.length; length++) {
      const error = decodeError(good.subarray(0, length));
      expect(error.reason, `length ${length}`).toBe('truncated');
      const expected = length < 20 ? `truncated (expected at least 20 bytes, got ${length})` : `truncated (expected ${good.length} bytes, got ${length})`;
      expect(error.message).toBe(`${FILE}: ${expected}`);
    }
  });

  it('empty', () => {
    expectReason(new Uint8Array(0), 'empty', 'empty file (0 bytes): not a complete flinkts snapshot');
  });

  it('trailing bytes', () => {
    expectReason(Buffer.concat([good, Buffer.from('xy')]), 'trailing-data', `2 bytes after the end (expected ${good.length} bytes, got ${good.length + 2})`);
  });

  it('wrong magic: another file entirely', () => {
    expectReason(Buffer.from('{"kind":"savepoint"}'), 'bad-magic', 'not a flinkts snapshot (bad magic number)');
    expectReason(Buffer.from([0x89, 0x46, 0x00]), 'bad-magic', 'not a flinkts snapshot (bad magic number)');
  });

  it('unknown version, with a hint when it is newer', () => {
    const v2 = expectedBytes('{}', 2);
    const error = decodeError(v2);
    expect(error.reason).toBe('unknown-version');
    expect(error.message).toBe(`${FILE}: unknown format version 2 (this flinkts reads version 1)`);
    expect(error.hint).toBe('it may have been written by a newer flinkts');
    expectReason(expectedBytes('{}', 0), 'unknown-version', 'unknown format version 0 (this flinkts reads version 1)');
  });

  it('a payload that is not UTF-8 or not JSON', () => {
    const notUtf8 = (() => {
      const body = Buffer.from([0xc3, 0x28]);
      const header = Buffer.alloc(16);
      Buffer.from(MAGIC).copy(header);
      header.writeUInt32BE(1, 8);
      header.writeUInt32BE(body.length, 12);
      const headed = Buffer.concat([header, sha(header).subarray(0, 4), body]);
      return Buffer.concat([headed, sha(headed)]);
    })();
    expectReason(notUtf8, 'malformed', 'malformed content at $: the payload is not UTF-8');
    expectReason(expectedBytes('{"kind":'), 'malformed', /^.*: malformed content at \$: not JSON \(.+\)$/);
  });
});

describe('decodeMetadata checks the structure of the JSON', () => {
  const json = (metadata: unknown): Buffer => expectedBytes(JSON.stringify(metadata));
  const base = metadataWith([keyedRef('a.keyed')]);
  const withFile = (file: unknown): unknown => ({
    ...base,
    operators: [{ ...base.operators[0], subtasks: [{ subtaskIndex: 0, keyed: { ...base.operators[0]!.subtasks[0]!.keyed, files: [file] } }] }],
  });
  const FILE_PATH = '$.operators[0].subtasks[0].keyed.files[0]';

  it.each([
    ['/etc/passwd', 'is absolute'],
    ['../../outside.keyed', "contains a '..' segment"],
    ['sub/../../x', "contains a '..' segment"],
    ['a\u0000b', 'contains a NUL character'],
    ['C:x', 'starts with a drive letter'],
    ['a\\b', 'contains a backslash'],
    ['', 'is empty'],
    ['a//b', 'contains an empty or . segment'],
  ])('rejects the state file path %j', (path, problem) => {
    expectReason(
      json(withFile({ ...keyedRef('x'), path })),
      'malformed',
      `malformed content at ${FILE_PATH}.path: ${JSON.stringify(path)} ${problem}; state file paths must be relative and stay inside the snapshot`,
    );
  });

  it.each<[string, unknown, string]>([
    ['a non-object', [], 'malformed content at $: must be an object, got an array'],
    ['a missing field', { ...base, jobId: undefined }, 'malformed content at $.jobId: is missing'],
    ['an unknown field', { ...base, extra: 1 }, 'malformed content at $.extra: is not a field of this format version'],
    ['a bad kind', { ...base, kind: 'backup' }, 'malformed content at $.kind: must be one of checkpoint, savepoint, got the string "backup"'],
    ['a fractional id', { ...base, checkpointId: 1.5 }, 'malformed content at $.checkpointId: must be an integer, got 1.5'],
    ['a negative timestamp', { ...base, timestamp: -1 }, 'malformed content at $.timestamp: must be at least 0, got -1'],
    ['a string parallelism', { ...base, operators: [{ ...base.operators[0], parallelism: '1' }] }, 'malformed content at $.operators[0].parallelism: must be an integer, got the string "1"'],
    [
      'a subtask index beyond the parallelism',
      { ...base, operators: [{ ...base.operators[0], subtasks: [{ subtaskIndex: 1 }] }] },
      'malformed content at $.operators[0].subtasks[0].subtaskIndex: must be below the parallelism 1, got 1',
    ],
    ['a bad checksum', withFile({ ...keyedRef('x'), sha256: 'XYZ' }), `malformed content at ${FILE_PATH}.sha256: must be 64 lowercase hex digits`],
    ['a section outside the file', withFile({ ...keyedRef('x'), sections: [[0, 5, 6]] }), `malformed content at ${FILE_PATH}.sections[0]: section ends at byte 11, after the end of the 10-byte file`],
    ['a key group outside the range', withFile({ ...keyedRef('x'), sections: [[8, 0, 1]] }), `malformed content at ${FILE_PATH}.sections[0][0]: key group 8 is outside the subtask's range 0-7`],
    ['descending key groups', withFile({ ...keyedRef('x'), sections: [[2, 0, 1], [1, 1, 1]] }), `malformed content at ${FILE_PATH}.sections[1][0]: key groups must ascend, got 1 after 2`],
    ['a bad location', withFile({ ...keyedRef('x'), location: 'remote' }), `malformed content at ${FILE_PATH}.location: must be one of exclusive, shared, got the string "remote"`],
    ['a missing delta flag', withFile({ ...keyedRef('x'), delta: undefined }), `malformed content at ${FILE_PATH}.delta: is missing`],
    [
      'duplicate operator ids',
      { ...base, operators: [base.operators[0], base.operators[0]] },
      'malformed content at $.operators[1].operatorId: duplicate operator id "fedcba9876543210fedcba9876543210"',
    ],
  ])('rejects %s', (_what, metadata, message) => {
    // JSON.stringify drops undefined fields: that is how a field goes missing.
    expectReason(json(metadata), 'malformed', message);
  });
});
