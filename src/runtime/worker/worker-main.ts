/**
 * The entry point of a slot worker thread. It receives a deployment from its
 * task manager, hosts the tasks, forwards their console output in order with
 * its other messages, and reports metrics, completion and failures.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError, type FromWorker, type ToWorker } from './protocol.js';
import { TaskHost } from './task-host.js';

if (parentPort === null) throw new Error('worker-main must run in a worker thread');
const port = parentPort;
process.setSourceMapsEnabled(true);

const post = (message: FromWorker): void => port.postMessage(message);

// Console output of user code and print sinks goes through the same port as
// task reports, so nothing printed can arrive after "finished".
for (const stream of ['stdout', 'stderr'] as const) {
  const target = process[stream];
  target.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    const data = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    post({ type: 'output', stream, data });
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') queueMicrotask(cb as () => void);
    return true;
  }) as typeof target.write;
}

let host: TaskHost | undefined;
let metricsTimer: NodeJS.Timeout | undefined;
let cancelling = false;

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'deploy': {
      host = new TaskHost(message.deployment, message.ports, {
        taskFinished: (report) => post({ type: 'task-finished', report }),
        taskFailed: (task, error) =>
          post({ type: 'task-failed', vertexId: task.vertexId, subtaskIndex: task.subtaskIndex, error: serializeError(error) }),
        taskInputEnded: (task) => post({ type: 'task-input-ended', vertexId: task.vertexId, subtaskIndex: task.subtaskIndex }),
        checkpointAcknowledged: (task, checkpointId, operators, times) =>
          post({ type: 'checkpoint-ack', checkpointId, vertexId: task.vertexId, subtaskIndex: task.subtaskIndex, operators, times }),
        checkpointDeclined: (task, checkpointId, error) =>
          post({ type: 'checkpoint-declined', checkpointId, vertexId: task.vertexId, subtaskIndex: task.subtaskIndex, error: serializeError(error) }),
      });
      host.deploy().then(
        () => {
          metricsTimer = setInterval(() => post({ type: 'metrics', reports: host!.metrics() }), message.deployment.metricsIntervalMs);
          post({ type: 'deployed' });
        },
        (error: unknown) => post({ type: 'deploy-failed', error: serializeError(error) }),
      );
      break;
    }
    case 'start':
      host?.start();
      break;
    case 'trigger-checkpoint':
      host?.triggerCheckpoint(message.trigger);
      break;
    case 'drain':
      host?.drain(message.phase);
      if (message.phase === 'prepare') post({ type: 'drain-prepared' });
      break;
    case 'checkpoint-complete':
      host?.notifyCheckpointComplete(message.checkpointId);
      break;
    case 'checkpoint-aborted':
      host?.notifyCheckpointAborted(message.checkpointId);
      break;
    case 'cancel':
      // Cooperative shutdown: the thread ends itself once its tasks released everything. The task manager
      // terminates it only after a grace time, as terminating a thread inside an lmdb write transaction
      // deadlocks its clean-up (docs/architecture.md "State backends").
      if (cancelling) break;
      cancelling = true;
      if (metricsTimer !== undefined) clearInterval(metricsTimer);
      void Promise.resolve(host?.cancel()).finally(() => {
        port.close();
        process.exit(0);
      });
      break;
  }
});
