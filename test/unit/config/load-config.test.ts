import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { loadConfig, type LoadConfigOptions } from '../../../src/config/load.js';
import { defineOption } from '../../../src/config/option.js';
import { booleanType, integerType, stringType } from '../../../src/config/option-types.js';
import {
  EXECUTION_BUFFER_TIMEOUT,
  PARALLELISM_DEFAULT,
  PIPELINE_AUTO_WATERMARK_INTERVAL,
  PIPELINE_MAX_PARALLELISM,
  PIPELINE_NAME,
  PIPELINE_OPERATOR_CHAINING_ENABLED,
  TASKMANAGER_MEMORY_SEGMENT_SIZE,
  TASKMANAGER_NUMBER_OF_TASK_SLOTS,
} from '../../../src/config/options.js';
import { OptionRegistry } from '../../../src/config/registry.js';
import { localStateDir } from '../../../src/config/state-dir.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flinkts-config-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `lines` (joined with newlines) to a fixture file in the temp dir and returns its path. */
function fixture(name: string, ...lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The FlinktsError `loadConfig(options)` throws; fails the test when it does not throw one. */
function failure(options: LoadConfigOptions): FlinktsError {
  try {
    loadConfig(options);
  } catch (error) {
    if (error instanceof FlinktsError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig: sources and precedence', () => {
  it('gives every default when nothing is set', () => {
    const config = loadConfig();
    expect(config.toJSON()).toEqual({
      'execution.buffer-timeout': 100,
      'execution.checkpointing.externalized-checkpoint-retention': 'DELETE_ON_CANCELLATION',
      'execution.checkpointing.interval': null,
      'execution.checkpointing.min-pause': 0,
      'execution.checkpointing.mode': 'EXACTLY_ONCE',
      'execution.checkpointing.timeout': 600_000,
      'execution.checkpointing.tolerable-failed-checkpoints': 0,
      'io.tmp.dirs': tmpdir(),
      'jobmanager.execution.failover-strategy': 'region',
      'parallelism.default': 1,
      'pipeline.auto-watermark-interval': 200,
      'pipeline.max-parallelism': -1,
      'pipeline.name': null,
      'pipeline.operator-chaining.enabled': true,
      'rest.address': '127.0.0.1',
      'rest.allow-non-loopback': false,
      'rest.port': 0,
      // Flink's defaults of the restart strategies.
      'restart-strategy.exponential-delay.attempts-before-reset-backoff': 2_147_483_647,
      'restart-strategy.exponential-delay.backoff-multiplier': 1.5,
      'restart-strategy.exponential-delay.initial-backoff': 1000,
      'restart-strategy.exponential-delay.jitter-factor': 0.1,
      'restart-strategy.exponential-delay.max-backoff': 60_000,
      'restart-strategy.exponential-delay.reset-backoff-threshold': 3_600_000,
      'restart-strategy.failure-rate.delay': 1000,
      'restart-strategy.failure-rate.failure-rate-interval': 60_000,
      'restart-strategy.failure-rate.max-failures-per-interval': 1,
      'restart-strategy.fixed-delay.attempts': 1,
      'restart-strategy.fixed-delay.delay': 1000,
      'restart-strategy.type': null,
      'state.backend.embedded.cache-entries': 100_000,
      'state.backend.incremental': true,
      'state.backend.type': 'hashmap',
      'state.checkpoints.dir': join(localStateDir(), 'checkpoints'),
      'state.checkpoints.num-retained': 1,
      'state.savepoints.dir': null,
      'taskmanager.memory.segment-size': 32768,
      'taskmanager.network.memory.buffers-per-channel': 8,
      'taskmanager.network.memory.max-overdraft-buffers-per-gate': 1000,
      'taskmanager.numberOfTaskSlots': availableParallelism(),
    });
    expect(Object.keys(config.toJSON())).toEqual([...Object.keys(config.toJSON())].sort());
    expect(config.get(PIPELINE_NAME)).toBeUndefined();
    expect(config.isSet(PARALLELISM_DEFAULT)).toBe(false);
  });

  it('lets the file override defaults and -D override the file', () => {
    const file = fixture('precedence.yaml', 'parallelism.default: 2', 'taskmanager.numberOfTaskSlots: 3', 'pipeline.name: from-file');
    const config = loadConfig({ file, dynamicProperties: ['parallelism.default=5', 'execution.buffer-timeout=1 s'] });
    expect(config.get(PARALLELISM_DEFAULT)).toBe(5); // -D over file
    expect(config.get(TASKMANAGER_NUMBER_OF_TASK_SLOTS)).toBe(3); // file over default
    expect(config.get(PIPELINE_NAME)).toBe('from-file');
    expect(config.get(EXECUTION_BUFFER_TIMEOUT)).toBe(1000); // -D over default
    expect(config.get(PIPELINE_AUTO_WATERMARK_INTERVAL)).toBe(200); // default
    expect(config.isSet(PARALLELISM_DEFAULT)).toBe(true);
    expect(config.isSet(EXECUTION_BUFFER_TIMEOUT)).toBe(true);
    expect(config.isSet(PIPELINE_AUTO_WATERMARK_INTERVAL)).toBe(false);
  });

  it('counts an option set to its default value as set', () => {
    expect(loadConfig({ dynamicProperties: ['parallelism.default=1'] }).isSet(PARALLELISM_DEFAULT)).toBe(true);
  });

  it('lets the last -D for a key win', () => {
    const config = loadConfig({ dynamicProperties: ['parallelism.default=2', 'parallelism.default=7'] });
    expect(config.get(PARALLELISM_DEFAULT)).toBe(7);
  });

  it('splits -D at the first = and keeps the rest of the value as written', () => {
    const config = loadConfig({ dynamicProperties: ['pipeline.name=a=b ', ' parallelism.default = 3'] });
    expect(config.get(PIPELINE_NAME)).toBe('a=b ');
    expect(config.get(PARALLELISM_DEFAULT)).toBe(3);
    expect(loadConfig({ dynamicProperties: ['pipeline.name='] }).get(PIPELINE_NAME)).toBe('');
  });

  it('reads every value type from -D', () => {
    const config = loadConfig({
      dynamicProperties: [
        'pipeline.operator-chaining.enabled=false',
        'pipeline.auto-watermark-interval=2min',
        'taskmanager.memory.segment-size=64 m',
        'pipeline.max-parallelism=256',
      ],
    });
    expect(config.get(PIPELINE_OPERATOR_CHAINING_ENABLED)).toBe(false);
    expect(config.get(PIPELINE_AUTO_WATERMARK_INTERVAL)).toBe(120_000);
    expect(config.get(TASKMANAGER_MEMORY_SEGMENT_SIZE)).toBe(64 * 1024 * 1024);
    expect(config.get(PIPELINE_MAX_PARALLELISM)).toBe(256);
  });
});

describe('loadConfig: the YAML file', () => {
  it('reads nested maps and flat dotted keys alike, mixed', () => {
    const flat = fixture(
      'flat.yaml',
      'parallelism.default: 4',
      'taskmanager.numberOfTaskSlots: 2',
      'taskmanager.memory.segment-size: 64kb',
      'pipeline.operator-chaining.enabled: false',
    );
    const nested = fixture(
      'nested.yaml',
      'parallelism:',
      '  default: 4',
      'taskmanager:',
      '  numberOfTaskSlots: 2',
      '  memory:',
      '    segment-size: 64 KiB',
      'pipeline: { operator-chaining.enabled: false }',
    );
    const mixed = fixture(
      'mixed.yaml',
      '# comments are fine',
      'parallelism.default: 4',
      'taskmanager:',
      '  numberOfTaskSlots: 2',
      '  memory.segment-size: 65536',
      'pipeline.operator-chaining:',
      '  enabled: false',
    );
    const expected = loadConfig({ file: flat }).toJSON();
    expect(expected['taskmanager.numberOfTaskSlots']).toBe(2);
    expect(expected['taskmanager.memory.segment-size']).toBe(65536);
    expect(expected['pipeline.operator-chaining.enabled']).toBe(false);
    expect(expected['parallelism.default']).toBe(4);
    expect(loadConfig({ file: nested }).toJSON()).toEqual(expected);
    expect(loadConfig({ file: mixed }).toJSON()).toEqual(expected);
  });

  it('reads scalars as written: quoted numbers, bare durations, aliases', () => {
    const file = fixture(
      'scalars.yaml',
      "parallelism.default: '3'",
      'execution.buffer-timeout: 50',
      'pipeline.auto-watermark-interval: 1 s',
      'pipeline.name: "job: \\"quoted\\""',
      'pipeline.max-parallelism: &max 512',
      'taskmanager.numberOfTaskSlots: 8',
      'taskmanager.network.memory.max-overdraft-buffers-per-gate: *max',
    );
    const config = loadConfig({ file });
    expect(config.toJSON()).toMatchObject({
      'parallelism.default': 3,
      'execution.buffer-timeout': 50,
      'pipeline.auto-watermark-interval': 1000,
      'pipeline.name': 'job: "quoted"',
      'pipeline.max-parallelism': 512,
      'taskmanager.network.memory.max-overdraft-buffers-per-gate': 512,
    });
  });

  it('flattens a map under an option key that other keys continue', () => {
    const BACKEND = defineOption({ key: 'state.backend', type: stringType(), default: 'hashmap', description: 'b' });
    const INCREMENTAL = defineOption({ key: 'state.backend.incremental', type: booleanType(), default: false, description: 'i' });
    const registry = new OptionRegistry([BACKEND, INCREMENTAL]);
    const map = loadConfig({ registry, file: fixture('continued.yaml', 'state.backend:', '  incremental: true') });
    expect(map.get(INCREMENTAL)).toBe(true);
    expect(map.isSet(BACKEND)).toBe(false);
    const both = loadConfig({ registry, file: fixture('continued-both.yaml', 'state:', '  backend: disk', '  backend.incremental: true') });
    expect(both.toJSON()).toEqual({ 'state.backend': 'disk', 'state.backend.incremental': true });
  });

  it('treats an empty file as setting nothing', () => {
    const file = fixture('empty.yaml', '# nothing here');
    expect(loadConfig({ file }).toJSON()).toEqual(loadConfig().toJSON());
  });
});

describe('loadConfig: errors in the file', () => {
  it.each<[string, string[], string, string | undefined]>([
    [
      'an unknown flat key',
      ['parallelism.default: 2', 'taskmanager:', '  numberOfTaskSlots: 2', 'taskmanager.numberOfTaskSlot: 3'],
      "%F:4:1: unknown configuration key 'taskmanager.numberOfTaskSlot'",
      "did you mean 'taskmanager.numberOfTaskSlots'?",
    ],
    [
      'an unknown nested key',
      ['taskmanager:', '  numberOfTaskSlot: 2'],
      "%F:2:3: unknown configuration key 'taskmanager.numberOfTaskSlot'",
      "did you mean 'taskmanager.numberOfTaskSlots'?",
    ],
    ['an unknown key with no close match', ['state.backend: rocksdb'], "%F:1:1: unknown configuration key 'state.backend'", 'docs/configuration.md lists every option'],
    [
      'a bad flat value',
      ['parallelism.default: 2', 'pipeline.max-parallelism: 40000'],
      '%F:2:27: pipeline.max-parallelism: expected -1 or an integer from 1 to 32768',
      undefined,
    ],
    ['a bad nested value', ['pipeline:', '  max-parallelism: abc'], '%F:2:20: pipeline.max-parallelism: expected -1 or an integer from 1 to 32768', undefined],
    [
      'a bad duration',
      ['execution.buffer-timeout: 1.5 s'],
      "%F:1:27: execution.buffer-timeout: expected a duration such as '100 ms', '1 s' or '2 min'",
      'units: ms, s, min, h, d; a bare number means milliseconds',
    ],
    ['a YAML boolean spelt the YAML 1.1 way', ['pipeline.operator-chaining.enabled: yes'], '%F:1:37: pipeline.operator-chaining.enabled: expected true or false', undefined],
    ['a list where a value belongs', ['pipeline.name:', '  - a', '  - b'], '%F:2:3: pipeline.name: expected a string, got a list', undefined],
    ['a map under an option key', ['parallelism.default:', '  value: 3'], '%F:2:3: parallelism.default: expected an integer ≥ 1, got a map', undefined],
    ['a flow list', ['parallelism.default: [1, 2]'], '%F:1:22: parallelism.default: expected an integer ≥ 1, got a list', undefined],
    ['an empty value', ['pipeline.name:'], '%F:1:1: pipeline.name: expected a string, got nothing', 'give a value, or remove the line to keep the default'],
    ['a null value', ['parallelism.default: null'], '%F:1:1: parallelism.default: expected an integer ≥ 1, got nothing', 'give a value, or remove the line to keep the default'],
    [
      'a top level that is a list',
      ['- parallelism.default: 2'],
      '%F:1:1: expected a map of configuration keys at the top level, got a list',
      'write one "key: value" per line, e.g. "parallelism.default: 4"',
    ],
    [
      'a top level that is a single value',
      ['', 'parallelism.default=2'],
      '%F:2:1: expected a map of configuration keys at the top level, got a single value',
      'write one "key: value" per line, e.g. "parallelism.default: 4"',
    ],
    ['a YAML syntax error', ['parallelism.default: 2', 'taskmanager:', '  numberOfTaskSlots: 2: 3'], '%F:3:22: Nested mappings are not allowed in compact mappings', undefined],
    ['an unclosed quote', ['pipeline.name: "abc', 'parallelism.default: 2'], '%F:3:1: Missing closing "quote', undefined],
    ['a key repeated in one map', ['parallelism.default: 2', 'parallelism.default: 3'], '%F:2:1: Map keys must be unique', undefined],
    [
      'a key set both flat and nested',
      ['taskmanager.numberOfTaskSlots: 2', 'taskmanager:', '  numberOfTaskSlots: 3'],
      '%F:3:3: taskmanager.numberOfTaskSlots: set twice in the file (first at %F:1:1)',
      'keep one of the two',
    ],
    ['a key that is not text', ['[a, b]: 1'], '%F:1:1: configuration keys must be plain text, got a list', undefined],
  ])('%s', (name, lines, message, hint) => {
    const file = fixture(`${name.replace(/\W+/g, '-')}.yaml`, ...lines);
    const error = failure({ file });
    expect(error.code).toBe('CONFIG');
    expect(error.message).toBe(message.replaceAll('%F', file));
    expect(error.hint).toBe(hint);
  });

  it('names a missing file', () => {
    const file = join(dir, 'missing.yaml');
    const error = failure({ file });
    expect(error.code).toBe('CONFIG');
    expect(error.message).toBe(`config file '${file}': no such file`);
    expect(error.hint).toBe('check the path given with --config');
  });

  it('names a directory given as the file', () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    const error = failure({ file: sub });
    expect(error.code).toBe('CONFIG');
    expect(error.message).toBe(`config file '${sub}': is a directory`);
  });

  it('checks the file before -D', () => {
    const file = fixture('bad-and-d.yaml', 'parallelism.default: 0');
    expect(failure({ file, dynamicProperties: ['parallelism.default=2'] }).message).toBe(`${file}:1:22: parallelism.default: expected an integer ≥ 1`);
  });
});

describe('loadConfig: errors in -D', () => {
  it.each(['foo', '=1', ' =1', ''])('rejects %j as a usage error', (property) => {
    const error = failure({ dynamicProperties: [property] });
    expect(error.code).toBe('USAGE');
    expect(error.message).toBe(`-D '${property}': expected key=value`);
    expect(error.hint).toBe('e.g. -D parallelism.default=4');
  });

  it.each<[string, string, string | undefined]>([
    ['parallelism.default=abc', '-D parallelism.default=abc: expected an integer ≥ 1', undefined],
    ['parallelism.default=0', '-D parallelism.default=0: expected an integer ≥ 1', undefined],
    ['pipeline.max-parallelism=0', '-D pipeline.max-parallelism=0: expected -1 or an integer from 1 to 32768', undefined],
    ['pipeline.operator-chaining.enabled=1', '-D pipeline.operator-chaining.enabled=1: expected true or false', undefined],
    [
      'taskmanager.memory.segment-size=1kb',
      "-D taskmanager.memory.segment-size=1kb: expected a memory size ≥ 4 KiB, such as '32 KiB' or '1 mb'",
      'units: b, kb (= KiB), mb (= MiB), gb (= GiB), tb (= TiB), all powers of 1024; a bare number means bytes',
    ],
    ['taskmanager.numberOfTaskSlot=2', "-D taskmanager.numberOfTaskSlot=2: unknown configuration key 'taskmanager.numberOfTaskSlot'", "did you mean 'taskmanager.numberOfTaskSlots'?"],
    ['numberOfTaskSlots=2', "-D numberOfTaskSlots=2: unknown configuration key 'numberOfTaskSlots'", "did you mean 'taskmanager.numberOfTaskSlots'?"],
    ['web.port=8081', "-D web.port=8081: unknown configuration key 'web.port'", 'docs/configuration.md lists every option'],
  ])('%s', (property, message, hint) => {
    const error = failure({ dynamicProperties: [property] });
    expect(error.code).toBe('CONFIG');
    expect(error.message).toBe(message);
    expect(error.hint).toBe(hint);
  });
});

describe('secret options', () => {
  const TOKEN = defineOption({ key: 'security.token', type: stringType(), description: 'A token.', secret: true });
  const PIN = defineOption({ key: 'security.pin', type: integerType({ min: 0 }), default: 0, description: 'A PIN.', secret: true });
  const OTHER = defineOption({ key: 'security.other', type: stringType(), description: 'Not secret.' });
  const registry = new OptionRegistry([TOKEN, PIN, OTHER]);

  it('are redacted in toJSON but readable with get', () => {
    const config = loadConfig({ registry, dynamicProperties: ['security.token=s3cr3t', 'security.other=visible'] });
    expect(config.get(TOKEN)).toBe('s3cr3t');
    expect(config.toJSON()).toEqual({ 'security.other': 'visible', 'security.pin': '******', 'security.token': '******' });
    expect(JSON.stringify(config)).not.toContain('s3cr3t');
  });

  it('show null, not a mask, when unset without default', () => {
    expect(loadConfig({ registry }).toJSON()['security.token']).toBeNull();
  });

  it('are redacted in error messages about their value', () => {
    expect(failure({ registry, dynamicProperties: ['security.pin=12ab'] }).message).toBe('-D security.pin=******: expected an integer ≥ 0');
    expect(failure({ registry, dynamicProperties: ['security.tokn=s3cr3t'] }).message).toBe(
      "-D security.tokn=******: unknown configuration key 'security.tokn'",
    );
    expect(failure({ registry, dynamicProperties: ['security.othr=plain'] }).message).toBe(
      "-D security.othr=plain: unknown configuration key 'security.othr'",
    );
  });

  it('are documented as secret', async () => {
    const { renderConfigurationMarkdown } = await import('../../../src/config/docs.js');
    expect(renderConfigurationMarkdown(registry.options)).toContain('| `security.token` | String | (none) | A token. Secret: shown as `******`. |');
  });
});

describe('FlinktsConfig.get', () => {
  it('refuses an option that is not in its registry', () => {
    const stray = defineOption({ key: 'parallelism.default', type: integerType({ min: 1 }), default: 1, description: 'a copy' });
    const config = loadConfig();
    expect(() => config.get(stray)).toThrow("configuration option 'parallelism.default' is not in the registry this configuration was loaded with");
    expect(() => config.isSet(stray)).toThrow(FlinktsError);
  });
});
