/**
 * `defineJob`: the default export of every job module. The definition only
 * describes the dataflow; the runtime calls it once to plan the job and again
 * in every worker to obtain the user functions, so it must be deterministic.
 */
import type { StreamExecutionEnvironment } from './environment.js';
import { invalidArgument } from './errors.js';
import type { ParameterTool } from './parameter-tool.js';

/** Marks job definitions across copies of the package. */
const JOB_DEFINITION = Symbol.for('flinkts.JobDefinition');

/** Describes a job against the environment it is given. */
export type JobDefinitionFunction = (env: StreamExecutionEnvironment, params: ParameterTool) => void;

/** What `defineJob` returns. */
export interface JobDefinition {
  readonly [JOB_DEFINITION]: true;
  readonly define: JobDefinitionFunction;
}

/** Wraps a job's definition function; export the result as the module's default. */
export function defineJob(define: JobDefinitionFunction): JobDefinition {
  if (typeof define !== 'function') {
    invalidArgument('defineJob', 'expected a function (env, params) => { ... }');
  }
  return { [JOB_DEFINITION]: true, define };
}

/** Whether `value` was made with {@link defineJob}. */
export function isJobDefinition(value: unknown): value is JobDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[JOB_DEFINITION] === true &&
    typeof (value as JobDefinition).define === 'function'
  );
}
