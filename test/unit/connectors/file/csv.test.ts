/**
 * The CSV reader and writer: known RFC 4180 cases, strict errors, and a
 * property: any fields written by `formatCsvRecord` read back equal, and the
 * text is one complete record.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecordScanner, DEFAULT_DIALECT, formatCsvRecord, isCompleteCsvRecord, parseCsvRecord } from '../../../../src/connectors/file/csv.js';

const parse = (text: string) => parseCsvRecord(text, DEFAULT_DIALECT);

describe('CSV records', () => {
  it('reads plain, empty, quoted and escaped fields', () => {
    expect(parse('a,b,c')).toEqual(['a', 'b', 'c']);
    expect(parse('')).toEqual(['']);
    expect(parse(',,')).toEqual(['', '', '']);
    expect(parse('"a,b",c')).toEqual(['a,b', 'c']);
    expect(parse('"say ""hi""",x')).toEqual(['say "hi"', 'x']);
    expect(parse('"line\nbreak",""')).toEqual(['line\nbreak', '']);
    expect(parse(' a , b ')).toEqual([' a ', ' b ']);
    expect(parseCsvRecord("1;'x;''y'''", { delimiter: ';', quote: "'" })).toEqual(['1', "x;'y'"]);
  });

  it('refuses malformed quotes, saying where', () => {
    expect(() => parse('a,"open')).toThrow('unterminated quoted field starting at character 3');
    expect(() => parse('"a"b,c')).toThrow('unexpected "b" after the closing quote of field 1 at character 4');
    expect(() => parse('ab"c,d')).toThrow('quote inside the unquoted field 1 at character 3');
  });

  it('knows when lines joined so far are a whole record', () => {
    expect(isCompleteCsvRecord('a,"b', DEFAULT_DIALECT)).toBe(false);
    expect(isCompleteCsvRecord('a,"b\nc"', DEFAULT_DIALECT)).toBe(true);
    expect(isCompleteCsvRecord('a,"b""\n', DEFAULT_DIALECT)).toBe(false);
    // A stray quote inside an unquoted field does not open a field: the line is complete (and malformed).
    expect(isCompleteCsvRecord('ab"c,d', DEFAULT_DIALECT)).toBe(true);
  });

  it('writes fields that read back equal (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é', 'x') }), { minLength: 1, maxLength: 6 }), (fields) => {
        const text = formatCsvRecord(fields, DEFAULT_DIALECT);
        expect(isCompleteCsvRecord(text, DEFAULT_DIALECT)).toBe(true);
        expect(parse(text)).toEqual(fields);
      }),
      { numRuns: 2000 },
    );
  });

  it('scanning line by line says what isCompleteCsvRecord says of every prefix of lines', () => {
    const text = fc.array(fc.constantFrom('a', ',', '"', '\n', ';', 'x'), { maxLength: 60 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(text, (t) => {
        const lines = t.split('\n');
        const scan = csvRecordScanner(DEFAULT_DIALECT);
        lines.forEach((line, i) => expect(scan(line)).toBe(isCompleteCsvRecord(lines.slice(0, i + 1).join('\n'), DEFAULT_DIALECT)));
      }),
      { numRuns: 500 },
    );
  });
});
