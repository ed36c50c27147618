import { Flags } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { clusterFlags, clusterSelection } from '../src/cli/cluster-flags.js';
import { formatJobTable } from '../src/cli/job-tables.js';
import { writeStderr, writeStdout } from '../src/cli/output.js';
import { listJobs, type ListJobsResult } from '../src/client/job-control.js';

/** `flinkts list`: the jobs of the running clusters. */
export default class List extends BaseCommand {
  static override summary = 'List the jobs of the running clusters.';

  static override description = `Asks every flinkts cluster running on this host (each flinkts run registers one), or the cluster of -m, for its jobs and prints their id, name, status, start time and duration, oldest first.

By default the jobs that have not ended are shown; --running shows only running (and restarting) jobs, --all also the finished, failed and canceled jobs a cluster still remembers. A registered cluster that does not answer is reported on stderr and skipped.`;

  static override examples = [
    {
      description: 'The jobs running on this host.',
      command: '<%= config.bin %> <%= command.id %> --running',
    },
    {
      description: 'Every job a cluster knows, as JSON.',
      command: '<%= config.bin %> <%= command.id %> --all -m localhost:8081 --json',
    },
  ];

  static override usage = '<%= command.id %> [--running | --all] [-m <host:port>] [--token <token>]';

  static override flags = {
    running: Flags.boolean({ summary: 'Show only running and restarting jobs.', exclusive: ['all'] }),
    all: Flags.boolean({ summary: 'Also show finished, failed and canceled jobs.', exclusive: ['running'] }),
    ...clusterFlags,
  };

  async run(): Promise<ListJobsResult> {
    const { flags } = await this.parse(List);
    const result = await listJobs({ ...clusterSelection(flags), filter: flags.all ? 'all' : flags.running ? 'running' : 'active' });
    if (!this.jsonEnabled()) {
      for (const cluster of result.unreachable) writeStderr(`Warning: the cluster at ${cluster.cluster} did not answer: ${cluster.message}\n`);
      writeStdout(formatJobTable(result));
    }
    return result;
  }
}
