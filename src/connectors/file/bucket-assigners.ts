/**
 * Which bucket (subdirectory of the sink's base directory) a `FileSink`
 * writes a record to (Flink's `BucketAssigner`):
 *
 * - `DateTimeBucketAssigner` (the default): the processing time when the
 *   record is written, formatted with a `java.time` pattern (default
 *   `yyyy-MM-dd--HH`, one directory per hour) in a time zone (default: the
 *   process's).
 * - `BasePathBucketAssigner`: everything in the base directory.
 * - Any `{ getBucketId(element, context) }`: a custom assigner.
 *
 * A bucket id is a relative path: it may contain '/' for nested directories
 * but never '..', an absolute path or a NUL, so that no record can make the
 * sink write outside its base directory.
 */
import { FlinktsError } from '../../api/errors.js';

/** What a bucket assigner knows about the record. */
export interface BucketAssignerContext {
  /** Now, processing time (ms). */
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** The record's event-time timestamp, if it has one. */
  timestamp(): number | undefined;
}

/** Assigns records to buckets. */
export interface BucketAssigner<T> {
  getBucketId(element: T, context: BucketAssignerContext): string;
}

/** All records in the base directory (Flink's `BasePathBucketAssigner`). */
export class BasePathBucketAssigner<T = unknown> implements BucketAssigner<T> {
  getBucketId(): string {
    return '';
  }
}

type Token = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'field'; readonly field: 'yyyy' | 'yy' | 'MM' | 'dd' | 'HH' | 'mm' | 'ss' | 'SSS' };
const FIELDS = ['yyyy', 'yy', 'MM', 'dd', 'HH', 'mm', 'ss', 'SSS'] as const;

/**
 * Buckets by the processing time, formatted with a `java.time` pattern
 * (Flink's `DateTimeBucketAssigner`). Supported letters: `yyyy`, `yy`, `MM`,
 * `dd`, `HH`, `mm`, `ss`, `SSS`; text in single quotes and any non-letter is
 * copied as is.
 */
export class DateTimeBucketAssigner<T = unknown> implements BucketAssigner<T> {
  static readonly DEFAULT_FORMAT_STRING = 'yyyy-MM-dd--HH';
  private readonly tokens: readonly Token[];
  private readonly parts: Intl.DateTimeFormat;
  /** The last time formatted (rounded down to what the pattern shows) and its text: records come in bursts of one bucket. */
  private cachedKey = Number.NaN;
  private cachedId = '';
  private readonly granularity: number;

  constructor(
    readonly formatString: string = DateTimeBucketAssigner.DEFAULT_FORMAT_STRING,
    /** An IANA time zone such as `UTC` or `Europe/Berlin`; default: the process's. */
    readonly timeZone?: string,
  ) {
    this.tokens = parsePattern(formatString);
    try {
      this.parts = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch (error) {
      throw new FlinktsError('USAGE', `DateTimeBucketAssigner: unknown time zone '${timeZone}'`, { cause: error });
    }
    // Zones are whole minutes apart from UTC... except a few historical ones; seconds are safe.
    this.granularity = this.tokens.some((t) => t.kind === 'field' && t.field === 'SSS') ? 1 : 1000;
  }

  getBucketId(_element: T, context: BucketAssignerContext): string {
    return this.format(context.currentProcessingTime());
  }

  /** The bucket id of processing time `time` (ms since the epoch). */
  format(time: number): string {
    const key = Math.floor(time / this.granularity);
    if (key === this.cachedKey) return this.cachedId;
    const values: Record<string, string> = {};
    for (const part of this.parts.formatToParts(time)) values[part.type] = part.value;
    const millis = String(((time % 1000) + 1000) % 1000).padStart(3, '0');
    const fields: Record<(typeof FIELDS)[number], string> = {
      yyyy: values.year!.padStart(4, '0'),
      yy: values.year!.padStart(4, '0').slice(-2),
      MM: values.month!,
      dd: values.day!,
      HH: values.hour!,
      mm: values.minute!,
      ss: values.second!,
      SSS: millis,
    };
    this.cachedId = this.tokens.map((t) => (t.kind === 'literal' ? t.text : fields[t.field])).join('');
    this.cachedKey = key;
    return this.cachedId;
  }
}

function parsePattern(pattern: string): Token[] {
  if (typeof pattern !== 'string' || pattern.length === 0) throw new FlinktsError('USAGE', 'DateTimeBucketAssigner: the format string must not be empty');
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close === -1) throw new FlinktsError('USAGE', `DateTimeBucketAssigner: unclosed quote in '${pattern}'`);
      tokens.push({ kind: 'literal', text: close === i + 1 ? "'" : pattern.slice(i + 1, close) });
      i = close + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let end = i;
      while (pattern[end] === c) end++;
      const run = pattern.slice(i, end);
      const field = FIELDS.find((f) => f === run);
      if (field === undefined) throw new FlinktsError('USAGE', `DateTimeBucketAssigner: '${run}' in '${pattern}' is not supported (use ${FIELDS.join(', ')})`);
      tokens.push({ kind: 'field', field });
      i = end;
    } else {
      tokens.push({ kind: 'literal', text: c });
      i++;
    }
  }
  return tokens;
}

/** Whether `value` is a bucket assigner. */
export function isBucketAssigner(value: unknown): value is BucketAssigner<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as BucketAssigner<unknown>).getBucketId === 'function';
}

/**
 * Checks a bucket id from an assigner: a string of relative path segments.
 * Throws a `USAGE` error naming it otherwise.
 */
export function checkBucketId(id: unknown): string {
  if (typeof id !== 'string') throw new FlinktsError('USAGE', `FileSink: the bucket assigner returned ${JSON.stringify(id) ?? String(id)}, expected a string`);
  if (id === '') return id;
  const segments = id.split(/[\\/]/);
  if (id.includes('\0') || id.startsWith('/') || id.startsWith('\\') || /^[A-Za-z]:/.test(id) || segments.some((s) => s === '..' || s === '.' || s === '')) {
    throw new FlinktsError('USAGE', `FileSink: the bucket id ${JSON.stringify(id)} is not a relative path inside the base directory`);
  }
  return id;
}
