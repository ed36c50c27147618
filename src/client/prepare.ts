/**
 * The steps every client operation on a job shares (DESIGN §4.1–2): load the
 * configuration, load the job (bundle or artifact), decide the settings and
 * plan it. `describeJob`, `compileJob` and `runJob` build on this.
 */
// Registers the built-in connectors with this copy of the API, which plans the job
// (the bundle's own `import 'flinkts'` registers them with the copy it resolves to).
import '../connectors/builtins.js';
import type { EnvironmentSettings } from '../api/environment.js';
import { loadConfig, type FlinktsConfig } from '../config/index.js';
import type { JobGraph } from '../graph/job-graph.js';
import { planJob } from '../graph/plan.js';
import { isFlinktsError, prefixError } from './flinkts-error.js';
import { loadJob, type LoadedJob } from './load-job.js';
import { defaultJobName, environmentSettings } from './settings.js';

/** Which job, with which arguments and overrides. */
export interface JobRequest {
  /** Path of a `.ts`, `.mts`, `.js`, `.mjs` job file or a `.tgz` artifact. */
  readonly job: string;
  /** Job arguments (after `--`). For an artifact, none means the arguments it was compiled with. */
  readonly args?: readonly string[];
  /** `-p`; overrides `parallelism.default`. */
  readonly parallelism?: number;
  /** Raw `-D key=value` values. */
  readonly dynamicProperties?: readonly string[];
  /** `--config` file. */
  readonly configFile?: string;
}

/** A loaded and planned job. Call {@link PreparedJob.dispose} when done. */
export interface PreparedJob {
  readonly config: FlinktsConfig;
  readonly job: LoadedJob;
  /** The settings the plan was made with; tasks must re-run the definition with the same ones. */
  readonly settings: EnvironmentSettings;
  /** The job arguments the plan was made with; tasks must re-run the definition with the same ones. */
  readonly args: readonly string[];
  /** The name given when the job does not name itself. */
  readonly defaultJobName: string;
  readonly jobGraph: JobGraph;
  /** True when `jobGraph` is the artifact's stored plan (an artifact without overrides). */
  readonly storedPlan: boolean;
  /** Removes the job's temp directory. */
  dispose(): Promise<void>;
}

/**
 * Loads the configuration and the job, and plans it. An artifact given no
 * `-p`, `-D`, `--config` or job arguments keeps its stored plan, settings
 * and arguments; otherwise the plan is made again from its `job.mjs` (with
 * its stored arguments when none are given).
 *
 * @throws FlinktsError from the configuration (CONFIG, USAGE), from loading
 *   (JOB_FILE, JOB_COMPILE, INVALID_ARTIFACT, JOB_DEFINITION) and from
 *   planning (JOB_DEFINITION, INVALID_GRAPH, USAGE), the latter two with the
 *   job file prefixed to the message.
 */
export async function prepareJob(request: JobRequest): Promise<PreparedJob> {
  const config = loadConfig({
    ...(request.configFile === undefined ? {} : { file: request.configFile }),
    dynamicProperties: request.dynamicProperties ?? [],
  });
  const settingsFromFlags = environmentSettings(config, request.parallelism);
  const job = await loadJob(request.job);
  try {
    const name = defaultJobName(config, job);
    const artifact = job.artifact;
    if (artifact !== undefined && !hasOverrides(request)) {
      return {
        config,
        job,
        settings: artifact.manifest.settings,
        args: artifact.manifest.jobArgs,
        defaultJobName: name,
        jobGraph: artifact.jobGraph,
        storedPlan: true,
        dispose: () => job.dispose(),
      };
    }
    const args = request.args !== undefined && request.args.length > 0 ? request.args : (artifact?.manifest.jobArgs ?? []);
    const jobGraph = planJobGraph(job, settingsFromFlags, args, name);
    return {
      config,
      job,
      settings: settingsFromFlags,
      args,
      defaultJobName: name,
      jobGraph,
      storedPlan: false,
      dispose: () => job.dispose(),
    };
  } catch (error) {
    await job.dispose();
    throw error;
  }
}

/**
 * Runs the definition in plan mode and returns the JobGraph; a FlinktsError
 * it raises gets the job file prefixed (`job.ts: the job defines no sink...`).
 */
export function planJobGraph(job: LoadedJob, settings: EnvironmentSettings, args: readonly string[], jobName: string): JobGraph {
  try {
    return planJob(job.definition, settings, args, jobName).jobGraph;
  } catch (error) {
    if (isFlinktsError(error)) throw prefixError(job.sourcePath, error);
    throw error;
  }
}

/** Whether the request changes anything an artifact's stored plan depends on. */
export function hasOverrides(request: JobRequest): boolean {
  return (
    request.parallelism !== undefined ||
    (request.dynamicProperties?.length ?? 0) > 0 ||
    request.configFile !== undefined ||
    (request.args?.length ?? 0) > 0
  );
}
