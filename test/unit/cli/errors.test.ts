import { Errors } from '@oclif/core';
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { errorJson, formatError, reportError } from '../../../src/cli/errors.js';

describe('reportError', () => {
  it('maps USAGE and CONFIG errors to exit 2 and keeps the hint', () => {
    const usage = reportError(new FlinktsError('USAGE', "unknown target 'x'; supported targets: local"));
    expect(usage).toMatchObject({ exitCode: 2, code: 'USAGE', message: "unknown target 'x'; supported targets: local" });
    const config = reportError(new FlinktsError('CONFIG', "-D a.b=1: unknown configuration key 'a.b'", { hint: "did you mean 'a.c'?" }));
    expect(config).toMatchObject({ exitCode: 2, code: 'CONFIG', hint: "did you mean 'a.c'?" });
  });

  it('maps every other flinkts error to exit 1', () => {
    for (const code of ['JOB_FILE', 'JOB_COMPILE', 'JOB_DEFINITION', 'INVALID_GRAPH', 'INVALID_ARTIFACT', 'INTERNAL'] as const) {
      expect(reportError(new FlinktsError(code, 'x')).exitCode).toBe(1);
    }
  });

  it("keeps oclif's exit status and message for parse errors, with a help hint naming the command", () => {
    const error = new Errors.CLIError('Nonexistent flag: --bogus\nSee more help with --help', { exit: 2 });
    expect(reportError(error, 'savepoint:create')).toMatchObject({
      exitCode: 2,
      code: 'USAGE',
      message: 'Nonexistent flag: --bogus',
      hint: 'see flinkts savepoint create --help',
    });
  });

  it('reports an unexpected error as internal, exit 1', () => {
    expect(reportError(new TypeError('x is undefined'))).toMatchObject({ exitCode: 1, code: 'INTERNAL', message: 'x is undefined' });
  });
});

describe('formatError', () => {
  const error = new FlinktsError('JOB_FILE', 'job.ts: no such file', { hint: 'check the path', cause: new Error('ENOENT') });

  it('prints one line and a hint, no stack', () => {
    expect(formatError(reportError(error), false)).toBe('Error: job.ts: no such file\nHint: check the path\n');
  });

  it('adds the stack and the causes with --verbose', () => {
    const text = formatError(reportError(error), true);
    expect(text).toMatch(/^Error: job\.ts: no such file\nHint: check the path\n\nFlinktsError: job\.ts: no such file\n {4}at /);
    expect(text).toContain('Caused by: Error: ENOENT');
  });

  it('gives an error object under --json, with the stack only when verbose', () => {
    expect(errorJson(reportError(error), false)).toEqual({
      error: { code: 'JOB_FILE', message: 'job.ts: no such file', hint: 'check the path', exitCode: 1 },
    });
    expect(errorJson(reportError(error), true).error.stack).toContain('FlinktsError');
  });
});
