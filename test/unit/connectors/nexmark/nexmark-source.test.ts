import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../../src/api/errors.js';
import { collectingOutput } from '../../../../src/api/source.js';
import type { Watermark } from '../../../../src/api/time.js';
import { NexmarkGenerator } from '../../../../src/connectors/nexmark/generator.js';
import { DEFAULT_NEXMARK_CONFIG, type NexmarkEvent } from '../../../../src/connectors/nexmark/model.js';
import { NEXMARK_BATCH_SIZE, NexmarkSource, nexmarkWatermarkStrategy, type NexmarkSourceReader } from '../../../../src/connectors/nexmark/nexmark-source.js';

function reader(source: NexmarkSource, subtaskIndex = 0, parallelism = 1): NexmarkSourceReader {
  return source.createReader({ subtaskIndex, parallelism, operatorName: 'Nexmark' });
}

/** Polls until the end, checking the batch bound; returns the events and their record timestamps. */
function drain(r: NexmarkSourceReader): { events: NexmarkEvent[]; timestamps: (number | undefined)[] } {
  const events: NexmarkEvent[] = [];
  const timestamps: (number | undefined)[] = [];
  const output = collectingOutput((event: NexmarkEvent, timestamp?: number) => void (events.push(event), timestamps.push(timestamp)));
  for (;;) {
    const before = events.length;
    const status = r.pollNext(output);
    expect(events.length - before).toBeLessThanOrEqual(NEXMARK_BATCH_SIZE);
    if (status === 'END_OF_INPUT') return { events, timestamps };
    expect(status).toBe('MORE_AVAILABLE');
  }
}

describe('NexmarkSource', () => {
  it('emits the stream positions in order at parallelism 1, with dateTime as the record timestamp', () => {
    const { events, timestamps } = drain(reader(new NexmarkSource({ events: 3000 })));
    const g = new NexmarkGenerator({ ...DEFAULT_NEXMARK_CONFIG, events: 3000 });
    expect(events).toEqual(Array.from({ length: 3000 }, (_, n) => g.eventAt(n)));
    expect(timestamps).toEqual(events.map((e) => e.dateTime));
  });

  it('gives subtask i of p the positions i, i + p, …: together exactly the stream', () => {
    const source = new NexmarkSource({ events: 5003 });
    const all = drain(reader(source)).events;
    for (const p of [2, 3, 4]) {
      const shares = Array.from({ length: p }, (_, i) => drain(reader(source, i, p)).events);
      shares.forEach((share, i) => expect(share).toEqual(all.filter((_, n) => n % p === i)));
      expect(shares.reduce((sum, share) => sum + share.length, 0)).toBe(5003);
    }
    // More subtasks than events: the extra ones end at once.
    const tiny = new NexmarkSource({ events: 2 });
    expect(drain(reader(tiny, 3, 4)).events).toEqual([]);
  });

  it('never ends when unbounded', () => {
    const r = reader(new NexmarkSource());
    let count = 0;
    for (let i = 0; i < 50; i++) expect(r.pollNext(collectingOutput(() => void count++))).toBe('MORE_AVAILABLE');
    expect(count).toBe(50 * NEXMARK_BATCH_SIZE);
    expect(r.snapshotState()).toEqual([{ nextEvent: 50 * NEXMARK_BATCH_SIZE, step: 1 }]);
  });

  it('snapshots its position as splits and continues from restored ones exactly', () => {
    const source = new NexmarkSource({ events: 10_000 });
    const whole = drain(reader(source, 1, 3)).events;
    const first = reader(source, 1, 3);
    const head: NexmarkEvent[] = [];
    first.pollNext(collectingOutput((e) => void head.push(e)));
    first.pollNext(collectingOutput((e) => void head.push(e)));
    const state = first.snapshotState();
    expect(state).toEqual([{ nextEvent: 1 + 2 * NEXMARK_BATCH_SIZE * 3, step: 3 }]);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    const second = source.createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'Nexmark', restoredSplits: state });
    expect([...head, ...drain(second).events]).toEqual(whole);
  });

  it('reads several restored splits (a lower parallelism), furthest behind first, and none when given none', () => {
    const source = new NexmarkSource({ events: 3000 });
    const merged = source.createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'Nexmark', restoredSplits: [{ nextEvent: 0, step: 2 }, { nextEvent: 1, step: 2 }] });
    const ids = drain(merged).events.map((e) => e.dateTime);
    const direct = drain(reader(source, 0, 1)).events.map((e) => e.dateTime);
    expect([...ids].sort((a, b) => a - b)).toEqual([...direct].sort((a, b) => a - b));
    expect(drain(source.createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'Nexmark', restoredSplits: [] })).events).toEqual([]);
  });

  it('refuses a split that is not { nextEvent, step }', () => {
    const source = new NexmarkSource({ events: 100 });
    for (const bad of [{ nextEvent: -2, step: 1 }, { nextEvent: 1.5, step: 1 }, { nextEvent: 3, step: 0 }, {}]) {
      const attempt = (): unknown => source.createReader({ subtaskIndex: 0, parallelism: 1, operatorName: 'Nexmark', restoredSplits: [bad] });
      expect(attempt).toThrow(FlinktsError);
      expect(attempt).toThrow(/cannot restore Nexmark split/);
    }
  });
});

describe('nexmarkWatermarkStrategy', () => {
  it('takes timestamps from dateTime and keeps watermarks 4 s behind the largest', () => {
    const strategy = nexmarkWatermarkStrategy();
    expect(strategy.hasTimestampAssigner()).toBe(true);
    const event = new NexmarkGenerator({ ...DEFAULT_NEXMARK_CONFIG, baseTime: 1_000_000 }).event(500_000);
    expect(strategy.createTimestampAssigner()(event, undefined)).toBe(event.dateTime);
    const generator = strategy.createWatermarkGenerator()!;
    const emitted: number[] = [];
    const output = { emitWatermark: (w: Watermark) => void emitted.push(w.timestamp), markIdle: () => {}, markActive: () => {} };
    generator.onEvent(event, 10_000, output);
    generator.onEvent(event, 9_000, output);
    generator.onPeriodicEmit(output);
    expect(emitted).toEqual([10_000 - 4000 - 1]);
  });
});
