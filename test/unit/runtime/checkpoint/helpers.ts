/** Shared set-up of the checkpoint storage tests: sample metadata and snapshots written with the real writer. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointMetadata, KeyedStateFile, SnapshotKind, StateFileRef } from '../../../../src/runtime/checkpoint/metadata.js';
import { encodeKeyGroupSection, encodeOperatorState } from '../../../../src/runtime/checkpoint/state-sections.js';
import { LocalStateFileWriter } from '../../../../src/runtime/checkpoint/state-files.js';

/** A fresh temp dir and its removal. */
export async function makeTempDir(prefix = 'flinkts-ckpt-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const JOB_ID = '0123456789abcdef0123456789abcdef';
export const OPERATOR_ID = 'fedcba9876543210fedcba9876543210';
const SHA = 'a'.repeat(64);

/** A hand-made file reference (its bytes need not exist unless the test loads it). */
export function fileRef(path: string, location: 'exclusive' | 'shared' = 'exclusive', size = 10): StateFileRef {
  return { path, location, size, sha256: SHA };
}

/** A keyed file reference with one section of its whole size in key group 0. */
export function keyedRef(path: string, location: 'exclusive' | 'shared' = 'exclusive', size = 10): KeyedStateFile {
  return { ...fileRef(path, location, size), sections: [[0, 0, size]], delta: false };
}

/** Metadata of one operator at parallelism 1 whose keyed files are `files` (paths not checked to exist). */
export function metadataWith(files: readonly KeyedStateFile[], overrides: Partial<CheckpointMetadata> = {}): CheckpointMetadata {
  return {
    kind: 'checkpoint',
    format: 'native',
    backend: 'hashmap',
    jobId: JOB_ID,
    jobName: 'test job',
    checkpointId: 1,
    timestamp: 1_767_225_600_000,
    operators: [
      {
        operatorId: OPERATOR_ID,
        uid: 'op',
        name: 'Op',
        parallelism: 1,
        maxParallelism: 8,
        subtasks: [{ subtaskIndex: 0, keyed: { keyGroupRange: { start: 0, end: 7 }, files, states: [{ name: 'count', kind: 'value' }] } }],
      },
    ],
    ...overrides,
  };
}

/**
 * Writes a real snapshot's state files into `dir` (keyed: `count` of keys a
 * (group 1) and b (group 3); operator: `offsets` [1, 2]) and returns its
 * metadata, not yet committed.
 */
export async function writeSampleSnapshot(dir: string, kind: SnapshotKind, checkpointId = 1, sharedDir?: string): Promise<CheckpointMetadata> {
  const writer = new LocalStateFileWriter({ snapshotDir: dir, ...(sharedDir === undefined ? {} : { sharedDir }), operatorId: OPERATOR_ID, subtaskIndex: 0 });
  const keyed = await writer.writeKeyedStateFile(
    [
      [1, encodeKeyGroupSection([['count', 'a', '', 1]])],
      [3, encodeKeyGroupSection([['count', 'b', '', 2]])],
    ],
    { location: sharedDir === undefined ? 'exclusive' : 'shared' },
  );
  const operator = await writer.writeOperatorStateFile(encodeOperatorState({ offsets: [1, 2] }));
  return {
    kind,
    format: kind === 'savepoint' ? 'canonical' : 'native',
    backend: 'hashmap',
    jobId: JOB_ID,
    jobName: 'sample',
    checkpointId,
    timestamp: 1_767_225_600_000 + checkpointId,
    operators: [
      {
        operatorId: OPERATOR_ID,
        uid: 'op',
        name: 'Op',
        parallelism: 1,
        maxParallelism: 8,
        subtasks: [
          {
            subtaskIndex: 0,
            keyed: { keyGroupRange: { start: 0, end: 7 }, files: [keyed], states: [{ name: 'count', kind: 'value' }] },
            operator: { file: operator, states: [{ name: 'offsets', mode: 'split', count: 2 }] },
          },
        ],
      },
    ],
  };
}
