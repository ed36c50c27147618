/**
 * The command classes themselves: every command documents itself (summary,
 * description, at least two examples), has --json and --verbose, parses
 * strictly, and a short flag means one thing across all commands.
 */
import { describe, expect, it } from 'vitest';
import Cancel from '../../../commands/cancel.js';
import CheckpointList from '../../../commands/checkpoint/list.js';
import CheckpointTrigger from '../../../commands/checkpoint/trigger.js';
import Compile from '../../../commands/compile.js';
import Info from '../../../commands/info.js';
import List from '../../../commands/list.js';
import New from '../../../commands/new.js';
import NexmarkGenerate from '../../../commands/nexmark/generate.js';
import NexmarkRun from '../../../commands/nexmark/run.js';
import Run from '../../../commands/run.js';
import SavepointCreate from '../../../commands/savepoint/create.js';
import SavepointDispose from '../../../commands/savepoint/dispose.js';
import SavepointInspect from '../../../commands/savepoint/inspect.js';
import Stop from '../../../commands/stop.js';
import { splitJobArgs } from '../../../src/cli/base-command.js';

const COMMANDS = {
  cancel: Cancel,
  'checkpoint list': CheckpointList,
  'checkpoint trigger': CheckpointTrigger,
  compile: Compile,
  info: Info,
  list: List,
  new: New,
  'nexmark generate': NexmarkGenerate,
  'nexmark run': NexmarkRun,
  run: Run,
  'savepoint create': SavepointCreate,
  'savepoint dispose': SavepointDispose,
  'savepoint inspect': SavepointInspect,
  stop: Stop,
};

describe.each(Object.entries(COMMANDS))('%s', (_id, command) => {
  it('has a summary, a description and at least two examples', () => {
    expect(command.summary).toMatch(/^[A-Z].*\.$/);
    expect(command.description?.length).toBeGreaterThan(command.summary!.length);
    expect(command.examples?.length).toBeGreaterThanOrEqual(2);
  });

  it('enables --json, has --verbose and parses strictly', () => {
    expect(command.enableJsonFlag).toBe(true);
    expect(command.baseFlags.verbose).toBeDefined();
    expect(command.strict).toBe(true);
  });
});

it('gives each short flag one meaning across all commands', () => {
  const meaning = new Map<string, string>();
  for (const [id, command] of Object.entries(COMMANDS)) {
    for (const [name, flag] of Object.entries({ ...command.baseFlags, ...command.flags })) {
      const char = (flag as { char?: string }).char;
      if (char === undefined) continue;
      const previous = meaning.get(char);
      expect(previous === undefined || previous === name, `-${char} is --${previous} elsewhere but --${name} in ${id}`).toBe(true);
      meaning.set(char, name);
    }
  }
  expect(Object.fromEntries(meaning)).toEqual({ p: 'parallelism', t: 'target', D: 'property', o: 'output', s: 'from-savepoint', m: 'jobmanager', d: 'detached' });
});

describe('splitJobArgs', () => {
  it('splits at the first --', () => {
    expect(splitJobArgs(['job.ts', '-p', '2', '--', '--input', 'a', '--', 'b'])).toEqual({
      commandArgv: ['job.ts', '-p', '2'],
      jobArgs: ['--input', 'a', '--', 'b'],
    });
    expect(splitJobArgs(['job.ts'])).toEqual({ commandArgv: ['job.ts'], jobArgs: [] });
  });
});
