import { describe, expect, it } from 'vitest';
import { FlinktsError } from '../../../src/api/errors.js';
import { loadConfig } from '../../../src/config/index.js';
import type { ArtifactManifest } from '../../../src/client/artifact.js';
import { defaultJobName, environmentSettings } from '../../../src/client/settings.js';

const config = (...dynamicProperties: string[]) => loadConfig({ dynamicProperties });

describe('environmentSettings', () => {
  it('takes the defaults: parallelism 1, max parallelism derived, chaining on', () => {
    expect(environmentSettings(config())).toEqual({ defaultParallelism: 1, maxParallelism: undefined, chainingEnabled: true });
  });

  it('takes parallelism.default, pipeline.max-parallelism and chaining from the configuration', () => {
    const settings = environmentSettings(
      config('parallelism.default=3', 'pipeline.max-parallelism=64', 'pipeline.operator-chaining.enabled=false'),
    );
    expect(settings).toEqual({ defaultParallelism: 3, maxParallelism: 64, chainingEnabled: false });
  });

  it('lets -p override parallelism.default', () => {
    expect(environmentSettings(config('parallelism.default=3'), 5).defaultParallelism).toBe(5);
  });

  it('maps max parallelism -1 to undefined', () => {
    expect(environmentSettings(config('pipeline.max-parallelism=-1')).maxParallelism).toBeUndefined();
  });

  it.each([0, -2, 1.5])('rejects -p %s as a usage error', (p) => {
    const call = () => environmentSettings(config(), p);
    expect(call).toThrow(FlinktsError);
    expect(call).toThrow(`parallelism ${p}: must be a positive integer`);
  });
});

describe('defaultJobName', () => {
  const manifest = { jobName: 'stored-name' } as ArtifactManifest;
  const artifact = { manifest, jobGraph: {} as never };

  it("is the job file's base name without its extension", () => {
    expect(defaultJobName(config(), { sourcePath: 'examples/wordcount.ts' })).toBe('wordcount');
    expect(defaultJobName(config(), { sourcePath: '/a/b/my.job.mjs' })).toBe('my.job');
  });

  it('is the stored job name for an artifact', () => {
    expect(defaultJobName(config(), { sourcePath: 'job.tgz', artifact })).toBe('stored-name');
  });

  it('is pipeline.name when set, for sources and artifacts', () => {
    expect(defaultJobName(config('pipeline.name=nightly'), { sourcePath: 'examples/wordcount.ts' })).toBe('nightly');
    expect(defaultJobName(config('pipeline.name=nightly'), { sourcePath: 'job.tgz', artifact })).toBe('nightly');
  });
});
