/**
 * Timers of one time domain, grouped by timestamp: a min-heap of distinct
 * timestamps, and per timestamp the registered (key, namespace) pairs in
 * registration order. Deduplication and deletion are set operations on the
 * bucket, so registering a timer allocates no id string.
 */

/** A registered timer. */
export interface QueuedTimer {
  readonly key: unknown;
  /** The key in canonical form (compared by value). */
  readonly canonical: unknown;
  readonly namespace: string;
  readonly timestamp: number;
  /** Registration order; firing may be limited to timers registered before a point. */
  readonly seq: number;
}

/**
 * The timers of one timestamp, in registration order as parallel arrays (no
 * object per timer: a million open windows are a few flat lists, which a
 * snapshot reads in order, and nothing per timer outlives its registration
 * in the young generation).
 */
interface Bucket {
  readonly keys: unknown[];
  readonly canonicals: unknown[];
  readonly namespaces: string[];
  readonly seqs: number[];
  /** Live timers: namespace → canonical keys. */
  readonly live: Map<string, Set<unknown>>;
  /** Timers deleted from `live` (while 0, every listed timer is live, each once). */
  deleted: number;
}

export class TimerQueue {
  private readonly times: number[] = [];
  private readonly buckets = new Map<number, Bucket>();
  private liveCount = 0;
  private seq = 0;

  get size(): number {
    return this.liveCount;
  }

  /** The next registration number (for "timers registered so far"). */
  get nextSeq(): number {
    return this.seq;
  }

  /** Adds a timer; false when the same (key, namespace, timestamp) is already registered. */
  add(key: unknown, canonical: unknown, namespace: string, timestamp: number): boolean {
    let bucket = this.buckets.get(timestamp);
    if (bucket === undefined) {
      bucket = { keys: [], canonicals: [], namespaces: [], seqs: [], live: new Map(), deleted: 0 };
      this.buckets.set(timestamp, bucket);
      this.pushTime(timestamp);
    }
    let keys = bucket.live.get(namespace);
    if (keys === undefined) bucket.live.set(namespace, (keys = new Set()));
    if (keys.has(canonical)) return false;
    keys.add(canonical);
    bucket.keys.push(key);
    bucket.canonicals.push(canonical);
    bucket.namespaces.push(namespace);
    bucket.seqs.push(this.seq++);
    this.liveCount++;
    return true;
  }

  delete(canonical: unknown, namespace: string, timestamp: number): void {
    const bucket = this.buckets.get(timestamp);
    if (bucket?.live.get(namespace)?.delete(canonical) !== true) return;
    bucket.deleted++;
    this.liveCount--;
  }

  /** The earliest timestamp that still has a live timer. */
  peekTime(): number | undefined {
    for (;;) {
      const time = this.times[0];
      if (time === undefined) return undefined;
      const bucket = this.buckets.get(time);
      if (bucket !== undefined && hasLive(bucket)) return time;
      this.buckets.delete(time);
      this.popTime();
    }
  }

  /**
   * Removes and hands over every live timer with timestamp ≤ `upTo` (and,
   * if given, registered before `beforeSeq`), in timestamp order, ties in
   * registration order. Timers added by `fire` itself are seen too.
   */
  drain(upTo: number, fire: (timer: QueuedTimer) => void, beforeSeq = Number.POSITIVE_INFINITY): void {
    const kept: QueuedTimer[] = [];
    for (let time = this.peekTime(); time !== undefined && time <= upTo; time = this.peekTime()) {
      const bucket = this.buckets.get(time)!;
      this.buckets.delete(time);
      this.popTime();
      const { keys, canonicals, namespaces, seqs, live } = bucket;
      for (let i = 0; i < keys.length; i++) {
        const timer: QueuedTimer = { key: keys[i], canonical: canonicals[i], namespace: namespaces[i]!, timestamp: time, seq: seqs[i]! };
        if (timer.seq >= beforeSeq) {
          if (live.get(timer.namespace)?.has(timer.canonical) === true) kept.push(timer);
          continue;
        }
        if (live.get(timer.namespace)?.delete(timer.canonical) !== true) continue;
        this.liveCount--;
        fire(timer);
      }
    }
    for (const timer of kept) {
      this.liveCount--;
      this.add(timer.key, timer.canonical, timer.namespace, timer.timestamp);
    }
  }

  /**
   * Calls `visit` for every timestamp with timers, in order, with the listed
   * timers' keys and namespaces (registration order) and, when some were
   * deleted, which are live. For snapshots: they read the lists as they are.
   */
  forEachTimestamp(visit: (timestamp: number, keys: readonly unknown[], namespaces: readonly string[], live: ((index: number) => boolean) | undefined) => void): void {
    for (const time of [...this.buckets.keys()].sort((a, b) => a - b)) {
      const { keys, canonicals, namespaces, live, deleted } = this.buckets.get(time)!;
      // A timer deleted and registered again is listed twice and visited twice; a restore registers it once.
      visit(time, keys, namespaces, deleted === 0 ? undefined : (i) => live.get(namespaces[i]!)?.has(canonicals[i]) === true);
    }
  }

  private pushTime(time: number): void {
    const heap = this.times;
    heap.push(time);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= time) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = time;
  }

  private popTime(): void {
    const heap = this.times;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
  }
}

function hasLive(bucket: Bucket): boolean {
  for (const keys of bucket.live.values()) if (keys.size > 0) return true;
  return false;
}
