/** Driving the built CLI as a user would (`node bin/run.js ...`), and computing expected results independently. */
import { execa, type Options } from 'execa';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from here, so relative paths are relative to it. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
export const WORDS = 'test/e2e/fixtures/words.txt';

/** What a CLI invocation printed and how it ended. */
export interface CliResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `flinkts ...args`, never rejecting, keeping output exactly as printed; CI is set so no progress line is drawn. */
export async function flinkts(args: readonly string[], options: Options = {}): Promise<CliResult> {
  const result = await execa('node', [BIN, ...args], { cwd: ROOT, reject: false, stripFinalNewline: false, env: { CI: '1' }, ...options });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Flink's streaming word count of `text` as the lines it prints: `(word,k)` for k = 1..count of every word, sorted. */
export function expectedRunningCounts(text: string): string[] {
  const totals = new Map<string, number>();
  for (const word of text.toLowerCase().split(/\W+/)) {
    if (word !== '') totals.set(word, (totals.get(word) ?? 0) + 1);
  }
  return [...totals].flatMap(([word, n]) => Array.from({ length: n }, (_, k) => `(${word},${k + 1})`)).sort();
}

/** Printed lines without the `2> ` subtask prefix Flink's print sink adds at parallelism > 1, sorted. */
export function printedLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/^\d+> /, ''))
    .sort();
}
