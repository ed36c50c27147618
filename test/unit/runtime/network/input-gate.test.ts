/** The input gate: round-robin over channels with data, and channels held back while a checkpoint aligns. */
import { describe, expect, it } from 'vitest';
import { InputGate } from '../../../../src/runtime/network/input-gate.js';

const buffer = (n: number): Uint8Array => Uint8Array.of(n);

describe('InputGate', () => {
  it('hands out channels with data round-robin, a buffer at a time', () => {
    let notified = 0;
    const gate = new InputGate(() => notified++);
    const a = gate.addChannel(0, 0, 0);
    const b = gate.addChannel(1, 0, 0);
    a.enqueue(buffer(1), 1);
    a.enqueue(buffer(2), 1);
    b.enqueue(buffer(3), 1);
    expect(notified).toBe(2);
    const order: number[] = [];
    for (let channel = gate.nextChannel(); channel !== undefined; channel = gate.nextChannel()) {
      order.push(channel.take().buffer[0]!);
      gate.requeue(channel);
    }
    expect(order).toEqual([1, 3, 2]);
  });

  it('skips a blocked channel, queues nothing for it, and gives its buffers back in order once released', () => {
    const gate = new InputGate(() => undefined);
    const a = gate.addChannel(0, 0, 0);
    const b = gate.addChannel(1, 0, 0);
    a.enqueue(buffer(1), 1);
    b.enqueue(buffer(2), 1);
    a.blocked = true;
    a.enqueue(buffer(3), 1);
    const first = gate.nextChannel()!;
    expect(first).toBe(b);
    first.take();
    expect(gate.nextChannel()).toBeUndefined();
    expect(gate.unblockAll()).toBe(true);
    expect(a.blocked).toBe(false);
    const released: number[] = [];
    for (let channel = gate.nextChannel(); channel !== undefined; channel = gate.nextChannel()) {
      released.push(channel.take().buffer[0]!);
      gate.requeue(channel);
    }
    expect(released).toEqual([1, 3]);
    expect(gate.unblockAll()).toBe(false);
  });
});
