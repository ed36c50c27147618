import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { type AnyConfigOption, defineOption } from '../../../src/config/option.js';
import { durationType, integerType, memoryType, stringType } from '../../../src/config/option-types.js';
import {
  EXECUTION_BUFFER_TIMEOUT,
  PARALLELISM_DEFAULT,
  PIPELINE_AUTO_WATERMARK_INTERVAL,
  PIPELINE_MAX_PARALLELISM,
  PIPELINE_NAME,
  PIPELINE_OPERATOR_CHAINING_ENABLED,
  TASKMANAGER_MEMORY_SEGMENT_SIZE,
  TASKMANAGER_NETWORK_MEMORY_BUFFERS_PER_CHANNEL,
  TASKMANAGER_NETWORK_MEMORY_MAX_OVERDRAFT_BUFFERS_PER_GATE,
  TASKMANAGER_NUMBER_OF_TASK_SLOTS,
} from '../../../src/config/options.js';
import { ALL_OPTIONS, OptionRegistry } from '../../../src/config/registry.js';

describe('the registered options', () => {
  it('are every option, sorted by key', () => {
    expect(ALL_OPTIONS.map((option) => option.key)).toEqual([
      'execution.buffer-timeout',
      'execution.checkpointing.externalized-checkpoint-retention',
      'execution.checkpointing.interval',
      'execution.checkpointing.min-pause',
      'execution.checkpointing.mode',
      'execution.checkpointing.timeout',
      'execution.checkpointing.tolerable-failed-checkpoints',
      'io.tmp.dirs',
      'jobmanager.execution.failover-strategy',
      'parallelism.default',
      'pipeline.auto-watermark-interval',
      'pipeline.max-parallelism',
      'pipeline.name',
      'pipeline.operator-chaining.enabled',
      'rest.address',
      'rest.allow-non-loopback',
      'rest.port',
      'restart-strategy.exponential-delay.attempts-before-reset-backoff',
      'restart-strategy.exponential-delay.backoff-multiplier',
      'restart-strategy.exponential-delay.initial-backoff',
      'restart-strategy.exponential-delay.jitter-factor',
      'restart-strategy.exponential-delay.max-backoff',
      'restart-strategy.exponential-delay.reset-backoff-threshold',
      'restart-strategy.failure-rate.delay',
      'restart-strategy.failure-rate.failure-rate-interval',
      'restart-strategy.failure-rate.max-failures-per-interval',
      'restart-strategy.fixed-delay.attempts',
      'restart-strategy.fixed-delay.delay',
      'restart-strategy.type',
      'state.backend.embedded.cache-entries',
      'state.backend.incremental',
      'state.backend.type',
      'state.checkpoints.dir',
      'state.checkpoints.num-retained',
      'state.savepoints.dir',
      'taskmanager.memory.segment-size',
      'taskmanager.network.memory.buffers-per-channel',
      'taskmanager.network.memory.max-overdraft-buffers-per-gate',
      'taskmanager.numberOfTaskSlots',
    ]);
  });

  it.each<[AnyConfigOption, string, string, string | number | boolean | undefined, string | undefined]>([
    [PARALLELISM_DEFAULT, 'parallelism.default', 'Integer', 1, '1'],
    [PIPELINE_MAX_PARALLELISM, 'pipeline.max-parallelism', 'Integer', -1, '-1'],
    [PIPELINE_OPERATOR_CHAINING_ENABLED, 'pipeline.operator-chaining.enabled', 'Boolean', true, 'true'],
    [PIPELINE_NAME, 'pipeline.name', 'String', undefined, undefined],
    [PIPELINE_AUTO_WATERMARK_INTERVAL, 'pipeline.auto-watermark-interval', 'Duration', 200, '200 ms'],
    [TASKMANAGER_MEMORY_SEGMENT_SIZE, 'taskmanager.memory.segment-size', 'Memory size', 32768, '32 KiB'],
    [TASKMANAGER_NETWORK_MEMORY_BUFFERS_PER_CHANNEL, 'taskmanager.network.memory.buffers-per-channel', 'Integer', 8, '8'],
    [TASKMANAGER_NETWORK_MEMORY_MAX_OVERDRAFT_BUFFERS_PER_GATE, 'taskmanager.network.memory.max-overdraft-buffers-per-gate', 'Integer', 1000, '1000'],
    [EXECUTION_BUFFER_TIMEOUT, 'execution.buffer-timeout', 'Duration', 100, '100 ms'],
  ])('%#: %s', (option, key, typeName, defaultValue, defaultText) => {
    expect(option.key).toBe(key);
    expect(option.type.name).toBe(typeName);
    expect(option.defaultValue()).toBe(defaultValue);
    expect(option.defaultText).toBe(defaultText);
    expect(option.defaultIsComputed).toBe(false);
    expect(option.secret).toBe(false);
  });

  it('default the number of task slots to the number of cores', () => {
    expect(TASKMANAGER_NUMBER_OF_TASK_SLOTS.defaultValue()).toBe(availableParallelism());
    expect(TASKMANAGER_NUMBER_OF_TASK_SLOTS.defaultText).toBe('number of cores');
    expect(TASKMANAGER_NUMBER_OF_TASK_SLOTS.defaultIsComputed).toBe(true);
  });

  it('enforce Flink’s bounds', () => {
    expect(PARALLELISM_DEFAULT.type.parse('0')).toBeUndefined();
    expect(PIPELINE_MAX_PARALLELISM.type.parse('32768')).toBe(32768);
    expect(PIPELINE_MAX_PARALLELISM.type.parse('32769')).toBeUndefined();
    expect(PIPELINE_MAX_PARALLELISM.type.parse('0')).toBeUndefined();
    expect(TASKMANAGER_NUMBER_OF_TASK_SLOTS.type.parse('0')).toBeUndefined();
    expect(TASKMANAGER_MEMORY_SEGMENT_SIZE.type.parse('4 KiB')).toBe(4096);
    expect(TASKMANAGER_MEMORY_SEGMENT_SIZE.type.parse('2 KiB')).toBeUndefined();
    expect(TASKMANAGER_NETWORK_MEMORY_BUFFERS_PER_CHANNEL.type.parse('0')).toBeUndefined();
    expect(TASKMANAGER_NETWORK_MEMORY_MAX_OVERDRAFT_BUFFERS_PER_GATE.type.parse('0')).toBe(0);
  });
});

describe('defineOption', () => {
  it('rejects a default the type does not accept', () => {
    const define = (): unknown => defineOption({ key: 'test.size', type: memoryType({ min: 4096 }), default: 1024, description: 'd' });
    expect(define).toThrow(FlinktsError);
    expect(define).toThrow("configuration option 'test.size': the default 1024 is not a memory size ≥ 4 KiB, such as '32 KiB' or '1 mb'");
    expect(() => defineOption({ key: 'test.count', type: integerType({ min: 1 }), default: 1.5, description: 'd' })).toThrow(
      "configuration option 'test.count': the default 1.5 is not an integer ≥ 1",
    );
  });

  it('formats the default for the docs', () => {
    expect(defineOption({ key: 'test.timeout', type: durationType(), default: 90_000, description: 'd' }).defaultText).toBe('90 s');
    expect(defineOption({ key: 'test.name', type: stringType(), description: 'd' }).defaultValue()).toBeUndefined();
  });
});

describe('OptionRegistry', () => {
  it('rejects two options with one key', () => {
    const a = defineOption({ key: 'test.key', type: stringType(), description: 'a' });
    const b = defineOption({ key: 'test.key', type: stringType(), description: 'b' });
    const error = (() => {
      try {
        new OptionRegistry([a, b]);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FlinktsError);
    expect((error as FlinktsError).code).toBe('INTERNAL');
    expect((error as FlinktsError).message).toBe("configuration option 'test.key' is declared twice");
  });

  it('knows an option by identity, not only by key', () => {
    const registry = new OptionRegistry([PARALLELISM_DEFAULT]);
    const lookalike = defineOption({ key: 'parallelism.default', type: integerType({ min: 1 }), default: 1, description: 'x' });
    expect(registry.find('parallelism.default')).toBe(PARALLELISM_DEFAULT);
    expect(registry.has(PARALLELISM_DEFAULT)).toBe(true);
    expect(registry.has(lookalike)).toBe(false);
    expect(registry.find('Parallelism.default')).toBeUndefined();
  });

  it('tells whether a key is continued by other keys', () => {
    expect(new OptionRegistry(ALL_OPTIONS).hasKeysUnder('taskmanager.memory')).toBe(true);
    expect(new OptionRegistry(ALL_OPTIONS).hasKeysUnder('taskmanager.mem')).toBe(false);
    expect(new OptionRegistry(ALL_OPTIONS).hasKeysUnder('pipeline.name')).toBe(false);
  });
});
