/**
 * ParameterTool, as Flink's: `--key value`, `-key value`, `--key=value`,
 * bare flags (value `__NO_VALUE_KEY`), negative numbers as values, and typed
 * getters that name the argument in their USAGE errors.
 */
import { describe, expect, it } from 'vitest';
import { ParameterTool } from '../../../src/index.js';

function usageError(call: () => unknown): { code: string; message: string; hint: string | undefined } {
  try {
    call();
  } catch (error) {
    const { code, message, hint } = error as { code: string; message: string; hint: string | undefined };
    return { code, message, hint };
  }
  throw new Error('no error was thrown');
}

describe('ParameterTool.fromArgs', () => {
  it('parses --key value, -key value, --key=value and bare flags', () => {
    const params = ParameterTool.fromArgs(['--input', 'in.txt', '-p', '4', '--output=out dir', '--verbose', '--empty=']);
    expect(params.toMap()).toEqual({ input: 'in.txt', p: '4', output: 'out dir', verbose: '__NO_VALUE_KEY', empty: '' });
    expect(params.getNumberOfParameters()).toBe(5);
  });

  it('keeps only the first = as the separator', () => {
    expect(ParameterTool.fromArgs(['--filter=a=b']).get('filter')).toBe('a=b');
  });

  it('takes a negative number after a key as its value, a dashed word as the next key', () => {
    const params = ParameterTool.fromArgs(['--offset', '-5', '--scale', '-1.5e3', '--debug', '-quiet', '--last']);
    expect(params.toMap()).toEqual({ offset: '-5', scale: '-1.5e3', debug: '__NO_VALUE_KEY', quiet: '__NO_VALUE_KEY', last: '__NO_VALUE_KEY' });
  });

  it('lets a later occurrence of a key win', () => {
    expect(ParameterTool.fromArgs(['--n', '1', '--n', '2']).get('n')).toBe('2');
  });

  it('parses nothing into an empty tool', () => {
    expect(ParameterTool.fromArgs([]).toMap()).toEqual({});
  });

  it.each([
    [['input.txt'], "job argument 'input.txt' at position 1 is not a key; expected --key or -key"],
    [['--a', 'x', 'y'], "job argument 'y' at position 3 is not a key; expected --key or -key"],
    [['-5'], "job argument '-5' at position 1 is not a key; expected --key or -key"],
    [['-'], "job argument '-' at position 1 is not a key; expected --key or -key"],
    [['--'], "job argument '--' at position 1 is not a key; expected --key or -key"],
  ])('rejects %j as a USAGE error naming the argument', (args, message) => {
    expect(usageError(() => ParameterTool.fromArgs(args))).toEqual({ code: 'USAGE', message, hint: 'pass job arguments as --key value pairs' });
  });
});

describe('ParameterTool getters', () => {
  const params = ParameterTool.fromArgs(['--name', 'words', '--n', '42', '--ratio', '0.25', '--neg', '-7', '--bad', 'abc', '--half', '3.5', '--flag', '--on', 'TRUE', '--off', 'false', '--maybe', 'yes', '--blank', ' ']);

  it('has / get / get with default', () => {
    expect(params.has('name')).toBe(true);
    expect(params.has('flag')).toBe(true);
    expect(params.has('missing')).toBe(false);
    expect(params.get('name')).toBe('words');
    expect(params.get('missing')).toBeUndefined();
    expect(params.get('missing', 'fallback')).toBe('fallback');
    expect(params.get('name', 'fallback')).toBe('words');
    // A bare flag has Flink's placeholder value.
    expect(params.get('flag')).toBe('__NO_VALUE_KEY');
  });

  it('getRequired returns the value or names the missing argument', () => {
    expect(params.getRequired('name')).toBe('words');
    const expected = (key: string): object => ({
      code: 'USAGE',
      message: `no value for required job argument --${key}`,
      hint: `pass it after '--', e.g. flinkts run job.ts -- --${key} <value>`,
    });
    expect(usageError(() => params.getRequired('missing'))).toEqual(expected('missing'));
    // A bare flag has no value either.
    expect(usageError(() => params.getRequired('flag'))).toEqual(expected('flag'));
  });

  it('getNumber parses numbers and names bad ones', () => {
    expect(params.getNumber('n')).toBe(42);
    expect(params.getNumber('ratio')).toBe(0.25);
    expect(params.getNumber('neg')).toBe(-7);
    expect(params.getNumber('missing', 9)).toBe(9);
    expect(params.getNumber('flag', 9)).toBe(9);
    expect(params.getNumber('n', 9)).toBe(42);
    expect(usageError(() => params.getNumber('bad'))).toMatchObject({ code: 'USAGE', message: "job argument --bad must be a number, got 'abc'" });
    expect(usageError(() => params.getNumber('blank'))).toMatchObject({ code: 'USAGE', message: "job argument --blank must be a number, got ' '" });
    expect(usageError(() => params.getNumber('missing'))).toMatchObject({ code: 'USAGE', message: 'no value for required job argument --missing' });
  });

  it('getInt accepts integers only', () => {
    expect(params.getInt('n')).toBe(42);
    expect(params.getInt('neg')).toBe(-7);
    expect(params.getInt('missing', 3)).toBe(3);
    expect(usageError(() => params.getInt('half'))).toMatchObject({ code: 'USAGE', message: "job argument --half must be an integer, got '3.5'" });
    expect(usageError(() => params.getInt('bad'))).toMatchObject({ code: 'USAGE', message: "job argument --bad must be a number, got 'abc'" });
  });

  it('getBoolean: a bare flag or true (any case) is true, false is false, anything else an error', () => {
    expect(params.getBoolean('flag')).toBe(true);
    expect(params.getBoolean('on')).toBe(true);
    expect(params.getBoolean('off')).toBe(false);
    expect(params.getBoolean('missing')).toBe(false);
    expect(params.getBoolean('missing', true)).toBe(true);
    expect(usageError(() => params.getBoolean('maybe'))).toMatchObject({ code: 'USAGE', message: "job argument --maybe must be true or false, got 'yes'" });
  });
});

describe('ParameterTool.fromMap / mergeWith / toMap', () => {
  it('overlays the other tool and leaves both unchanged', () => {
    const defaults = ParameterTool.fromMap({ input: 'default.txt', parallelism: '1' });
    const cli = ParameterTool.fromArgs(['--parallelism', '4', '--verbose']);
    const merged = defaults.mergeWith(cli);
    expect(merged.toMap()).toEqual({ input: 'default.txt', parallelism: '4', verbose: '__NO_VALUE_KEY' });
    expect(defaults.toMap()).toEqual({ input: 'default.txt', parallelism: '1' });
    expect(cli.toMap()).toEqual({ parallelism: '4', verbose: '__NO_VALUE_KEY' });
  });

  it('fromMap takes a Map too; toMap returns a copy', () => {
    const params = ParameterTool.fromMap(new Map([['a', '1']]));
    const map = params.toMap();
    map['b'] = '2';
    expect(params.toMap()).toEqual({ a: '1' });
    expect(params.getInt('a')).toBe(1);
  });
});
