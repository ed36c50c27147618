/**
 * Parallelism and max parallelism resolution, and the errors of unrunnable
 * graphs. Max parallelism defaults follow Flink's
 * `KeyGroupRangeAssignment.computeDefaultMaxParallelism`:
 * `min(max(roundUpToPowerOfTwo(p + p / 2), 128), 32768)` with integer division.
 */
import { describe, expect, it } from 'vitest';
import type { StreamExecutionEnvironment } from '../../../src/index.js';
import { computeDefaultMaxParallelism } from '../../../src/graph/key-groups.js';
import { identity, jobGraphOf, plan, shapeOf } from './helpers.js';

describe('computeDefaultMaxParallelism', () => {
  // p + floor(p/2), rounded up to a power of two, clamped to [128, 32768]:
  it.each([
    [1, 128], // 1 -> 1 -> 128
    [2, 128], // 3 -> 4 -> 128
    [85, 128], // 127 -> 128
    [86, 256], // 129 -> 256
    [100, 256], // 150 -> 256
    [171, 256], // 256 -> 256 (already a power of two)
    [172, 512], // 258 -> 512
    [200, 512], // 300 -> 512
    [1000, 2048], // 1500 -> 2048
    [10000, 16384], // 15000 -> 16384
    [21845, 32768], // 32767 -> 32768
    [21846, 32768], // 32769 -> 65536, clamped
    [32768, 32768], // 49152 -> 65536, clamped
  ])('p=%i gives %i', (parallelism, expected) => {
    expect(computeDefaultMaxParallelism(parallelism)).toBe(expected);
  });
});

describe('parallelism resolution', () => {
  it('operators take the default parallelism of the settings (-p)', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).map(identity).disableChaining().print();
    }, { defaultParallelism: 3 });
    expect(graph.vertices.map((v) => [v.parallelism, v.maxParallelism])).toEqual([
      [3, 128],
      [3, 128],
      [3, 128],
    ]);
  });

  it('env.setParallelism overrides the settings; setParallelism on an operator or sink overrides both', () => {
    const graph = jobGraphOf((env) => {
      env.setParallelism(4);
      env.fromSequence(1, 10).map(identity).setParallelism(6).print().setParallelism(1);
    }, { defaultParallelism: 3 });
    expect(shapeOf(graph).vertices.map((v) => [v.name, v.parallelism])).toEqual([
      ['Source: Sequence Source', 4],
      ['Map', 6],
      ['Sink: Print to Std. Out', 1],
    ]);
  });

  it('non-parallel sources run with parallelism 1 whatever the default', () => {
    const graph = jobGraphOf((env) => {
      env.fromElements('a').print();
      env.socketTextStream('localhost', 9999).print().name('socket');
    }, { defaultParallelism: 8 });
    expect(shapeOf(graph).vertices.map((v) => [v.name, v.parallelism])).toEqual([
      ['Source: Collection Source', 1],
      ['Sink: Print to Std. Out', 8],
      ['Source: Socket Stream', 1],
      ['Sink: socket', 8],
    ]);
  });

  it('a non-parallel source refuses setParallelism(2)', () => {
    expect(() =>
      plan((env) => {
        env.fromElements(1, 2).setParallelism(2).print();
      }),
    ).toThrow(expect.objectContaining({ code: 'JOB_DEFINITION', message: "setParallelism(2) on 'Collection Source': the parallelism of this non-parallel source must be 1" }));
  });

  it('derives the max parallelism of each vertex from its own parallelism when none is set', () => {
    const graph = jobGraphOf((env) => {
      env.fromSequence(1, 10).setParallelism(100).map(identity).setParallelism(200).print().setParallelism(86);
    });
    expect(graph.vertices.map((v) => [v.parallelism, v.maxParallelism])).toEqual([
      [100, 256],
      [200, 512],
      [86, 256],
    ]);
  });

  it('env.setMaxParallelism and the settings set every max parallelism; an operator may override it', () => {
    const define = (env: StreamExecutionEnvironment): void => {
      env.fromSequence(1, 10).map(identity).setMaxParallelism(1000).disableChaining().print();
    };
    expect(jobGraphOf(define, { defaultParallelism: 2, maxParallelism: 64 }).vertices.map((v) => v.maxParallelism)).toEqual([64, 1000, 64]);
    expect(
      jobGraphOf((env) => {
        env.setMaxParallelism(4096);
        define(env);
      }, { defaultParallelism: 2, maxParallelism: 64 }).vertices.map((v) => v.maxParallelism),
    ).toEqual([4096, 1000, 4096]);
  });

  it('a parallelism above the max parallelism is an INVALID_GRAPH error', () => {
    expect(() =>
      plan((env) => {
        env.setMaxParallelism(4);
        env.fromSequence(1, 10).map(identity).setParallelism(8).print().setParallelism(2);
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_GRAPH', message: "operator 'Map': parallelism 8 exceeds its max parallelism 4" }));
    expect(() =>
      plan((env) => {
        env.fromSequence(1, 10).print().setParallelism(10).setMaxParallelism(5);
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_GRAPH', message: "operator 'Sink: Print to Std. Out': parallelism 10 exceeds its max parallelism 5" }));
  });
});

describe('unrunnable jobs', () => {
  it('a job without a sink is an INVALID_GRAPH error', () => {
    expect(() =>
      plan((env) => {
        env.fromSequence(1, 10).map(identity);
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_GRAPH', message: 'the job defines no sink, so it would compute nothing' }));
    expect(() => plan(() => {})).toThrow(expect.objectContaining({ code: 'INVALID_GRAPH' }));
  });

  it('a uid used twice is an INVALID_GRAPH error naming both operators', () => {
    expect(() =>
      plan((env) => {
        env.fromSequence(1, 10).map(identity).uid('dup').filter(() => true).uid('dup').print();
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_GRAPH', message: "uid 'dup' is used by both 'Map' and 'Filter'; uids must be unique" }));
  });

  it('a definition that throws becomes a JOB_DEFINITION error; flinkts errors keep their code', () => {
    expect(() =>
      plan(() => {
        throw new Error('boom');
      }),
    ).toThrow(expect.objectContaining({ code: 'JOB_DEFINITION', message: 'the job definition threw: boom' }));
    expect(() =>
      plan((env) => {
        env.setParallelism(0);
      }),
    ).toThrow(expect.objectContaining({ code: 'JOB_DEFINITION', message: 'env.setParallelism(0): the parallelism must be a positive integer' }));
  });

  it('names the job after env.execute(name), else after the default name', () => {
    expect(plan((env) => {
      env.fromSequence(1, 2).print();
      env.execute('My Job');
    }).jobGraph.jobName).toBe('My Job');
    expect(plan((env) => {
      env.fromSequence(1, 2).print();
    }, undefined, 'job-file').jobGraph.jobName).toBe('job-file');
  });
});
