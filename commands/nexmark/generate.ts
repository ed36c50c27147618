import { Flags } from '@oclif/core';
import { BaseCommand } from '../../src/cli/base-command.js';
import { FlinktsError } from '../../src/api/errors.js';
import { generateNexmark, nexmarkConfigFromFlags, NEXMARK_FORMATS, type GenerateResult } from '../../src/client/nexmark.js';

/** `flinkts nexmark generate`: the Nexmark event stream as JSON lines. */
export default class NexmarkGenerate extends BaseCommand {
  static override summary = 'Write Nexmark events (people, auctions, bids) as JSON lines.';

  static override description = `Generates the Nexmark event stream exactly as the built-in NexmarkSource does for the same flags, in stream order (what a job at source parallelism 1 sees): one JSON object a line with a type field (person, auction or bid) and the entity's fields; dateTime and expires are epoch milliseconds.

The same flags always give the same events: the base time defaults to 2026-01-01T00:00:00Z, never the clock, and every event is seeded by its number. --rate sets the events per second of event time (not a throttle: events are written as fast as possible). Without -o the events go to stdout.`;

  static override examples = [
    {
      description: 'Write a million events to a file.',
      command: '<%= config.bin %> nexmark generate --events 1000000 -o events.jsonl',
    },
    {
      description: 'The first bids of another seed, at 10 000 events per second of event time.',
      command: '<%= config.bin %> nexmark generate --events 1000 --rate 10000 --seed 7 | grep \'"type":"bid"\' | head',
    },
  ];

  static override usage = 'nexmark generate --events <n> [--rate <r>] [--seed <s>] [--base-time <time>] [--format jsonl] [-o <file>]';

  static override flags = {
    events: Flags.string({ required: true, summary: 'Number of events to write (a positive integer).', helpValue: '<n>' }),
    rate: Flags.string({ summary: 'Events per second of event time (default 100000).', helpValue: '<r>' }),
    seed: Flags.string({ summary: 'Seed of the generator, an integer (default 0).', helpValue: '<s>' }),
    'base-time': Flags.string({ summary: 'Event time of the first event: ISO-8601 or epoch ms (default 2026-01-01T00:00:00Z).', helpValue: '<time>' }),
    format: Flags.option({ options: NEXMARK_FORMATS, default: 'jsonl', summary: 'Output format.' })(),
    output: Flags.string({ char: 'o', summary: 'File to write instead of stdout.', helpValue: '<file>' }),
  };

  async run(): Promise<GenerateResult> {
    const { flags } = await this.parse(NexmarkGenerate);
    if (this.jsonEnabled() && flags.output === undefined) {
      throw new FlinktsError('USAGE', '--json needs -o <file>: stdout carries the result object', { hint: 'add -o events.jsonl' });
    }
    const config = nexmarkConfigFromFlags({ events: flags.events, rate: flags.rate, seed: flags.seed, baseTime: flags['base-time'] });
    return generateNexmark({ config, format: flags.format, ...(flags.output === undefined ? {} : { output: flags.output }) });
  }
}
