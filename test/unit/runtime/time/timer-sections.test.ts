/**
 * Timers in snapshots: the sections encodeTimerColumns writes from what
 * gatherTimers gathered hold every live timer once, in the section of its
 * key's group, and restoring them into fresh timer services registers
 * exactly the timers there were. The
 * expected key groups come from assignToKeyGroup, the expected timers from
 * the registrations the test makes (deleted ones left out by hand).
 */
import { describe, expect, it } from 'vitest';
import { assignToKeyGroup } from '../../../../src/graph/key-groups.js';
import { decodeKeyGroupSection, packSection } from '../../../../src/runtime/checkpoint/state-sections.js';
import { HeapKeyedStateBackend } from '../../../../src/runtime/state/heap-keyed-state-backend.js';
import { encodeTimerColumns, gatherTimers, releaseTimerKeys, restoreTimersInto, timerStateName, type RestoredTimers } from '../../../../src/runtime/time/timer-sections.js';
import { HeapTimerService, type InternalTimer } from '../../../../src/runtime/time/timer-service.js';
import { FakeProcessingTimeService } from './fake-processing-time.js';

type Timer = [state: string, key: unknown, namespace: string, timestamp: number];

function service(backend: HeapKeyedStateBackend, fired: Timer[] = [], index = 0): HeapTimerService {
  return new HeapTimerService(backend, new FakeProcessingTimeService(), {
    onEventTime: (t: InternalTimer) => fired.push([timerStateName(index, 'event'), t.key, t.namespace, t.timestamp]),
    onProcessingTime: (t: InternalTimer) => fired.push([timerStateName(index, 'processing'), t.key, t.namespace, t.timestamp]),
  });
}

/** Encodes, then decodes every section: key group → its timers as [state, key, namespace, timestamp]. */
function sectionsOf(services: HeapTimerService[], backend: HeapKeyedStateBackend): Map<number, Timer[]> {
  const out = new Map<number, Timer[]>();
  let previous = -1;
  const timers = gatherTimers(services);
  encodeTimerColumns(timers, backend, (keyGroup, columns) => {
    expect(keyGroup).toBeGreaterThan(previous);
    previous = keyGroup;
    out.set(
      keyGroup,
      decodeKeyGroupSection(packSection(columns, true)).map(([state, key, namespace, value]) => {
        expect(value).toHaveLength(1);
        return [state, key, namespace, (value as number[])[0]!];
      }),
    );
  });
  releaseTimerKeys(timers);
  return out;
}

const byGroup = (timers: Timer[]): Map<number, Timer[]> => {
  const out = new Map<number, Timer[]>();
  for (const t of timers) {
    const group = assignToKeyGroup(t[1], 128);
    out.set(group, [...(out.get(group) ?? []), t]);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
};

describe('timers in snapshots', () => {
  it('writes each live timer once, in its key group, in registration order within the group', () => {
    const backend = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const timers = service(backend);
    const expected: Timer[] = [];
    for (let key = 0; key < 2000; key++) {
      backend.setCurrentKey(key);
      timers.registerEventTimeTimer('0|10', 9);
      expected.push(['timers/0/event', key, '0|10', 9]);
    }
    const sections = sectionsOf([timers], backend);
    expect(sections).toEqual(byGroup(expected));
    expect([...sections.values()].reduce((n, s) => n + s.length, 0)).toBe(2000);
  });

  it('keeps keys of any type, both domains, several namespaces and services, and leaves deleted timers out', () => {
    const backend = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const first = service(backend);
    const second = service(backend, [], 1);
    const keys: unknown[] = [1, -7, 2 ** 40, 0.5, 'user-1', '', 0, 3];
    const expected: Timer[] = [];
    keys.forEach((key, i) => {
      backend.setCurrentKey(key);
      first.registerEventTimeTimer(`${i}|${i + 10}`, 1_767_225_609_999 + i);
      expected.push(['timers/0/event', key, `${i}|${i + 10}`, 1_767_225_609_999 + i]);
      first.registerProcessingTimeTimer('', 1.5 + i);
      expected.push(['timers/0/processing', key, '', 1.5 + i]);
      second.registerEventTimeTimer('w', -100);
      if (i % 2 === 0) expected.push(['timers/1/event', key, 'w', -100]);
      else second.deleteEventTimeTimer('w', -100);
    });
    const sections = sectionsOf([first, second], backend);
    // Within a group: the first service's event timers by timestamp, then its processing ones, then the second's.
    const order = (t: Timer): number => (t[0] === 'timers/0/event' ? 0 : t[0] === 'timers/0/processing' ? 1 : 2) * 1e14 + t[3];
    const sorted = new Map([...byGroup(expected)].map(([g, list]) => [g, [...list].sort((a, b) => order(a) - order(b))]));
    expect(sections).toEqual(sorted);
  });

  it('restores into fresh services exactly the timers that were live', () => {
    const backend = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const timers = service(backend);
    for (let key = 0; key < 50; key++) {
      backend.setCurrentKey(`k${key}`);
      timers.registerEventTimeTimer('', 100 + (key % 3));
      if (key % 5 === 0) timers.deleteEventTimeTimer('', 100 + (key % 3));
    }
    const restored = new Map<string, { key: unknown; namespace: string; timestamps: number[] }[]>();
    for (const list of sectionsOf([timers], backend).values()) {
      for (const [state, key, namespace, timestamp] of list) restored.set(state, [...(restored.get(state) ?? []), { key, namespace, timestamps: [timestamp] }]);
    }
    const fresh = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    const fired: Timer[] = [];
    const again = service(fresh, fired);
    restoreTimersInto(again, 0, restored as RestoredTimers);
    again.advanceWatermark(1000);
    const expected = Array.from({ length: 50 }, (_, key) => key)
      .filter((key) => key % 5 !== 0)
      .map((key): Timer => ['timers/0/event', `k${key}`, '', 100 + (key % 3)]);
    expect([...fired].sort((a, b) => a[3] - b[3] || String(a[1]).localeCompare(String(b[1])))).toEqual(
      expected.sort((a, b) => a[3] - b[3] || String(a[1]).localeCompare(String(b[1]))),
    );
  });

  it('writes nothing when there are no timers', () => {
    const backend = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128);
    expect(sectionsOf([service(backend)], backend).size).toBe(0);
  });
});
