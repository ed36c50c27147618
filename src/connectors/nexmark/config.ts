/**
 * The Nexmark generator's configuration: validation (at job definition, naming
 * the knob) and the job flags (`--events N --rate R --base-time T --seed S`
 * and the other knobs in kebab-case) that `nexmark generate` and the query
 * jobs share.
 */
import { FlinktsError, invalidArgument } from '../../api/errors.js';
import type { ParameterTool } from '../../api/parameter-tool.js';
import { DEFAULT_NEXMARK_CONFIG, type NexmarkConfig } from './model.js';

/** The numeric knobs that must be integers ≥ 1, with their flag names. */
const POSITIVE_INTEGER_KNOBS = [
  ['activePeople', 'active-people'],
  ['inFlightAuctions', 'in-flight-auctions'],
  ['hotAuctionRatio', 'hot-auction-ratio'],
  ['hotSellersRatio', 'hot-sellers-ratio'],
  ['hotBiddersRatio', 'hot-bidders-ratio'],
  ['avgPersonByteSize', 'avg-person-byte-size'],
  ['avgAuctionByteSize', 'avg-auction-byte-size'],
  ['avgBidByteSize', 'avg-bid-byte-size'],
  ['outOfOrderGroupSize', 'out-of-order-group-size'],
] as const satisfies ReadonlyArray<readonly [keyof NexmarkConfig, string]>;

/** The multiplier of the out-of-order permutation `(n * 953) % N`. */
export const OUT_OF_ORDER_MULTIPLIER = 953;

/** Every generator flag, `--name` without dashes, for help texts and the CLI. */
export const NEXMARK_FLAGS: readonly string[] = ['events', 'rate', 'base-time', 'seed', ...POSITIVE_INTEGER_KNOBS.map(([, flag]) => flag)];

/**
 * The defaults overlaid by `overrides`, checked.
 *
 * @throws FlinktsError (JOB_DEFINITION) naming the knob that cannot hold.
 */
export function resolveNexmarkConfig(overrides: Partial<NexmarkConfig> = {}): NexmarkConfig {
  const config: NexmarkConfig = { ...DEFAULT_NEXMARK_CONFIG, ...withoutUndefined(overrides) };
  // An explicit `events: undefined` means unbounded, as in the defaults.
  if ('events' in overrides) (config as { events: number | undefined }).events = overrides.events;
  validateNexmarkConfig(config);
  return config;
}

/** Throws a JOB_DEFINITION error naming the first knob of `config` that cannot hold. */
export function validateNexmarkConfig(config: NexmarkConfig): void {
  const call = 'NexmarkSource';
  const { events, rate, baseTime, seed } = config;
  if (events !== undefined && !(Number.isSafeInteger(events) && events > 0)) {
    invalidArgument(call, `events must be a positive integer (or undefined for an unbounded stream), got ${String(events)}`);
  }
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) invalidArgument(call, `rate must be a positive number of events per second, got ${String(rate)}`);
  if (!Number.isSafeInteger(baseTime)) invalidArgument(call, `baseTime must be an integer of epoch milliseconds, got ${String(baseTime)}`);
  if (!Number.isSafeInteger(seed)) invalidArgument(call, `seed must be an integer, got ${String(seed)}`);
  for (const [knob] of POSITIVE_INTEGER_KNOBS) {
    const value = config[knob];
    if (!(Number.isSafeInteger(value) && (value as number) >= 1)) invalidArgument(call, `${knob} must be an integer ≥ 1, got ${String(value)}`);
  }
  if (config.outOfOrderGroupSize % OUT_OF_ORDER_MULTIPLIER === 0) {
    invalidArgument(
      call,
      `outOfOrderGroupSize must not be a multiple of ${OUT_OF_ORDER_MULTIPLIER}, got ${config.outOfOrderGroupSize}: the permutation (n * ${OUT_OF_ORDER_MULTIPLIER}) % N would repeat events`,
    );
  }
}

/**
 * The generator configuration of the job flags: `--events N` (absent:
 * unbounded), `--rate R`, `--base-time <ISO-8601 or epoch ms>`, `--seed S`,
 * `--active-people`, `--in-flight-auctions`, `--hot-auction-ratio`,
 * `--hot-sellers-ratio`, `--hot-bidders-ratio`, `--avg-person-byte-size`,
 * `--avg-auction-byte-size`, `--avg-bid-byte-size`,
 * `--out-of-order-group-size`; every other knob keeps its default.
 *
 * @throws FlinktsError (USAGE) naming the flag whose value is not a number,
 *   zero or negative (the seed may be any integer, the base time any instant).
 */
export function nexmarkConfigFromParams(params: ParameterTool): NexmarkConfig {
  const overrides: { -readonly [K in keyof NexmarkConfig]?: NexmarkConfig[K] } = {};
  if (params.has('events')) overrides.events = positive(params, 'events', true);
  if (params.has('rate')) overrides.rate = positive(params, 'rate', false);
  if (params.has('base-time')) overrides.baseTime = parseBaseTime(params.getRequired('base-time'));
  if (params.has('seed')) overrides.seed = integer(params, 'seed');
  for (const [knob, flag] of POSITIVE_INTEGER_KNOBS) {
    if (params.has(flag)) overrides[knob] = positive(params, flag, true);
  }
  try {
    return resolveNexmarkConfig(overrides);
  } catch (error) {
    // A combination the flags cannot express on their own (e.g. a group size of 953).
    if (error instanceof FlinktsError) throw new FlinktsError('USAGE', error.message, { cause: error });
    throw error;
  }
}

/**
 * Parses `--base-time`: epoch milliseconds (an integer) or an ISO-8601 instant
 * such as `2026-01-01T00:00:00Z`.
 *
 * @throws FlinktsError (USAGE) naming the flag.
 */
export function parseBaseTime(text: string): number {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) {
    const ms = Number(trimmed);
    if (Number.isSafeInteger(ms)) return ms;
  } else if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const ms = Date.parse(trimmed);
    if (Number.isFinite(ms)) return ms;
  }
  throw new FlinktsError('USAGE', `--base-time must be an ISO-8601 instant or epoch milliseconds, got '${text}'`, {
    hint: 'e.g. --base-time 2026-01-01T00:00:00Z or --base-time 1767225600000',
  });
}

function positive(params: ParameterTool, flag: string, integral: boolean): number {
  const raw = params.get(flag);
  const value = Number(raw);
  const ok = raw !== undefined && raw.trim() !== '' && Number.isFinite(value) && value > 0 && (!integral || Number.isSafeInteger(value));
  if (!ok) {
    const what = integral ? 'a positive integer' : 'a positive number';
    throw new FlinktsError('USAGE', `--${flag} must be ${what}, got '${printable(raw)}'`);
  }
  return value;
}

function integer(params: ParameterTool, flag: string): number {
  const raw = params.get(flag);
  const value = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isSafeInteger(value)) {
    throw new FlinktsError('USAGE', `--${flag} must be an integer, got '${printable(raw)}'`);
  }
  return value;
}

/** A flag's raw value for a message; a bare flag (no value) shows as empty. */
function printable(raw: string | undefined): string {
  return raw === undefined || raw === '__NO_VALUE_KEY' ? '' : raw;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
