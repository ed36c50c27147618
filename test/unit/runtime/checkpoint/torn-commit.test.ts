/**
 * RELIABILITY C2: a process killed while it writes `_metadata` leaves a torn
 * checkpoint that is never listed nor loadable, and the previous completed
 * checkpoint stays the latest. A real child process commits checkpoint 2 and
 * is SIGKILLed halfway through the write (the test-only pause hook of
 * `commit.ts`); a control run without the hook proves the child completes
 * when left alone, so the kill is what the test observes.
 */
import { build } from 'esbuild';
import { execa, type ResultPromise } from 'execa';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointFormatError } from '../../../../src/runtime/checkpoint/checkpoint-errors.js';
import { encodeMetadata } from '../../../../src/runtime/checkpoint/metadata-format.js';
import { CheckpointStorage, loadSnapshot } from '../../../../src/runtime/checkpoint/storage.js';
import { JOB_ID, makeTempDir, writeSampleSnapshot } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
// Inside node_modules (ignored by git) so that the bundle's bare imports (msgpackr) resolve.
const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'flinkts-test', `torn-commit-${process.pid}`);
const CHILD = join(BUNDLE_DIR, 'commit-child.mjs');

let base: string;
let cleanup: () => Promise<void>;
let storage: CheckpointStorage;

beforeAll(async () => {
  await mkdir(BUNDLE_DIR, { recursive: true });
  await build({
    entryPoints: [fileURLToPath(new URL('./support/commit-child.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: CHILD,
    logLevel: 'silent',
  });
});
afterAll(() => rm(BUNDLE_DIR, { recursive: true, force: true }));

beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir('flinkts-c2-'));
  storage = new CheckpointStorage(base);
  const dir = await storage.createCheckpointDir(JOB_ID, 1);
  await storage.commit(dir, await writeSampleSnapshot(dir, 'checkpoint', 1, storage.sharedDir(JOB_ID)));
});
afterEach(() => cleanup());

function child(pause: boolean): ResultPromise {
  return execa('node', [CHILD, base, JOB_ID, '2'], {
    reject: false,
    env: pause ? { FLINKTS_TEST_PAUSE_METADATA_WRITE: '1' } : {},
    extendEnv: true,
    timeout: 30_000,
  });
}

/** Resolves with the line the child prints once it paused inside the `_metadata` write. */
function pausedLine(process: ResultPromise): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((l) => l.startsWith('FLINKTS_TEST_PAUSE_METADATA_WRITE paused '));
      if (line !== undefined) resolve(line);
    });
    process.then((result) => reject(new Error(`the child ended before pausing: ${String(result.stderr)}`)), reject);
  });
}

describe('C2: SIGKILL during the _metadata write', () => {
  it('control: left alone, the child completes checkpoint 2', async () => {
    const result = await child(false);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect((await storage.listCompleted(JOB_ID)).map((c) => c.checkpointId)).toEqual([1, 2]);
  });

  it('the torn checkpoint is never listed or loadable; checkpoint 1 stays the latest; the id can be retried', async () => {
    const running = child(true);
    const line = await pausedLine(running);
    const temp = line.slice('FLINKTS_TEST_PAUSE_METADATA_WRITE paused '.length);
    const chk2 = join(base, JOB_ID, 'chk-2');
    expect(temp.startsWith(`${chk2}/_metadata.`)).toBe(true);
    // Half of a complete _metadata is on disk.
    const partial = await readFile(temp);
    expect(partial.length).toBeGreaterThan(0);
    running.kill('SIGKILL');
    const result = await running;
    expect(result.signal).toBe('SIGKILL');

    expect((await readdir(chk2)).filter((name) => name === '_metadata')).toEqual([]);
    expect((await stat(temp)).size).toBe(partial.length);
    expect((await storage.listCompleted(JOB_ID)).map((c) => c.checkpointId)).toEqual([1]);
    expect((await storage.latestCompleted(JOB_ID))?.checkpointId).toBe(1);
    const error = await loadSnapshot(chk2).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CheckpointFormatError);
    expect((error as CheckpointFormatError).reason).toBe('not-a-snapshot');
    const latest = await loadSnapshot((await storage.latestCompleted(JOB_ID))!.dir, { verifyChecksums: true });
    expect(latest.metadata.checkpointId).toBe(1);

    // After the crash the same id is attempted again and completes.
    const retry = await storage.createCheckpointDir(JOB_ID, 2);
    expect(await readdir(retry)).toEqual([]);
    const metadata = await writeSampleSnapshot(retry, 'checkpoint', 2, storage.sharedDir(JOB_ID));
    await storage.commit(retry, metadata);
    const complete = await readFile(join(retry, '_metadata'));
    expect(complete).toEqual(encodeMetadata(metadata));
    // The killed write had got exactly half way (file names and sizes have fixed lengths, so both metadata have one size).
    expect(partial.length).toBe(Math.floor(complete.length / 2));
    expect(partial.subarray(0, 12)).toEqual(complete.subarray(0, 12));
    expect((await storage.latestCompleted(JOB_ID))?.checkpointId).toBe(2);
  });
});
