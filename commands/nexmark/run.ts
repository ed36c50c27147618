import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { formatCount, formatElapsed, writeStderr, writeStdout } from '../../src/cli/output.js';
import { runNexmarkQueries, type NexmarkRunResult, type QueryMeasurement } from '../../src/client/nexmark.js';

/** `flinkts nexmark run`: Nexmark query jobs measured. */
export default class NexmarkRun extends BaseCommand {
  static override summary = 'Run Nexmark queries on the local cluster and measure them.';

  static override description = `Runs each named query of examples/nexmark/ (q0, q5, …) over the generated events with a discarding sink, one after the other, each in a process of its own, and prints per query: events, wall time, events/s, events/s per core used (cores used = the process's CPU time ÷ wall time) and peak RSS.

Wall time covers the whole run, deployment included (shown apart as start-up). An unknown query name lists the available ones.`;

  static override examples = [
    {
      description: 'Measure q5 over a million events.',
      command: '<%= config.bin %> nexmark run --query q5 --events 1000000',
    },
    {
      description: 'Measure three queries at parallelism 2, as JSON.',
      command: '<%= config.bin %> nexmark run --query q0,q7,q11 --events 2000000 -p 2 --json',
    },
  ];

  static override usage = 'nexmark run --query <q>[,<q>...] --events <n> [-p <n>] [--rate <r>]';

  static override flags = {
    query: Flags.string({ required: true, summary: 'Queries to run, comma-separated (q0, q5, …).', helpValue: '<q>[,<q>...]' }),
    events: Flags.string({ required: true, summary: 'Number of events per query (a positive integer).', helpValue: '<n>' }),
    parallelism: Flags.integer({ char: 'p', min: 1, default: 1, summary: 'Default parallelism of the query jobs.', helpValue: '<n>' }),
    rate: Flags.string({ summary: 'Events per second of event time (default 100000).', helpValue: '<r>' }),
  };

  async run(): Promise<NexmarkRunResult> {
    const { flags } = await this.parse(NexmarkRun);
    const json = this.jsonEnabled();
    const queries = flags.query.split(',').map((query) => query.trim()).filter((query) => query !== '');
    let header = false;
    return runNexmarkQueries({
      queries,
      events: flags.events,
      rate: flags.rate,
      parallelism: flags.parallelism,
      onStart: (query) => {
        if (!json) writeStderr(`running ${query} at parallelism ${flags.parallelism} ...\n`);
      },
      onResult: (measurement) => {
        if (json) return;
        if (!header) writeStdout(`${HEADER}\n`);
        header = true;
        writeStdout(`${formatRow(measurement)}\n`);
      },
    });
  }
}

const COLUMNS = ['query', 'p', 'events', 'wall time', 'start-up', 'events/s', 'cores', 'events/s/core', 'peak RSS'];
const WIDTHS = [6, 3, 12, 10, 9, 12, 6, 14, 9];
const HEADER = COLUMNS.map((name, i) => (i === 0 ? name.padEnd(WIDTHS[i]!) : name.padStart(WIDTHS[i]!))).join(' ');

function formatRow(m: QueryMeasurement): string {
  const cells = [
    m.query,
    String(m.parallelism),
    formatCount(m.events),
    formatElapsed(m.wallMs),
    formatElapsed(m.startupMs),
    formatCount(m.eventsPerSecond),
    m.coresUsed.toFixed(2),
    formatCount(m.eventsPerSecondPerCore),
    `${Math.round(m.peakRssBytes / 1_048_576)} MB`,
  ];
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(WIDTHS[i]!) : cell.padStart(WIDTHS[i]!))).join(' ');
}
