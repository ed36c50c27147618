/**
 * Conformance: random sequences of state operations (fast-check) run against
 * the heap backend and the embedded backend side by side; every read must
 * give the same result on both. Keys include composite ones, namespaces
 * several, the clock moves (TTL), and a tiny cache makes the embedded
 * backend flush and evict all the time. Map iteration order is not part of
 * the contract, so maps are compared as sorted entries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueStateDescriptor,
  type AnyStateDescriptor,
} from '../../../../../src/api/state.js';
import { HeapKeyedStateBackend } from '../../../../../src/runtime/state/heap-keyed-state-backend.js';
import type { InternalKvState } from '../../../../../src/runtime/state/heap-states.js';
import type { KeyedStateBackend } from '../../../../../src/runtime/state/keyed-state-backend.js';
import { AVERAGE, type AnyAggregatingState, type AnyListState, type AnyMapState, type AnyReducingState, type AnyValueState } from '../helpers.js';
import { Backends, ManualClock } from './fixtures.js';

const KEYS: unknown[] = ['a', 1, [1, 'x'], { id: 1 }];
const NAMESPACES = ['', 'w1', 'w2'];

type Op =
  | { op: 'key'; key: number }
  | { op: 'clock'; ms: number }
  | { op: 'ns'; ns: number }
  | { op: 'value'; action: 'update' | 'read' | 'clear'; v: number | null }
  | { op: 'list'; action: 'add' | 'addAll' | 'update' | 'get' | 'clear'; vs: (number | null)[] }
  | { op: 'map'; action: 'put' | 'get' | 'remove' | 'contains' | 'entries' | 'isEmpty' | 'clear'; k: number; v: number }
  | { op: 'reducing'; action: 'add' | 'get' | 'clear'; v: number | null }
  | { op: 'aggregating'; action: 'add' | 'get' | 'acc' | 'clear'; v: number }
  | { op: 'merge'; state: 'list' | 'reducing' | 'aggregating'; target: number; sources: number[] }
  | { op: 'applyToAllKeys'; state: 'value' | 'list' | 'map'; ns: number };

const small = fc.integer({ min: -5, max: 20 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('key' as const), key: fc.nat(KEYS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clock' as const), ms: fc.integer({ min: 1, max: 80 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ns' as const), ns: fc.nat(NAMESPACES.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('value' as const), action: fc.constantFrom('update', 'update', 'read', 'read', 'clear'), v: fc.option(small, { freq: 8 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('list' as const), action: fc.constantFrom('add', 'add', 'add', 'addAll', 'update', 'get', 'get', 'clear'), vs: fc.array(fc.option(small, { freq: 15 }), { maxLength: 4 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('map' as const),
      action: fc.constantFrom('put', 'put', 'put', 'get', 'remove', 'contains', 'entries', 'entries', 'isEmpty', 'clear'),
      k: fc.nat(KEYS.length - 1),
      v: small,
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('reducing' as const), action: fc.constantFrom('add', 'add', 'get', 'get', 'clear'), v: fc.option(small, { freq: 10 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('aggregating' as const), action: fc.constantFrom('add', 'add', 'get', 'acc', 'clear'), v: small }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('merge' as const),
      state: fc.constantFrom('list', 'reducing', 'aggregating'),
      target: fc.nat(NAMESPACES.length - 1),
      sources: fc.array(fc.nat(NAMESPACES.length - 1), { maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('applyToAllKeys' as const), state: fc.constantFrom('value', 'list', 'map'), ns: fc.nat(NAMESPACES.length - 1) }) },
);

/** The states of one backend, created from the same descriptors. */
function statesOf(backend: KeyedStateBackend, descriptors: ReturnType<typeof makeDescriptors>) {
  const get = <S>(d: AnyStateDescriptor): S => backend.getState(d) as unknown as S;
  return {
    value: get<AnyValueState<number>>(descriptors.value),
    list: get<AnyListState<number>>(descriptors.list),
    map: get<AnyMapState<unknown, number>>(descriptors.map),
    reducing: get<AnyReducingState<number>>(descriptors.reducing),
    aggregating: get<AnyAggregatingState<number, number>>(descriptors.aggregating),
  };
}

function makeDescriptors(ttl: StateTtlConfig | undefined) {
  const withTtl = <D extends AnyStateDescriptor>(d: D): D => (ttl === undefined ? d : (d.enableTimeToLive(ttl) as D));
  return {
    value: withTtl(new ValueStateDescriptor<number>('value', -1)),
    list: withTtl(new ListStateDescriptor<number>('list')),
    map: withTtl(new MapStateDescriptor<unknown, number>('map')),
    reducing: withTtl(new ReducingStateDescriptor<number>('reducing', (a, b) => a + b)),
    aggregating: withTtl(new AggregatingStateDescriptor('aggregating', AVERAGE)),
  };
}

/** Runs one operation on one backend's states and returns what it read (or threw). */
function run(backend: KeyedStateBackend, states: ReturnType<typeof statesOf>, descriptors: ReturnType<typeof makeDescriptors>, op: Op, clock: ManualClock): unknown {
  try {
    switch (op.op) {
      case 'key':
        backend.setCurrentKey(KEYS[op.key]);
        return undefined;
      case 'clock':
        clock.now += op.ms;
        return undefined;
      case 'ns':
        for (const state of Object.values(states) as InternalKvState[]) state.setCurrentNamespace(NAMESPACES[op.ns]!);
        return undefined;
      case 'value':
        if (op.action === 'update') return states.value.update(op.v as number);
        if (op.action === 'clear') return states.value.clear();
        return states.value.value();
      case 'list':
        if (op.action === 'add') return states.list.add(op.vs[0] as number);
        if (op.action === 'addAll') return states.list.addAll(op.vs as number[]);
        if (op.action === 'update') return states.list.update(op.vs as number[]);
        if (op.action === 'clear') return states.list.clear();
        return [...states.list.get()];
      case 'map': {
        const key = KEYS[op.k];
        if (op.action === 'put') return states.map.put(key, op.v);
        if (op.action === 'get') return states.map.get(key);
        if (op.action === 'remove') return states.map.remove(key);
        if (op.action === 'contains') return states.map.contains(key);
        if (op.action === 'isEmpty') return states.map.isEmpty();
        if (op.action === 'clear') return states.map.clear();
        return [...states.map.entries()].map(([k, v]) => JSON.stringify([k, v])).sort();
      }
      case 'reducing':
        if (op.action === 'add') return states.reducing.add(op.v as number);
        if (op.action === 'clear') return states.reducing.clear();
        return states.reducing.get();
      case 'aggregating':
        if (op.action === 'add') return states.aggregating.add(op.v);
        if (op.action === 'clear') return states.aggregating.clear();
        if (op.action === 'acc') return (states.aggregating as unknown as { getAccumulator(): unknown }).getAccumulator();
        return states.aggregating.get();
      case 'merge': {
        const sources = op.sources.filter((s) => s !== op.target).map((s) => NAMESPACES[s]!);
        backend.mergeNamespaces(states[op.state], NAMESPACES[op.target]!, [...new Set(sources)]);
        return undefined;
      }
      case 'applyToAllKeys': {
        const seen: string[] = [];
        const previousKey = backend.getCurrentKey();
        backend.applyToAllKeys(NAMESPACES[op.ns]!, descriptors[op.state], (key, state) => {
          const read = op.state === 'value' ? (state as AnyValueState<number>).value() : op.state === 'list' ? [...(state as AnyListState<number>).get()] : (state as AnyMapState<unknown, number>).isEmpty();
          seen.push(JSON.stringify([key, read]));
        });
        if (backend.getCurrentKey() !== previousKey) return 'current key not restored';
        return seen.sort();
      }
    }
  } catch (error) {
    return `threw: ${(error as Error).message}`;
  }
}

const TTLS: [string, StateTtlConfig | undefined][] = [
  ['no TTL', undefined],
  ['TTL on create and write', StateTtlConfig.newBuilder(100).build()],
  ['TTL on read and write, expired visible once', StateTtlConfig.newBuilder(100).updateTtlOnReadAndWrite().returnExpiredIfNotCleanedUp().build()],
];

describe('embedded backend conforms to the heap backend', () => {
  for (const [label, ttl] of TTLS) {
    it(`gives the same reads for random operation sequences (${label})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 20, maxLength: 300, size: 'max' }), fc.constantFrom(1, 3, 1000), async (ops, cacheEntries) => {
          const clock = new ManualClock();
          const backends = new Backends(clock);
          try {
            const heapDescriptors = makeDescriptors(ttl);
            const embeddedDescriptors = makeDescriptors(ttl);
            const heap = new HeapKeyedStateBackend({ start: 0, end: 127 }, 128, clock.read);
            const embedded = backends.make({ cacheEntries });
            const heapStates = statesOf(heap as unknown as KeyedStateBackend, heapDescriptors);
            const embeddedStates = statesOf(embedded, embeddedDescriptors);
            heap.setCurrentKey(KEYS[0]);
            embedded.setCurrentKey(KEYS[0]);
            for (const [index, op] of ops.entries()) {
              const expected = run(heap as unknown as KeyedStateBackend, heapStates, heapDescriptors, op, clock);
              if (op.op === 'clock') clock.now -= op.ms; // moved once for both
              const actual = run(embedded, embeddedStates, embeddedDescriptors, op, clock);
              expect({ index, op, result: actual }).toEqual({ index, op, result: expected });
            }
          } finally {
            await backends.disposeAll();
          }
        }),
        { numRuns: 60 },
      );
    });
  }
});
