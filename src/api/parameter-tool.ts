import { FlinktsError } from './errors.js';

const NO_VALUE = '__NO_VALUE_KEY';

/**
 * Job arguments as key-value pairs, as Flink's `ParameterTool`:
 * `--input file.txt --verbose` gives `{ input: 'file.txt', verbose: '__NO_VALUE_KEY' }`.
 */
export class ParameterTool {
  private constructor(private readonly data: ReadonlyMap<string, string>) {}

  /**
   * Parses `--key value`, `-key value`, `--key=value` and bare `--flag`.
   * A negative number after a key is a value, not a key.
   */
  static fromArgs(args: readonly string[]): ParameterTool {
    const data = new Map<string, string>();
    let i = 0;
    while (i < args.length) {
      const arg = args[i]!;
      const key = stripDashes(arg);
      if (key === undefined) {
        throw new FlinktsError('USAGE', `job argument '${arg}' at position ${i + 1} is not a key; expected --key or -key`, {
          hint: 'pass job arguments as --key value pairs',
        });
      }
      const eq = key.indexOf('=');
      if (eq > 0) {
        data.set(key.slice(0, eq), key.slice(eq + 1));
        i += 1;
        continue;
      }
      const next = args[i + 1];
      if (next === undefined || (stripDashes(next) !== undefined && !isNumeric(next))) {
        data.set(key, NO_VALUE);
        i += 1;
      } else {
        data.set(key, next);
        i += 2;
      }
    }
    return new ParameterTool(data);
  }

  /** Wraps a plain map. */
  static fromMap(map: Record<string, string> | ReadonlyMap<string, string>): ParameterTool {
    const entries = map instanceof Map ? [...map.entries()] : Object.entries(map as Record<string, string>);
    return new ParameterTool(new Map(entries.map(([k, v]) => [k, String(v)])));
  }

  getNumberOfParameters(): number {
    return this.data.size;
  }

  has(key: string): boolean {
    return this.data.has(key);
  }

  get(key: string): string | undefined;
  get(key: string, defaultValue: string): string;
  get(key: string, defaultValue?: string): string | undefined {
    return this.data.get(key) ?? defaultValue;
  }

  /** The value of `key`; throws a USAGE error naming the key when it is absent or has no value. */
  getRequired(key: string): string {
    const value = this.data.get(key);
    if (value === undefined || value === NO_VALUE) {
      throw new FlinktsError('USAGE', `no value for required job argument --${key}`, {
        hint: `pass it after '--', e.g. flinkts run job.ts -- --${key} <value>`,
      });
    }
    return value;
  }

  /** A numeric value; throws naming the key when it is not a number. */
  getNumber(key: string, defaultValue?: number): number {
    const raw = this.data.get(key);
    if (raw === undefined || raw === NO_VALUE) {
      if (defaultValue !== undefined) return defaultValue;
      return Number(this.getRequired(key));
    }
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) {
      throw new FlinktsError('USAGE', `job argument --${key} must be a number, got '${raw}'`);
    }
    return value;
  }

  /** An integer value; throws naming the key when it is not an integer. */
  getInt(key: string, defaultValue?: number): number {
    const value = this.getNumber(key, defaultValue);
    if (!Number.isInteger(value)) {
      throw new FlinktsError('USAGE', `job argument --${key} must be an integer, got '${this.data.get(key)}'`);
    }
    return value;
  }

  /** `true` for a bare flag or `true`, `false` for `false`. */
  getBoolean(key: string, defaultValue = false): boolean {
    const raw = this.data.get(key);
    if (raw === undefined) return defaultValue;
    if (raw === NO_VALUE || raw.toLowerCase() === 'true') return true;
    if (raw.toLowerCase() === 'false') return false;
    throw new FlinktsError('USAGE', `job argument --${key} must be true or false, got '${raw}'`);
  }

  /** A new tool holding these parameters overlaid by `other`'s. */
  mergeWith(other: ParameterTool): ParameterTool {
    return new ParameterTool(new Map([...this.data, ...other.data]));
  }

  toMap(): Record<string, string> {
    return Object.fromEntries(this.data);
  }
}

function stripDashes(arg: string): string | undefined {
  // A bare `--` is an empty key, not the key `-` (Flink rejects it too).
  if (arg.startsWith('--')) return arg.length > 2 ? arg.slice(2) : undefined;
  if (arg.startsWith('-') && arg.length > 1 && !isNumeric(arg)) return arg.slice(1);
  return undefined;
}

function isNumeric(text: string): boolean {
  return text.trim() !== '' && Number.isFinite(Number(text));
}
