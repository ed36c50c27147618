/**
 * The command classes themselves: every command documents itself (summary,
 * description, at least two examples), has --json and --verbose, parses
 * strictly, and a short flag means one thing across all commands.
 */
import { describe, expect, it } from 'vitest';
import Compile from '../../../commands/compile.js';
import Info from '../../../commands/info.js';
import New from '../../../commands/new.js';
import Run from '../../../commands/run.js';
import { splitJobArgs } from '../../../src/cli/base-command.js';

const COMMANDS = { compile: Compile, info: Info, new: New, run: Run };

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
  expect(Object.fromEntries(meaning)).toEqual({ p: 'parallelism', t: 'target', D: 'property', o: 'output' });
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
