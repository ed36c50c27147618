/**
 * The value types of configuration options. Each parses the text a user
 * wrote (after `-D key=`, or a YAML scalar's source text), checks it against
 * the option's constraints, and describes what it accepts for error messages
 * and the docs. A new kind of value is one more factory here.
 */
import type { OptionType } from './option.js';
import { formatDuration, formatMemorySize, parseDuration, parseMemorySize } from './units.js';

/** Bounds of an {@link integerType}. */
export interface IntegerBounds {
  /** The smallest accepted value. */
  min?: number;
  /** The largest accepted value. */
  max?: number;
  /** Values accepted outside `[min, max]` with a special meaning, such as `-1` for "derived". */
  also?: readonly number[];
}

/** A whole number, such as `4` or `-1`, optionally bounded. */
export function integerType(bounds: IntegerBounds = {}): OptionType<number> {
  const { min, max, also = [] } = bounds;
  const range =
    min !== undefined && max !== undefined
      ? `${min} to ${max}`
      : min !== undefined
        ? `≥ ${min}`
        : max !== undefined
          ? `≤ ${max}`
          : undefined;
  const special = also.length > 0 ? `${also.join(', ')} or ` : '';
  const phrase = min !== undefined && max !== undefined ? `an integer from ${range}` : range === undefined ? 'an integer' : `an integer ${range}`;
  return {
    name: 'Integer',
    constraint: range === undefined ? undefined : `${special}${range}`,
    expected: `${special}${phrase}`,
    hint: undefined,
    parse(text) {
      const trimmed = text.trim();
      if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
      const value = Number(trimmed);
      if (!Number.isSafeInteger(value)) return undefined;
      if (also.includes(value)) return value;
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) return undefined;
      return value;
    },
    format: (value) => String(value),
  };
}

/** `true` or `false`, in any letter case. */
export function booleanType(): OptionType<boolean> {
  return {
    name: 'Boolean',
    constraint: undefined,
    expected: 'true or false',
    hint: undefined,
    parse(text) {
      const lower = text.trim().toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : undefined;
    },
    format: (value) => String(value),
  };
}

/** Any text, taken as written (not trimmed). */
export function stringType(): OptionType<string> {
  return {
    name: 'String',
    constraint: undefined,
    expected: 'a string',
    hint: undefined,
    parse: (text) => text,
    format: (value) => value,
  };
}

/** One of a fixed list of names; matched ignoring letter case, read as the listed spelling. */
export function enumType<const V extends string>(values: readonly [V, ...V[]]): OptionType<V> {
  const listed = values.map((value) => `'${value}'`).join(', ');
  return {
    name: 'Enum',
    constraint: listed,
    expected: `one of ${listed}`,
    hint: undefined,
    parse(text) {
      const lower = text.trim().toLowerCase();
      return values.find((value) => value.toLowerCase() === lower);
    },
    format: (value) => value,
  };
}

/** A duration such as `100 ms`, `1 s`, `2min` or `1 h`, read as milliseconds (a bare number means milliseconds). */
export function durationType(): OptionType<number> {
  return {
    name: 'Duration',
    constraint: undefined,
    expected: "a duration such as '100 ms', '1 s' or '2 min'",
    hint: 'units: ms, s, min, h, d; a bare number means milliseconds',
    parse: parseDuration,
    format: formatDuration,
  };
}

/** Bounds of a {@link memoryType}, in bytes. */
export interface MemoryBounds {
  /** The smallest accepted size in bytes. */
  min?: number;
}

/** A memory size such as `32kb`, `32 KiB`, `1mb` or `64 m`, read as bytes (a bare number means bytes). */
export function memoryType(bounds: MemoryBounds = {}): OptionType<number> {
  const { min } = bounds;
  const range = min === undefined ? undefined : `≥ ${formatMemorySize(min)}`;
  return {
    name: 'Memory size',
    constraint: range,
    expected: `a memory size ${range === undefined ? '' : `${range}, `}such as '32 KiB' or '1 mb'`,
    hint: 'units: b, kb (= KiB), mb (= MiB), gb (= GiB), tb (= TiB), all powers of 1024; a bare number means bytes',
    parse(text) {
      const value = parseMemorySize(text);
      return value === undefined || (min !== undefined && value < min) ? undefined : value;
    },
    format: formatMemorySize,
  };
}
