import { describe, expect, it } from 'vitest';
import { eventState, fmix32, hashSeed, NexmarkRandom } from '../../../../src/connectors/nexmark/random.js';

function draws(state: number, count: number): number[] {
  const random = new NexmarkRandom(state);
  return Array.from({ length: count }, () => random.nextUint32());
}

describe('NexmarkRandom', () => {
  it('repeats its sequence for the same state, also after reset', () => {
    const random = new NexmarkRandom(42);
    const first = Array.from({ length: 100 }, () => random.nextUint32());
    random.reset(42);
    expect(Array.from({ length: 100 }, () => random.nextUint32())).toEqual(first);
    expect(draws(42, 100)).toEqual(first);
    expect(draws(43, 100)).not.toEqual(first);
  });

  it('draws unsigned 32-bit integers, doubles in [0, 1) and integers in [0, bound)', () => {
    const random = new NexmarkRandom(7);
    for (let i = 0; i < 10_000; i++) {
      const u = random.nextUint32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
      const d = random.nextDouble();
      expect(d >= 0 && d < 1).toBe(true);
      const n = random.nextInt(13);
      expect(Number.isInteger(n) && n >= 0 && n < 13).toBe(true);
      const big = random.nextInt(2 ** 40);
      expect(Number.isInteger(big) && big >= 0 && big < 2 ** 40).toBe(true);
    }
    expect(new NexmarkRandom(1).nextInt(1)).toBe(0);
  });

  it('is close to uniform: each of 10 buckets gets 10 % ± 0.5 % of 200 000 draws', () => {
    const random = new NexmarkRandom(hashSeed(0));
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 200_000; i++) buckets[random.nextInt(10)]! += 1;
    for (const count of buckets) expect(Math.abs(count / 200_000 - 0.1)).toBeLessThan(0.005);
  });
});

describe('per-event seeding', () => {
  it('gives every event number of a block its own initial state', () => {
    const seed = hashSeed(0);
    const states = new Set<number>();
    for (let n = 0; n < 100_000; n++) states.add(eventState(seed, n));
    expect(states.size).toBe(100_000);
  });

  it('depends on the seed and on the high bits of large event numbers', () => {
    expect(eventState(hashSeed(0), 5)).not.toBe(eventState(hashSeed(1), 5));
    expect(eventState(hashSeed(0), 5)).not.toBe(eventState(hashSeed(0), 5 + 2 ** 32));
    expect(hashSeed(-1)).not.toBe(hashSeed(2 ** 32 - 1));
    expect(eventState(hashSeed(3), 123)).toBe(eventState(hashSeed(3), 123));
  });

  it('fmix32 is a bijection on a sample (no collisions)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 50_000; i++) seen.add(fmix32(i * 65_537));
    expect(seen.size).toBe(50_000);
  });
});
