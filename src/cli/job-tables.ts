/**
 * The tables of the job-control commands: `flinkts list` (jobs across the
 * clusters) and `flinkts checkpoint list` (a job's checkpoint history). Times
 * are local wall-clock time, `YYYY-MM-DD HH:MM:SS`.
 */
import type { CheckpointListResult, JobListFilter, ListJobsResult } from '../client/job-control.js';
import { formatElapsed } from './output.js';

/** The `list` table, or a line saying there is nothing to list. */
export function formatJobTable(result: ListJobsResult): string {
  if (result.jobs.length === 0) return `${EMPTY_LIST[result.filter]}\n`;
  const withCluster = result.clusters.length > 1;
  const header = ['Job ID', 'Name', 'Status', 'Start time', 'Duration', ...(withCluster ? ['Cluster'] : [])];
  const rows = result.jobs.map((job) => [
    job.id,
    printable(job.name),
    job.status,
    formatTimestamp(job.startTime),
    formatElapsed(job.durationMs),
    ...(withCluster ? [job.cluster] : []),
  ]);
  return formatTable(header, rows, new Set([4]));
}

/** The `checkpoint list` table after a line of counts. */
export function formatCheckpointTable(result: CheckpointListResult): string {
  const { counts } = result;
  const summary =
    `Checkpoints of job ${result.jobId}: ${counts.completed} completed, ${counts.inProgress} in progress, ${counts.failed} failed` +
    (counts.restored > 0 ? `, restored ${counts.restored} time${counts.restored === 1 ? '' : 's'}` : '');
  if (result.history.length === 0) return `${summary}\nNo checkpoints yet.\n`;
  const header = ['ID', 'Status', 'Type', 'Triggered', 'Duration', 'State size', 'Path'];
  const rows = result.history.map((c) => [
    String(c.id),
    c.status,
    c.type,
    formatTimestamp(c.triggerTime),
    c.status === 'IN_PROGRESS' ? '-' : formatElapsed(c.durationMs),
    formatBytes(c.stateSize),
    printable(c.path ?? (c.failureMessage === undefined ? '' : `failed: ${c.failureMessage}`)),
  ]);
  return `${summary}\n${formatTable(header, rows, new Set([0, 4, 5]))}`;
}

/** `2026-01-02 03:04:05` in local time. */
export function formatTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `512 B`, `1.5 KiB`, `12.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** `text` with control characters (a name could carry terminal escapes or newlines) shown as `?`. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

const EMPTY_LIST: Readonly<Record<JobListFilter, string>> = {
  active: 'No running or pending jobs.',
  running: 'No running jobs.',
  all: 'No jobs.',
};

/** Columns two spaces apart; the columns in `right` right-aligned; no trailing spaces. */
function formatTable(header: readonly string[], rows: readonly (readonly string[])[], right: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [header, ...rows].map(line).join('\n') + '\n';
}
