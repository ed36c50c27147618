/**
 * Runs one job on a task executor: places and deploys the subtasks, starts
 * them once every worker is ready, aggregates metrics, coordinates
 * checkpoints, and ends the job when all tasks finished or it failed beyond
 * what its restart strategy allows. On a recoverable failure every task is
 * cancelled and the job is deployed again from the latest completed
 * checkpoint (or the snapshot it started from).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { EnvironmentSettings } from '../../api/environment.js';
import type { RestartStrategyConfiguration } from '../../api/restart-strategy.js';
import { FlinktsError } from '../../api/errors.js';
import type { JobGraph } from '../../graph/job-graph.js';
import { CheckpointStorage, loadSnapshot } from '../../runtime/checkpoint/storage.js';
import { createRestartBackoff, isRecoverable, type RestartBackoffTimeStrategy } from '../../runtime/failover/restart-backoff.js';
import type { ConfigurationValues } from '../../runtime/failover/restart-configuration.js';
import type { StateBackendSettings } from '../../runtime/state/state-backends.js';
import type { TaskMetricsSnapshot } from '../../runtime/task/task-metrics.js';
import type { FromWorker, NetworkSettings, RestoreSource, SerializedError, WorkerDeployment } from '../../runtime/worker/protocol.js';
import { LocalTaskExecutor } from '../taskmanager/task-executor.js';
import { workersToRestart, type FailoverStrategy } from './failover-regions.js';
import { CheckpointCoordinator, taskKey, type CheckpointPolicy, type CheckpointRecord, type CompletedSnapshot } from './checkpoint-coordinator.js';
import { placeTasks, type Placement } from './scheduler.js';

export type JobStatus = 'CREATED' | 'RUNNING' | 'FINISHED' | 'FAILING' | 'FAILED' | 'CANCELLING' | 'CANCELED' | 'RESTARTING';

/** Where a job starts from (`flinkts run -s`). */
export interface RestoreSettings {
  readonly path: string;
  readonly allowNonRestoredState: boolean;
  readonly claimMode: 'no_claim' | 'claim';
}

/** A job ready to run. */
export interface JobSubmission {
  readonly jobGraph: JobGraph;
  readonly bundlePath: string;
  readonly args: readonly string[];
  readonly settings: EnvironmentSettings;
  readonly defaultJobName: string;
  readonly restore?: RestoreSettings;
}

export interface ClusterSettings {
  readonly numberOfTaskSlots: number;
  readonly network: NetworkSettings;
  readonly metricsIntervalMs: number;
  readonly autoWatermarkIntervalMs: number;
  /** Checkpoint settings from the configuration; `intervalMs` undefined leaves checkpointing to the job. */
  readonly checkpoints: Omit<CheckpointPolicy, 'intervalMs'> & { readonly intervalMs: number | undefined };
  /** The configuration's values by key, for the restart strategy (`restart-strategy.*`). */
  readonly restartConfiguration: ConfigurationValues;
  /** `state.backend.*` and `io.tmp.dirs`: the keyed state backend of jobs that choose none (absent: `hashmap`). */
  readonly stateBackend?: StateBackendSettings;
  /** `jobmanager.execution.failover-strategy` (absent: `region`). */
  readonly failoverStrategy?: FailoverStrategy;
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
  /** Restarts so far. */
  readonly restarts: number;
  /** Each restart so far, oldest first. */
  readonly restartHistory: readonly RestartRecord[];
}

/**
 * One restart (epoch ms): when the failure was handled, the delay the restart strategy asked for, when
 * the old attempt's workers were gone, and when the job was deployed again (the later of the delay and
 * the cancellation, as Flink's scheduler).
 */
export interface RestartRecord {
  readonly failedAt: number;
  /** Region failover: how many tasks restarted (absent: all, a full restart). */
  readonly restartedTasks?: number;
  /** The failure that caused the restart (Flink's exception history), with the operator when known. */
  readonly cause: string;
  readonly delayMs: number;
  readonly cancelledAt?: number;
  readonly redeployedAt?: number;
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
  /** Epoch ms of submission; `endTime` is -1 until the job ended. */
  readonly startTime = Date.now();
  endTime = -1;
  /** When the job entered each status (epoch ms). */
  readonly statusTimestamps: Partial<Record<JobStatus, number>> = { CREATED: Date.now() };
  private status: JobStatus = 'CREATED';
  private readonly startedAt = performance.now();
  private runningSince = -1;
  private readonly metrics = new Map<string, Map<number, TaskMetricsSnapshot>>();
  private executor: LocalTaskExecutor | undefined;
  private attempt = 0;
  private restarts = 0;
  private readonly totalTasks: number;
  private finishedTasks = new Set<string>();
  private inputEndedTasks = new Set<string>();
  private deployedWorkers = 0;
  private numWorkers = 0;
  private failure: SerializedError | undefined;
  private settle!: (outcome: JobOutcome) => void;
  readonly result: Promise<JobOutcome>;
  private readonly policy: CheckpointPolicy | undefined;
  private readonly storage: CheckpointStorage | undefined;
  private coordinator: CheckpointCoordinator | undefined;
  private restartStrategy: RestartBackoffTimeStrategy | undefined;
  /** What the next deployment restores: the initial snapshot, then the latest completed checkpoint. */
  private restore: RestoreSource | undefined;
  private restoredCheckpointId = 0;
  private initialRestoreKind: 'checkpoint' | 'savepoint' | undefined;
  private initialRestoreDir: string | undefined;
  private claimRelease: Promise<void> | undefined;
  /** Where the current attempt's tasks run. */
  private placement: Placement | undefined;
  /** The workers a region failover is restarting. */
  private regionRestart: number[] | undefined;
  /** `stop --drain` in progress: workers that prepared, and what waits for each step. */
  private drain: { prepared: number; resolvePrepared: () => void; resolveDrained?: () => void; reject: (error: Error) => void } | undefined;
  /** A failure of another region while one restarted. */
  private deferredFailure: { error: SerializedError; worker: number } | undefined;
  private finalCheckpointRequested = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** From a failure until the job is deployed again: failures of the old attempt are the same failure. */
  private restartPending = false;
  private readonly restartHistory: { -readonly [K in keyof RestartRecord]: RestartRecord[K] }[] = [];
  /** A stop with savepoint is in progress. */
  private stopping = false;
  private resolveAllFinished!: () => void;
  private readonly allFinished = new Promise<void>((resolve) => (this.resolveAllFinished = resolve));

  constructor(
    private readonly submission: JobSubmission,
    private readonly cluster: ClusterSettings,
    private readonly observer: JobObserver = {},
  ) {
    this.totalTasks = submission.jobGraph.vertices.reduce((sum, v) => sum + v.parallelism, 0);
    this.result = new Promise((resolve) => (this.settle = resolve));
    const fromJob = submission.jobGraph.checkpointing;
    const intervalMs = fromJob?.intervalMs ?? cluster.checkpoints.intervalMs;
    if (intervalMs !== undefined) {
      const c = cluster.checkpoints;
      this.policy = {
        intervalMs,
        mode: fromJob?.mode ?? c.mode,
        timeoutMs: fromJob?.timeoutMs ?? c.timeoutMs,
        minPauseMs: fromJob?.minPauseMs ?? c.minPauseMs,
        tolerableFailures: fromJob?.tolerableFailures ?? c.tolerableFailures,
        retention: fromJob?.retention ?? c.retention,
        numRetained: fromJob?.numRetained ?? c.numRetained,
        directory: fromJob?.directory ?? c.directory,
      };
      this.storage = new CheckpointStorage(this.policy.directory);
    }
  }

  get jobName(): string {
    return this.submission.jobGraph.jobName;
  }

  get checkpointing(): CheckpointPolicy | undefined {
    return this.policy;
  }

  /** Completed checkpoints and savepoints of this run. */
  get completedSnapshots(): readonly CompletedSnapshot[] {
    return this.coordinator?.history ?? [];
  }

  /** Deploys the job; the outcome arrives on `result`. */
  start(): Promise<JobOutcome> {
    void this.begin();
    return this.result;
  }

  private async begin(): Promise<void> {
    try {
      this.restartStrategy = createRestartBackoff(this.submission.jobGraph.restartStrategy as RestartStrategyConfiguration | undefined, {
        checkpointingEnabled: this.policy !== undefined,
        configuration: this.cluster.restartConfiguration,
      });
      if (this.submission.restore !== undefined) await this.loadInitialSnapshot(this.submission.restore);
      if (this.policy !== undefined) {
        this.coordinator = this.createCoordinator(this.policy, this.storage!, this.restoredCheckpointId);
      }
      this.deploy();
    } catch (error) {
      this.failure = { name: 'RestoreFailure', message: error instanceof Error ? error.message : String(error), ...(error instanceof FlinktsError && { code: error.code }) };
      this.setStatus('FAILED');
      this.settle({ ...this.snapshot(), status: 'FAILED', error: this.failure });
    }
  }

  /** Loads and checks the snapshot of `-s`: every state must map onto an operator, key groups must not change. */
  private async loadInitialSnapshot(restore: RestoreSettings): Promise<void> {
    const loaded = await loadSnapshot(restore.path);
    const operators = new Map(this.submission.jobGraph.vertices.flatMap((v) => v.operators.map((op) => [op.id, v] as const)));
    const unmatched = loaded.metadata.operators.filter((op) => !operators.has(op.operatorId));
    if (unmatched.length > 0 && !restore.allowNonRestoredState) {
      throw new FlinktsError(
        'STATE_INCOMPATIBLE',
        `${loaded.dir}: the state of ${unmatched.length} operator(s) cannot be mapped to the job: ${unmatched.map((op) => `${op.operatorId} (${op.uid === undefined ? op.name : `uid '${op.uid}'`})`).join(', ')}`,
        { hint: 'give operators stable uid()s, or pass --allow-non-restored-state to drop that state' },
      );
    }
    for (const op of loaded.metadata.operators) {
      const vertex = operators.get(op.operatorId);
      if (vertex !== undefined && vertex.maxParallelism !== op.maxParallelism && op.subtasks.some((s) => s.keyed !== undefined || s.timers !== undefined)) {
        throw new FlinktsError(
          'STATE_INCOMPATIBLE',
          `${loaded.dir}: operator ${op.operatorId} (${op.name}) was snapshotted with max parallelism ${op.maxParallelism}, the job now has ${vertex.maxParallelism}; keyed state cannot move between different numbers of key groups`,
          { hint: 'keep pipeline.max-parallelism (or setMaxParallelism) as it was when the snapshot was taken' },
        );
      }
    }
    this.restore = { dir: loaded.dir, ...(loaded.reader.sharedDir !== undefined && { sharedDir: loaded.reader.sharedDir }), metadata: loaded.metadata };
    this.restoredCheckpointId = loaded.metadata.checkpointId;
    this.initialRestoreKind = loaded.metadata.kind;
    this.initialRestoreDir = loaded.dir;
  }

  private deploy(): void {
    const placement = placeTasks(this.submission.jobGraph, this.cluster.numberOfTaskSlots);
    this.placement = placement;
    this.numWorkers = placement.numWorkers;
    this.deployedWorkers = 0;
    this.finishedTasks = new Set();
    this.inputEndedTasks = new Set();
    this.finalCheckpointRequested = false;
    // Messages of an executor replaced by a full restart are dropped; within one, the executor drops those of replaced workers.
    const executor: LocalTaskExecutor = new LocalTaskExecutor({
      message: (worker, message) => {
        if (executor === this.executor) this.onWorkerMessage(worker, message);
      },
      died: (worker, reason) => {
        if (executor === this.executor) this.onFailure({ name: 'WorkerDied', message: `slot worker ${worker} ${reason}` }, worker);
      },
    });
    this.executor = executor;
    executor.deploy(placement.tasksOf.map((_, workerIndex) => this.deploymentFor(workerIndex)));
  }

  /** What worker `workerIndex` runs in the current attempt, restoring `this.restore`. */
  private deploymentFor(workerIndex: number): WorkerDeployment {
    const placement = this.placement!;
    return {
      jobId: this.jobId,
      attempt: this.attempt,
      workerIndex,
      numWorkers: placement.numWorkers,
      bundlePath: this.submission.bundlePath,
      args: this.submission.args,
      settings: this.submission.settings,
      defaultJobName: this.submission.defaultJobName,
      jobGraph: this.submission.jobGraph,
      placement: placement.workerOf,
      tasks: placement.tasksOf[workerIndex]!,
      network: this.cluster.network,
      metricsIntervalMs: this.cluster.metricsIntervalMs,
      autoWatermarkIntervalMs: this.cluster.autoWatermarkIntervalMs,
      ...(this.policy !== undefined && { checkpointingMode: this.policy.mode }),
      ...(this.restore !== undefined && { restore: this.restore }),
      stateBackend: this.stateBackend(),
    };
  }

  /** Triggers a checkpoint (`flinkts checkpoint trigger`). */
  triggerCheckpoint(): Promise<CompletedSnapshot> {
    if (this.coordinator === undefined) return Promise.reject(new FlinktsError('CONFIG', `job ${this.jobId} does not checkpoint (enable checkpointing to trigger checkpoints)`));
    if (this.status !== 'RUNNING') return Promise.reject(new FlinktsError('CONFIG', `job ${this.jobId} is ${this.status}, not RUNNING`));
    return this.coordinator.trigger('checkpoint', 'native');
  }

  private createCoordinator(policy: CheckpointPolicy, storage: CheckpointStorage, restoredId: number): CheckpointCoordinator {
    return new CheckpointCoordinator(
      policy,
      storage,
      {
        jobId: this.jobId,
        jobGraph: this.submission.jobGraph,
        broadcast: (message) => this.executor?.broadcast(message),
        taskKeys: () => this.allTaskKeys().filter((key) => !this.finishedTasks.has(key)),
        rootTasks: () => this.rootTasks(),
        failJob: (error) => this.onFailure(error),
        stateBackend: this.stateBackend().type,
        completed: (snapshot) => {
          if (snapshot.kind === 'checkpoint') this.claimRelease ??= this.releaseClaimedSnapshot();
        },
      },
      restoredId,
    );
  }

  /** Takes a savepoint into `targetDirectory`; with `suspendSources` the sources emit nothing after its barrier. */
  triggerSavepoint(targetDirectory: string, format: 'canonical' | 'native' = 'canonical', suspendSources = false): Promise<CompletedSnapshot> {
    if (this.status !== 'RUNNING') return Promise.reject(new FlinktsError('CONFIG', `job ${this.jobId} is ${this.status}, not RUNNING`));
    // A job without checkpointing gets a coordinator for its savepoints.
    this.coordinator ??= this.createCoordinator(this.savepointOnlyPolicy(targetDirectory), new CheckpointStorage(targetDirectory), this.restoredCheckpointId);
    return this.coordinator.trigger('savepoint', format, targetDirectory, suspendSources);
  }

  /**
   * Stop with savepoint (`flinkts stop`): the sources stop at the savepoint's
   * barrier, and once the savepoint completed the job ends FINISHED, so a job
   * resumed from it continues exactly where this one stopped. With `drain`
   * the sources end first as if bounded (MAX_WATERMARK fires every
   * event-time timer and window, operators finish) and the savepoint is the
   * job's final snapshot, for a job that will not be resumed.
   */
  async stopWithSavepoint(targetDirectory: string, format: 'canonical' | 'native' = 'canonical', drain = false): Promise<CompletedSnapshot> {
    this.stopping = true;
    try {
      const savepoint = drain ? await this.drainThenSavepoint(targetDirectory, format) : await this.triggerSavepoint(targetDirectory, format, true);
      // The tasks close by themselves after the barrier (sources stop, downstream follows); the job then ends FINISHED.
      await this.allFinished;
      if (!this.isTerminal()) {
        this.coordinator?.stop('the job stopped with a savepoint');
        await this.end('FINISHED');
      }
      return savepoint;
    } catch (error) {
      this.stopping = false;
      if (this.finishedTasks.size === this.totalTasks && this.status === 'RUNNING') void this.end('FINISHED');
      throw error;
    }
  }

  private async drainThenSavepoint(targetDirectory: string, format: 'canonical' | 'native'): Promise<CompletedSnapshot> {
    if (this.status !== 'RUNNING') throw new FlinktsError('CONFIG', `job ${this.jobId} is ${this.status}, not RUNNING`);
    // The savepoint is the final snapshot: no final checkpoint besides it.
    this.finalCheckpointRequested = true;
    // Every task learns to wait for the savepoint before any source ends (end of partition may outrun control messages).
    await new Promise<void>((resolve, reject) => {
      this.drain = { prepared: 0, resolvePrepared: resolve, reject };
      this.executor!.broadcast({ type: 'drain', phase: 'prepare' });
    });
    await new Promise<void>((resolve, reject) => {
      if (this.drain === undefined) throw new FlinktsError('CONFIG', `job ${this.jobId} stopped draining`);
      this.drain = { ...this.drain, resolveDrained: resolve, reject };
      this.executor!.broadcast({ type: 'drain', phase: 'sources' });
      this.checkDrained();
    });
    return this.triggerSavepoint(targetDirectory, format, false);
  }

  /** A failure or the job's end interrupts `stop --drain`: the request fails instead of waiting forever. */
  private abandonDrain(reason: string): void {
    const drain = this.drain;
    this.drain = undefined;
    drain?.reject(new FlinktsError('CONFIG', `stop --drain of job ${this.jobId} was interrupted: ${reason}`));
  }

  /** Stop --drain: every task has ended its input (or finished). */
  private checkDrained(): void {
    const resolve = this.drain?.resolveDrained;
    if (resolve === undefined) return;
    if (this.allTaskKeys().every((key) => this.inputEndedTasks.has(key) || this.finishedTasks.has(key))) {
      this.drain = undefined;
      resolve();
    }
  }

  /** Cancels the running job. */
  cancel(): void {
    if (this.isTerminal()) return;
    this.setStatus('CANCELLING');
    this.coordinator?.stop('the job was cancelled');
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.executor?.broadcast({ type: 'cancel' });
    void this.end('CANCELED');
  }

  snapshot(): JobSnapshot {
    return {
      jobId: this.jobId,
      jobName: this.jobName,
      status: this.status,
      elapsedMs: performance.now() - this.startedAt,
      runningMs: this.runningSince < 0 ? 0 : performance.now() - this.runningSince,
      restarts: this.restarts,
      restartHistory: this.restartHistory.map((restart) => ({ ...restart })),
      vertices: this.submission.jobGraph.vertices.map((vertex) => {
        const sum = { recordsIn: 0, recordsOut: 0, bytesIn: 0, bytesOut: 0, busyTimeMs: 0, backPressuredTimeMs: 0, counters: {} as Record<string, number> };
        for (const m of this.metrics.get(vertex.id)?.values() ?? []) {
          sum.recordsIn += m.recordsIn;
          sum.recordsOut += m.recordsOut;
          sum.bytesIn += m.bytesIn;
          sum.bytesOut += m.bytesOut;
          sum.busyTimeMs += m.busyTimeMs;
          sum.backPressuredTimeMs += m.backPressuredTimeMs;
          for (const [name, count] of Object.entries(m.counters)) sum.counters[name] = (sum.counters[name] ?? 0) + count;
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
        if (this.regionRestart !== undefined) {
          if (++this.deployedWorkers === this.numWorkers) this.regionRedeployed(this.regionRestart);
          break;
        }
        if (++this.deployedWorkers === this.numWorkers && (this.status === 'CREATED' || this.status === 'RESTARTING')) {
          this.setStatus('RUNNING');
          if (this.runningSince < 0) this.runningSince = performance.now();
          this.executor!.broadcast({ type: 'start' });
          if (this.policy !== undefined) this.coordinator?.start();
        }
        break;
      case 'drain-prepared':
        if (this.drain !== undefined && ++this.drain.prepared === this.numWorkers) this.drain.resolvePrepared();
        break;
      case 'deploy-failed':
        this.onFailure(message.error, worker);
        break;
      case 'metrics':
        for (const report of message.reports) this.record(report.vertexId, report.subtaskIndex, report.metrics);
        this.observer.progress?.(this.snapshot());
        break;
      case 'task-finished':
        this.record(message.report.vertexId, message.report.subtaskIndex, message.report.metrics);
        this.finishedTasks.add(taskKey(message.report.vertexId, message.report.subtaskIndex));
        this.checkDrained();
        if (this.finishedTasks.size === this.totalTasks && this.status === 'RUNNING') {
          this.resolveAllFinished();
          // Stopping with a savepoint: the savepoint completes first, then the job ends (stopWithSavepoint).
          if (this.stopping) break;
          this.coordinator?.stop('the job finished');
          void this.end('FINISHED');
        }
        break;
      case 'task-input-ended':
        this.inputEndedTasks.add(taskKey(message.vertexId, message.subtaskIndex));
        this.checkDrained();
        this.coordinator?.taskInputEnded(message.vertexId, message.subtaskIndex);
        if (this.inputEndedTasks.size === this.totalTasks && !this.finalCheckpointRequested) this.requestFinalCheckpoint();
        break;
      case 'checkpoint-ack':
        this.coordinator?.acknowledge(message.checkpointId, message.vertexId, message.subtaskIndex, message.operators, message.times);
        break;
      case 'checkpoint-declined':
        this.coordinator?.decline(message.checkpointId, message.error);
        break;
      case 'task-failed':
        this.onFailure(message.error, worker);
        break;
      default:
        throw new Error(`unexpected message from worker ${worker}: ${JSON.stringify(message satisfies never)}`);
    }
  }

  /** Every task processed all its input: one more checkpoint commits what is left, then tasks close. */
  private requestFinalCheckpoint(): void {
    this.finalCheckpointRequested = true;
    this.coordinator?.trigger('checkpoint', 'native').catch(() => {
      // An aborted final checkpoint counts as a failed checkpoint (which may fail the job over); else it is taken again.
      // Never retried synchronously: a stopped coordinator rejects at once.
      setTimeout(() => {
        if (this.status === 'RUNNING' && this.coordinator?.running === true && this.finishedTasks.size < this.totalTasks) this.requestFinalCheckpoint();
      }, 0);
    });
  }

  private allTaskKeys(): string[] {
    return this.submission.jobGraph.vertices.flatMap((v) => Array.from({ length: v.parallelism }, (_, i) => taskKey(v.id, i)));
  }

  /** Running sources, and tasks whose input ended (no barrier will reach them). */
  private rootTasks(): { vertexId: string; subtaskIndex: number }[] {
    const roots: { vertexId: string; subtaskIndex: number }[] = [];
    for (const vertex of this.submission.jobGraph.vertices) {
      const isSource = vertex.operators[0]?.kind === 'source';
      for (let i = 0; i < vertex.parallelism; i++) {
        const key = taskKey(vertex.id, i);
        if (this.finishedTasks.has(key)) continue;
        if (isSource || this.inputEndedTasks.has(key)) roots.push({ vertexId: vertex.id, subtaskIndex: i });
      }
    }
    return roots;
  }

  private record(vertexId: string, subtaskIndex: number, metrics: TaskMetricsSnapshot): void {
    let perVertex = this.metrics.get(vertexId);
    if (perVertex === undefined) this.metrics.set(vertexId, (perVertex = new Map()));
    perVertex.set(subtaskIndex, metrics);
  }

  /** A task or worker failed: restart from the latest checkpoint if the strategy allows, else fail. */
  /** A task or worker failed (`worker`: where; undefined for job-level failures such as too many failed checkpoints). */
  private onFailure(error: SerializedError, worker?: number): void {
    if (this.isTerminal() || this.status === 'FAILING' || this.status === 'CANCELLING') return;
    if (this.restartPending) {
      // A region restarts, and another one failed meanwhile: handled once the restart is through.
      if (this.regionRestart !== undefined && worker !== undefined && !this.regionRestart.includes(worker)) this.deferredFailure ??= { error, worker };
      return;
    }
    const strategy = this.restartStrategy;
    if (strategy !== undefined && isRecoverable(error)) {
      strategy.notifyFailure(error);
      if (strategy.canRestart()) {
        const workers =
          worker === undefined || this.placement === undefined
            ? undefined
            : workersToRestart(this.submission.jobGraph, this.placement.workerOf, this.numWorkers, worker, this.cluster.failoverStrategy ?? 'region');
        if (workers !== undefined && workers.length < this.numWorkers) void this.restartRegion(workers, strategy.getBackoffTime(), error);
        else void this.restartAfter(strategy.getBackoffTime(), error);
        return;
      }
    }
    this.failure = error;
    this.setStatus('FAILING');
    this.coordinator?.stop('the job failed');
    this.executor?.broadcast({ type: 'cancel' });
    void this.end('FAILED');
  }

  private recordRestart(delayMs: number, cause: SerializedError, workers?: readonly number[]): (typeof this.restartHistory)[number] {
    const where = cause.operatorName === undefined ? '' : ` (${cause.operatorName}${cause.subtaskIndex === undefined ? '' : ` ${cause.subtaskIndex + 1}`})`;
    const tasks = workers?.reduce((n, w) => n + this.placement!.tasksOf[w]!.length, 0);
    const restart: (typeof this.restartHistory)[number] = { failedAt: Date.now(), cause: `${cause.message}${where}`, delayMs, ...(tasks !== undefined && { restartedTasks: tasks }) };
    this.restartHistory.push(restart);
    return restart;
  }

  /**
   * Region failover: restarts only the workers of the failed region (see
   * `failover-regions.ts`) from the latest completed checkpoint; the others
   * keep running, and the job stays RUNNING. Checkpointing pauses meanwhile.
   */
  private async restartRegion(workers: number[], delayMs: number, cause: SerializedError): Promise<void> {
    const restart = this.recordRestart(delayMs, cause, workers);
    this.abandonDrain(`the job failed over (${cause.message})`);
    this.restartPending = true;
    this.regionRestart = workers;
    this.coordinator?.stop(`a region restarts after: ${cause.message}`);
    this.attempt++;
    this.restarts++;
    const executor = this.executor!;
    await executor.stopWorkers(workers);
    restart.cancelledAt = Date.now();
    for (const w of workers) {
      for (const { vertexId, subtaskIndex } of this.placement!.tasksOf[w]!) {
        const key = taskKey(vertexId, subtaskIndex);
        this.finishedTasks.delete(key);
        this.inputEndedTasks.delete(key);
      }
    }
    this.finalCheckpointRequested = false;
    await this.coordinator?.settled();
    const latest = this.storage === undefined ? undefined : await this.storage.latestCompleted(this.jobId);
    if (latest !== undefined) this.restore = { dir: latest.dir, sharedDir: this.storage!.sharedDir(this.jobId), metadata: latest.metadata };
    this.restartTimer = setTimeout(
      () => {
        this.restartTimer = undefined;
        if (this.isTerminal() || this.status === 'FAILING' || this.status === 'CANCELLING' || executor !== this.executor) return;
        restart.redeployedAt = Date.now();
        this.deployedWorkers = this.numWorkers - workers.length;
        executor.startWorkers(new Map(workers.map((w) => [w, this.deploymentFor(w)])));
      },
      Math.max(0, restart.failedAt + delayMs - Date.now()),
    );
  }

  /** The restarted workers are deployed: they start, checkpointing resumes, and a failure elsewhere meanwhile is handled. */
  private regionRedeployed(workers: readonly number[]): void {
    this.regionRestart = undefined;
    this.restartPending = false;
    this.executor!.send(workers, { type: 'start' });
    if (this.policy !== undefined) this.coordinator?.start();
    const deferred = this.deferredFailure;
    this.deferredFailure = undefined;
    if (deferred !== undefined) this.onFailure(deferred.error, deferred.worker);
    // Every task may have finished meanwhile except the restarted ones, which just started.
  }

  private async restartAfter(delayMs: number, cause: SerializedError): Promise<void> {
    // As Flink's scheduler, the delay runs from the failure while the tasks are cancelled, not after.
    const restart = this.recordRestart(delayMs, cause);
    this.abandonDrain(`the job failed over (${cause.message})`);
    this.restartPending = true;
    this.setStatus('RESTARTING');
    this.coordinator?.stop(`the job restarts after: ${cause.message}`);
    this.attempt++;
    this.restarts++;
    const executor = this.executor;
    executor?.broadcast({ type: 'cancel' });
    await executor?.shutdown();
    restart.cancelledAt = Date.now();
    // A checkpoint every task acknowledged completes even now: restore from it, and let its retention finish first.
    await this.coordinator?.settled();
    const latest = this.storage === undefined ? undefined : await this.storage.latestCompleted(this.jobId);
    if (latest !== undefined) {
      this.restore = { dir: latest.dir, sharedDir: this.storage!.sharedDir(this.jobId), metadata: latest.metadata };
    }
    this.restartTimer = setTimeout(
      () => {
        this.restartTimer = undefined;
        if (this.status !== 'RESTARTING') return;
        // A failure while the new attempt deploys (e.g. its restore fails) is a new failure.
        this.restartPending = false;
        restart.redeployedAt = Date.now();
        this.deploy();
      },
      Math.max(0, restart.failedAt + delayMs - Date.now()),
    );
  }

  /** The job's keyed state backend: its own choice (`env.setStateBackend`), else the cluster's `state.backend.*`. */
  private stateBackend(): StateBackendSettings {
    const configured = this.cluster.stateBackend ?? { type: 'hashmap' };
    const fromJob = this.submission.jobGraph.stateBackend;
    return fromJob === undefined ? configured : { ...configured, type: fromJob };
  }

  /**
   * Claim mode: the job owns the snapshot it started from, and deletes it
   * once a checkpoint of its own completed (the first checkpoint after a
   * restore is self-contained, so nothing needs the claimed one any more).
   * Files the claimed snapshot shared with its own job's other checkpoints
   * (incremental `shared/` files) belong to that job and are left alone.
   */
  private async releaseClaimedSnapshot(): Promise<void> {
    if (this.submission.restore?.claimMode !== 'claim') return;
    const claimed = this.initialRestoreDir;
    if (claimed === undefined) return;
    // The restart path may still point at the claimed snapshot: from now on it restores the job's own checkpoints.
    if (this.restore?.dir === claimed) this.restore = undefined;
    await rm(claimed, { recursive: true, force: true });
  }

  private savepointOnlyPolicy(directory: string): CheckpointPolicy {
    return { ...this.cluster.checkpoints, intervalMs: Number.POSITIVE_INFINITY, mode: 'EXACTLY_ONCE', directory };
  }

  private setStatus(status: JobStatus): void {
    this.status = status;
    this.statusTimestamps[status] = Date.now();
  }

  get currentStatus(): JobStatus {
    return this.status;
  }

  /** Where the job started from (`-s`), if anywhere. */
  get restoredFrom(): { checkpointId: number; path: string; isSavepoint: boolean; at: number } | undefined {
    const restore = this.submission.restore;
    if (restore === undefined || this.restoredCheckpointId === 0) return undefined;
    return { checkpointId: this.restoredCheckpointId, path: restore.path, isSavepoint: this.initialRestoreKind === 'savepoint', at: this.startTime };
  }

  /** Each vertex's id and parallelism, in the job graph's order. */
  get vertexParallelism(): readonly { id: string; parallelism: number }[] {
    return this.submission.jobGraph.vertices.map(({ id, parallelism }) => ({ id, parallelism }));
  }

  /** Every checkpoint and savepoint started in this run. */
  get checkpointRecords(): readonly CheckpointRecord[] {
    return this.coordinator?.records ?? [];
  }

  private isTerminal(): boolean {
    return this.status === 'FINISHED' || this.status === 'FAILED' || this.status === 'CANCELED';
  }

  private async end(status: 'FINISHED' | 'FAILED' | 'CANCELED'): Promise<void> {
    this.abandonDrain(`the job ended ${status}`);
    const final = this.snapshot();
    await this.executor?.shutdown();
    // Checkpoint files being written, retained or discarded are settled before the job reports its end.
    await this.coordinator?.settled();
    await this.claimRelease?.catch(() => undefined);
    if (status !== 'FAILED' && this.storage !== undefined && this.policy?.retention === 'DELETE_ON_CANCELLATION' && status === 'CANCELED') {
      await rm(this.storage.jobDir(this.jobId), { recursive: true, force: true });
    }
    this.setStatus(status);
    this.endTime = Date.now();
    const outcome: JobOutcome = { ...final, status, ...(this.failure === undefined ? {} : { error: this.failure }) };
    this.settle(outcome);
  }
}
