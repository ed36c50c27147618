/** `flinkts nexmark generate` and `flinkts nexmark run` driven through the built CLI. */
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NexmarkRunResult } from '../../src/client/nexmark.js';
import { BIN, flinkts, ROOT } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flinkts-e2e-nexmark-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('flinkts nexmark generate', () => {
  it('writes one valid JSON event a line: generate --events 1000 | wc -l = 1000', async () => {
    const piped = await execa('sh', ['-c', `node "${BIN}" nexmark generate --events 1000 | wc -l`], { cwd: ROOT, env: { CI: '1' } });
    expect(piped.stdout.trim()).toBe('1000');
    const result = await flinkts(['nexmark', 'generate', '--events', '1000']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(1000);
    const events = lines.map((line) => JSON.parse(line) as { type: string; dateTime: number });
    expect(events.map((e) => e.type).slice(0, 5)).toEqual(['person', 'auction', 'auction', 'auction', 'bid']);
    expect(events.filter((e) => e.type === 'person')).toHaveLength(20);
    expect(events.every((e) => Number.isInteger(e.dateTime))).toBe(true);
    expect(Object.keys(events[1]!)).toEqual(['type', 'id', 'itemName', 'description', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'extra']);
  });

  it('writes the same events to -o, and the same again for the same flags; --json reports them', async () => {
    const file = join(dir, 'events.jsonl');
    const result = await flinkts(['nexmark', 'generate', '--events', '500', '--seed', '3', '--rate', '10', '--base-time', '2020-01-01T00:00:00Z', '-o', file, '--json']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ events: 500, output: file, format: 'jsonl' });
    const again = await flinkts(['nexmark', 'generate', '--events', '500', '--seed', '3', '--rate', '10', '--base-time', '1577836800000']);
    expect(await readFile(file, 'utf8')).toBe(again.stdout);
    const last = JSON.parse(again.stdout.trim().split('\n').pop()!) as { dateTime: number };
    expect(last.dateTime).toBe(Date.UTC(2020, 0, 1) + 49_900);
  });

  it.each([
    [['--events', '0'], /^Error: --events must be a positive integer, got '0'$/m],
    [['--events', 'lots'], /^Error: --events must be a positive integer, got 'lots'$/m],
    [['--events', '10', '--rate', '-5'], /^Error: --rate must be a positive number, got '-5'$/m],
    [['--events', '10', '--seed', 'x'], /^Error: --seed must be an integer, got 'x'$/m],
    [['--events', '10', '--base-time', 'soon'], /^Error: --base-time must be an ISO-8601 instant or epoch milliseconds/m],
  ])('rejects %j naming the flag (exit 2)', async (args, message) => {
    const result = await flinkts(['nexmark', 'generate', ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});

describe('flinkts nexmark run', () => {
  it('lists the available queries for an unknown one (exit 2)', async () => {
    const result = await flinkts(['nexmark', 'run', '--query', 'nope', '--events', '1000']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^Error: unknown Nexmark query 'nope'; available: q0, q1, .*q5/m);
  });

  it.each([
    [['--events', '0'], /--events must be a positive integer, got '0'/],
    [['--events', 'ten'], /--events must be a positive integer, got 'ten'/],
    [['--events', '100', '--rate', '-1'], /--rate must be a positive number, got '-1'/],
    [['--events', '100', '-p', '0'], /--parallelism/],
  ])('rejects %j naming the flag (exit 2)', async (args, message) => {
    const result = await flinkts(['nexmark', 'run', '--query', 'q0', ...args]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('measures a query: events, wall time, events/s, per core, peak RSS', async () => {
    const result = await flinkts(['nexmark', 'run', '--query', 'q0,q2', '--events', '20000', '-p', '2']);
    expect(result.stderr).toBe('running q0 at parallelism 2 ...\nrunning q2 at parallelism 2 ...\n');
    expect(result.exitCode).toBe(0);
    const [header, ...rows] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^query +p +events +wall time +start-up +events\/s +cores +events\/s\/core +peak RSS$/);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^q0 +2 +20,000 +[\d.]+ m?s +[\d.]+ m?s +[\d,]+ +[\d.]+ +[\d,]+ +\d+ MB$/);
    expect(rows[1]).toMatch(/^q2 +2 +20,000 /);
  });

  it('prints only the result under --json', async () => {
    const result = await flinkts(['nexmark', 'run', '--query', 'q1', '--events', '5000', '--json']);
    expect(result.exitCode).toBe(0);
    const { queries } = JSON.parse(result.stdout) as NexmarkRunResult;
    expect(queries).toHaveLength(1);
    const [m] = queries;
    expect(m).toMatchObject({ query: 'q1', parallelism: 1, events: 5000 });
    expect(m!.wallMs).toBeGreaterThan(0);
    expect(m!.cpuMs).toBeGreaterThan(0);
    // events/s ÷ (CPU ÷ wall) = events per CPU-second (cpuMs is rounded to the millisecond).
    expect(Math.abs(m!.eventsPerSecondPerCore / ((m!.events * 1000) / m!.cpuMs) - 1)).toBeLessThan(0.01);
    expect(m!.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
  });
});
