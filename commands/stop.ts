import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { clusterFlags, clusterSelection, jobIdArg } from '../src/cli/cluster-flags.js';
import { writeStderr, writeStdout } from '../src/cli/output.js';
import { SAVEPOINT_FORMAT_TYPES, stopJob, type SavepointResult } from '../src/client/job-control.js';

/** `flinkts stop`: stop a job with a savepoint. */
export default class Stop extends BaseCommand {
  static override summary = 'Stop a job with a savepoint.';

  static override description = `Takes a savepoint of the job and stops it gracefully (the job ends FINISHED), then prints the savepoint's path on stdout; restart from it with flinkts run -s <path>.

Without --savepoint-path the cluster's state.savepoints.dir is used. --drain first advances event time to the end (MAX_WATERMARK), firing all event-time timers and windows, for a job that will not be resumed. A relative directory is taken relative to the working directory.`;

  static override examples = [
    {
      description: 'Stop a job, keeping its state in /data/savepoints.',
      command: '<%= config.bin %> <%= command.id %> 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e --savepoint-path /data/savepoints',
    },
    {
      description: 'Stop for good, flushing all windows, with a native savepoint.',
      command: '<%= config.bin %> <%= command.id %> 0f3a1c5e9b7d4f2a8c6e0b1d3f5a7c9e --drain --type native',
    },
  ];

  static override usage = '<%= command.id %> JOBID [--savepoint-path <dir>] [--drain] [--type canonical|native] [-m <host:port>] [--token <token>]';

  static override args = { jobId: jobIdArg };

  static override flags = {
    'savepoint-path': Flags.string({ summary: 'Directory of the savepoint (default: state.savepoints.dir of the cluster).', helpValue: '<dir>' }),
    drain: Flags.boolean({ summary: 'Emit MAX_WATERMARK before stopping, firing all event-time timers.' }),
    type: Flags.option({ options: SAVEPOINT_FORMAT_TYPES, default: 'canonical', summary: 'Savepoint format.' })(),
    ...clusterFlags,
  };

  async run(): Promise<SavepointResult> {
    const { args, flags } = await this.parse(Stop);
    const json = this.jsonEnabled();
    const result = await stopJob({
      ...clusterSelection(flags),
      jobId: args.jobId,
      ...(flags['savepoint-path'] === undefined ? {} : { savepointPath: flags['savepoint-path'] }),
      drain: flags.drain,
      formatType: flags.type,
      onTriggered: () => {
        if (!json) writeStderr(`Stopping job ${args.jobId} with a ${flags.type} savepoint ...\n`);
      },
    });
    if (!json) writeStdout(`${result.savepointPath}\n`);
    return result;
  }
}
