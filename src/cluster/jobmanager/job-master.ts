/**
 * Runs one job on a task executor: places and deploys the subtasks, starts
 * them once every worker is ready, aggregates metrics, and ends the job when
 * all tasks finished or one failed (no restarts yet: a failure fails the job).
 */
import { randomBytes } from 'node:crypto';
import type { EnvironmentSettings } from '../../api/environment.js';
import type { JobGraph } from '../../graph/job-graph.js';
import type { TaskMetricsSnapshot } from '../../runtime/task/task-metrics.js';
import type { FromWorker, NetworkSettings, SerializedError, WorkerDeployment } from '../../runtime/worker/protocol.js';
import { LocalTaskExecutor } from '../taskmanager/task-executor.js';
import { placeTasks } from './scheduler.js';

export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED';

/** A job ready to run. */
export interface JobSubmission {
  readonly jobGraph: JobGraph;
  readonly bundlePath: string;
  readonly args: readonly string[];
  readonly settings: EnvironmentSettings;
  readonly defaultJobName: string;
}

export interface ClusterSettings {
  readonly numberOfTaskSlots: number;
  readonly network: NetworkSettings;
  readonly metricsIntervalMs: number;
  readonly autoWatermarkIntervalMs: number;
}

/** Metrics of one vertex, summed over its subtasks. */
export interface VertexMetrics extends TaskMetricsSnapshot {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
}

export interface JobSnapshot {
  readonly jobId: string;
  readonly jobName: string;
  readonly status: JobStatus;
  readonly elapsedMs: number;
  /** Time since every task was deployed and the sources started (0 before). */
  readonly runningMs: number;
  readonly vertices: readonly VertexMetrics[];
}

export interface JobOutcome extends JobSnapshot {
  readonly status: 'FINISHED' | 'FAILED' | 'CANCELED';
  readonly error?: SerializedError;
}

export interface JobObserver {
  /** Called on every metrics update while the job runs. */
  progress?(snapshot: JobSnapshot): void;
  /** Console output of the tasks. */
  output?(stream: 'stdout' | 'stderr', data: string): void;
}

export class JobMaster {
  readonly jobId = randomBytes(16).toString('hex');
  private status: JobStatus = 'CREATED';
  private readonly startedAt = performance.now();
  private runningSince = -1;
  private readonly metrics = new Map<string, Map<number, TaskMetricsSnapshot>>();
  private readonly executor: LocalTaskExecutor;
  private readonly totalTasks: number;
  private finishedTasks = 0;
  private deployedWorkers = 0;
  private numWorkers = 0;
  private failure: SerializedError | undefined;
  private settle!: (outcome: JobOutcome) => void;
  readonly result: Promise<JobOutcome>;

  constructor(
    private readonly submission: JobSubmission,
    private readonly cluster: ClusterSettings,
    private readonly observer: JobObserver = {},
  ) {
    this.totalTasks = submission.jobGraph.vertices.reduce((sum, v) => sum + v.parallelism, 0);
    this.result = new Promise((resolve) => (this.settle = resolve));
    this.executor = new LocalTaskExecutor({
      message: (worker, message) => this.onWorkerMessage(worker, message),
      died: (worker, reason) => this.fail({ name: 'WorkerDied', message: `slot worker ${worker} ${reason}` }),
    });
  }

  get jobName(): string {
    return this.submission.jobGraph.jobName;
  }

  /** Deploys the job; the outcome arrives on `result`. */
  start(): Promise<JobOutcome> {
    const { jobGraph } = this.submission;
    const placement = placeTasks(jobGraph, this.cluster.numberOfTaskSlots);
    this.numWorkers = placement.numWorkers;
    const deployments: WorkerDeployment[] = placement.tasksOf.map((tasks, workerIndex) => ({
      jobId: this.jobId,
      attempt: 0,
      workerIndex,
      numWorkers: placement.numWorkers,
      bundlePath: this.submission.bundlePath,
      args: this.submission.args,
      settings: this.submission.settings,
      defaultJobName: this.submission.defaultJobName,
      jobGraph,
      placement: placement.workerOf,
      tasks,
      network: this.cluster.network,
      metricsIntervalMs: this.cluster.metricsIntervalMs,
      autoWatermarkIntervalMs: this.cluster.autoWatermarkIntervalMs,
    }));
    this.executor.deploy(deployments);
    return this.result;
  }

  /** Cancels the running job. */
  cancel(): void {
    if (this.isTerminal()) return;
    this.status = 'CANCELLING';
    this.executor.broadcast({ type: 'cancel' });
    void this.end('CANCELED');
  }

  snapshot(): JobSnapshot {
    return {
      jobId: this.jobId,
      jobName: this.jobName,
      status: this.status,
      elapsedMs: performance.now() - this.startedAt,
      runningMs: this.runningSince < 0 ? 0 : performance.now() - this.runningSince,
      vertices: this.submission.jobGraph.vertices.map((vertex) => {
        const sum = { recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0, busyTimeMs: 0, backPressuredTimeMs: 0 };
        for (const m of this.metrics.get(vertex.id)?.values() ?? []) {
          sum.recordsIn += m.recordsIn;
          sum.recordsOut += m.recordsOut;
          sum.bytesIn += m.bytesIn;
          sum.bytesOut += m.bytesOut;
          sum.busyTimeMs += m.busyTimeMs;
          sum.backPressuredTimeMs += m.backPressuredTimeMs;
        }
        return { id: vertex.id, name: vertex.name, parallelism: vertex.parallelism, ...sum };
      }),
    };
  }

  private onWorkerMessage(worker: number, message: FromWorker): void {
    switch (message.type) {
      case 'output':
        if (this.observer.output) this.observer.output(message.stream, message.data);
        else process[message.stream].write(message.data);
        break;
      case 'deployed':
        if (++this.deployedWorkers === this.numWorkers && this.status === 'CREATED') {
          this.status = 'RUNNING';
          this.runningSince = performance.now();
          this.executor.broadcast({ type: 'start' });
        }
        break;
      case 'deploy-failed':
        this.fail(message.error);
        break;
      case 'metrics':
        for (const report of message.reports) this.record(report.vertexId, report.subtaskIndex, report.metrics);
        this.observer.progress?.(this.snapshot());
        break;
      case 'task-finished':
        this.record(message.report.vertexId, message.report.subtaskIndex, message.report.metrics);
        if (++this.finishedTasks === this.totalTasks && this.status === 'RUNNING') void this.end('FINISHED');
        break;
      case 'task-failed':
        this.fail(message.error);
        break;
      default:
        throw new Error(`unexpected message from worker ${worker}: ${JSON.stringify(message satisfies never)}`);
    }
  }

  private record(vertexId: string, subtaskIndex: number, metrics: TaskMetricsSnapshot): void {
    let perVertex = this.metrics.get(vertexId);
    if (perVertex === undefined) this.metrics.set(vertexId, (perVertex = new Map()));
    perVertex.set(subtaskIndex, metrics);
  }

  private fail(error: SerializedError): void {
    if (this.isTerminal() || this.status === 'FAILING') return;
    this.failure = error;
    this.status = 'FAILING';
    this.executor.broadcast({ type: 'cancel' });
    void this.end('FAILED');
  }

  private isTerminal(): boolean {
    return this.status === 'FINISHED' || this.status === 'FAILED' || this.status === 'CANCELED';
  }

  private async end(status: 'FINISHED' | 'FAILED' | 'CANCELED'): Promise<void> {
    const final = this.snapshot();
    await this.executor.shutdown();
    this.status = status;
    const outcome: JobOutcome = { ...final, status, ...(this.failure === undefined ? {} : { error: this.failure }) };
    this.settle(outcome);
  }
}
