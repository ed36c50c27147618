/**
 * What a `FileSink` writes per record:
 *
 * - row formats (`FileSink.forRowFormat`): an `Encoder` turns each record
 *   into its bytes on its own, so an in-progress file can be cut at any
 *   record boundary and resumed after a restore (`SimpleStringEncoder`).
 * - bulk formats (`FileSink.forBulkFormat`): a `BulkWriter` per part file may
 *   write a header and a footer, so a part file cannot be resumed and bulk
 *   formats roll at every checkpoint (`JsonLinesBulkFormat`, `CsvBulkFormat`).
 *
 * Text is UTF-8.
 */
import { FlinktsError } from '../../api/errors.js';
import { formatRecord } from '../format.js';
import { DEFAULT_DIALECT, dialectProblem, formatCsvRecord, type CsvDialect } from './csv.js';

/** Encodes one record of a row format (Flink's `Encoder`). */
export interface Encoder<T> {
  /** The bytes of `element`, with its line terminator if the format has one. */
  encode(element: T): string | Uint8Array;
}

/**
 * Each record as a line of text (Flink's `SimpleStringEncoder`): strings as
 * they are, tuples as `(a,b)`, objects as JSON — as `print()` and
 * `writeAsText` show them — followed by '\n'.
 */
export class SimpleStringEncoder<T = unknown> implements Encoder<T> {
  encode(element: T): string {
    return `${formatRecord(element)}\n`;
  }
}

/** Writes one part file of a bulk format (Flink's `BulkWriter`). */
export interface BulkWriter<T> {
  /** The bytes of `element` in this part file. */
  addElement(element: T): string | Uint8Array;
  /** The bytes that end the part file (a footer), if any. */
  finish(): string | Uint8Array;
}

/** Creates a {@link BulkWriter} per part file (Flink's `BulkWriter.Factory`). */
export interface BulkWriterFactory<T> {
  create(): BulkWriter<T>;
}

/** One JSON value per line; `undefined` and functions are written as `null`. */
export class JsonLinesBulkFormat<T = unknown> implements BulkWriterFactory<T> {
  create(): BulkWriter<T> {
    return {
      addElement: (element: T) => `${JSON.stringify(element, bigintAsString) ?? 'null'}\n`,
      finish: () => '',
    };
  }
}

/** Options of {@link CsvBulkFormat}. */
export interface CsvBulkFormatOptions {
  /** Column names: records that are objects are written in this order; with `header`, the header line. */
  readonly columns?: readonly string[];
  /** Start every part file with a header line of `columns`. */
  readonly header?: boolean;
  readonly delimiter?: string;
  readonly quote?: string;
}

/**
 * CSV records (RFC 4180 quoting, '\n' line ends): arrays as fields in order,
 * objects by `columns`; every part file starts with a header line when
 * `header` is set, so each finished file is a complete CSV file.
 */
export class CsvBulkFormat<T = unknown> implements BulkWriterFactory<T> {
  private readonly dialect: CsvDialect;
  private readonly columns: readonly string[] | undefined;
  private readonly header: boolean;

  constructor(options: CsvBulkFormatOptions = {}) {
    this.dialect = { delimiter: options.delimiter ?? DEFAULT_DIALECT.delimiter, quote: options.quote ?? DEFAULT_DIALECT.quote };
    const problem = dialectProblem(this.dialect);
    if (problem !== undefined) throw new FlinktsError('USAGE', `CsvBulkFormat: ${problem}`);
    if (options.header === true && (options.columns === undefined || options.columns.length === 0)) {
      throw new FlinktsError('USAGE', 'CsvBulkFormat: a header needs the column names (columns)');
    }
    this.columns = options.columns === undefined ? undefined : [...options.columns];
    this.header = options.header === true;
  }

  create(): BulkWriter<T> {
    let started = false;
    return {
      addElement: (element: T) => {
        const line = `${formatCsvRecord(this.fieldsOf(element), this.dialect)}\n`;
        if (started || !this.header) return line;
        started = true;
        return `${formatCsvRecord(this.columns!, this.dialect)}\n${line}`;
      },
      finish: () => '',
    };
  }

  private fieldsOf(element: T): readonly unknown[] {
    if (Array.isArray(element)) return element;
    if (element !== null && typeof element === 'object') {
      if (this.columns === undefined) throw new FlinktsError('USAGE', 'CsvBulkFormat: objects need column names (columns) to be written as CSV');
      const row = element as Record<string, unknown>;
      return this.columns.map((column) => row[column]);
    }
    return [element];
  }
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** The names of part files (Flink's `OutputFileConfig`): `<prefix>-<uid>-<subtask>-<n><suffix>`. */
export class OutputFileConfig {
  /** @internal use {@link OutputFileConfig.builder}. */
  constructor(
    readonly partPrefix: string,
    readonly partSuffix: string,
  ) {}

  /** A builder with Flink's defaults: prefix `part`, no suffix. */
  static builder(): OutputFileConfigBuilder {
    return new OutputFileConfigBuilder();
  }
}

/** Builds an {@link OutputFileConfig}. */
export class OutputFileConfigBuilder {
  private prefix = 'part';
  private suffix = '';

  withPartPrefix(prefix: string): this {
    this.prefix = checkNamePart('withPartPrefix', prefix);
    return this;
  }

  withPartSuffix(suffix: string): this {
    this.suffix = checkNamePart('withPartSuffix', suffix);
    return this;
  }

  build(): OutputFileConfig {
    return new OutputFileConfig(this.prefix, this.suffix);
  }
}

function checkNamePart(call: string, value: string): string {
  if (typeof value !== 'string' || /[\\/\0]/.test(value)) throw new FlinktsError('USAGE', `OutputFileConfig.${call}(${JSON.stringify(value)}): expected a file name part without '/', '\\' or NUL`);
  return value;
}
