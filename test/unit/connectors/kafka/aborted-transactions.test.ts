/**
 * The read_committed aborted-transaction filter of the Kafka source on
 * hand-built fetched records (the integration test covers a real broker).
 */
import { describe, expect, it } from 'vitest';
import { abortedRecords, type FetchedRecord } from '../../../../src/connectors/kafka/source/aborted-transactions.js';

type Rec = FetchedRecord & { readonly name: string };

/** A log from `[name, producer, kind]` rows at offsets 0, 1, …; kind: t = in transaction, p = plain, commit / abort = marker. */
function log(rows: readonly (readonly [string, string, 't' | 'p' | 'commit' | 'abort'])[]): Rec[] {
  return rows.map(([name, producerId, kind], offset) => ({
    name,
    offset: String(offset),
    key: kind === 'commit' ? Buffer.from([0, 0, 0, 1]) : kind === 'abort' ? Buffer.from([0, 0, 0, 0]) : null,
    isControlRecord: kind === 'commit' || kind === 'abort',
    batchContext: { producerId, inTransaction: kind !== 'p' },
  }));
}

const names = (set: Set<Rec>): string[] => [...set].map((r) => r.name).sort();

describe('abortedRecords', () => {
  it('two interleaved aborted transactions, listed by abort marker (as the broker does): all their records', () => {
    const records = log([
      ['a0', 'A', 't'], // 0
      ['a1', 'A', 't'], // 1
      ['b0', 'B', 't'], // 2
      ['c0', 'C', 't'], // 3
      ['a2', 'A', 't'], // 4
      ['p0', '-1', 'p'], // 5
      ['b1', 'B', 't'], // 6
      ['B-abort', 'B', 'abort'], // 7
      ['a3', 'A', 't'], // 8
      ['C-commit', 'C', 'commit'], // 9
      ['A-abort', 'A', 'abort'], // 10
      ['a4', 'A', 't'], // 11: A's next transaction, committed
      ['A-commit', 'A', 'commit'], // 12
    ]);
    const aborted = abortedRecords(records, [{ producerId: 'B', firstOffset: '2' }, { producerId: 'A', firstOffset: '0' }]);
    expect(names(aborted)).toEqual(['a0', 'a1', 'a2', 'a3', 'b0', 'b1']);
  });

  it('transactions that began before the first fetched record, and a producer aborting twice', () => {
    // Fetched from offset 100: X began at 90, Y at 95 (both aborted); X aborts again later.
    const records = log([
      ['x0', 'X', 't'],
      ['y0', 'Y', 't'],
      ['X-abort', 'X', 'abort'],
      ['y1', 'Y', 't'],
      ['Y-abort', 'Y', 'abort'],
      ['x1', 'X', 't'],
      ['X-commit', 'X', 'commit'],
      ['x2', 'X', 't'],
      ['X-abort-2', 'X', 'abort'],
      ['y2', 'Y', 't'],
    ]).map((r) => ({ ...r, offset: String(Number(r.offset) + 100) }));
    const list = [
      { producerId: 'X', firstOffset: '90' },
      { producerId: 'Y', firstOffset: '95' },
      { producerId: 'X', firstOffset: '107' },
    ];
    expect(names(abortedRecords(records, list))).toEqual(['x0', 'x2', 'y0', 'y1']);
  });

  it('no aborted transactions: nothing', () => {
    expect(abortedRecords(log([['a0', 'A', 't'], ['A-commit', 'A', 'commit']]), []).size).toBe(0);
  });
});
