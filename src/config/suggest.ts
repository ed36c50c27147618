/**
 * "Did you mean …?" for configuration keys: the closest known key by edit
 * distance, ignoring letter case, offered only when it is close enough to be
 * a likely typo; or the known key a user's key is the tail of
 * (`numberOfTaskSlots` → `taskmanager.numberOfTaskSlots`).
 */

/** The Levenshtein distance between two strings: insertions, deletions and substitutions, each costing 1. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** How many edits still count as a typo of a key this long: 1 for short keys, up to 3 for long ones. */
function maxEdits(length: number): number {
  return Math.max(1, Math.min(3, Math.floor(length / 5)));
}

/**
 * The known key `key` most likely stands for, or `undefined` when none is
 * close. Prefers the smallest edit distance (ignoring case), then the first
 * key in alphabetical order; falls back to the only known key that ends with
 * `.key`.
 */
export function suggestKey(key: string, knownKeys: Iterable<string>): string | undefined {
  const wanted = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  const endsWith: string[] = [];
  for (const known of knownKeys) {
    const lower = known.toLowerCase();
    if (lower.endsWith(`.${wanted}`)) endsWith.push(known);
    const distance = editDistance(wanted, lower);
    if (distance > maxEdits(known.length)) continue;
    if (best === undefined || distance < best.distance || (distance === best.distance && known < best.key)) {
      best = { key: known, distance };
    }
  }
  if (best !== undefined) return best.key;
  return endsWith.length === 1 ? endsWith[0] : undefined;
}
