/**
 * What the client decides before a job definition runs: the environment
 * settings from the configuration and the `-p` flag, and the job's default
 * name. `describeJob`, `compileJob` and `runJob` all go through here, so a job
 * gets the same plan whichever command plans it.
 */
import { basename, extname } from 'node:path';
import type { EnvironmentSettings } from '../api/environment.js';
import { FlinktsError } from '../api/errors.js';
import {
  EXECUTION_CHECKPOINTING_INTERVAL,
  EXECUTION_CHECKPOINTING_MODE,
  PARALLELISM_DEFAULT,
  PIPELINE_MAX_PARALLELISM,
  PIPELINE_NAME,
  PIPELINE_OPERATOR_CHAINING_ENABLED,
  type FlinktsConfig,
} from '../config/index.js';
import type { LoadedJob } from './load-job.js';

/**
 * The environment settings of a job: `parallelism` (the `-p` flag) overrides
 * `parallelism.default`; `pipeline.max-parallelism` -1 leaves the max
 * parallelism to be derived per operator; chaining from
 * `pipeline.operator-chaining.enabled`.
 *
 * @throws FlinktsError USAGE when `parallelism` is not a positive integer.
 */
export function environmentSettings(config: FlinktsConfig, parallelism?: number): EnvironmentSettings {
  if (parallelism !== undefined && (!Number.isInteger(parallelism) || parallelism < 1)) {
    throw new FlinktsError('USAGE', `parallelism ${parallelism}: must be a positive integer`, { hint: 'e.g. -p 4' });
  }
  const maxParallelism = config.get(PIPELINE_MAX_PARALLELISM);
  const checkpointInterval = config.get(EXECUTION_CHECKPOINTING_INTERVAL);
  return {
    defaultParallelism: parallelism ?? config.get(PARALLELISM_DEFAULT),
    maxParallelism: maxParallelism === -1 ? undefined : maxParallelism,
    chainingEnabled: config.get(PIPELINE_OPERATOR_CHAINING_ENABLED),
    ...(checkpointInterval !== undefined && { configuredCheckpointing: { intervalMs: checkpointInterval, mode: config.get(EXECUTION_CHECKPOINTING_MODE) } }),
  };
}

/**
 * The name of a job that does not name itself (`env.execute(name)`):
 * `pipeline.name`, else the name stored in the artifact, else the job file's
 * base name without its extension (`wordcount` for `examples/wordcount.ts`).
 */
export function defaultJobName(config: FlinktsConfig, job: Pick<LoadedJob, 'sourcePath' | 'artifact'>): string {
  const configured = config.get(PIPELINE_NAME);
  if (configured !== undefined && configured !== '') return configured;
  if (job.artifact !== undefined) return job.artifact.manifest.jobName;
  return basename(job.sourcePath, extname(job.sourcePath));
}
