/**
 * Keyed state files encoded and written on the encoding thread: a heap
 * backend's snapshot of values in columns, and timers whose keys are
 * numbers, read back from the files (size and SHA-256 checked by the
 * reader) hold exactly the entries the test put in, each in the section of
 * its key's group (assignToKeyGroup); a failing job rejects and leaves no
 * file; the buffers the copies travelled in come back for the next snapshot.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AggregatingStateDescriptor, ValueStateDescriptor } from '../../../../src/api/state.js';
import { assignToKeyGroup } from '../../../../src/graph/key-groups.js';
import type { KeyedStateFile } from '../../../../src/runtime/checkpoint/metadata.js';
import { writeSectionsOnThread } from '../../../../src/runtime/checkpoint/section-thread.js';
import { LocalStateFileReader, LocalStateFileWriter } from '../../../../src/runtime/checkpoint/state-files.js';
import { decodeKeyGroupSection, type KeyedEntryRecord } from '../../../../src/runtime/checkpoint/state-sections.js';
import { copyForTransfer, spareBuffers } from '../../../../src/runtime/checkpoint/transfer-buffers.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import { copyTimerColumns, gatherTimers, releaseTimerKeys } from '../../../../src/runtime/time/timer-sections.js';
import { HeapTimerService } from '../../../../src/runtime/time/timer-service.js';
import { FakeProcessingTimeService } from '../time/fake-processing-time.js';

const RANGE = { start: 0, end: 127 };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flinkts-section-thread-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writer = (): LocalStateFileWriter => new LocalStateFileWriter({ snapshotDir: dir, operatorId: 'abcdef0123456789', subtaskIndex: 0 });

/** Every section of `file`, decoded (the reader checks size and checksum first), with its key group. */
async function readBack(file: KeyedStateFile): Promise<{ keyGroup: number; records: KeyedEntryRecord[] }[]> {
  const reader = new LocalStateFileReader(dir);
  const out = [];
  for (const [keyGroup] of file.sections) out.push({ keyGroup, records: decodeKeyGroupSection((await reader.readSection(file, keyGroup))!) });
  return out;
}

const sortRecords = (records: KeyedEntryRecord[]): KeyedEntryRecord[] => [...records].sort((a, b) => `${a[0]}|${String(a[1])}|${a[2]}`.localeCompare(`${b[0]}|${String(b[1])}|${b[2]}`));

describe('keyed state files written on the encoding thread', () => {
  it('hold every value of a snapshot of values in columns, by key group, and restore them', async () => {
    const backend = new HeapKeyedStateBackend(RANGE, 128);
    const descriptor = () => new AggregatingStateDescriptor('sum', { createAccumulator: () => ({ count: 0, sum: 0 }), add: (v: number, acc: { count: number; sum: number }) => ({ count: acc.count + 1, sum: acc.sum + v }), getResult: (acc) => acc, merge: (x, y) => ({ count: x.count + y.count, sum: x.sum + y.sum }) });
    const sum = backend.getState<never>(descriptor());
    const expected: KeyedEntryRecord[] = [];
    for (let key = 0; key < 5000; key++) {
      backend.setCurrentKey(key);
      (sum as { setCurrentNamespace(ns: string): void }).setCurrentNamespace(`w${key % 2}`);
      (sum as { add(v: number): void }).add(key * 1.5);
      (sum as { add(v: number): void }).add(1);
      // Every seventh key's value is cleared again: its slot is free, and not in the file.
      if (key % 7 === 3) (sum as { clear(): void }).clear();
      else expected.push(['sum', key, `w${key % 2}`, { count: 2, sum: key * 1.5 + 1 }]);
    }
    const asyncPart = backend.snapshot({ checkpointId: 1, format: 'native', files: writer() });
    // The values change after the barrier (before the copies are encoded): the snapshot has the values of the barrier.
    backend.setCurrentKey(0);
    (sum as { setCurrentNamespace(ns: string): void }).setCurrentNamespace('w0');
    (sum as { add(v: number): void }).add(100);
    backend.setCurrentKey(5000);
    (sum as { add(v: number): void }).add(1);
    const handle = (await asyncPart())!;
    const [file] = handle.files;
    const sections = await readBack(file!);
    expect(sections.map((s) => s.keyGroup)).toEqual([...new Set(expected.map(([, key]) => assignToKeyGroup(key, 128)))].sort((a, b) => a - b));
    for (const { keyGroup, records } of sections) for (const [, key] of records) expect(assignToKeyGroup(key, 128)).toBe(keyGroup);
    expect(sortRecords(sections.flatMap((s) => s.records))).toEqual(sortRecords(expected));
    expect(file!.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, file!.path))).digest('hex'));

    const restored = new HeapKeyedStateBackend(RANGE, 128);
    await restored.restore([handle], new LocalStateFileReader(dir));
    const value = restored.getState<never>(descriptor());
    restored.setCurrentKey(0);
    (value as { setCurrentNamespace(ns: string): void }).setCurrentNamespace('w0');
    expect((value as { get(): unknown }).get()).toEqual({ count: 2, sum: 1 });
    restored.setCurrentKey(3);
    (value as { setCurrentNamespace(ns: string): void }).setCurrentNamespace('w1');
    expect((value as { get(): unknown }).get()).toBeUndefined();
  });

  it('hold every live timer whose key is a number, in its key group, in registration order', async () => {
    const backend = new HeapKeyedStateBackend(RANGE, 128);
    const timers = new HeapTimerService(backend, new FakeProcessingTimeService(), { onEventTime: () => undefined, onProcessingTime: () => undefined });
    const expected: KeyedEntryRecord[] = [];
    for (let i = 0; i < 3000; i++) {
      const key = i % 2 === 0 ? i : i + 0.25;
      backend.setCurrentKey(key);
      timers.registerEventTimeTimer('0|10', 9);
      if (i % 5 === 0) timers.deleteEventTimeTimer('0|10', 9);
      else expected.push(['timers/0/event', key, '0|10', [9]]);
      timers.registerProcessingTimeTimer('', 20 + (i % 3));
      expected.push(['timers/0/processing', key, '', [20 + (i % 3)]]);
    }
    const gathered = gatherTimers([timers]);
    const job = { kind: 'timers' as const, timers: copyTimerColumns({ ...gathered, numberKeys: gathered.numberKeys! }), keyGroups: { maxParallelism: 128, keyGroupRange: RANGE } };
    releaseTimerKeys(gathered);
    const { file, entries } = await writeSectionsOnThread(job, { snapshotDir: dir, operatorId: 'abcdef0123456789', subtaskIndex: 0 });
    expect(entries).toBe(expected.length);
    const sections = await readBack(file!);
    for (const { keyGroup, records } of sections) for (const [, key] of records) expect(assignToKeyGroup(key, 128)).toBe(keyGroup);
    expect(sortRecords(sections.flatMap((s) => s.records))).toEqual(sortRecords(expected));
    // Within a key group, the timers of one state are in registration order.
    for (const { records } of sections) {
      const event = records.filter(([state]) => state === 'timers/0/event').map(([, key]) => key as number);
      expect(event).toEqual([...event].sort((a, b) => a - b));
    }
  });

  it('rejects a job that fails, naming why, and leaves no file behind', async () => {
    const backend = new HeapKeyedStateBackend({ start: 0, end: 63 }, 128);
    const timers = new HeapTimerService(backend, new FakeProcessingTimeService(), { onEventTime: () => undefined, onProcessingTime: () => undefined });
    // A key of a group outside 0–63.
    const outside = Array.from({ length: 100 }, (_, k) => k).find((k) => assignToKeyGroup(k, 128) > 63)!;
    backend.setCurrentKey(outside);
    timers.registerEventTimeTimer('', 1);
    const gathered = gatherTimers([timers]);
    const job = { kind: 'timers' as const, timers: copyTimerColumns({ ...gathered, numberKeys: gathered.numberKeys! }), keyGroups: { maxParallelism: 128, keyGroupRange: { start: 0, end: 63 } } };
    await expect(writeSectionsOnThread(job, { snapshotDir: dir, operatorId: 'abcdef0123456789', subtaskIndex: 0 })).rejects.toThrow(`a timer's key ${outside} is outside this subtask's key groups 0-63`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('gives an empty snapshot no file', async () => {
    const backend = new HeapKeyedStateBackend(RANGE, 128);
    const state = backend.getState<never>(new ValueStateDescriptor<number>('n'));
    backend.setCurrentKey(1);
    (state as { update(v: number): void }).update(1);
    (state as { clear(): void }).clear();
    expect(await backend.snapshot({ checkpointId: 1, format: 'native', files: writer() })()).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('copies into buffers the thread gives back, and reuses them', async () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i / 3);
    const copy = copyForTransfer(values, 600);
    expect([...copy]).toEqual([...values.subarray(0, 600)]);
    const job = { kind: 'timers' as const, timers: { count: 1, stateNames: ['timers/0/event'], namespaces: [''], timestamps: copy, namespaceIndexes: copyForTransfer(new Int32Array(1), 1), stateIndexes: copyForTransfer(new Int32Array(1), 1), numberKeys: copyForTransfer(new Float64Array([5]), 1) }, keyGroups: { maxParallelism: 128, keyGroupRange: RANGE } };
    const before = spareBuffers().count;
    await writeSectionsOnThread(job, { snapshotDir: dir, operatorId: 'abcdef0123456789', subtaskIndex: 0 });
    expect(copy.length).toBe(0); // moved to the thread
    expect(spareBuffers().count).toBe(before + 4);
    // A spare buffer holds 600 numbers again: taken from the spares, no new memory.
    const again = copyForTransfer(values, 600);
    expect([...again]).toEqual([...values.subarray(0, 600)]);
    expect(spareBuffers().count).toBe(before + 3);
  });
});
