/**
 * Every configuration option of flinkts, with Flink's key and meaning where
 * Flink has the option.
 *
 * To add an option, add one `export const` here: `registry.ts` collects every
 * exported option into `ALL_OPTIONS`, so loading, validation, did-you-mean,
 * `toJSON` and `docs/configuration.md` (`npm run gen:docs`) follow. Keep the
 * constant name the key in upper snake case.
 */
import { availableParallelism } from 'node:os';
import { UPPER_BOUND_MAX_PARALLELISM } from '../api/validation.js';
import { computedDefault, defineOption } from './option.js';
import { booleanType, durationType, integerType, memoryType, stringType } from './option-types.js';

/** `parallelism.default`: the parallelism of operators and jobs that set none. */
export const PARALLELISM_DEFAULT = defineOption({
  key: 'parallelism.default',
  type: integerType({ min: 1 }),
  default: 1,
  description:
    'Parallelism of jobs and operators that set none: used unless the job calls `setParallelism` or the job is submitted with `-p`.',
});

/** `pipeline.max-parallelism`: the number of key groups of jobs that set none; -1 derives it. */
export const PIPELINE_MAX_PARALLELISM = defineOption({
  key: 'pipeline.max-parallelism',
  type: integerType({ min: 1, max: UPPER_BOUND_MAX_PARALLELISM, also: [-1] }),
  default: -1,
  description:
    'Maximum parallelism of jobs and operators that set none: the number of key groups, and so the largest ' +
    'parallelism keyed state can be rescaled to from a savepoint. -1 derives it from the parallelism: the next ' +
    'power of two ≥ 1.5 × parallelism, at least 128 and at most 32768.',
});

/** `pipeline.operator-chaining.enabled`: whether forward edges are chained into one task. */
export const PIPELINE_OPERATOR_CHAINING_ENABLED = defineOption({
  key: 'pipeline.operator-chaining.enabled',
  type: booleanType(),
  default: true,
  description:
    'Chain operators connected by forward edges with equal parallelism into one task, so records pass by direct ' +
    'function call without serialisation. `disableChaining()` and `startNewChain()` still apply per operator.',
});

/** `pipeline.name`: the job name; unset means the name the job gives itself. */
export const PIPELINE_NAME = defineOption({
  key: 'pipeline.name',
  type: stringType(),
  description:
    'Name of the job, shown in its plan, by `flinkts list`, the REST API and the web UI. When unset, the name the ' +
    'job gives itself is used, or else one derived from the job file.',
});

/** `pipeline.auto-watermark-interval`: how often periodic watermark generators emit. */
export const PIPELINE_AUTO_WATERMARK_INTERVAL = defineOption({
  key: 'pipeline.auto-watermark-interval',
  type: durationType(),
  default: 200,
  description: 'Interval at which periodic watermark generators emit a watermark. 0 disables periodic watermarks.',
});

/** `taskmanager.numberOfTaskSlots`: the slots (worker threads) one TaskManager offers. */
export const TASKMANAGER_NUMBER_OF_TASK_SLOTS = defineOption({
  key: 'taskmanager.numberOfTaskSlots',
  type: integerType({ min: 1 }),
  default: computedDefault(() => availableParallelism(), 'number of cores'),
  description:
    'Number of task slots a TaskManager offers. Each slot is a worker thread and may run one parallel instance of ' +
    'every operator of a job (slot sharing).',
});

/** `taskmanager.memory.segment-size`: the size of one network buffer. */
export const TASKMANAGER_MEMORY_SEGMENT_SIZE = defineOption({
  key: 'taskmanager.memory.segment-size',
  type: memoryType({ min: 4 * 1024 }),
  default: 32 * 1024,
  description:
    'Size of a network buffer: records sent between tasks that are not chained travel in buffers of this size. ' +
    'A record larger than a buffer travels alone in a buffer of its own size.',
});

/** `taskmanager.network.memory.buffers-per-channel`: the credit of one channel. */
export const TASKMANAGER_NETWORK_MEMORY_BUFFERS_PER_CHANNEL = defineOption({
  key: 'taskmanager.network.memory.buffers-per-channel',
  type: integerType({ min: 1 }),
  default: 8,
  description:
    'Number of buffers each output channel owns: the credit a receiver grants its sender. A sender whose buffers ' +
    'are all in flight waits for one to come back, which is how back-pressure travels upstream. Eight cover the ' +
    'round trip between two busy slot workers.',
});

/** `taskmanager.network.memory.max-overdraft-buffers-per-gate`: extra buffers a task may borrow to finish its input. */
export const TASKMANAGER_NETWORK_MEMORY_MAX_OVERDRAFT_BUFFERS_PER_GATE = defineOption({
  key: 'taskmanager.network.memory.max-overdraft-buffers-per-gate',
  type: integerType({ min: 0 }),
  default: 1000,
  description:
    'Number of extra buffers a task whose output buffers are all in use may borrow while it finishes processing ' +
    'the current input record (for example a flatMap that emits many records). A source that keeps emitting ' +
    'beyond this ignores back-pressure, and the task fails.',
});

/** `execution.buffer-timeout`: how long a partly filled output buffer may wait before it is sent. */
export const EXECUTION_BUFFER_TIMEOUT = defineOption({
  key: 'execution.buffer-timeout',
  type: durationType(),
  default: 100,
  description:
    'Maximum time a partly filled output buffer waits before it is sent: higher values favour throughput, lower ' +
    'values latency. 0 sends partly filled buffers as soon as the slot has no other work.',
});
