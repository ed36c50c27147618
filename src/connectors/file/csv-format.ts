/**
 * `new CsvFormat(options)`: CSV files (RFC 4180, see ./csv.ts) for a
 * `FileSource`. A quoted field may contain the delimiter, doubled quotes and
 * line breaks, so one record may span lines (its provenance is its first
 * line; a '\r\n' inside quotes reads as '\n'). Blank lines are skipped.
 *
 * Records are the fields as strings (`string[]`), or objects keyed by column
 * name when `columns` are given or `header` is set (then every file's first
 * record names its columns and is not emitted). A record whose field count
 * differs from the column count is a bad record, as is a malformed quote.
 */
import { FlinktsError } from '../../api/errors.js';
import { csvRecordScanner, DEFAULT_DIALECT, dialectProblem, isCompleteCsvRecord, parseCsvRecord, type CsvDialect } from './csv.js';
import type { FileFormatState, RecordStreamFormat } from './record-formats.js';

/** Options of {@link CsvFormat}. */
export interface CsvFormatOptions<T> {
  /** One character; ',' by default. */
  readonly delimiter?: string;
  /** One character; '"' by default. */
  readonly quote?: string;
  /**
   * Every file starts with a header record naming the columns; it is not
   * emitted. Records are objects keyed by the header's names (by `columns`
   * when both are given).
   */
  readonly header?: boolean;
  /** Column names: records are objects keyed by them. */
  readonly columns?: readonly string[];
  /**
   * Converts each row (fields, or an object keyed by column); throwing makes
   * the record a bad record.
   */
  readonly map?: (row: string[] | Record<string, string>) => T;
}

/** CSV records: `string[]` by default, `Record<string, string>` with columns or a header, or what `map` makes. */
export class CsvFormat<T = string[]> implements RecordStreamFormat<T> {
  readonly name = 'CsvFormat';
  private readonly dialect: CsvDialect;
  private readonly header: boolean;
  private readonly columns: readonly string[] | undefined;
  private readonly map: ((row: string[] | Record<string, string>) => T) | undefined;

  constructor(options: CsvFormatOptions<T> = {}) {
    this.dialect = { delimiter: options.delimiter ?? DEFAULT_DIALECT.delimiter, quote: options.quote ?? DEFAULT_DIALECT.quote };
    const problem = dialectProblem(this.dialect);
    if (problem !== undefined) throw new FlinktsError('USAGE', `CsvFormat: ${problem}`);
    if (options.columns !== undefined) {
      if (!Array.isArray(options.columns) || options.columns.length === 0 || options.columns.some((c) => typeof c !== 'string')) {
        throw new FlinktsError('USAGE', 'CsvFormat: columns must be a non-empty array of names');
      }
      const duplicate = options.columns.find((c, i) => options.columns!.indexOf(c) !== i);
      if (duplicate !== undefined) throw new FlinktsError('USAGE', `CsvFormat: the column '${duplicate}' is named twice`);
    }
    if (options.map !== undefined && typeof options.map !== 'function') throw new FlinktsError('USAGE', 'CsvFormat: map must be a function (row) => record');
    this.header = options.header === true;
    this.columns = options.columns === undefined ? undefined : [...options.columns];
    this.map = options.map;
  }

  isComplete(text: string): boolean {
    return isCompleteCsvRecord(text, this.dialect);
  }

  recordScanner(): (line: string) => boolean {
    return csvRecordScanner(this.dialect);
  }

  deserialize(text: string, state: FileFormatState): T | undefined {
    if (text.trim().length === 0) return undefined;
    if (this.header && state.headerSeen !== true) {
      // Marked before parsing: a malformed header must not make the next record the header.
      state.headerSeen = true;
      const names = parseCsvRecord(text, this.dialect);
      if (this.columns === undefined) {
        const duplicate = names.find((c, i) => names.indexOf(c) !== i);
        if (duplicate !== undefined) throw new Error(`the header names the column '${duplicate}' twice`);
        state.columns = names;
      }
      return undefined;
    }
    const fields = parseCsvRecord(text, this.dialect);
    const columns = this.columns ?? (state.columns as string[] | undefined);
    if (columns === undefined) {
      if (this.header) throw new Error('the header of this file could not be read');
      return this.map === undefined ? (fields as T) : this.map(fields);
    }
    if (fields.length !== columns.length) throw new Error(`expected ${columns.length} fields (${columns.join(', ')}), got ${fields.length}`);
    // fromEntries defines own properties, so a column named '__proto__' stays a plain field.
    const row: Record<string, string> = Object.fromEntries(columns.map((column, i) => [column, fields[i]!]));
    return this.map === undefined ? (row as T) : this.map(row);
  }
}
