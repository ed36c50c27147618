/**
 * The client API (`flinkts/client`): what the CLI does, callable from code
 * and tests — run a job on a target, describe its plan, compile it into an
 * artifact, scaffold a project.
 *
 * @example
 * import { runJob } from 'flinkts/client';
 * const result = await runJob({ job: 'src/job.ts', args: ['--count', '10'], parallelism: 2 });
 * if (result.status !== 'FINISHED') throw new Error(result.error?.message);
 */
export {
  runJob,
  type RunOptions,
  type RunResult,
  type JobProgress,
  type JobFailure,
  type JobStatus,
  type VertexSummary,
} from './run.js';
export { describeJob, type DescribeOptions, type JobDescription } from './info.js';
export { compileJob, type CompileOptions, type CompileResult } from './compile.js';
export { loadJob, packageRoot, isArtifactPath, type LoadedJob } from './load-job.js';
export { prepareJob, type JobRequest, type PreparedJob } from './prepare.js';
export { environmentSettings, defaultJobName } from './settings.js';
export { createProject, PROJECT_TEMPLATES, type NewProjectOptions, type NewProjectResult, type ProjectTemplate } from './new-project.js';
export { resolveTarget, SUPPORTED_TARGETS, type Target } from './targets.js';
export {
  ARTIFACT_FORMAT,
  ARTIFACT_VERSION,
  readArtifact,
  type ArtifactManifest,
} from './artifact.js';
