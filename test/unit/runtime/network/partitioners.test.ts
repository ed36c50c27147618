import { describe, expect, it } from 'vitest';
import { assignToKeyGroup, operatorIndexForKeyGroup } from '../../../../src/graph/key-groups.js';
import { connectedConsumers, createChannelSelector } from '../../../../src/runtime/network/partitioners.js';

describe('connectedConsumers', () => {
  it('forward connects producer i to consumer i only', () => {
    expect(connectedConsumers('forward', 2, 4, 4)).toEqual([2]);
  });

  it('all-to-all partitioners connect to every consumer', () => {
    for (const kind of ['rebalance', 'shuffle', 'broadcast', 'global', 'hash', 'custom'] as const) {
      expect(connectedConsumers(kind, 1, 2, 3)).toEqual([0, 1, 2]);
    }
  });

  it('rescale fans out to contiguous groups when the consumers are more (2 → 6)', () => {
    // Consumer j belongs to producer floor(j * 2 / 6): 0,0,0,1,1,1.
    expect(connectedConsumers('rescale', 0, 2, 6)).toEqual([0, 1, 2]);
    expect(connectedConsumers('rescale', 1, 2, 6)).toEqual([3, 4, 5]);
  });

  it('rescale fans in when the producers are more (6 → 2)', () => {
    // Producer i sends to floor(i * 2 / 6): 0,0,0,1,1,1.
    expect([0, 1, 2, 3, 4, 5].map((p) => connectedConsumers('rescale', p, 6, 2))).toEqual([[0], [0], [0], [1], [1], [1]]);
  });

  it('rescale with uneven groups covers every consumer exactly once (3 → 7)', () => {
    const all = [0, 1, 2].flatMap((p) => connectedConsumers('rescale', p, 3, 7));
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('createChannelSelector', () => {
  it('rebalance cycles through every channel in turn', () => {
    const selector = createChannelSelector({ kind: 'rebalance' }, 3, 128, 3);
    const picks = Array.from({ length: 9 }, () => selector.selectChannel('x'));
    const start = picks[0]!;
    expect(picks).toEqual(Array.from({ length: 9 }, (_, i) => (start + i) % 3));
  });

  it('global and forward always pick channel 0; broadcast picks all', () => {
    expect(createChannelSelector({ kind: 'global' }, 4, 128, 4).selectChannel(7)).toBe(0);
    expect(createChannelSelector({ kind: 'forward' }, 1, 128, 1).selectChannel(7)).toBe(0);
    const broadcast = createChannelSelector({ kind: 'broadcast' }, 4, 128, 4);
    expect(broadcast.isBroadcast).toBe(true);
  });

  it('hash sends a key to the subtask owning its key group', () => {
    const selector = createChannelSelector({ kind: 'hash', keySelector: (r: { k: string }) => r.k }, 4, 128, 4);
    for (const key of ['a', 'b', 'hello', 'world', '']) {
      // Subtask = keyGroup * parallelism / maxParallelism (Flink's computeOperatorIndexForKeyGroup).
      const expected = Math.floor((assignToKeyGroup(key, 128) * 4) / 128);
      expect(selector.selectChannel({ k: key })).toBe(expected);
      expect(selector.selectChannel({ k: key })).toBe(operatorIndexForKeyGroup(128, 4, assignToKeyGroup(key, 128)));
    }
  });

  it('custom uses the partitioner and rejects out-of-range results', () => {
    const selector = createChannelSelector({ kind: 'custom', keySelector: (v: number) => v, partitioner: (k: number, n: number) => k % n }, 3, 128, 3);
    expect([0, 1, 2, 3, 4, 5].map((v) => selector.selectChannel(v))).toEqual([0, 1, 2, 0, 1, 2]);
    const bad = createChannelSelector({ kind: 'custom', keySelector: (v: number) => v, partitioner: () => 3 }, 3, 128, 3);
    expect(() => bad.selectChannel(1)).toThrow('custom partitioner returned 3; expected an integer in [0, 2]');
  });

  it('shuffle stays within range', () => {
    const selector = createChannelSelector({ kind: 'shuffle' }, 5, 128, 5);
    for (let i = 0; i < 1000; i++) {
      const c = selector.selectChannel(i);
      expect(c >= 0 && c < 5 && Number.isInteger(c)).toBe(true);
    }
  });
});
