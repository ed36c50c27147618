/**
 * Everything one slot worker runs: it imports the job bundle, defines the job
 * again per hosted subtask (task mode), wires input gates and output channels
 * to local peers and to other workers' ports, and drives the tasks through
 * one mailbox.
 */
import type { MessagePort } from 'node:worker_threads';
import { FlinktsError } from '../../api/errors.js';
import { isJobDefinition, type JobDefinition } from '../../api/job.js';
import type { JobEdge, JobVertex } from '../../graph/job-graph.js';
import { planJob } from '../../graph/plan.js';
import type { StreamNode } from '../../graph/stream-graph.js';
import { InputGate, type InputChannel } from '../network/input-gate.js';
import { OutputChannel, type BufferTransport, type OutputBudget } from '../network/output-channel.js';
import { connectedConsumers, createChannelSelector } from '../network/partitioners.js';
import { Mailbox } from '../task/mailbox.js';
import type { TaskHooks } from '../operators/operator.js';
import { heapBackendFactory, loadKeyedStateBackendFactory, type KeyedStateBackendFactory } from '../state/state-backends.js';
import { buildOperatorChain } from '../task/operator-chain.js';
import { NetworkOutput, type RoutedOutput } from '../task/outputs.js';
import { StreamTask, type SubtaskCheckpointTimes, type TaskListener } from '../task/stream-task.js';
import { TaskMetrics } from '../task/task-metrics.js';
import { LocalStateFileReader, LocalStateFileWriter, type StateFileWriterOptions } from '../checkpoint/state-files.js';
import type { KeyedStateFile, StateFileReader, StateFileRef, StateFileWriter } from '../checkpoint/metadata.js';
import { keyGroupRangeFor } from '../../graph/key-groups.js';
import { selectRestoredState, type OperatorSubtaskState, type RestoredOperatorState } from '../task/chain-state.js';
import { channelIdBases, type CheckpointTrigger, type PeerMessage, type TaskMetricsReport, type WorkerDeployment } from './protocol.js';

/** How the host reports to the main thread. */
export interface HostListener {
  taskFinished(report: TaskMetricsReport): void;
  taskFailed(task: StreamTask, error: unknown): void;
  taskInputEnded(task: StreamTask): void;
  checkpointAcknowledged(task: StreamTask, checkpointId: number, operators: OperatorSubtaskState[], times: SubtaskCheckpointTimes): void;
  checkpointDeclined(task: StreamTask, checkpointId: number, error: unknown): void;
}

export class TaskHost implements BufferTransport {
  readonly tasks: StreamTask[] = [];
  private readonly inputChannels = new Map<number, InputChannel>();
  private readonly outputChannels = new Map<number, OutputChannel>();
  // Buffers go out when full, with events, and on the buffer timeout, as in Flink;
  // a timeout of 0 flushes whenever the worker runs out of work.
  private readonly mailbox = new Mailbox(() => {
    if (this.deployment.network.bufferTimeoutMs === 0) this.flushAll();
  });
  private flushTimer: NodeJS.Timeout | undefined;
  /** Checkpoints this worker heard of (by id): barriers may arrive from a peer before the trigger message. */
  private readonly triggers = new Map<number, { trigger?: CheckpointTrigger; waiting: ((trigger: CheckpointTrigger) => void)[] }>();
  /** Creates the keyed state backends of the hosted chains (set by `deploy`). */
  private stateBackend: KeyedStateBackendFactory = heapBackendFactory;

  constructor(
    private readonly deployment: WorkerDeployment,
    private readonly ports: readonly (MessagePort | null)[],
    private readonly listener: HostListener,
  ) {
    for (const port of ports) {
      if (port === null) continue;
      port.on('message', (message: PeerMessage) => this.onPeerMessage(message));
    }
  }

  /** Imports the bundle and builds and opens every hosted task. */
  async deploy(): Promise<void> {
    const { deployment } = this;
    const module = (await import(deployment.bundlePath.startsWith('file:') ? deployment.bundlePath : `file://${deployment.bundlePath}`)) as {
      default?: unknown;
    };
    if (!isJobDefinition(module.default)) {
      throw new FlinktsError('JOB_DEFINITION', 'the job bundle has no default export made with defineJob');
    }
    const definition = module.default;
    // Loads the embedded backend's module (lmdb) once per worker, and only when the job uses it.
    this.stateBackend = await loadKeyedStateBackendFactory(deployment.stateBackend, deployment);
    const bases = channelIdBases(deployment.jobGraph);
    await this.restoreAndOpen(definition, bases);
    if (deployment.network.bufferTimeoutMs > 0) {
      this.flushTimer = setInterval(() => this.flushAll(), deployment.network.bufferTimeoutMs);
      this.flushTimer.unref();
    }
  }

  /**
   * Builds and opens the tasks, restoring their state. Files are checked
   * (size, SHA-256) alongside the restore, on other threads, and all of them
   * before any task runs; when the restore fails, a file that does not match
   * its checksum is the error reported, as it is the likelier cause.
   */
  private async restoreAndOpen(definition: JobDefinition, bases: ReturnType<typeof channelIdBases>): Promise<void> {
    const { restore } = this.deployment;
    const reader = restore === undefined ? undefined : new LocalStateFileReader(restore.dir, restore.sharedDir, { verifyAlongside: true });
    try {
      for (const { vertexId, subtaskIndex } of this.deployment.tasks) {
        const vertex = this.deployment.jobGraph.vertices.find((v) => v.id === vertexId)!;
        this.tasks.push(this.createTask(definition, vertex, subtaskIndex, bases, await this.restoredStateOf(vertex, subtaskIndex, reader)));
      }
      for (const task of this.tasks) await task.open(reader);
    } catch (error) {
      await reader?.verifyUsed();
      throw error;
    }
    await reader?.verifyUsed();
  }

  start(): void {
    for (const task of this.tasks) task.start();
  }

  /** The coordinator started a checkpoint: the root tasks on this worker snapshot now, the others when barriers arrive. */
  triggerCheckpoint(trigger: CheckpointTrigger): void {
    const entry = this.triggers.get(trigger.checkpointId) ?? { waiting: [] };
    entry.trigger = trigger;
    this.triggers.set(trigger.checkpointId, entry);
    for (const resolve of entry.waiting) resolve(trigger);
    entry.waiting = [];
    for (const root of trigger.roots) {
      const task = this.tasks.find((t) => t.vertexId === root.vertexId && t.subtaskIndex === root.subtaskIndex);
      task?.triggerCheckpoint(trigger.checkpointId, trigger.timestamp, trigger.format, trigger.suspendSources === true);
    }
  }

  /** `stop --drain`: see `StreamTask.prepareDrain` and `drainSource`. */
  drain(phase: 'prepare' | 'sources'): void {
    for (const task of this.tasks) {
      if (phase === 'prepare') task.prepareDrain();
      else task.drainSource();
    }
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.forgetTriggers(checkpointId);
    for (const task of this.tasks) void task.notifyCheckpointComplete(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.forgetTriggers(checkpointId);
    for (const task of this.tasks) task.notifyCheckpointAborted(checkpointId);
  }

  private forgetTriggers(upTo: number): void {
    for (const id of this.triggers.keys()) if (id <= upTo) this.triggers.delete(id);
  }

  private triggerOf(checkpointId: number): Promise<CheckpointTrigger> {
    let entry = this.triggers.get(checkpointId);
    if (entry === undefined) this.triggers.set(checkpointId, (entry = { waiting: [] }));
    if (entry.trigger !== undefined) return Promise.resolve(entry.trigger);
    return new Promise((resolve) => entry.waiting.push(resolve));
  }

  /** A writer for a task's files that waits for the checkpoint's directory if the trigger has not arrived yet. */
  private stateFileWriter(checkpointId: number, operatorId: string, subtaskIndex: number): StateFileWriter {
    const writerOptions = (trigger: CheckpointTrigger): StateFileWriterOptions => ({
      snapshotDir: trigger.snapshotDir,
      ...(trigger.sharedDir !== undefined && { sharedDir: trigger.sharedDir }),
      operatorId,
      subtaskIndex,
    });
    const writer = this.triggerOf(checkpointId).then((trigger) => new LocalStateFileWriter(writerOptions(trigger)));
    return {
      writeKeyedStateFile: async (sections, options): Promise<KeyedStateFile> => (await writer).writeKeyedStateFile(sections, options),
      writeOperatorStateFile: async (bytes): Promise<StateFileRef> => (await writer).writeOperatorStateFile(bytes),
      writeKeyedSectionsOnThread: async (job) => (await writer).writeKeyedSectionsOnThread(job),
      // Only once the trigger (and with it the directory) is here: a barrier may come first.
      openKeyedStateFile: () => {
        const trigger = this.triggers.get(checkpointId)?.trigger;
        return trigger === undefined ? undefined : new LocalStateFileWriter(writerOptions(trigger)).openKeyedStateFile();
      },
    };
  }

  /** The share of the restored snapshot of each operator of a subtask. */
  private async restoredStateOf(vertex: JobVertex, subtaskIndex: number, reader: StateFileReader | undefined): Promise<Map<string, RestoredOperatorState> | undefined> {
    const restore = this.deployment.restore;
    if (restore === undefined || reader === undefined) return undefined;
    const range = keyGroupRangeFor(vertex.maxParallelism, vertex.parallelism, subtaskIndex);
    const restored = new Map<string, RestoredOperatorState>();
    for (const op of vertex.operators) {
      const state = await selectRestoredState(restore.metadata, op.id, subtaskIndex, vertex.parallelism, range, reader);
      if (state !== undefined) restored.set(op.id, state);
    }
    return restored;
  }

  /** Cancels every task; resolves when they are cleaned up (see `StreamTask.cancel`). */
  async cancel(): Promise<void> {
    const cancelled = Promise.allSettled(this.tasks.map((task) => task.cancel()));
    this.dispose();
    await cancelled;
  }

  dispose(): void {
    if (this.flushTimer !== undefined) clearInterval(this.flushTimer);
    for (const port of this.ports) port?.close();
  }

  metrics(): TaskMetricsReport[] {
    return this.tasks.map((task) => reportOf(task));
  }

  send(channelId: number, consumerWorker: number, buffer: Uint8Array, length: number): void {
    if (consumerWorker === this.deployment.workerIndex) {
      this.inputChannels.get(channelId)!.enqueue(buffer, length);
      return;
    }
    const owned = ownBuffer(buffer);
    const message: PeerMessage = { t: 0, c: channelId, b: owned.buffer as ArrayBuffer, n: length };
    this.ports[consumerWorker]!.postMessage(message, [owned.buffer as ArrayBuffer]);
  }

  recycle(channelId: number, producerWorker: number, buffer: Uint8Array): void {
    if (producerWorker === this.deployment.workerIndex) {
      this.outputChannels.get(channelId)?.recycle(buffer);
      return;
    }
    const message: PeerMessage = { t: 1, c: channelId, b: buffer.buffer as ArrayBuffer };
    this.ports[producerWorker]!.postMessage(message, [buffer.buffer as ArrayBuffer]);
  }

  private onPeerMessage(message: PeerMessage): void {
    if (message.t === 0) this.inputChannels.get(message.c)?.enqueue(new Uint8Array(message.b), message.n);
    else this.outputChannels.get(message.c)?.recycle(new Uint8Array(message.b));
  }

  private flushAll(): void {
    for (const task of this.tasks) task.flushOutputs();
  }

  private createTask(
    definition: JobDefinition,
    vertex: JobVertex,
    subtaskIndex: number,
    bases: readonly number[],
    restored: ReadonlyMap<string, RestoredOperatorState> | undefined,
  ): StreamTask {
    const { deployment } = this;
    // Every subtask defines the job again: it owns its own function instances, as in Flink.
    const plan = planJob(definition, deployment.settings, deployment.args, deployment.defaultJobName);
    const nodes = new Map<string, StreamNode>(plan.streamGraph.nodes.map((n) => [n.operatorId, n]));
    const label = `${vertex.name} (${subtaskIndex + 1}/${vertex.parallelism})`;
    const metrics = new TaskMetrics();
    const budget: OutputBudget = {
      segmentSize: deployment.network.segmentSize,
      buffersPerChannel: deployment.network.buffersPerChannel,
      maxOverdraftBuffers: deployment.network.maxOverdraftBuffers,
      overdraftInUse: 0,
      channelsWithoutCredit: 0,
      bytesOut: 0,
      taskLabel: label,
      onCreditRestored: () => task.onCreditRestored(),
    };

    const outputChannels: OutputChannel[] = [];
    const networkOutputs = new Map<string, RoutedOutput[]>();
    deployment.jobGraph.edges.forEach((edge, e) => {
      if (edge.source !== vertex.id) return;
      const target = this.vertex(edge.target);
      const channels = connectedConsumers(edge.partitioner, subtaskIndex, vertex.parallelism, target.parallelism).map((consumer) => {
        const channelId = bases[e]! + subtaskIndex * target.parallelism + consumer;
        const channel = new OutputChannel(channelId, deployment.placement[target.id]![consumer]!, budget, this);
        this.outputChannels.set(channelId, channel);
        return channel;
      });
      outputChannels.push(...channels);
      const spec = partitionerOf(nodes, edge);
      const selector = createChannelSelector(spec, channels.length, target.maxParallelism, target.parallelism);
      const routed = { tag: edge.sideOutput, output: new NetworkOutput(channels, selector, metrics) };
      networkOutputs.set(edge.sourceOperator, [...(networkOutputs.get(edge.sourceOperator) ?? []), routed]);
    });

    let gate: InputGate | undefined;
    deployment.jobGraph.edges.forEach((edge, e) => {
      if (edge.target !== vertex.id) return;
      gate ??= new InputGate(() => task.onInputAvailable());
      const source = this.vertex(edge.source);
      for (let producer = 0; producer < source.parallelism; producer++) {
        if (!connectedConsumers(edge.partitioner, producer, source.parallelism, vertex.parallelism).includes(subtaskIndex)) continue;
        const channelId = bases[e]! + producer * vertex.parallelism + subtaskIndex;
        // Channels carry the input they feed (0, or 1 for the second input of a two-input operator).
        this.inputChannels.set(channelId, gate.addChannel(channelId, deployment.placement[source.id]![producer]!, edge.inputIndex ?? 0));
      }
    });

    const hooks: TaskHooks = {
      awaitAsync: (p, name) => task.awaitAsync(p, name),
      currentWatermark: () => task.currentWatermark(),
      processingTimeService: { now: () => Date.now(), schedule: (time, callback) => task.scheduleTimer(time, callback, vertex.name) },
      autoWatermarkIntervalMs: plan.environment.getConfig().getAutoWatermarkInterval() ?? deployment.autoWatermarkIntervalMs,
      checkpointingEnabled: deployment.checkpointingMode !== undefined,
      restoredCheckpointId: deployment.restore?.metadata.checkpointId,
      metricGroup: { counter: (name) => metrics.counter(name) },
    };
    const chain = buildOperatorChain({
      vertex,
      subtaskIndex,
      attemptNumber: deployment.attempt,
      nodes,
      globalJobParameters: plan.environment.getConfig().getGlobalJobParameters(),
      networkOutputs,
      hooks,
      metrics,
      stateBackend: this.stateBackend,
      ...(restored !== undefined && { restored }),
    });
    const listener: TaskListener = {
      finished: (t) => this.listener.taskFinished(reportOf(t)),
      failed: (t, error) => this.listener.taskFailed(t, error),
      recycle: (channel, buffer) => this.recycle(channel.channelId, channel.producerWorker, buffer),
      stateFileWriter: (checkpointId, operatorId, index) => this.stateFileWriter(checkpointId, operatorId, index),
      checkpointAcknowledged: (t, checkpointId, operators, times) => this.listener.checkpointAcknowledged(t, checkpointId, operators, times),
      checkpointDeclined: (t, checkpointId, error) => this.listener.checkpointDeclined(t, checkpointId, error),
      inputEnded: (t) => this.listener.taskInputEnded(t),
    };
    // The callbacks above run only once the task exists.
    const task = new StreamTask(
      vertex.id,
      subtaskIndex,
      label,
      chain,
      gate,
      outputChannels,
      budget,
      metrics,
      this.mailbox,
      listener,
      deployment.checkpointingMode,
    );
    return task;
  }

  private vertex(id: string): JobVertex {
    return this.deployment.jobGraph.vertices.find((v) => v.id === id)!;
  }
}

/** The partitioner (with its key selector) of a job edge, from the task-mode stream graph. */
function partitionerOf(nodes: ReadonlyMap<string, StreamNode>, edge: JobEdge) {
  const source = nodes.get(edge.sourceOperator)!;
  const streamEdge = source.outEdges.find(
    (e) => e.target.operatorId === edge.target && e.sideOutputTag === edge.sideOutput && e.inputNumber - 1 === (edge.inputIndex ?? 0),
  );
  if (streamEdge === undefined) {
    throw new FlinktsError('JOB_DEFINITION', `edge ${source.name} -> ${edge.target} is missing in task mode: the job definition is not deterministic`);
  }
  return streamEdge.partitioner;
}

function reportOf(task: StreamTask): TaskMetricsReport {
  const snapshot = task.metrics.snapshot();
  // A sink at the head consumes every record the task receives.
  const isSinkHead = task.headRole === 'sink';
  return {
    vertexId: task.vertexId,
    subtaskIndex: task.subtaskIndex,
    metrics: { ...snapshot, bytesOut: task.budget.bytesOut, recordsOut: isSinkHead ? snapshot.recordsIn : snapshot.recordsOut },
  };
}

/** A view that owns its whole ArrayBuffer, so the buffer can be transferred. */
function ownBuffer(view: Uint8Array): Uint8Array {
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view;
  return view.slice();
}
