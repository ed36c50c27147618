import { describe, expect, it } from 'vitest';
import { booleanType, durationType, enumType, integerType, memoryType, stringType } from '../../../src/config/option-types.js';

describe('integerType', () => {
  it('describes its bounds', () => {
    expect(integerType().expected).toBe('an integer');
    expect(integerType({ min: 1 }).expected).toBe('an integer ≥ 1');
    expect(integerType({ max: 9 }).expected).toBe('an integer ≤ 9');
    expect(integerType({ min: 1, max: 32768, also: [-1] }).expected).toBe('-1 or an integer from 1 to 32768');
    expect(integerType({ min: 1 }).constraint).toBe('≥ 1');
    expect(integerType({ min: 1, max: 32768, also: [-1] }).constraint).toBe('-1 or 1 to 32768');
    expect(integerType().constraint).toBeUndefined();
  });

  const maxParallelism = integerType({ min: 1, max: 32768, also: [-1] });
  it.each<[string, number | undefined]>([
    ['1', 1],
    [' 128 ', 128],
    ['+7', 7],
    ['32768', 32768],
    ['-1', -1],
    ['0', undefined],
    ['-2', undefined],
    ['32769', undefined],
    ['1.0', undefined],
    ['0x10', undefined],
    ['1e3', undefined],
    ['', undefined],
    ['abc', undefined],
  ])('max-parallelism style: %j → %s', (text, value) => {
    expect(maxParallelism.parse(text)).toBe(value);
  });

  it('rejects integers beyond the exactly representable range', () => {
    expect(integerType().parse('9007199254740991')).toBe(9007199254740991);
    expect(integerType().parse('9007199254740993')).toBeUndefined();
  });
});

describe('booleanType', () => {
  it.each<[string, boolean | undefined]>([
    ['true', true],
    ['TRUE', true],
    [' false ', false],
    ['False', false],
    ['yes', undefined],
    ['1', undefined],
    ['', undefined],
  ])('%j → %s', (text, value) => {
    expect(booleanType().parse(text)).toBe(value);
  });
});

describe('stringType', () => {
  it('takes text as written', () => {
    expect(stringType().parse(' my job ')).toBe(' my job ');
    expect(stringType().parse('')).toBe('');
  });
});

describe('enumType', () => {
  const mode = enumType(['exactly_once', 'at_least_once']);
  it('matches ignoring case and returns the listed spelling', () => {
    expect(mode.parse('EXACTLY_ONCE')).toBe('exactly_once');
    expect(mode.parse(' at_least_once ')).toBe('at_least_once');
    expect(mode.parse('none')).toBeUndefined();
    expect(mode.expected).toBe("one of 'exactly_once', 'at_least_once'");
  });
});

describe('durationType and memoryType', () => {
  it('read milliseconds and bytes', () => {
    expect(durationType().parse('2 s')).toBe(2000);
    expect(durationType().format(2000)).toBe('2 s');
    expect(memoryType().parse('64kb')).toBe(65536);
  });

  it('check a minimum memory size', () => {
    const segment = memoryType({ min: 4096 });
    expect(segment.parse('4 KiB')).toBe(4096);
    expect(segment.parse('4095')).toBeUndefined();
    expect(segment.expected).toBe("a memory size ≥ 4 KiB, such as '32 KiB' or '1 mb'");
    expect(memoryType().expected).toBe("a memory size such as '32 KiB' or '1 mb'");
  });
});
