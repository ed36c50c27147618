/**
 * Key groups, as in Flink: a key's group is `murmur(hash(key)) mod
 * maxParallelism`, and subtask `i` of `p` owns a contiguous range of groups,
 * so keyed state can be redistributed at any parallelism ≤ max parallelism.
 */

/** Flink's lower and upper bounds for the derived max parallelism. */
const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;
const UPPER_BOUND_MAX_PARALLELISM = 32768;

/** Flink's default: the next power of two ≥ 1.5 × parallelism, clamped to [128, 32768]. */
export function computeDefaultMaxParallelism(parallelism: number): number {
  const target = roundUpToPowerOfTwo(parallelism + Math.floor(parallelism / 2));
  return Math.min(Math.max(target, DEFAULT_LOWER_BOUND_MAX_PARALLELISM), UPPER_BOUND_MAX_PARALLELISM);
}

function roundUpToPowerOfTwo(x: number): number {
  let power = 1;
  while (power < x) power *= 2;
  return power;
}

/** The subtask that owns `keyGroup`. */
export function operatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** The inclusive key-group range `[start, end]` owned by subtask `index` of `parallelism`. */
export function keyGroupRangeFor(maxParallelism: number, parallelism: number, index: number): { start: number; end: number } {
  const start = Math.floor((index * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((index + 1) * maxParallelism - 1) / parallelism);
  return { start, end };
}

/** Flink's `MathUtils.murmurHash(int)`: a non-negative 32-bit mix of `code`. */
export function murmurHash(code: number): number {
  let h = Math.imul(code | 0, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = Math.imul(h, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  h ^= 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  if (h >= 0) return h;
  return h !== -2147483648 ? -h : 0;
}

const float64 = new Float64Array(1);
const float64Words = new Int32Array(float64.buffer);

/**
 * A 32-bit hash of a key, consistent with Java's `hashCode` for the types
 * both have: int32 numbers hash to themselves, other numbers as `Double`,
 * strings as `String`, booleans as `Boolean`; arrays and plain objects
 * combine their elements (`31 * h + e`, object fields by name then value).
 */
export function hashKey(key: unknown): number {
  switch (typeof key) {
    case 'number':
      if ((key | 0) === key) return key;
      float64[0] = key === 0 ? 0 : key; // -0 and 0 are the same key
      return float64Words[0]! ^ float64Words[1]!;
    case 'string': {
      let h = 0;
      for (let i = 0; i < key.length; i++) h = (Math.imul(31, h) + key.charCodeAt(i)) | 0;
      return h;
    }
    case 'boolean':
      return key ? 1231 : 1237;
    case 'bigint':
      return hashKey(key.toString());
    case 'undefined':
      return 0;
    case 'object': {
      if (key === null) return 0;
      let h = 1;
      if (Array.isArray(key)) {
        for (const element of key) h = (Math.imul(31, h) + hashKey(element)) | 0;
        return h;
      }
      if (key instanceof Date) return hashKey(key.getTime());
      for (const name of Object.keys(key).sort()) {
        h = (Math.imul(31, h) + hashKey(name)) | 0;
        h = (Math.imul(31, h) + hashKey((key as Record<string, unknown>)[name])) | 0;
      }
      return h;
    }
    default:
      throw new TypeError(`a ${typeof key} cannot be a key`);
  }
}

/** The key group of `key`. */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  // Small integers are the most common keys: skip the general hash's dispatch.
  const hash = typeof key === 'number' && (key | 0) === key ? key : hashKey(key);
  return murmurHash(hash) % maxParallelism;
}
