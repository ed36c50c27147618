/**
 * The local task manager: one worker thread per slot, connected pairwise by
 * MessageChannels so buffers go straight from worker to worker.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerDeployment } from '../../runtime/worker/protocol.js';

/** The young generation of each worker's heap, MB (`resourceLimits.maxYoungGenerationSizeMb`). */
export const YOUNG_GENERATION_MB = 96;

/** How long a worker may take to cancel its tasks and end itself before it is terminated. */
export const SHUTDOWN_GRACE_MS = 3000;

const WORKER_ENTRY = new URL('../../runtime/worker/worker-main.js', import.meta.url);

/** Receives what workers report. */
export interface WorkerEvents {
  message(workerIndex: number, message: FromWorker): void;
  /** A worker stopped without being asked to (crash, uncaught error). */
  died(workerIndex: number, reason: string): void;
}

export class LocalTaskExecutor {
  private readonly workers: Worker[] = [];
  private stopping = false;
  private readonly exited = new WeakSet<Worker>();
  /** Workers replaced by a region restart (still ending). */
  private readonly retired: Worker[] = [];
  private readonly stopped = new WeakMap<Worker, Promise<void>>();

  constructor(private readonly events: WorkerEvents) {}

  /** Starts one worker per deployment (deployment i runs on worker i). */
  deploy(deployments: readonly WorkerDeployment[]): void {
    this.start(deployments.map((deployment, index) => [index, deployment]));
  }

  /**
   * Region failover, first half: stops the workers `indices` (cooperatively,
   * as {@link shutdown}); {@link startWorkers} starts them again.
   */
  async stopWorkers(indices: readonly number[]): Promise<void> {
    const old = indices.map((index) => this.workers[index]!);
    this.retired.push(...old);
    await Promise.all(old.map((worker) => this.stop(worker)));
  }

  /**
   * Region failover, second half: starts workers with new deployments (by
   * worker index). They are connected with each other only: the tasks of
   * the other workers exchange no records with theirs.
   */
  startWorkers(deployments: ReadonlyMap<number, WorkerDeployment>): void {
    if (this.stopping) return;
    this.start([...deployments]);
  }

  /** Sends `message` to the workers `indices` only. */
  send(indices: readonly number[], message: ToWorker): void {
    for (const index of indices) this.workers[index]?.postMessage(message);
  }

  broadcast(message: ToWorker): void {
    for (const worker of this.workers) worker.postMessage(message);
  }

  private start(deployments: readonly (readonly [index: number, deployment: WorkerDeployment])[]): void {
    const count = Math.max(this.workers.length, ...deployments.map(([index]) => index + 1));
    const starting = new Set(deployments.map(([index]) => index));
    const ports: (MessagePort | null)[][] = Array.from({ length: count }, () => Array<MessagePort | null>(count).fill(null));
    for (const a of starting) {
      for (const b of starting) {
        if (b <= a) continue;
        const { port1, port2 } = new MessageChannel();
        ports[a]![b] = port1;
        ports[b]![a] = port2;
      }
    }
    for (const [index, deployment] of deployments) {
      // A larger young generation than V8's default (16 MB semi-spaces on 64-bit): tasks allocate many
      // short-lived objects (records, restored state entries), and scavenges were half of a restore's time.
      const worker = new Worker(WORKER_ENTRY, { name: `flinkts-slot-${index}`, stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      // A replaced worker's last words are not the new one's.
      const current = (): boolean => this.workers[index] === worker;
      worker.on('message', (message: FromWorker) => {
        if (current()) this.events.message(index, message);
      });
      worker.on('error', (error) => {
        if (!this.stopping && current()) this.events.died(index, `uncaught error: ${error.message}`);
      });
      worker.on('exit', (code) => {
        this.exited.add(worker);
        if (!this.stopping && current()) this.events.died(index, `exited with code ${code}`);
      });
      this.workers[index] = worker;
      const own = ports[index]!;
      const message: ToWorker = { type: 'deploy', deployment, ports: own };
      worker.postMessage(message, own.filter((p): p is MessagePort => p !== null));
    }
  }

  /**
   * Stops every worker: each is told to cancel its tasks and ends itself once
   * they released their resources; one that has not ended after
   * {@link SHUTDOWN_GRACE_MS} (a user `close()` that hangs) is terminated.
   */
  async shutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.workers, ...this.retired].map((worker) => this.stop(worker)));
  }

  /** Tells `worker` to cancel and waits until it ended; terminates it after the grace time. */
  private stop(worker: Worker): Promise<void> {
    let stopped = this.stopped.get(worker);
    if (stopped !== undefined) return stopped;
    stopped = (async () => {
      if (this.exited.has(worker)) return;
      const exit = new Promise<boolean>((resolve) => worker.once('exit', () => resolve(true)));
      worker.postMessage({ type: 'cancel' } satisfies ToWorker);
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([exit, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), SHUTDOWN_GRACE_MS)))]);
      clearTimeout(timer);
      if (!ended) await worker.terminate();
    })();
    this.stopped.set(worker, stopped);
    return stopped;
  }
}
