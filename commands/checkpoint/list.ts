import { BaseCommand } from '../../src/cli/base-command.js';
import { clusterFlags, clusterSelection, jobIdArg } from '../../src/cli/cluster-flags.js';
import { formatCheckpointTable } from '../../src/cli/job-tables.js';
import { writeStdout } from '../../src/cli/output.js';
import { listCheckpoints, type CheckpointListResult } from '../../src/client/job-control.js';

/** `flinkts checkpoint list`: the checkpoint history of a job. */
export default class CheckpointList extends BaseCommand {
  static override summary = 'Show the recent checkpoints and savepoints of a job.';

  static override description = `Prints how many checkpoints of the job completed, are in progress and failed, and a table of the recent ones, newest first: id, status, type (checkpoint, full checkpoint, savepoint, stop savepoint), trigger time, duration, state size, and the path of a completed one or the reason a failed one failed.`;

  static override examples = [
    {
      description: 'The checkpoints of a job.',
      command: '<%= config.bin %> <%= command.id %> 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e',
    },
    {
      description: 'The same as JSON, from another cluster.',
      command: '<%= config.bin %> <%= command.id %> 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e -m localhost:8081 --json',
    },
  ];

  static override usage = '<%= command.id %> JOBID [-m <host:port>] [--token <token>]';

  static override args = { jobId: jobIdArg };

  static override flags = { ...clusterFlags };

  async run(): Promise<CheckpointListResult> {
    const { args, flags } = await this.parse(CheckpointList);
    const result = await listCheckpoints({ ...clusterSelection(flags), jobId: args.jobId });
    if (!this.jsonEnabled()) writeStdout(formatCheckpointTable(result));
    return result;
  }
}
