import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { ParameterTool } from '../../../../src/api/parameter-tool.js';
import { nexmarkConfigFromParams, parseBaseTime, resolveNexmarkConfig } from '../../../../src/connectors/nexmark/config.js';
import { DEFAULT_NEXMARK_CONFIG, type NexmarkConfig } from '../../../../src/connectors/nexmark/model.js';
import { NexmarkSource } from '../../../../src/connectors/nexmark/nexmark-source.js';

function error(run: () => unknown): FlinktsError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(FlinktsError);
    return e as FlinktsError;
  }
  throw new Error('expected an error');
}

const fromArgs = (...args: string[]): NexmarkConfig => nexmarkConfigFromParams(ParameterTool.fromArgs(args));

describe('Nexmark configuration: validation at job definition', () => {
  it('defaults to an unbounded stream at 100 000 events/s from 2026-01-01T00:00:00Z, seed 0', () => {
    expect(resolveNexmarkConfig()).toEqual(DEFAULT_NEXMARK_CONFIG);
    expect(DEFAULT_NEXMARK_CONFIG.baseTime).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(new NexmarkSource().boundedness).toBe('CONTINUOUS_UNBOUNDED');
    expect(new NexmarkSource({ events: 10 }).boundedness).toBe('BOUNDED');
    expect(new NexmarkSource({ events: undefined }).config.events).toBeUndefined();
  });

  const cases: [Partial<NexmarkConfig>, RegExp][] = [
    [{ events: 0 }, /^NexmarkSource: events must be a positive integer .*got 0$/],
    [{ events: -5 }, /events must be a positive integer/],
    [{ events: 1.5 }, /events must be a positive integer/],
    [{ rate: 0 }, /^NexmarkSource: rate must be a positive number of events per second, got 0$/],
    [{ rate: -1 }, /rate must be a positive number/],
    [{ rate: Number.NaN }, /rate must be a positive number/],
    [{ baseTime: 1.5 }, /baseTime must be an integer of epoch milliseconds/],
    [{ seed: 0.5 }, /seed must be an integer/],
    [{ activePeople: 0 }, /^NexmarkSource: activePeople must be an integer ≥ 1, got 0$/],
    [{ inFlightAuctions: 0 }, /inFlightAuctions must be an integer ≥ 1, got 0/],
    [{ hotAuctionRatio: 0 }, /hotAuctionRatio must be an integer ≥ 1/],
    [{ hotSellersRatio: -2 }, /hotSellersRatio must be an integer ≥ 1/],
    [{ hotBiddersRatio: 0 }, /hotBiddersRatio must be an integer ≥ 1/],
    [{ avgPersonByteSize: 0 }, /avgPersonByteSize must be an integer ≥ 1/],
    [{ avgAuctionByteSize: 0 }, /avgAuctionByteSize must be an integer ≥ 1/],
    [{ avgBidByteSize: 2.5 }, /avgBidByteSize must be an integer ≥ 1/],
    [{ outOfOrderGroupSize: 0 }, /outOfOrderGroupSize must be an integer ≥ 1, got 0/],
    [{ outOfOrderGroupSize: 953 * 2 }, /outOfOrderGroupSize must not be a multiple of 953/],
  ];
  it.each(cases)('rejects %o naming the knob (JOB_DEFINITION)', (config, message) => {
    const e = error(() => new NexmarkSource(config));
    expect(e.code).toBe('JOB_DEFINITION');
    expect(e.message).toMatch(message);
  });
});

describe('nexmarkConfigFromParams', () => {
  it('reads every knob from its flag', () => {
    const config = fromArgs(
      '--events', '500', '--rate', '2.5', '--base-time', '2020-01-02T03:04:05Z', '--seed', '-3',
      '--active-people', '10', '--in-flight-auctions', '20', '--hot-auction-ratio', '3', '--hot-sellers-ratio', '5', '--hot-bidders-ratio', '6',
      '--avg-person-byte-size', '300', '--avg-auction-byte-size', '600', '--avg-bid-byte-size', '150', '--out-of-order-group-size', '7',
    );
    expect(config).toEqual({
      events: 500, rate: 2.5, baseTime: Date.UTC(2020, 0, 2, 3, 4, 5), seed: -3,
      activePeople: 10, inFlightAuctions: 20, hotAuctionRatio: 3, hotSellersRatio: 5, hotBiddersRatio: 6,
      avgPersonByteSize: 300, avgAuctionByteSize: 600, avgBidByteSize: 150, outOfOrderGroupSize: 7,
    });
  });

  it('keeps the defaults for absent flags; no --events is unbounded', () => {
    expect(fromArgs()).toEqual(DEFAULT_NEXMARK_CONFIG);
    expect(fromArgs('--events', '7')).toEqual({ ...DEFAULT_NEXMARK_CONFIG, events: 7 });
    expect(fromArgs('--base-time', '0').baseTime).toBe(0);
    expect(fromArgs('--seed', '0').seed).toBe(0);
  });

  it.each([
    [['--events', '0'], "--events must be a positive integer, got '0'"],
    [['--events', '-3'], "--events must be a positive integer, got '-3'"],
    [['--events', 'many'], "--events must be a positive integer, got 'many'"],
    [['--events', '2.5'], "--events must be a positive integer, got '2.5'"],
    [['--events'], "--events must be a positive integer, got ''"],
    [['--rate', '-1'], "--rate must be a positive number, got '-1'"],
    [['--rate', '0'], "--rate must be a positive number, got '0'"],
    [['--rate', 'fast'], "--rate must be a positive number, got 'fast'"],
    [['--seed', 'x'], "--seed must be an integer, got 'x'"],
    [['--active-people', '0'], "--active-people must be a positive integer, got '0'"],
    [['--out-of-order-group-size', 'abc'], "--out-of-order-group-size must be a positive integer, got 'abc'"],
    [['--base-time', 'yesterday'], "--base-time must be an ISO-8601 instant or epoch milliseconds, got 'yesterday'"],
  ])('rejects %j with a USAGE error naming the flag', (args, message) => {
    const e = error(() => fromArgs(...args));
    expect(e.code).toBe('USAGE');
    expect(e.message).toBe(message);
  });

  it('turns a combination the flags cannot hold into a USAGE error', () => {
    const e = error(() => fromArgs('--out-of-order-group-size', '953'));
    expect(e.code).toBe('USAGE');
    expect(e.message).toMatch(/multiple of 953/);
  });

  it('parses base times as ISO-8601 or epoch milliseconds', () => {
    expect(parseBaseTime('1767225600000')).toBe(Date.UTC(2026, 0, 1));
    expect(parseBaseTime('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
    expect(parseBaseTime('2026-01-01T01:00:00+01:00')).toBe(Date.UTC(2026, 0, 1));
    expect(parseBaseTime('-1000')).toBe(-1000);
    expect(() => parseBaseTime('2026-13-45')).toThrow(/--base-time/);
  });
});
