import { Args } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { writeStdout } from '../../src/cli/output.js';
import { disposeSavepointAt, type DisposeResult } from '../../src/client/savepoint-dispose.js';

/** `flinkts savepoint dispose`: deletes a savepoint directory. */
export default class SavepointDispose extends BaseCommand {
  static override summary = 'Delete a savepoint.';

  static override description = `Deletes the savepoint at PATH (its directory or its _metadata file), without a cluster. The savepoint must load as a valid savepoint first: a path that does not exist, is not a snapshot, is corrupt or is a checkpoint is refused and nothing is deleted.

_metadata is deleted first, so an interrupted dispose never leaves something that restores; then the state files and the directory. Files that flinkts did not write are left in place and named in the error.`;

  static override examples = [
    {
      description: 'Delete a savepoint that is no longer needed.',
      command: '<%= config.bin %> <%= command.id %> /data/savepoints/savepoint-a1b2c3-0123456789ab',
    },
    {
      description: 'The same, giving its _metadata file and printing the result as JSON.',
      command: '<%= config.bin %> <%= command.id %> /data/savepoints/savepoint-a1b2c3-0123456789ab/_metadata --json',
    },
  ];

  static override usage = '<%= command.id %> PATH';

  static override args = {
    path: Args.string({ required: true, description: 'Savepoint directory, or its _metadata file.' }),
  };

  async run(): Promise<DisposeResult> {
    const { args } = await this.parse(SavepointDispose);
    const result = await disposeSavepointAt(args.path);
    if (!this.jsonEnabled()) writeStdout(`Disposed of savepoint ${result.dir} (${result.files} files, ${result.bytes.toLocaleString('en-US')} bytes).\n`);
    return result;
  }
}
