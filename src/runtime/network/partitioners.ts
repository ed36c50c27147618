/**
 * Channel selectors: which of the connected downstream channels a record goes
 * to. One instance per producing subtask and edge (rebalance keeps a cursor).
 */
import type { KeySelector, Partitioner } from '../../api/functions.js';
import type { PartitionerSpec } from '../../api/transformation.js';
import { assignToKeyGroup, operatorIndexForKeyGroup } from '../../graph/key-groups.js';

/** Picks channels for a record. `selectChannel` returns -1 for "all channels" (broadcast). */
export interface ChannelSelector {
  readonly isBroadcast: boolean;
  selectChannel(record: unknown): number;
}

/** Builds the selector of a partitioner for `numberOfChannels` connected channels. */
export function createChannelSelector(
  spec: PartitionerSpec,
  numberOfChannels: number,
  consumerMaxParallelism: number,
  consumerParallelism: number,
): ChannelSelector {
  switch (spec.kind) {
    case 'forward':
    case 'global':
      return { isBroadcast: false, selectChannel: () => 0 };
    case 'broadcast':
      return { isBroadcast: true, selectChannel: () => -1 };
    case 'rebalance':
    case 'rescale':
      return roundRobin(numberOfChannels);
    case 'shuffle':
      return { isBroadcast: false, selectChannel: () => Math.floor(Math.random() * numberOfChannels) };
    case 'hash': {
      const key = toFunction(spec.keySelector);
      return {
        isBroadcast: false,
        selectChannel: (record) =>
          operatorIndexForKeyGroup(consumerMaxParallelism, consumerParallelism, assignToKeyGroup(key(record), consumerMaxParallelism)),
      };
    }
    case 'custom': {
      const key = toFunction(spec.keySelector);
      const partition = toPartition(spec.partitioner);
      return {
        isBroadcast: false,
        selectChannel: (record) => {
          const channel = partition(key(record), numberOfChannels);
          if (!Number.isInteger(channel) || channel < 0 || channel >= numberOfChannels) {
            throw new RangeError(`custom partitioner returned ${String(channel)}; expected an integer in [0, ${numberOfChannels - 1}]`);
          }
          return channel;
        },
      };
    }
  }
}

/** Round-robin starting at a random channel, as Flink's RebalancePartitioner. */
function roundRobin(numberOfChannels: number): ChannelSelector {
  let next = Math.floor(Math.random() * numberOfChannels);
  return {
    isBroadcast: false,
    selectChannel: () => {
      const channel = next;
      next = next + 1 === numberOfChannels ? 0 : next + 1;
      return channel;
    },
  };
}

/** Normalises a key selector to a plain function. */
export function toFunction<T, K>(selector: KeySelector<T, K>): (value: T) => K {
  return typeof selector === 'function' ? selector : (value: T) => selector.getKey(value);
}

function toPartition<K>(partitioner: Partitioner<K>): (key: K, n: number) => number {
  return typeof partitioner === 'function' ? partitioner : (key: K, n: number) => partitioner.partition(key, n);
}

/**
 * The consumer subtasks producer subtask `producer` is connected to.
 * All-to-all for every partitioner except forward (one to one) and rescale
 * (pointwise: contiguous groups, as Flink's POINTWISE distribution).
 */
export function connectedConsumers(kind: PartitionerSpec['kind'], producer: number, producerParallelism: number, consumerParallelism: number): number[] {
  if (kind === 'forward') return [producer];
  if (kind === 'rescale') {
    if (producerParallelism >= consumerParallelism) {
      return [Math.floor((producer * consumerParallelism) / producerParallelism)];
    }
    const result: number[] = [];
    for (let consumer = 0; consumer < consumerParallelism; consumer++) {
      if (Math.floor((consumer * producerParallelism) / consumerParallelism) === producer) result.push(consumer);
    }
    return result;
  }
  return Array.from({ length: consumerParallelism }, (_, i) => i);
}
