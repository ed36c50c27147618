/**
 * Text forms of durations and memory sizes, with Flink's unit names.
 *
 * Both are a whole number followed by an optional unit, with or without a
 * space (`100 ms`, `100ms`, `32 KiB`, `32kb`); units are case-insensitive.
 * A bare number means milliseconds for a duration and bytes for a size, as in
 * Flink. Fractions are rejected rather than rounded, so a value always means
 * exactly what it says.
 */

/** Milliseconds per duration unit, by every accepted (lower-case) unit name. */
const DURATION_UNITS: ReadonlyMap<string, number> = unitTable([
  [1, ['', 'ms', 'milli', 'millis', 'millisecond', 'milliseconds']],
  [1_000, ['s', 'sec', 'secs', 'second', 'seconds']],
  [60_000, ['m', 'min', 'mins', 'minute', 'minutes']],
  [3_600_000, ['h', 'hour', 'hours']],
  [86_400_000, ['d', 'day', 'days']],
]);

/** The units {@link formatDuration} writes, largest first. */
const DURATION_FORMAT: ReadonlyArray<readonly [number, string]> = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1_000, 's'],
];

const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;
const TIB = GIB * 1024;

/** Bytes per memory unit, by every accepted (lower-case) unit name; all powers of 1024, as in Flink. */
const MEMORY_UNITS: ReadonlyMap<string, number> = unitTable([
  [1, ['', 'b', 'bytes']],
  [KIB, ['k', 'kb', 'kib', 'kibibytes']],
  [MIB, ['m', 'mb', 'mib', 'mebibytes']],
  [GIB, ['g', 'gb', 'gib', 'gibibytes']],
  [TIB, ['t', 'tb', 'tib', 'tebibytes']],
]);

/** The units {@link formatMemorySize} writes, largest first. */
const MEMORY_FORMAT: ReadonlyArray<readonly [number, string]> = [
  [TIB, 'TiB'],
  [GIB, 'GiB'],
  [MIB, 'MiB'],
  [KIB, 'KiB'],
];

/** A whole number, optional blanks, then an optional unit made of letters. */
const QUANTITY = /^(\d+)\s*([a-z]*)$/i;

/**
 * Parses a duration such as `100 ms`, `100ms`, `1 s`, `2min`, `1 h` or `3 d`
 * (a bare number means milliseconds).
 *
 * @returns the duration in milliseconds, or `undefined` when `text` is not a
 *   duration or is too large to be represented exactly.
 */
export function parseDuration(text: string): number | undefined {
  return parseQuantity(text, DURATION_UNITS);
}

/**
 * Parses a memory size such as `32kb`, `32 KiB`, `1mb`, `64 m` or `2 gb`
 * (a bare number means bytes; every unit is a power of 1024).
 *
 * @returns the size in bytes, or `undefined` when `text` is not a memory size
 *   or is too large to be represented exactly.
 */
export function parseMemorySize(text: string): number | undefined {
  return parseQuantity(text, MEMORY_UNITS);
}

/**
 * Writes a duration in milliseconds with the largest unit that divides it
 * exactly: `200 ms`, `1 s`, `90 s`, `2 min`, `1 h`, `1 d`. The result parses
 * back to the same value.
 */
export function formatDuration(millis: number): string {
  return formatQuantity(millis, DURATION_FORMAT, 'ms');
}

/**
 * Writes a memory size in bytes with the largest binary unit that divides it
 * exactly: `32 KiB`, `1 MiB`, `1000 bytes`. The result parses back to the same
 * value.
 */
export function formatMemorySize(bytes: number): string {
  return formatQuantity(bytes, MEMORY_FORMAT, 'bytes');
}

function parseQuantity(text: string, units: ReadonlyMap<string, number>): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (match === null) return undefined;
  const multiplier = units.get((match[2] ?? '').toLowerCase());
  if (multiplier === undefined) return undefined;
  const value = Number(match[1]) * multiplier;
  return Number.isSafeInteger(value) ? value : undefined;
}

function formatQuantity(value: number, units: ReadonlyArray<readonly [number, string]>, base: string): string {
  if (value !== 0) {
    for (const [size, name] of units) {
      if (value % size === 0) return `${value / size} ${name}`;
    }
  }
  return `${value} ${base}`;
}

function unitTable(entries: ReadonlyArray<readonly [number, readonly string[]]>): ReadonlyMap<string, number> {
  const table = new Map<string, number>();
  for (const [multiplier, names] of entries) {
    for (const name of names) table.set(name, multiplier);
  }
  return table;
}
