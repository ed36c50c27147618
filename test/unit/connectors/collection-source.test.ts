import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { CollectionSource } from '../../../src/connectors/collection/collection-source.js';
import { collectingOutput } from '../../../src/api/source.js';
import { createReader, readAll } from './helpers.js';

describe('CollectionSource', () => {
  it('is bounded and not parallel', () => {
    const source = new CollectionSource([1]);
    expect(source.boundedness).toBe('BOUNDED');
    expect(source.maxSourceParallelism).toBe(1);
  });

  it('emits the items in order, by reference', async () => {
    const item = { id: 7 };
    const items = ['a', 3, item, ['t', 1], null, 'z'];
    const records = await readAll(createReader(new CollectionSource(items)));
    expect(records).toEqual(['a', 3, { id: 7 }, ['t', 1], null, 'z']);
    expect(records[2]).toBe(item);
  });

  it('emits 2500 items in order, at most 1024 per poll', async () => {
    const items = Array.from({ length: 2500 }, (_, i) => `item-${2500 - i}`);
    const reader = createReader(new CollectionSource(items));
    const sizes: number[] = [];
    const records: string[] = [];
    let status;
    do {
      let size = 0;
      status = reader.pollNext(
        collectingOutput((r: string) => {
          records.push(r);
          size++;
        }),
      );
      sizes.push(size);
    } while (status !== 'END_OF_INPUT');
    expect(sizes).toEqual([1024, 1024, 452]);
    expect(records).toEqual(items);
  });

  it('ends at once for an empty collection', async () => {
    expect(await readAll(createReader(new CollectionSource([])))).toEqual([]);
  });

  it('refuses to run with parallelism > 1', () => {
    expect(() => createReader(new CollectionSource([1, 2]), 0, 2)).toThrow(FlinktsError);
  });
});
