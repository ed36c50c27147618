import { describe, expect, it } from 'vitest';
import type { JobBuildContext } from '../../../../src/api/sink.js';
import type { Source } from '../../../../src/api/source.js';
import { RMQConnectionConfig } from '../../../../src/connectors/rabbitmq/connection-config.js';
import { effectiveGuarantee, RMQSource, type RMQDeliveryGuarantee } from '../../../../src/connectors/rabbitmq/rmq-source.js';
import { RMQDeserializationSchema } from '../../../../src/connectors/rabbitmq/schemas.js';

const config = RMQConnectionConfig.builder().setHost('127.0.0.1').setUserName('guest').setPassword('guest').build();

function source(usesCorrelationId: boolean, deliveryGuarantee?: RMQDeliveryGuarantee): RMQSource<string> {
  return new RMQSource(config, 'orders', usesCorrelationId, RMQDeserializationSchema.string(), deliveryGuarantee === undefined ? {} : { deliveryGuarantee });
}

function job(overrides: Partial<JobBuildContext> = {}): JobBuildContext {
  return { parallelism: 1, checkpointingEnabled: true, checkpointingMode: 'EXACTLY_ONCE', checkpointIntervalMs: 1000, operatorName: 'Source: orders', ...overrides };
}

const EO = "RMQSource 'orders' (operator 'Source: orders'): exactly-once needs checkpointing in EXACTLY_ONCE mode, correlation ids and parallelism 1, but ";

describe('RMQSource delivery guarantee (as Flink: checkpointing and correlation ids decide)', () => {
  it.each([
    [undefined, true, true, 'EXACTLY_ONCE'],
    [undefined, true, false, 'EXACTLY_ONCE'],
    [undefined, false, true, 'AT_LEAST_ONCE'],
    [undefined, false, false, 'NONE'],
    ['AT_LEAST_ONCE', true, true, 'AT_LEAST_ONCE'],
    ['NONE', false, true, 'NONE'],
    ['EXACTLY_ONCE', false, true, 'EXACTLY_ONCE'],
  ] as const)('requested %s, correlation ids %s, checkpointing %s: %s', (requested, ids, checkpointing, expected) => {
    expect(effectiveGuarantee(requested, ids, checkpointing)).toBe(expected);
  });
});

describe('Q2: RMQSource.validate refuses exactly-once settings that cannot hold, naming each failed condition', () => {
  it('accepts exactly-once with checkpointing (EXACTLY_ONCE), correlation ids and parallelism 1', () => {
    expect(() => source(true).validate(job())).not.toThrow();
    expect(() => source(true, 'EXACTLY_ONCE').validate(job())).not.toThrow();
  });

  it.each([
    ['no correlation ids (asked for EXACTLY_ONCE)', source(false, 'EXACTLY_ONCE'), job(), 'usesCorrelationId is false'],
    ['parallelism 4', source(true), job({ parallelism: 4 }), 'its parallelism is 4'],
    ['no checkpointing', source(true), job({ checkpointingEnabled: false }), 'checkpointing is disabled'],
    ['AT_LEAST_ONCE checkpointing', source(true), job({ checkpointingMode: 'AT_LEAST_ONCE' }), 'the checkpointing mode is AT_LEAST_ONCE'],
    ['everything', source(false, 'EXACTLY_ONCE'), job({ checkpointingEnabled: false, parallelism: 2 }), 'checkpointing is disabled, usesCorrelationId is false, its parallelism is 2'],
  ])('%s', (_name, s, j, failed) => {
    expect(() => s.validate(j)).toThrow(expect.objectContaining({ code: 'CONFIG', message: EO + failed }));
  });

  it('says why exactly-once was asked for in the hint', () => {
    expect(() => source(true).validate(job({ parallelism: 2 }))).toThrow(expect.objectContaining({ hint: expect.stringMatching(/^usesCorrelationId = true asks for exactly-once; /) }));
    expect(() => source(false, 'EXACTLY_ONCE').validate(job())).toThrow(expect.objectContaining({ hint: expect.stringMatching(/^deliveryGuarantee is EXACTLY_ONCE; /) }));
  });

  it('at-least-once runs at any parallelism, but needs checkpointing when asked for explicitly', () => {
    expect(() => source(false).validate(job({ parallelism: 8 }))).not.toThrow();
    expect(() => source(true, 'AT_LEAST_ONCE').validate(job({ parallelism: 8, checkpointingMode: 'AT_LEAST_ONCE' }))).not.toThrow();
    expect(() => source(false, 'AT_LEAST_ONCE').validate(job({ checkpointingEnabled: false }))).toThrow(
      expect.objectContaining({ code: 'CONFIG', message: "RMQSource 'orders' (operator 'Source: orders'): at-least-once needs checkpointing, but checkpointing is disabled" }),
    );
  });

  it('no guarantee (no checkpointing, no correlation ids, or NONE asked for) is accepted at any parallelism', () => {
    expect(() => source(false).validate(job({ checkpointingEnabled: false, parallelism: 3 }))).not.toThrow();
    expect(() => source(true, 'NONE').validate(job({ checkpointingEnabled: false, parallelism: 3 }))).not.toThrow();
  });

  it('leaves the parallelism to the job (no silent clamp to 1)', () => {
    expect((source(true) as Source<string>).maxSourceParallelism).toBeUndefined();
  });
});

describe('RMQSource constructor', () => {
  it.each([
    [() => new RMQSource(config, '', false, RMQDeserializationSchema.string()), "new RMQSource(..., '', ...): expected a queue name"],
    [() => new RMQSource({} as RMQConnectionConfig, 'q', false, RMQDeserializationSchema.string()), "new RMQSource(..., 'q', ...): expected an RMQConnectionConfig (RMQConnectionConfig.builder()...build())"],
    [() => new RMQSource(config, 'q', 'yes' as unknown as boolean, RMQDeserializationSchema.string()), "new RMQSource(..., 'q', ...): usesCorrelationId must be true or false"],
    [() => new RMQSource(config, 'q', false, {} as never), "new RMQSource(..., 'q', ...): expected a deserializer (RMQDeserializationSchema.string(), .json(), .of(fn)) or a function (body, message) => record"],
    [() => new RMQSource(config, 'q', false, RMQDeserializationSchema.string(), { deliveryGuarantee: 'ONCE' as never }), "new RMQSource(..., 'q', ...): deliveryGuarantee must be one of EXACTLY_ONCE, AT_LEAST_ONCE, NONE"],
  ])('refuses wrong arguments: %#', (create, message) => {
    expect(create).toThrow(expect.objectContaining({ code: 'USAGE', message }));
  });

  it('takes a plain function as the deserializer', () => {
    const s = new RMQSource(config, 'q', false, (body: Buffer) => body.length);
    expect(s.deserializer.deserialize({ body: Buffer.from('abc') } as never)).toBe(3);
  });
});
