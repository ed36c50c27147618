/**
 * Child process of the C2 test (`torn-commit.test.ts`): writes the state
 * files of checkpoint `<id>` of job `<jobId>` under `<base>` and commits it.
 * Under FLINKTS_TEST_PAUSE_METADATA_WRITE=1 the commit stops halfway through
 * writing `_metadata` and waits to be killed.
 *
 * Usage: node commit-child.mjs <base> <jobId> <id>
 */
import { CheckpointStorage } from '../../../../../src/runtime/checkpoint/storage.js';
import { writeSampleSnapshot } from '../helpers.js';

const [base, jobId, id] = process.argv.slice(2);
const storage = new CheckpointStorage(base!);
const checkpointId = Number(id);
const dir = await storage.createCheckpointDir(jobId!, checkpointId);
const metadata = await writeSampleSnapshot(dir, 'checkpoint', checkpointId, storage.sharedDir(jobId!));
await storage.commit(dir, metadata);
process.stdout.write(`committed ${dir}\n`);
