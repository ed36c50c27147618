/**
 * How a `FileSource` turns the lines of a file into records (Flink's
 * `StreamFormat`, for line-oriented text): `TextLineFormat` (every line a
 * string), `JsonLinesFormat` (every non-blank line a JSON value) and
 * `CsvFormat` (src/connectors/file/csv-format.ts; a record may span lines
 * inside quotes).
 *
 * Text is UTF-8. A format throws on text it cannot decode; the source then
 * applies its bad-record policy with the file and line as provenance.
 */
import { FlinktsError } from '../../api/errors.js';

/**
 * What a format keeps per file while reading it (e.g. the CSV header). It is
 * checkpointed with the file's position, so it must be structured-cloneable.
 */
export type FileFormatState = Record<string, unknown>;

/** Decodes the records of line-oriented text files. */
export interface RecordStreamFormat<T> {
  /** The format's name, for plans and messages. */
  readonly name: string;
  /**
   * For formats whose records may span lines: whether `text` (lines joined
   * by '\n') is a whole record. Without it every line is one record.
   */
  isComplete?(text: string): boolean;
  /**
   * Optional, with `isComplete`: the same test line by line, for records of
   * many lines. The function returned is told each line of a record in turn
   * and says whether the lines so far are a whole record.
   */
  recordScanner?(): (line: string) => boolean;
  /**
   * The record in `text`, or `undefined` for text that holds none (a blank
   * line, a header). Throws when the text is malformed.
   */
  deserialize(text: string, state: FileFormatState): T | undefined;
}

/** Whether `value` looks like a {@link RecordStreamFormat}. */
export function isRecordStreamFormat(value: unknown): value is RecordStreamFormat<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as RecordStreamFormat<unknown>).deserialize === 'function';
}

/**
 * Every line as a string (Flink's `TextLineInputFormat`), empty lines
 * included; a '\r' before the '\n' is dropped.
 */
export class TextLineFormat implements RecordStreamFormat<string> {
  readonly name = 'TextLineFormat';

  deserialize(text: string): string {
    return text;
  }
}

/** Options of {@link JsonLinesFormat}. */
export interface JsonLinesFormatOptions<T> {
  /**
   * Checks or converts each parsed value; throwing makes the line a bad
   * record (e.g. a required field is missing).
   */
  readonly map?: (value: unknown) => T;
}

/**
 * One JSON value per line (JSON Lines / NDJSON). Blank lines are skipped;
 * a line that is not valid JSON, or that `map` rejects, is a bad record.
 */
export class JsonLinesFormat<T = unknown> implements RecordStreamFormat<T> {
  readonly name = 'JsonLinesFormat';
  private readonly map: ((value: unknown) => T) | undefined;

  constructor(options: JsonLinesFormatOptions<T> = {}) {
    if (options.map !== undefined && typeof options.map !== 'function') {
      throw new FlinktsError('USAGE', 'JsonLinesFormat: map must be a function (value) => record');
    }
    this.map = options.map;
  }

  deserialize(text: string): T | undefined {
    if (text.trim().length === 0) return undefined;
    const value: unknown = JSON.parse(text);
    return this.map === undefined ? (value as T) : this.map(value);
  }
}
