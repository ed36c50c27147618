/**
 * Flags shared by several commands, defined once so a flag (and above all a
 * short flag) means the same thing in every command, as Flink's CLI options
 * do: `-p` parallelism, `-t` target, `-D` configuration, `-o` output.
 */
import { Args, Flags } from '@oclif/core';
import { SUPPORTED_TARGETS } from '../client/targets.js';

/** `<job>`: a job file or artifact. */
export const jobArg = Args.string({
  name: 'job',
  required: true,
  description: 'Job file (.ts, .mts, .js, .mjs) whose default export is defineJob(...), or a .tgz artifact from flinkts compile.',
});

/** `-p/--parallelism`. */
export const parallelismFlag = Flags.integer({
  char: 'p',
  min: 1,
  summary: 'Default parallelism of the job (overrides parallelism.default).',
  helpValue: '<n>',
});

/** `-D key=value`, repeatable. */
export const dynamicPropertyFlag = Flags.string({
  char: 'D',
  multiple: true,
  multipleNonGreedy: true,
  summary: 'Set a configuration option, overriding the configuration file.',
  helpValue: '<key=value>',
});

/** `--config <file>`. */
export const configFlag = Flags.string({
  summary: 'Configuration file (flinkts-conf.yaml).',
  helpValue: '<file>',
});

/** `-t/--target`. */
export const targetFlag = Flags.string({
  char: 't',
  default: 'local',
  summary: `Where to run the job: ${SUPPORTED_TARGETS.join(', ')}.`,
  description: 'local (the default) starts an embedded cluster in this process with one worker thread per slot.',
  helpValue: '<target>',
});

/** `-o/--output`. */
export const outputFlag = Flags.string({
  char: 'o',
  required: true,
  summary: 'Artifact file to write (.tgz).',
  helpValue: '<file.tgz>',
});

/** The flags every command that plans a job takes. */
export const jobFlags = {
  parallelism: parallelismFlag,
  property: dynamicPropertyFlag,
  config: configFlag,
};
