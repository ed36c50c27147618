/**
 * The local task manager: one worker thread per slot, connected pairwise by
 * MessageChannels so buffers go straight from worker to worker.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerDeployment } from '../../runtime/worker/protocol.js';

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

  constructor(private readonly events: WorkerEvents) {}

  /** Starts `count` workers and deploys one deployment to each. */
  deploy(deployments: readonly WorkerDeployment[]): void {
    const count = deployments.length;
    const ports: (MessagePort | null)[][] = Array.from({ length: count }, () => Array<MessagePort | null>(count).fill(null));
    for (let a = 0; a < count; a++) {
      for (let b = a + 1; b < count; b++) {
        const { port1, port2 } = new MessageChannel();
        ports[a]![b] = port1;
        ports[b]![a] = port2;
      }
    }
    deployments.forEach((deployment, index) => {
      const worker = new Worker(WORKER_ENTRY, { name: `flinkts-slot-${index}`, stdout: false, stderr: false });
      worker.on('message', (message: FromWorker) => this.events.message(index, message));
      worker.on('error', (error) => {
        if (!this.stopping) this.events.died(index, `uncaught error: ${error.message}`);
      });
      worker.on('exit', (code) => {
        this.exited.add(worker);
        if (!this.stopping) this.events.died(index, `exited with code ${code}`);
      });
      this.workers.push(worker);
      const own = ports[index]!;
      const message: ToWorker = { type: 'deploy', deployment, ports: own };
      worker.postMessage(message, own.filter((p): p is MessagePort => p !== null));
    });
  }

  broadcast(message: ToWorker): void {
    for (const worker of this.workers) worker.postMessage(message);
  }

  /**
   * Stops every worker: each is told to cancel its tasks and ends itself once
   * they released their resources; one that has not ended after
   * {@link SHUTDOWN_GRACE_MS} (a user `close()` that hangs) is terminated.
   */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.broadcast({ type: 'cancel' });
    await Promise.all(
      this.workers.map(async (worker) => {
        if (this.exited.has(worker)) return;
        let timer: NodeJS.Timeout | undefined;
        const ended = await Promise.race([
          new Promise<boolean>((resolve) => worker.once('exit', () => resolve(true))),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), SHUTDOWN_GRACE_MS))),
        ]);
        clearTimeout(timer);
        if (!ended) await worker.terminate();
      }),
    );
  }
}
