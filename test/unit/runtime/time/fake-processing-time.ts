/** A processing-time service on a clock the test moves, recording what was scheduled. */
import type { ProcessingTimeService } from '../../../../src/runtime/time/timer-service.js';

interface Scheduled {
  readonly time: number;
  readonly callback: () => void;
  cancelled: boolean;
  ran: boolean;
}

export class FakeProcessingTimeService implements ProcessingTimeService {
  private current: number;
  private readonly scheduled: Scheduled[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(time: number, callback: () => void): () => void {
    const entry: Scheduled = { time, callback, cancelled: false, ran: false };
    this.scheduled.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Times of the callbacks still waiting (neither run nor cancelled), in order. */
  pending(): number[] {
    return this.scheduled
      .filter((s) => !s.cancelled && !s.ran)
      .map((s) => s.time)
      .sort((a, b) => a - b);
  }

  /**
   * Moves the clock to `time`, running every due callback at its own time
   * (earliest first, ties in scheduling order), as a real clock would.
   */
  advanceTo(time: number): void {
    for (;;) {
      const due = this.scheduled.filter((s) => !s.cancelled && !s.ran && s.time <= time);
      if (due.length === 0) break;
      const next = due.reduce((a, b) => (b.time < a.time ? b : a));
      this.current = Math.max(this.current, next.time);
      next.ran = true;
      next.callback();
    }
    this.current = Math.max(this.current, time);
  }
}
