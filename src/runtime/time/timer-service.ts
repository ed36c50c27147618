/**
 * Timers of a keyed operator, as Flink's InternalTimerService: event-time
 * timers fire when the watermark passes them, processing-time timers when the
 * clock does. One timer per (key, namespace, timestamp). Firing sets the
 * timer's key as the backend's current key.
 */
import type { HeapKeyedStateBackend, Namespace } from '../state/heap-keyed-state-backend.js';
import { TimerHeap, type HeapTimer } from './timer-heap.js';

/** A timer as the operator sees it when it fires. */
export interface InternalTimer {
  readonly key: unknown;
  readonly namespace: Namespace;
  readonly timestamp: number;
}

/** What timers call back. */
export interface Triggerable {
  onEventTime(timer: InternalTimer): void;
  onProcessingTime(timer: InternalTimer): void;
}

/** Timer registration for the current key. */
export interface InternalTimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(namespace: Namespace, time: number): void;
  registerProcessingTimeTimer(namespace: Namespace, time: number): void;
  deleteEventTimeTimer(namespace: Namespace, time: number): void;
  deleteProcessingTimeTimer(namespace: Namespace, time: number): void;
}

/** Schedules processing-time callbacks inside the task (never while a step runs). */
export interface ProcessingTimeService {
  now(): number;
  /** Calls `callback` at `time` (or right away if it passed); returns a cancel function. */
  schedule(time: number, callback: () => void): () => void;
}

export class HeapTimerService implements InternalTimerService {
  private readonly eventTimers = new TimerHeap();
  private readonly processingTimers = new TimerHeap();
  /** Live timer ids; a popped timer whose id is gone was deleted. */
  private readonly liveEvent = new Set<string>();
  private readonly liveProcessing = new Set<string>();
  private watermark = Number.NEGATIVE_INFINITY;
  private seq = 0;
  private scheduledAt = Number.POSITIVE_INFINITY;
  private cancelScheduled: (() => void) | undefined;

  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly time: ProcessingTimeService,
    private readonly target: Triggerable,
  ) {}

  currentProcessingTime(): number {
    return this.time.now();
  }

  currentWatermark(): number {
    return this.watermark;
  }

  registerEventTimeTimer(namespace: Namespace, time: number): void {
    this.register(this.eventTimers, this.liveEvent, namespace, time);
  }

  registerProcessingTimeTimer(namespace: Namespace, time: number): void {
    if (this.register(this.processingTimers, this.liveProcessing, namespace, time)) this.reschedule();
  }

  deleteEventTimeTimer(namespace: Namespace, time: number): void {
    this.liveEvent.delete(this.idOf(namespace, time));
  }

  deleteProcessingTimeTimer(namespace: Namespace, time: number): void {
    this.liveProcessing.delete(this.idOf(namespace, time));
  }

  /** Fires every event-time timer ≤ `watermark`, in timestamp order. */
  advanceWatermark(watermark: number): void {
    this.watermark = watermark;
    this.fire(this.eventTimers, this.liveEvent, watermark, (timer) => this.target.onEventTime(timer));
  }

  /** Fires every processing-time timer (end of input: nothing may stay buffered). */
  fireAllProcessingTimers(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
    this.scheduledAt = Number.POSITIVE_INFINITY;
    this.fire(this.processingTimers, this.liveProcessing, Number.POSITIVE_INFINITY, (timer) => this.target.onProcessingTime(timer));
  }

  /** Stops the processing-time callback. */
  close(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
  }

  /** Number of pending timers (event, processing), for tests. */
  pending(): { event: number; processing: number } {
    return { event: this.liveEvent.size, processing: this.liveProcessing.size };
  }

  private register(heap: TimerHeap, live: Set<string>, namespace: Namespace, time: number): boolean {
    const id = this.idOf(namespace, time);
    if (live.has(id)) return false;
    live.add(id);
    heap.push({ key: this.backend.getCurrentKey(), namespace, timestamp: time, seq: this.seq++, id });
    return true;
  }

  private fire(heap: TimerHeap, live: Set<string>, upTo: number, call: (timer: InternalTimer) => void): void {
    const previousKey = this.backend.getCurrentKey();
    for (let timer = heap.peek(); timer !== undefined && timer.timestamp <= upTo; timer = heap.peek()) {
      heap.pop();
      if (!live.delete(timer.id)) continue;
      this.backend.setCurrentKey(timer.key);
      call(timer);
    }
    this.backend.setCurrentKey(previousKey);
  }

  private reschedule(): void {
    // Drop deleted timers from the top so we do not wake up for nothing.
    let next: HeapTimer | undefined = this.processingTimers.peek();
    while (next !== undefined && !this.liveProcessing.has(next.id)) {
      this.processingTimers.pop();
      next = this.processingTimers.peek();
    }
    if (next === undefined || next.timestamp >= this.scheduledAt) return;
    this.cancelScheduled?.();
    this.scheduledAt = next.timestamp;
    this.cancelScheduled = this.time.schedule(next.timestamp, () => {
      this.scheduledAt = Number.POSITIVE_INFINITY;
      this.cancelScheduled = undefined;
      this.fire(this.processingTimers, this.liveProcessing, this.time.now(), (timer) => this.target.onProcessingTime(timer));
      this.reschedule();
    });
  }

  private idOf(namespace: Namespace, time: number): string {
    const key = this.backend.currentKeyCanonical();
    return `${typeof key === 'string' ? 's' : 'p'}${String(key)}\u0001${namespace}\u0001${time}`;
  }
}
