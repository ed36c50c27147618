import { describe, expect, it } from 'vitest';
import { SendQueue, toQueuedRecord, type TopicBatch } from '../../../../../src/connectors/kafka/sink/send-queue.js';

/** A sender whose sends the test completes by hand, recording every batch. */
function manualSender(): {
  send: (batch: TopicBatch[], records: number) => Promise<void>;
  batches: { values: string[]; records: number }[];
  complete(index: number, error?: Error): void;
} {
  const batches: { values: string[]; records: number }[] = [];
  const settle: ((error?: Error) => void)[] = [];
  return {
    batches,
    send: (batch, records) => {
      batches.push({ values: batch.flatMap((b) => b.messages.map((m) => `${b.topic}:${String(m.value)}`)), records });
      return new Promise((resolve, reject) => settle.push((error) => (error === undefined ? resolve() : reject(error))));
    },
    complete: (index, error) => settle[index]!(error),
  };
}

const record = (topic: string, value: string) => toQueuedRecord({ topic, value: Buffer.from(value) });
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('SendQueue', () => {
  it('sends the records of one task step together, the next ones when the batch in flight is acknowledged', async () => {
    const sender = manualSender();
    const queue = new SendQueue(sender.send, { maxRequestBytes: 1 << 20, maxBatchRecords: 1000, maxBufferedRecords: 100 });
    queue.enqueue(record('t', 'a'));
    queue.enqueue(record('u', 'b'));
    queue.enqueue(record('t', 'c'));
    await tick();
    expect(sender.batches).toEqual([{ values: ['t:a', 't:c', 'u:b'], records: 3 }]);
    queue.enqueue(record('t', 'd'));
    queue.enqueue(record('t', 'e'));
    await tick();
    // One request in flight: d and e wait for the first batch.
    expect(sender.batches).toHaveLength(1);
    sender.complete(0);
    await tick();
    expect(sender.batches[1]).toEqual({ values: ['t:d', 't:e'], records: 2 });
  });

  it('flush resolves only when everything enqueued before it is acknowledged', async () => {
    const sender = manualSender();
    const queue = new SendQueue(sender.send, { maxRequestBytes: 1 << 20, maxBatchRecords: 1000, maxBufferedRecords: 100 });
    queue.enqueue(record('t', 'a'));
    await tick();
    queue.enqueue(record('t', 'b'));
    let flushed = false;
    void queue.flush().then(() => (flushed = true));
    queue.enqueue(record('t', 'c'));
    sender.complete(0);
    await tick();
    expect(flushed).toBe(false);
    // b and c travel together; the flush covered b only but resolves with their batch.
    sender.complete(1);
    await tick();
    expect(flushed).toBe(true);
    expect(sender.batches.map((b) => b.values)).toEqual([['t:a'], ['t:b', 't:c']]);
  });

  it('splits batches at maxRequestBytes (a single larger record still goes alone)', async () => {
    const sender = manualSender();
    const queue = new SendQueue(sender.send, { maxRequestBytes: 10, maxBatchRecords: 1000, maxBufferedRecords: 100 });
    for (const v of ['aaaa', 'bbbb', 'cccc', 'dddddddddddddddd', 'e']) queue.enqueue(record('t', v));
    await tick();
    sender.complete(0);
    await tick();
    sender.complete(1);
    await tick();
    sender.complete(2);
    await tick();
    expect(sender.batches.map((b) => b.values)).toEqual([['t:aaaa', 't:bbbb'], ['t:cccc'], ['t:dddddddddddddddd'], ['t:e']]);
  });

  it('splits batches at maxBatchRecords', async () => {
    const sender = manualSender();
    const queue = new SendQueue(sender.send, { maxRequestBytes: 1 << 20, maxBatchRecords: 2, maxBufferedRecords: 100 });
    for (const v of ['a', 'b', 'c', 'd', 'e']) queue.enqueue(record('t', v));
    for (let i = 0; i < 3; i++) {
      await tick();
      sender.complete(i);
    }
    await tick();
    expect(sender.batches.map((b) => b.values)).toEqual([['t:a', 't:b'], ['t:c', 't:d'], ['t:e']]);
  });

  it('applies back-pressure at maxBufferedRecords unacknowledged records and releases it at half', async () => {
    const sender = manualSender();
    const queue = new SendQueue(sender.send, { maxRequestBytes: 1 << 20, maxBatchRecords: 1000, maxBufferedRecords: 4 });
    expect(queue.enqueue(record('t', '1'))).toBeUndefined();
    expect(queue.enqueue(record('t', '2'))).toBeUndefined();
    expect(queue.enqueue(record('t', '3'))).toBeUndefined();
    const blocked = queue.enqueue(record('t', '4'));
    expect(blocked).toBeInstanceOf(Promise);
    let released = false;
    void (blocked as Promise<void>).then(() => (released = true));
    await tick();
    sender.complete(0);
    await tick();
    expect(released).toBe(true);
  });

  it('a failed send fails flush, the pending back-pressure and every later enqueue', async () => {
    const sender = manualSender();
    const queue = new SendQueue(sender.send, { maxRequestBytes: 1 << 20, maxBatchRecords: 1000, maxBufferedRecords: 2 });
    queue.enqueue(record('t', 'a'));
    const blocked = queue.enqueue(record('t', 'b')) as Promise<void>;
    const flush = queue.flush();
    await tick();
    sender.complete(0, new Error('broker said no'));
    await expect(flush).rejects.toThrow('broker said no');
    await expect(blocked).rejects.toThrow('broker said no');
    expect(() => queue.enqueue(record('t', 'c'))).toThrow('broker said no');
  });

  it('sends nothing before its gate opens, and fails when the gate rejects', async () => {
    const sender = manualSender();
    let open!: () => void;
    const queue = new SendQueue(sender.send, { maxRequestBytes: 1 << 20, maxBatchRecords: 1000, maxBufferedRecords: 100 }, new Promise<void>((resolve) => (open = resolve)));
    queue.enqueue(record('t', 'a'));
    await tick();
    expect(sender.batches).toHaveLength(0);
    open();
    await tick();
    expect(sender.batches).toHaveLength(1);

    const failing = new SendQueue(sender.send, { maxRequestBytes: 1 << 20, maxBatchRecords: 1000, maxBufferedRecords: 100 }, Promise.reject(new Error('no transaction')));
    failing.enqueue(record('t', 'x'));
    await expect(failing.flush()).rejects.toThrow('no transaction');
  });

  it('turns a serialized record into a kafkajs message with key, headers, partition and timestamp', () => {
    const queued = toQueuedRecord({ topic: 't', value: Buffer.from('v'), key: Buffer.from('kk'), headers: { h: 'x' }, partition: 2, timestamp: 1234.9 });
    expect(queued.topic).toBe('t');
    expect(queued.bytes).toBe(1 + 2 + 2);
    expect(queued.message).toEqual({ value: Buffer.from('v'), key: Buffer.from('kk'), headers: { h: 'x' }, partition: 2, timestamp: '1234' });
  });
});
