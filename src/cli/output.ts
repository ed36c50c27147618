/**
 * Output decided in one place (STYLE 9): results on stdout, progress and
 * reports on stderr, colour only where the stream supports it, and nothing
 * decorative (spinners, progress lines) under `--json`, when stderr is not a
 * terminal, or in CI.
 */
import { Chalk, supportsColorStderr, type ChalkInstance } from 'chalk';

/**
 * Whether live decoration (spinner, progress line) may be drawn on stderr: a
 * terminal of known width (a pseudo-terminal without a size reports 0
 * columns, and redrawing a line there cannot work), outside CI, without
 * `--json`.
 */
export function decorationEnabled(
  json: boolean,
  stream: { isTTY?: boolean; columns?: number } = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return !json && stream.isTTY === true && (stream.columns ?? 0) > 0 && !env.CI;
}

/** chalk for stderr: colours when stderr supports them, plain text otherwise. */
export function stderrColours(): ChalkInstance {
  return new Chalk({ level: supportsColorStderr === false ? 0 : supportsColorStderr.level });
}

/** `12,345` — fixed locale, so output does not depend on the machine. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** `850 ms`, `1.23 s`, `2 min 05 s`. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** Writes `text` to stderr. */
export function writeStderr(text: string): void {
  process.stderr.write(text);
}

/** Writes `text` to stdout. */
export function writeStdout(text: string): void {
  process.stdout.write(text);
}
