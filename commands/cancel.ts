import { BaseCommand } from '../src/cli/base-command.js';
import { clusterFlags, clusterSelection, jobIdArg } from '../src/cli/cluster-flags.js';
import { writeStdout } from '../src/cli/output.js';
import { cancelJob, type CancelResult } from '../src/client/job-control.js';

/** `flinkts cancel`: cancel a running job. */
export default class Cancel extends BaseCommand {
  static override summary = 'Cancel a running job.';

  static override description = `Cancels the job without a savepoint: its tasks stop and the job ends CANCELED. The command waits up to 10 seconds for that; a job still CANCELLING then is reported as such.

The job is looked up on every cluster running on this host, or on the cluster of -m. To keep the job's state for a later restart, use flinkts stop, which takes a savepoint first.`;

  static override examples = [
    {
      description: 'Cancel a job found with flinkts list.',
      command: '<%= config.bin %> <%= command.id %> 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e',
    },
    {
      description: 'Cancel a job of another cluster.',
      command: '<%= config.bin %> <%= command.id %> -m localhost:8081 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e',
    },
  ];

  static override usage = '<%= command.id %> JOBID [-m <host:port>] [--token <token>]';

  static override args = { jobId: jobIdArg };

  static override flags = { ...clusterFlags };

  async run(): Promise<CancelResult> {
    const { args, flags } = await this.parse(Cancel);
    const result = await cancelJob({ ...clusterSelection(flags), jobId: args.jobId });
    if (!this.jsonEnabled()) {
      writeStdout(result.status === 'CANCELED' ? `Cancelled job ${result.jobId}.\n` : `Cancellation of job ${result.jobId} requested; it is ${result.status}.\n`);
    }
    return result;
  }
}
