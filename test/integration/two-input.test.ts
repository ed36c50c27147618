/**
 * Two-input operators on the MiniCluster at parallelism 1 and 4: connect with
 * co-map / co-flat-map / co-process (side outputs), keyed co-process with
 * state and timers, the broadcast state pattern, and the watermark minimum of
 * two inputs (a lagging input holds timers back, an idle one does not). Each
 * expected result is computed here from the fixture's input, without the engine.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from 'flinkts/client';
import { LINES, NUMBERS_TO } from '../fixtures/jobs/two-input-co-functions.js';
import { ORDERS as SHOP_ORDERS, RULES } from '../fixtures/jobs/two-input-broadcast-rules.js';
import { ORDERS, PAYMENTS, PERIOD } from '../fixtures/jobs/two-input-keyed-co-process.js';
import { inputOne, inputTwo } from '../fixtures/jobs/two-input-watermarks.js';
import { JOBS, readLines, sorted, expectFinished, workDirs } from '../support/job-output.js';

const { workDir } = workDirs();

async function run(job: string, args: string[], parallelism: number): Promise<string[]> {
  const output = join(workDir(), 'out');
  expectFinished(await runJob({ job: join(JOBS, job), args: [...args, '--output', output], parallelism }));
  return readLines(output);
}

const numbers = Array.from({ length: NUMBERS_TO }, (_, i) => i + 1);
const words = LINES.flatMap((l) => l.split(' '));

describe.each([1, 4])('at parallelism %i', (parallelism) => {
  it('co-map: map1 for numbers, map2 for words', async () => {
    const lines = await run('two-input-co-functions.ts', ['--mode', 'comap'], parallelism);
    const expected = [...numbers.map((n) => `n:${2 * n}`), ...words.map((w) => `w:${w.toUpperCase()}`)];
    expect(sorted(lines)).toEqual(sorted(expected));
  });

  it('co-flat-map: a collector on input 1, a returned array on input 2', async () => {
    const lines = await run('two-input-co-functions.ts', ['--mode', 'coflatmap'], parallelism);
    const expected = [...numbers.flatMap((n) => Array.from({ length: n % 3 }, (_, i) => `${n}#${i + 1}`)), ...words];
    expect(sorted(lines)).toEqual(sorted(expected));
  });

  it('co-process: side outputs from both inputs', async () => {
    const lines = await run('two-input-co-functions.ts', ['--mode', 'coprocess'], parallelism);
    const expected = [
      ...numbers.map((n) => (n % 7 === 0 ? `sevens:${n}` : `main:n${n}`)),
      ...words.map((w) => (w.length > 4 ? `long:${w}` : `main:w${w}`)),
    ];
    expect(sorted(lines)).toEqual(sorted(expected));
  });

  it('keyed co-process: keyed state shared by both inputs, event-time timers after both watermarks', async () => {
    const lines = await run('two-input-keyed-co-process.ts', [], parallelism);
    // Group by (customer, period), then a running balance per customer in period order.
    const periods = new Map<string, Map<number, [number, number]>>();
    const add = (customer: string, ts: number, ordered: number, paid: number): void => {
      const start = Math.floor(ts / PERIOD) * PERIOD;
      const perCustomer = periods.get(customer) ?? new Map<number, [number, number]>();
      const [o, p] = perCustomer.get(start) ?? [0, 0];
      perCustomer.set(start, [o + ordered, p + paid]);
      periods.set(customer, perCustomer);
    };
    for (const o of ORDERS) add(o.customer, o.ts, o.amount, 0);
    for (const p of PAYMENTS) add(p.customer, p.ts, 0, p.paid);
    const expected: string[] = [];
    for (const [customer, perCustomer] of periods) {
      let balance = 0;
      for (const start of [...perCustomer.keys()].sort((a, b) => a - b)) {
        const [o, p] = perCustomer.get(start)!;
        balance += o - p;
        expected.push(`${customer}|${start}|ordered=${o}|paid=${p}|balance=${balance}`);
      }
    }
    expect(expected.length).toBeGreaterThan(50);
    expect(sorted(lines)).toEqual(sorted(expected));
  });

  it('broadcast rules applied to a keyed stream, rules taking effect before and after orders', async () => {
    const lines = await run('two-input-broadcast-rules.ts', [], parallelism);
    const verdicts = lines.filter((l) => !l.startsWith('state@'));
    const expected = SHOP_ORDERS.map((o) => {
      const rule = RULES.filter((r) => r.product === o.product && r.ts <= o.ts).at(-1);
      const max = rule?.max ?? null;
      return `${o.id}|${max === null ? 'unchecked' : o.qty > max ? 'rejected' : 'accepted'}`;
    });
    // Every verdict kind occurs, including orders before their product's first rule and after a removal.
    for (const kind of ['accepted', 'rejected', 'unchecked']) expect(expected.some((l) => l.endsWith(kind))).toBe(true);
    expect(sorted(verdicts)).toEqual(sorted(expected));

    // Every parallel instance logged the same broadcast states, in rule order.
    const history: Record<string, [number, number | null][]> = {};
    const states = RULES.map((r) => {
      history[r.product] = [...(history[r.product] ?? []), [r.ts, r.max]];
      const all = Object.fromEntries(Object.entries(history).sort(([a], [b]) => a.localeCompare(b)));
      return `${r.ts}|${JSON.stringify(all)}`;
    });
    const logs = new Map<string, string[]>();
    for (const line of lines.filter((l) => l.startsWith('state@'))) {
      const [instance, ...rest] = line.split('|');
      logs.set(instance!, [...(logs.get(instance!) ?? []), rest.join('|')]);
    }
    expect([...logs.keys()].sort()).toEqual(Array.from({ length: parallelism }, (_, i) => `state@${i}`));
    for (const log of logs.values()) expect(log).toEqual(states);
  });

  it('a two-input operator fires timers only once both inputs passed them (input 2 lags)', async () => {
    const lines = await run('two-input-watermarks.ts', ['--mode', 'lagging'], parallelism);
    const one = inputOne();
    const two = inputTwo();
    const expected = [...one, ...two].map(({ key, ts }) => {
      const n1 = one.filter((e) => e.key === key && e.ts <= ts).length;
      const n2 = two.filter((e) => e.key === key && e.ts <= ts).length;
      return `${key}@${ts}:${n1}/${n2}`;
    });
    expect(sorted(lines)).toEqual(sorted(expected));
  });
});

describe.each([1, 4])('an idle input at parallelism %i', (parallelism) => {
  const fired = inputOne().map((e) => `fired ${e.key}@${e.ts}`);

  it('is left out of the watermark minimum: the timers fire while it waits', async () => {
    const marker = join(workDir(), 'marker');
    const lines = await run('two-input-watermarks.ts', ['--mode', 'idle', '--marker', marker], parallelism);
    expect(sorted(lines)).toEqual(sorted([...fired, 'done saw-marker=true']));
  });

  it('without withIdleness, holds the timers back until it ends', async () => {
    const marker = join(workDir(), 'marker');
    const lines = await run('two-input-watermarks.ts', ['--mode', 'no-idle', '--marker', marker], parallelism);
    expect(sorted(lines)).toEqual(sorted([...fired, 'done saw-marker=false']));
  });
});

describe('broadcast state is read-only in processElement', () => {
  it('writing it there fails the job, naming the operator', async () => {
    const output = join(workDir(), 'out');
    const result = await runJob({ job: join(JOBS, 'two-input-broadcast-rules.ts'), args: ['--write-in-process', '--output', output], parallelism: 2 });
    expect(result.status).toBe('FAILED');
    expect(result.error?.message).toBe(
      "Co-Process-Broadcast-Keyed: broadcast state 'rules' is read-only in processElement (put() called); update it in processBroadcastElement",
    );
  });
});
