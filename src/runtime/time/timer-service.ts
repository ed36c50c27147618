/**
 * Timers of a keyed operator, as Flink's InternalTimerService: event-time
 * timers fire when the watermark passes them, processing-time timers when the
 * clock does. One timer per (key, namespace, timestamp). Firing sets the
 * timer's key as the backend's current key.
 */
import type { Namespace } from '../state/heap-keyed-state-backend.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import { canonicalKey } from '../state/key-grouped-map.js';
import { TimerQueue } from './timer-queue.js';

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
  private readonly eventTimers = new TimerQueue();
  private readonly processingTimers = new TimerQueue();
  private watermark = Number.NEGATIVE_INFINITY;
  private scheduledAt = Number.POSITIVE_INFINITY;
  private cancelScheduled: (() => void) | undefined;

  constructor(
    private readonly backend: KeyedStateBackend,
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
    this.eventTimers.add(this.backend.getCurrentKey(), this.backend.currentKeyCanonical(), namespace, time);
  }

  registerProcessingTimeTimer(namespace: Namespace, time: number): void {
    if (this.processingTimers.add(this.backend.getCurrentKey(), this.backend.currentKeyCanonical(), namespace, time)) this.reschedule();
  }

  deleteEventTimeTimer(namespace: Namespace, time: number): void {
    this.eventTimers.delete(this.backend.currentKeyCanonical(), namespace, time);
  }

  deleteProcessingTimeTimer(namespace: Namespace, time: number): void {
    this.processingTimers.delete(this.backend.currentKeyCanonical(), namespace, time);
  }

  /** Fires every event-time timer ≤ `watermark`, in timestamp order. */
  advanceWatermark(watermark: number): void {
    this.watermark = watermark;
    this.fire(this.eventTimers, watermark, (timer) => this.target.onEventTime(timer));
  }

  /**
   * End of input: fires every processing-time timer registered so far, in
   * timestamp order, so nothing stays buffered; timers registered while they
   * fire (a trigger re-arming itself) are left alone, or this would never end.
   */
  fireAllProcessingTimers(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
    this.scheduledAt = Number.POSITIVE_INFINITY;
    const registeredSoFar = this.processingTimers.nextSeq;
    this.fire(this.processingTimers, Number.POSITIVE_INFINITY, (timer) => this.target.onProcessingTime(timer), registeredSoFar);
  }

  /** Stops the processing-time callback. */
  close(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
  }

  /** The timers of each domain and timestamp as lists (see {@link TimerQueue.forEachTimestamp}), for snapshots. */
  forEachTimestamp(visit: (domain: 'event' | 'processing', ...bucket: Parameters<Parameters<TimerQueue['forEachTimestamp']>[0]>) => void): void {
    this.eventTimers.forEachTimestamp((...bucket) => visit('event', ...bucket));
    this.processingTimers.forEachTimestamp((...bucket) => visit('processing', ...bucket));
  }

  /** Registers restored timers (before the task runs). */
  restoreTimer(domain: 'event' | 'processing', key: unknown, namespace: Namespace, timestamp: number): void {
    const queue = domain === 'event' ? this.eventTimers : this.processingTimers;
    if (queue.add(key, canonicalKey(key), namespace, timestamp) && domain === 'processing') this.reschedule();
  }

  /** Number of pending timers (event, processing), for tests. */
  pending(): { event: number; processing: number } {
    return { event: this.eventTimers.size, processing: this.processingTimers.size };
  }

  private fire(queue: TimerQueue, upTo: number, call: (timer: InternalTimer) => void, beforeSeq?: number): void {
    const previousKey = this.backend.getCurrentKey();
    try {
      queue.drain(
        upTo,
        (timer) => {
          this.backend.setCurrentKey(timer.key);
          call(timer);
        },
        beforeSeq,
      );
    } finally {
      this.backend.setCurrentKey(previousKey);
    }
  }

  private reschedule(): void {
    const next = this.processingTimers.peekTime();
    if (next === undefined || next >= this.scheduledAt) return;
    this.cancelScheduled?.();
    this.scheduledAt = next;
    this.cancelScheduled = this.time.schedule(next, () => {
      this.scheduledAt = Number.POSITIVE_INFINITY;
      this.cancelScheduled = undefined;
      this.fire(this.processingTimers, this.time.now(), (timer) => this.target.onProcessingTime(timer));
      this.reschedule();
    });
  }
}
