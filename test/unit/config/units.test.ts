import { describe, expect, it } from 'vitest';
import { formatDuration, formatMemorySize, parseDuration, parseMemorySize } from '../../../src/config/units.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;

describe('parseDuration', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['100', 100],
    ['100 ms', 100],
    ['100ms', 100],
    ['100MS', 100],
    ['  100 ms  ', 100],
    ['5 millis', 5],
    ['5 milliseconds', 5],
    ['1 s', S],
    ['1s', S],
    ['30 sec', 30 * S],
    ['2 seconds', 2 * S],
    ['2min', 2 * MIN],
    ['2 m', 2 * MIN],
    ['3 minutes', 3 * MIN],
    ['1 h', H],
    ['24 hours', 24 * H],
    ['1 d', 24 * H],
    ['7 days', 7 * 24 * H],
  ])('%j is %d ms', (text, millis) => {
    expect(parseDuration(text)).toBe(millis);
  });

  it.each([
    '',
    'ms',
    ' s',
    '1.5 s',
    '-1 ms',
    '+1 ms',
    '1e3',
    '10 ns',
    '10 us',
    '2 weeks',
    '1 s 2',
    '1 ms!',
    '9007199254740993',
    '104249991375 d',
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseMemorySize', () => {
  it.each<[string, number]>([
    ['0', 0],
    ['100', 100],
    ['1 b', 1],
    ['2 bytes', 2],
    ['32kb', 32 * KIB],
    ['32 KiB', 32 * KIB],
    ['32 k', 32 * KIB],
    ['32KB', 32 * KIB],
    ['1mb', MIB],
    ['64 m', 64 * MIB],
    ['3 MiB', 3 * MIB],
    ['2 mebibytes', 2 * MIB],
    ['1 GB', GIB],
    ['1g', GIB],
    ['1 tb', 1024 * GIB],
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseMemorySize(text)).toBe(bytes);
  });

  it.each(['', 'kb', '1.5mb', '-1kb', '1 kilobyte', '1 kbytes', '1 pb', '32 KiB extra', '8192 tb'])('rejects %j', (text) => {
    expect(parseMemorySize(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0 ms'],
    [200, '200 ms'],
    [1500, '1500 ms'],
    [S, '1 s'],
    [90 * S, '90 s'],
    [2 * MIN, '2 min'],
    [90 * MIN, '90 min'],
    [H, '1 h'],
    [48 * H, '2 d'],
  ])('%d ms is %j and parses back', (millis, text) => {
    expect(formatDuration(millis)).toBe(text);
    expect(parseDuration(text)).toBe(millis);
  });
});

describe('formatMemorySize', () => {
  it.each<[number, string]>([
    [0, '0 bytes'],
    [1000, '1000 bytes'],
    [1536, '1536 bytes'],
    [4 * KIB, '4 KiB'],
    [32 * KIB, '32 KiB'],
    [1536 * KIB, '1536 KiB'],
    [MIB, '1 MiB'],
    [2 * GIB, '2 GiB'],
    [1024 * GIB, '1 TiB'],
  ])('%d bytes is %j and parses back', (bytes, text) => {
    expect(formatMemorySize(bytes)).toBe(text);
    expect(parseMemorySize(text)).toBe(bytes);
  });
});
