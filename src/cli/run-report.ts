/**
 * What `flinkts run` prints when a job ends: a summary (name, id, status,
 * duration, and per vertex its parallelism and records in and out) and, for
 * a failed job, the error naming the operator and subtask.
 */
import type { RunResult } from '../client/run.js';
import { formatCount, formatElapsed } from './output.js';

/** The summary table, for stderr. */
export function formatRunSummary(result: RunResult): string {
  const lines = [`Job '${result.jobName}' (${result.jobId}) ${result.status} in ${formatElapsed(result.durationMs)}`];
  const header = ['Vertex', 'Parallelism', 'Records in', 'Records out'];
  const rows = result.vertices.map((v) => [v.name, String(v.parallelism), formatCount(v.recordsIn), formatCount(v.recordsOut)]);
  if (rows.length > 0) {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const format = (row: readonly string[]): string =>
      '  ' + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
    lines.push(format(header), ...rows.map(format));
  }
  return lines.join('\n') + '\n';
}

/** `job 'wordcount' failed: counter (subtask 1): boom`. */
export function failureMessage(result: RunResult): string {
  const error = result.error;
  if (error === undefined) return `job '${result.jobName}' ${result.status === 'CANCELED' ? 'was canceled' : 'failed'}`;
  if (error.operator === undefined) return `job '${result.jobName}' failed: ${error.message}`;
  const where = `${error.operator}${error.subtask === undefined ? '' : ` (subtask ${error.subtask})`}`;
  // The runtime's message may already start with the operator and subtask ("map (subtask 0) threw: boom").
  const message = error.message.startsWith(`${where} threw: `) ? error.message.slice(where.length + ' threw: '.length) : error.message;
  return `job '${result.jobName}' failed: ${where}: ${message}`;
}
