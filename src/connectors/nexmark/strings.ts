/**
 * Random text for the Nexmark generator, drawn from pools made once per seed
 * so that an event's strings cost a substring (O(1) in V8) instead of a loop
 * over characters. The pools follow Beam's alphabet: lower-case letters, and
 * for names and descriptions a space about one character in 13.
 */
import { hashSeed, NexmarkRandom } from './random.js';

/** Smallest length of a random string before trimming (Beam's MIN_STRING_LENGTH). */
const MIN_STRING_LENGTH = 3;
/** Length of each pool; random strings start at a uniform offset in it. */
const POOL_LENGTH = 1 << 16;
const A = 'a'.charCodeAt(0);

/** The text pools and channel table of one seed. */
export interface NexmarkStrings {
  /** Letters only (for `extra`). */
  readonly letters: string;
  /** Letters with a space about every 13 characters (names, descriptions, e-mail parts). */
  readonly words: string;
  /** Letters with `_` instead of the space (URL path segments). */
  readonly segments: string;
  /** Channel names: the four hot channels, then `channel-<i>` for i in [0, 10000). */
  readonly channels: readonly string[];
  /** The URL of each channel, same index as `channels`. */
  readonly urls: readonly string[];
}

/** Hot channels (chosen half of the time), each with one fixed URL. */
export const HOT_CHANNELS: readonly string[] = ['Google', 'Facebook', 'Baidu', 'Apple'];
/** Number of cold channels `channel-<i>`. */
export const CHANNELS_NUMBER = 10_000;

const cache = new Map<string, NexmarkStrings>();

/**
 * The pools of `seed`, long enough for an `extra` of `maxExtraLength`
 * characters. Cached: every reader of a job shares one copy.
 */
export function nexmarkStrings(seed: number, maxExtraLength: number): NexmarkStrings {
  const length = POOL_LENGTH + Math.max(0, Math.ceil(maxExtraLength));
  const key = `${seed}:${length}`;
  let strings = cache.get(key);
  if (strings === undefined) {
    strings = makeStrings(seed, length);
    cache.set(key, strings);
  }
  return strings;
}

function makeStrings(seed: number, length: number): NexmarkStrings {
  // A fixed state per seed, apart from the per-event states (those mix in the event number).
  const random = new NexmarkRandom(hashSeed(seed) ^ 0x2545_f491);
  const letters = pool(random, length, 0);
  const words = pool(random, POOL_LENGTH, 32);
  const segments = words.replaceAll(' ', '_');
  const channels: string[] = [...HOT_CHANNELS];
  const urls: string[] = HOT_CHANNELS.map(() => baseUrl(random, segments));
  for (let i = 0; i < CHANNELS_NUMBER; i++) {
    channels.push(`channel-${i}`);
    // 90 % of the cold channels carry their id in the URL (q21 extracts it).
    const url = baseUrl(random, segments);
    urls.push(random.nextInt(10) > 0 ? `${url}&channel_id=${i}` : url);
  }
  return { letters, words, segments, channels, urls };
}

/** `length` random letters; with `space` ≠ 0, that character about one time in 13. */
function pool(random: NexmarkRandom, length: number, space: number): string {
  const codes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    codes[i] = space !== 0 && random.nextInt(13) === 0 ? space : A + random.nextInt(26);
  }
  return Buffer.from(codes).toString('latin1');
}

function baseUrl(random: NexmarkRandom, segments: string): string {
  const segment = (): string => randomString(random, segments, 5);
  return `https://www.nexmark.com/${segment()}/${segment()}/${segment()}/item.htm?query=1`;
}

/**
 * Beam's `nextString(maxLength)`: 3 to `maxLength - 1` characters of `pool`
 * (trimmed when the pool holds spaces).
 */
export function randomString(random: NexmarkRandom, pool: string, maxLength: number): string {
  const length = MIN_STRING_LENGTH + random.nextInt(maxLength - MIN_STRING_LENGTH);
  const start = random.nextInt(POOL_LENGTH - length);
  return pool.substring(start, start + length);
}

/** {@link randomString} over the words pool, trimmed as Beam trims. */
export function randomWords(random: NexmarkRandom, strings: NexmarkStrings, maxLength: number): string {
  return randomString(random, strings.words, maxLength).trim();
}

/**
 * Beam's `nextExtra`: letters so that `currentSize + extra.length` is on
 * average `averageSize`, uniformly within ±20 % of the padding needed.
 */
export function randomExtra(random: NexmarkRandom, strings: NexmarkStrings, currentSize: number, averageSize: number): string {
  if (currentSize > averageSize) return '';
  const desired = averageSize - currentSize;
  const delta = Math.round(desired * 0.2);
  const size = desired - delta + (delta === 0 ? 0 : random.nextInt(2 * delta));
  if (size <= 0) return '';
  const start = random.nextInt(strings.letters.length - size + 1);
  return strings.letters.substring(start, start + size);
}
