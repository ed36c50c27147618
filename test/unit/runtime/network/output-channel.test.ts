import { describe, expect, it } from 'vitest';
import { BufferReader, ENTRY_EVENT, ENTRY_RECORD } from '../../../../src/runtime/network/codec.js';
import { EVENT_END_OF_PARTITION, OutputChannel, type BufferTransport, type OutputBudget } from '../../../../src/runtime/network/output-channel.js';

/** A transport that keeps what was sent, so the test can inspect and recycle it. */
class RecordingTransport implements BufferTransport {
  readonly sent: { buffer: Uint8Array; length: number }[] = [];
  send(_channelId: number, _consumer: number, buffer: Uint8Array, length: number): void {
    this.sent.push({ buffer, length });
  }
  recycle(): void {}
}

function budget(overrides: Partial<OutputBudget> = {}): OutputBudget & { restored: number } {
  const b = {
    segmentSize: 4096,
    buffersPerChannel: 2,
    maxOverdraftBuffers: 3,
    overdraftInUse: 0,
    channelsWithoutCredit: 0,
    bytesOut: 0,
    taskLabel: 'Map (1/1)',
    restored: 0,
    onCreditRestored(): void {
      b.restored++;
    },
    ...overrides,
  };
  return b;
}

function decode(sent: readonly { buffer: Uint8Array; length: number }[]): unknown[] {
  const reader = new BufferReader();
  const out: unknown[] = [];
  for (const { buffer, length } of sent) {
    reader.begin(buffer.subarray(0, length));
    while (reader.hasNext()) out.push(reader.next() === ENTRY_RECORD ? reader.value : `event:${reader.eventKind}`);
  }
  return out;
}

describe('OutputChannel', () => {
  it('sends nothing until a segment is full or flushed, then everything in order', () => {
    const transport = new RecordingTransport();
    const channel = new OutputChannel(7, 1, budget(), transport);
    for (let i = 0; i < 10; i++) channel.write(i, undefined);
    expect(transport.sent).toHaveLength(0);
    channel.flush();
    expect(transport.sent).toHaveLength(1);
    expect(decode(transport.sent)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('loses credit when all its segments are away and regains it when one comes back', () => {
    const transport = new RecordingTransport();
    const b = budget();
    const channel = new OutputChannel(7, 1, b, transport);
    const record = 'x'.repeat(1500);
    // 4096-byte segments hold two 1500-byte records; the 3rd record needs the 2nd (last own) segment.
    for (let i = 0; i < 3; i++) channel.write(record, undefined);
    expect(transport.sent).toHaveLength(1);
    expect(b.channelsWithoutCredit).toBe(1);
    channel.recycle(transport.sent[0]!.buffer);
    expect(b.channelsWithoutCredit).toBe(0);
    expect(b.restored).toBe(1);
  });

  it('borrows overdraft segments up to the limit, then fails naming the task', () => {
    const transport = new RecordingTransport();
    const b = budget();
    const channel = new OutputChannel(7, 1, b, transport);
    const record = 'y'.repeat(3000); // one per segment
    for (let i = 0; i < 5; i++) channel.write(record, undefined); // 2 own + 3 overdraft
    expect(b.overdraftInUse).toBe(3);
    expect(() => channel.write(record, undefined)).toThrow(/Map \(1\/1\) kept emitting while its output was back-pressured \(3 overdraft buffers in use\)/);
  });

  it('returns overdraft segments to nobody: the channel keeps only its own', () => {
    const transport = new RecordingTransport();
    const b = budget();
    const channel = new OutputChannel(7, 1, b, transport);
    const record = 'z'.repeat(3000);
    for (let i = 0; i < 4; i++) channel.write(record, undefined);
    channel.flush();
    expect(transport.sent).toHaveLength(4);
    expect(b.overdraftInUse).toBe(2);
    for (const { buffer } of transport.sent) channel.recycle(buffer);
    expect(b.overdraftInUse).toBe(0);
    expect(b.channelsWithoutCredit).toBe(0);
  });

  it('sends events at once, after the records before them', () => {
    const transport = new RecordingTransport();
    const channel = new OutputChannel(7, 1, budget(), transport);
    channel.write('a', 5);
    channel.writeEvent(EVENT_END_OF_PARTITION, 0, 0);
    expect(transport.sent).toHaveLength(1);
    expect(decode(transport.sent)).toEqual(['a', `event:${EVENT_END_OF_PARTITION}`]);
    expect(ENTRY_EVENT).not.toBe(ENTRY_RECORD);
  });

  it('sends a record larger than a segment alone, in a buffer of its own size', () => {
    const transport = new RecordingTransport();
    const channel = new OutputChannel(7, 1, budget(), transport);
    channel.write('small', undefined);
    const big = 'b'.repeat(10_000);
    channel.write(big, undefined);
    channel.flush();
    expect(transport.sent.map((s) => s.length > 4096)).toEqual([false, true]);
    expect(decode(transport.sent)).toEqual(['small', big]);
  });
});
