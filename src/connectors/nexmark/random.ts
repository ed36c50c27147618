/**
 * The Nexmark generator's pseudo-random numbers: a small, fast 32-bit
 * generator (mulberry32) re-seeded for every event from the configured seed
 * and the event number, as Beam seeds `new Random(eventId)` per event. Event n
 * therefore draws the same numbers whichever subtask generates it and
 * whatever came before, which is what makes the stream independent of the
 * source parallelism.
 */

const TWO_POW_32 = 4_294_967_296;

/** MurmurHash3's 32-bit finaliser: a bijection on 32-bit integers with good avalanche. */
export function fmix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85eb_ca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2_ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes a (possibly large, possibly negative) integer seed into 32 bits. */
export function hashSeed(seed: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) | 0;
  return fmix32(Math.imul(lo, 0x9e37_79b1) ^ fmix32(hi ^ 0x5bd1_e995));
}

/**
 * The initial state for event `eventNumber` under a hashed seed. For one seed
 * and one block of 2^32 event numbers the map is a bijection, so no two events
 * of a realistic run start from the same state.
 */
export function eventState(seedHash: number, eventNumber: number): number {
  const lo = eventNumber >>> 0;
  const hi = Math.floor(eventNumber / TWO_POW_32) | 0;
  return fmix32((Math.imul(lo, 0xcc9e_2d51) ^ seedHash ^ Math.imul(hi, 0x1b87_3593)) | 0);
}

/** A mulberry32 generator; `reset` re-seeds it in place (no allocation per event). */
export class NexmarkRandom {
  private state: number;

  constructor(state = 0) {
    this.state = state | 0;
  }

  /** Starts the sequence for `state` (see {@link eventState}). */
  reset(state: number): void {
    this.state = state | 0;
  }

  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b_79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform double in [0, 1) with 32 bits of resolution. */
  nextDouble(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** A uniform integer in [0, bound); `bound` ≥ 1. Above 2^32, two draws give 53 bits. */
  nextInt(bound: number): number {
    if (bound <= TWO_POW_32) return Math.floor((this.nextUint32() / TWO_POW_32) * bound);
    const high = this.nextUint32() >>> 11; // 21 bits
    const value = (high * TWO_POW_32 + this.nextUint32()) / 2 ** 53;
    return Math.min(bound - 1, Math.floor(value * bound));
  }
}
