import { Args, Flags } from '@oclif/core';
import { FlinktsError } from '../../src/api/errors.js';
import { BaseCommand } from '../../src/cli/base-command.js';
import { writeStdout } from '../../src/cli/output.js';
import {
  collectStateDump,
  INSPECT_FORMATS,
  inspectSnapshot,
  renderSnapshotSummary,
  writeStateDump,
  type SnapshotSummary,
  type StateDump,
} from '../../src/client/savepoint-inspect.js';

/** `flinkts savepoint inspect`: what a savepoint or checkpoint holds, read offline. */
export default class SavepointInspect extends BaseCommand {
  static override summary = 'Show what a savepoint or checkpoint holds, or dump one state.';

  static override description = `Reads a savepoint (or a retained checkpoint) from its directory, without a cluster: PATH is the directory or its _metadata file. The _metadata file and the existence and size of every state file are checked first; a corrupt snapshot fails with the file and the reason.

Without --state: the kind, format, state backend, job, checkpoint id and time, then per operator its id, uid, name, parallelism, max parallelism and bytes, and per state its kind (keyed value, list, map, reducing, aggregating; operator split, union, broadcast) with the key groups (keyed) or the number of elements (operator state) of every subtask.

With --state NAME: every entry of that state, deltas of incremental checkpoints applied, as JSON lines: {"operator","state","keyGroup","key","namespace","value"} for keyed state, {"operator","state","subtask","index","value"} for operator state (operator is the uid, or the id without one). Values JSON cannot express are tagged objects, e.g. a Map is {"$map":[[key,value],...]}, a bigint {"$bigint":"12"}, undefined {"$undefined":true}; docs/checkpoint-format.md lists them all. Checksums of the state files read are verified.`;

  static override examples = [
    {
      description: 'Summarise a savepoint.',
      command: '<%= config.bin %> <%= command.id %> /data/savepoints/savepoint-a1b2c3-0123456789ab',
    },
    {
      description: 'Dump the keyed state "count" of the operator with uid "counter" as JSON lines.',
      command: '<%= config.bin %> <%= command.id %> /data/savepoints/savepoint-a1b2c3-0123456789ab --operator counter --state count',
    },
    {
      description: 'The summary of a retained checkpoint as JSON.',
      command: '<%= config.bin %> <%= command.id %> /data/checkpoints/<jobId>/chk-42/_metadata --format json',
    },
  ];

  static override usage = '<%= command.id %> PATH [--operator <uid-or-id>] [--state <name>] [--format table|json|jsonl]';

  static override args = {
    path: Args.string({ required: true, description: 'Savepoint or checkpoint directory, or its _metadata file.' }),
  };

  static override flags = {
    operator: Flags.string({ summary: 'Only this operator (its uid or id); with --state.', helpValue: '<uid-or-id>' }),
    state: Flags.string({ summary: 'Dump every entry of the state with this name.', helpValue: '<name>' }),
    format: Flags.option({
      options: INSPECT_FORMATS,
      summary: 'Output format: table (default), json or jsonl; with --state jsonl (default) or json.',
    })(),
  };

  async run(): Promise<SnapshotSummary | StateDump | { readonly entries: number }> {
    const { args, flags } = await this.parse(SavepointInspect);
    if (flags.state === undefined) {
      if (flags.operator !== undefined) throw new FlinktsError('USAGE', '--operator selects the operator of --state', { hint: 'add --state <name>, or leave out --operator for the summary' });
      const summary = await inspectSnapshot(args.path);
      if (!this.jsonEnabled()) writeStdout(renderSnapshotSummary(summary, flags.format ?? 'table'));
      return summary;
    }
    const options = { path: args.path, state: flags.state, ...(flags.operator === undefined ? {} : { operator: flags.operator }) };
    if (this.jsonEnabled()) return collectStateDump(options);
    if (flags.format === 'table') throw new FlinktsError('USAGE', '--state dumps entries as jsonl or json, not as a table', { hint: 'use --format jsonl or --format json' });
    return writeStateDump({ ...options, format: flags.format ?? 'jsonl', out: process.stdout });
  }
}
