/**
 * Flags of the commands that talk to a running cluster (`list`, `cancel`,
 * `stop`, `savepoint create`, `checkpoint ...`), defined once so they mean the
 * same everywhere: `-m/--jobmanager` as in Flink's CLI, `--token` for the
 * REST token of that cluster, `-d/--detached` as in `run -d`.
 */
import { Args, Flags } from '@oclif/core';
import { REST_TOKEN_ENV } from '../client/job-control.js';

/** `-m/--jobmanager host:port`. */
export const jobManagerFlag = Flags.string({
  char: 'm',
  summary: 'REST address of the cluster (host:port); by default every cluster started on this host.',
  helpValue: '<host:port>',
});

/** `--token`: the REST token of the `-m` cluster. */
export const tokenFlag = Flags.string({
  summary: `REST token of the -m cluster (default: $${REST_TOKEN_ENV}, or the token a local cluster registered).`,
  helpValue: '<token>',
});

/** `-d/--detached`. */
export const detachedFlag = Flags.boolean({
  char: 'd',
  summary: 'Do not wait: print the trigger id and return.',
});

/** The flags every cluster command takes. */
export const clusterFlags = {
  jobmanager: jobManagerFlag,
  token: tokenFlag,
};

/** `<jobId>`. */
export const jobIdArg = Args.string({
  name: 'jobId',
  required: true,
  description: 'Id of the job: 32 hexadecimal characters, as flinkts list shows it.',
});

/** The cluster selection from parsed cluster flags. */
export function clusterSelection(flags: { jobmanager?: string | undefined; token?: string | undefined }): { jobManager?: string; token?: string } {
  return {
    ...(flags.jobmanager === undefined ? {} : { jobManager: flags.jobmanager }),
    ...(flags.token === undefined ? {} : { token: flags.token }),
  };
}
