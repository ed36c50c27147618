import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { clusterFlags, clusterSelection, jobIdArg } from '../../src/cli/cluster-flags.js';
import { writeStdout } from '../../src/cli/output.js';
import { triggerCheckpoint, type CheckpointResult } from '../../src/client/job-control.js';

/** `flinkts checkpoint trigger`: take a checkpoint now. */
export default class CheckpointTrigger extends BaseCommand {
  static override summary = 'Take a checkpoint of a running job now.';

  static override description = `Triggers a checkpoint outside the job's checkpoint interval and waits until it completes, then prints its id and path. The checkpoint is of the configured kind; --full forces a full (non-incremental) one.

Unlike a savepoint, a checkpoint belongs to the job: the cluster deletes it when newer ones subsume it.`;

  static override examples = [
    {
      description: 'Checkpoint a job now.',
      command: '<%= config.bin %> <%= command.id %> 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e',
    },
    {
      description: 'Force a full checkpoint, as JSON.',
      command: '<%= config.bin %> <%= command.id %> 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e --full --json',
    },
  ];

  static override usage = '<%= command.id %> JOBID [--full] [-m <host:port>] [--token <token>]';

  static override args = { jobId: jobIdArg };

  static override flags = {
    full: Flags.boolean({ summary: 'Take a full checkpoint even when checkpoints are incremental.' }),
    ...clusterFlags,
  };

  async run(): Promise<CheckpointResult> {
    const { args, flags } = await this.parse(CheckpointTrigger);
    const result = await triggerCheckpoint({ ...clusterSelection(flags), jobId: args.jobId, full: flags.full });
    if (!this.jsonEnabled()) writeStdout(`Checkpoint ${result.checkpointId} of job ${result.jobId} completed: ${result.path}\n`);
    return result;
  }
}
