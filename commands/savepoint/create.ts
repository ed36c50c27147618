import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { clusterFlags, clusterSelection, detachedFlag, jobIdArg } from '../../src/cli/cluster-flags.js';
import { writeStderr, writeStdout } from '../../src/cli/output.js';
import { createSavepoint, SAVEPOINT_FORMAT_TYPES, type SavepointResult } from '../../src/client/job-control.js';

/** `flinkts savepoint create`: trigger a savepoint of a running job. */
export default class SavepointCreate extends BaseCommand {
  static override summary = 'Take a savepoint of a running job.';

  static override description = `Triggers a savepoint of the job, waits until it completes and prints its path on stdout; the job keeps running. Restart a job from it with flinkts run -s <path>.

Without TARGETDIRECTORY the cluster's state.savepoints.dir is used; a relative directory is taken relative to the working directory. With --detached the command prints the trigger id instead of waiting.`;

  static override examples = [
    {
      description: 'Take a savepoint into /data/savepoints.',
      command: '<%= config.bin %> <%= command.id %> 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e /data/savepoints',
    },
    {
      description: 'Trigger a native savepoint without waiting for it.',
      command: '<%= config.bin %> <%= command.id %> 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e --type native --detached',
    },
  ];

  static override usage = '<%= command.id %> JOBID [TARGETDIRECTORY] [--type canonical|native] [-d] [-m <host:port>] [--token <token>]';

  static override args = {
    jobId: jobIdArg,
    targetDirectory: Args.string({ description: 'Directory of the savepoint (default: state.savepoints.dir of the cluster).' }),
  };

  static override flags = {
    type: Flags.option({ options: SAVEPOINT_FORMAT_TYPES, default: 'canonical', summary: 'Savepoint format.' })(),
    detached: detachedFlag,
    ...clusterFlags,
  };

  async run(): Promise<SavepointResult> {
    const { args, flags } = await this.parse(SavepointCreate);
    const json = this.jsonEnabled();
    const result = await createSavepoint({
      ...clusterSelection(flags),
      jobId: args.jobId,
      ...(args.targetDirectory === undefined ? {} : { targetDirectory: args.targetDirectory }),
      formatType: flags.type,
      detached: flags.detached,
      onTriggered: () => {
        if (!json && !flags.detached) writeStderr(`Waiting for the ${flags.type} savepoint of job ${args.jobId} ...\n`);
      },
    });
    if (!json) writeStdout(`${result.savepointPath ?? result.triggerId}\n`);
    return result;
  }
}
