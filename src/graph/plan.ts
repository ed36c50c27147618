/**
 * Runs a job definition against a recording environment and compiles what it
 * recorded: the plan mode of DESIGN §4.2, also used by every worker (task mode)
 * to obtain the user functions of the operators it hosts.
 */
import { StreamExecutionEnvironment, type EnvironmentSettings } from '../api/environment.js';
import { FlinktsError } from '../api/errors.js';
import type { JobDefinition } from '../api/job.js';
import { ParameterTool } from '../api/parameter-tool.js';
import { buildJobGraph, type JobGraph } from './job-graph.js';
import { buildStreamGraph, type StreamGraph } from './stream-graph.js';

/** A defined and compiled job. */
export interface PlannedJob {
  readonly environment: StreamExecutionEnvironment;
  readonly streamGraph: StreamGraph;
  readonly jobGraph: JobGraph;
}

/**
 * Defines the job with `args` and builds its graphs. Errors thrown by the
 * definition keep their code when they are flinkts errors and become
 * JOB_DEFINITION errors otherwise.
 */
export function planJob(definition: JobDefinition, settings: EnvironmentSettings, args: readonly string[], defaultJobName: string): PlannedJob {
  const environment = new StreamExecutionEnvironment(settings);
  try {
    definition.define(environment, ParameterTool.fromArgs(args));
  } catch (error) {
    if (error instanceof FlinktsError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new FlinktsError('JOB_DEFINITION', `the job definition threw: ${reason}`, { cause: error });
  }
  const streamGraph = buildStreamGraph(environment, defaultJobName);
  return { environment, streamGraph, jobGraph: buildJobGraph(streamGraph) };
}
