/**
 * CSV records as RFC 4180 writes them, shared by the CSV source format and
 * the CSV bulk format of the file sink: fields separated by a delimiter; a
 * field that contains the delimiter, the quote character or a line break is
 * quoted, and a quote inside a quoted field is doubled (`"say ""hi"""`).
 *
 * Reading is strict: a quote may open a field only at its start, and after
 * the closing quote only the delimiter or the end of the record may follow,
 * so malformed lines are reported instead of silently mis-split.
 */

/** The characters of a CSV dialect. */
export interface CsvDialect {
  /** One character; ',' by default. */
  readonly delimiter: string;
  /** One character; '"' by default. */
  readonly quote: string;
}

/** RFC 4180: comma-separated, double quotes. */
export const DEFAULT_DIALECT: CsvDialect = { delimiter: ',', quote: '"' };

/**
 * Whether `text` (lines joined by '\n') ends outside a quoted field, i.e.
 * holds whole records. A quote that does not open a field (inside an
 * unquoted field) does not count, so one stray quote cannot swallow the
 * lines after it.
 */
export function isCompleteCsvRecord(text: string, dialect: CsvDialect): boolean {
  return csvRecordScanner(dialect)(text);
}

/**
 * {@link isCompleteCsvRecord} line by line: told each next line of a record,
 * says whether the lines so far (joined by '\n') hold whole records. A field
 * of many lines is scanned once, not again with every line.
 */
export function csvRecordScanner({ delimiter, quote }: CsvDialect): (line: string) => boolean {
  let inQuotes = false;
  let fieldStart = true;
  let first = true;
  return (line) => {
    // The '\n' before this line: inside quotes it is content, outside it starts a field.
    if (!first && !inQuotes) fieldStart = true;
    first = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (inQuotes) {
        if (c === quote) {
          if (line[i + 1] === quote) i++;
          else inQuotes = false;
        }
      } else if (c === quote && fieldStart) {
        inQuotes = true;
        fieldStart = false;
      } else {
        fieldStart = c === delimiter || c === '\n';
      }
    }
    return !inQuotes;
  };
}

/** The fields of one CSV record; throws an `Error` saying what is malformed and where. */
export function parseCsvRecord(text: string, { delimiter, quote }: CsvDialect): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === quote) {
      // A quoted field: up to the closing quote, doubled quotes are one quote.
      let value = '';
      let from = i + 1;
      for (;;) {
        const close = text.indexOf(quote, from);
        if (close === -1) throw new Error(`unterminated quoted field starting at character ${i + 1}`);
        value += text.slice(from, close);
        if (text[close + 1] === quote) {
          value += quote;
          from = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== delimiter) {
        throw new Error(`unexpected ${JSON.stringify(text[i])} after the closing quote of field ${fields.length} at character ${i + 1}`);
      }
      i++;
    } else {
      const end = text.indexOf(delimiter, i);
      const value = end === -1 ? text.slice(i) : text.slice(i, end);
      const stray = value.indexOf(quote);
      if (stray !== -1) throw new Error(`quote inside the unquoted field ${fields.length + 1} at character ${i + stray + 1}`);
      fields.push(value);
      if (end === -1) return fields;
      i = end + 1;
    }
  }
}

/** One CSV record of `fields` (without a line terminator), quoting where needed. */
export function formatCsvRecord(fields: readonly unknown[], { delimiter, quote }: CsvDialect): string {
  return fields.map((field) => formatCsvField(field, delimiter, quote)).join(delimiter);
}

function formatCsvField(field: unknown, delimiter: string, quote: string): string {
  const text = field === null || field === undefined ? '' : typeof field === 'object' ? JSON.stringify(field) : String(field);
  if (text.includes(delimiter) || text.includes(quote) || text.includes('\n') || text.includes('\r')) {
    return quote + text.split(quote).join(quote + quote) + quote;
  }
  return text;
}

/** Checks a dialect's characters; returns a message for the first problem, or undefined. */
export function dialectProblem({ delimiter, quote }: CsvDialect): string | undefined {
  if (typeof delimiter !== 'string' || delimiter.length !== 1) return `the delimiter must be one character, got ${JSON.stringify(delimiter)}`;
  if (typeof quote !== 'string' || quote.length !== 1) return `the quote must be one character, got ${JSON.stringify(quote)}`;
  if (delimiter === quote) return 'the delimiter and the quote must differ';
  if (delimiter === '\n' || delimiter === '\r' || quote === '\n' || quote === '\r') return 'line breaks cannot be the delimiter or the quote';
  return undefined;
}
