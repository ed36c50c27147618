import { describe, expect, it } from 'vitest';
import { describeIoError, formatRecord } from '../../../src/connectors/format.js';

describe('formatRecord', () => {
  it('prints scalars as themselves', () => {
    expect(formatRecord('as is, with "quotes"')).toBe('as is, with "quotes"');
    expect(formatRecord(3)).toBe('3');
    expect(formatRecord(-0.5)).toBe('-0.5');
    expect(formatRecord(false)).toBe('false');
    expect(formatRecord(12345678901234567890n)).toBe('12345678901234567890');
    expect(formatRecord(null)).toBe('null');
    expect(formatRecord(undefined)).toBe('undefined');
  });

  it('prints arrays as Flink prints tuples, recursively', () => {
    expect(formatRecord(['hello', 3])).toBe('(hello,3)');
    expect(formatRecord([['a', 1], [true, null], 'x'])).toBe('((a,1),(true,null),x)');
    expect(formatRecord([])).toBe('()');
    expect(formatRecord(['k', { n: 1 }])).toBe('(k,{"n":1})');
  });

  it('prints dates as ISO strings', () => {
    expect(formatRecord(new Date(Date.UTC(2020, 1, 29, 12, 30)))).toBe('2020-02-29T12:30:00.000Z');
    expect(formatRecord(new Date(Number.NaN))).toBe('Invalid Date');
  });

  it('prints other objects as JSON, bigint-safe', () => {
    expect(formatRecord({ auction: 7, price: 12n, tags: ['a'] })).toBe('{"auction":7,"price":"12","tags":["a"]}');
    expect(formatRecord(new Map([['a', 1]]))).toBe('{"a":1}');
    expect(formatRecord(new Set([1, 2]))).toBe('[1,2]');
    class Bid {
      constructor(readonly price: number) {}
    }
    expect(formatRecord(new Bid(3))).toBe('{"price":3}');
  });

  it("uses a class's own toString, as Flink prints POJOs", () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
      toString(): string {
        return `Point(${this.x}, ${this.y})`;
      }
    }
    expect(formatRecord(new Point(1, 2))).toBe('Point(1, 2)');
    expect(formatRecord(new Error('bad'))).toBe('Error: bad');
  });

  it('never throws on cyclic objects', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(formatRecord(cyclic)).toContain('loop');
  });
});

describe('describeIoError', () => {
  it('turns Node errors into a short reason with the code', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT' });
    expect(describeIoError(enoent)).toBe('no such file or directory (ENOENT)');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(describeIoError(refused)).toBe('connection refused (ECONNREFUSED)');
    const aggregate = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    expect(describeIoError(aggregate)).toBe('connection refused (ECONNREFUSED)');
    expect(describeIoError(new Error('plain'))).toBe('plain');
    expect(describeIoError('text')).toBe('text');
  });
});
