/**
 * The live progress line of `flinkts run` on stderr: status, records read by
 * the sources, their rate and the elapsed time. Drawn with ora only when
 * decoration is enabled (see `decorationEnabled`); otherwise every call is a
 * no-op, so piped output and `--json` stay clean.
 */
import ora, { type Ora } from 'ora';
import type { JobProgress } from '../client/run.js';
import { formatCount, formatElapsed } from './output.js';

/** Weight of the newest interval in the smoothed rate. */
const RATE_SMOOTHING = 0.5;

/** Tracks the source rate between progress snapshots. */
export class RateMeter {
  private last: { records: number; elapsedMs: number } | undefined;
  private rate = 0;

  /** Records per second, smoothed over successive snapshots. */
  update(records: number, elapsedMs: number): number {
    if (this.last === undefined) {
      this.rate = elapsedMs > 0 ? (records * 1000) / elapsedMs : 0;
    } else if (elapsedMs > this.last.elapsedMs) {
      const current = ((records - this.last.records) * 1000) / (elapsedMs - this.last.elapsedMs);
      this.rate = RATE_SMOOTHING * current + (1 - RATE_SMOOTHING) * this.rate;
    }
    this.last = { records, elapsedMs };
    return this.rate;
  }
}

/** `RUNNING  12,345 records  6,012 records/s  2.10 s`. */
export function formatProgress(progress: JobProgress, recordsPerSecond: number): string {
  return [
    progress.status,
    `${formatCount(progress.sourceRecords)} records`,
    `${formatCount(recordsPerSecond)} records/s`,
    formatElapsed(progress.elapsedMs),
  ].join('  ');
}

/** The progress line of one run. */
export class ProgressLine {
  private readonly spinner: Ora | undefined;
  private readonly meter = new RateMeter();

  constructor(enabled: boolean, initialText: string) {
    this.spinner = enabled ? ora({ text: initialText, stream: process.stderr, discardStdin: false }).start() : undefined;
  }

  /** Shows a new snapshot. */
  update(progress: JobProgress): void {
    if (this.spinner === undefined) return;
    const rate = this.meter.update(progress.sourceRecords, progress.elapsedMs);
    // One line only: a wrapped line could not be redrawn in place.
    const width = Math.max(10, (process.stderr.columns ?? 80) - 3);
    const text = `${progress.jobName}: ${formatProgress(progress, rate)}`;
    this.spinner.text = text.length > width ? `${text.slice(0, width - 1)}…` : text;
  }

  /** Removes the line. */
  stop(): void {
    this.spinner?.stop();
  }
}
