/**
 * The cooperative scheduler of a worker thread (Flink's mailbox loop, one per
 * worker since a slot hosts several tasks). Tasks with work are queued; each
 * turn runs a bounded step of one task. Between slices the event loop runs,
 * so buffers and control messages from other threads get in.
 */

/** Something the mailbox can run. */
export interface MailboxTask {
  /** Whether the task is in the run queue. */
  queued: boolean;
  /** Does a bounded amount of work; true if more work is available right now. */
  step(): boolean;
  /** Milliseconds spent in `step`. */
  addBusyTime(ms: number): void;
}

/** How long one slice may run before the event loop gets a turn. */
const SLICE_MS = 1;

export class Mailbox {
  private queue: MailboxTask[] = [];
  private head = 0;
  private scheduled = false;
  private running = false;

  /** `onIdle` runs when the queue empties (the worker flushes partly filled buffers). */
  constructor(private readonly onIdle: () => void) {}

  /** Queues a task to run soon. */
  schedule(task: MailboxTask): void {
    if (!task.queued) {
      task.queued = true;
      this.queue.push(task);
    }
    if (!this.scheduled && !this.running) {
      this.scheduled = true;
      setImmediate(this.runSlice);
    }
  }

  private readonly runSlice = (): void => {
    this.scheduled = false;
    this.running = true;
    const deadline = performance.now() + SLICE_MS;
    try {
      while (this.head < this.queue.length) {
        const task = this.queue[this.head++]!;
        task.queued = false;
        const start = performance.now();
        const more = task.step();
        const end = performance.now();
        task.addBusyTime(end - start);
        if (more && !task.queued) {
          task.queued = true;
          this.queue.push(task);
        }
        if (end > deadline) break;
      }
    } finally {
      this.running = false;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.onIdle();
    } else {
      if (this.head > 1024) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.scheduled = true;
      setImmediate(this.runSlice);
    }
  };
}
