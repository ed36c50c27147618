/**
 * Every configuration option of flinkts, with Flink's key and meaning where
 * Flink has the option.
 *
 * To add an option, add one `export const` here: `registry.ts` collects every
 * exported option into `ALL_OPTIONS`, so loading, validation, did-you-mean,
 * `toJSON` and `docs/configuration.md` (`npm run gen:docs`) follow. Keep the
 * constant name the key in upper snake case.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESTART_STRATEGY_DEFAULTS } from '../api/restart-strategy.js';
import { UPPER_BOUND_MAX_PARALLELISM } from '../api/validation.js';
import { computedDefault, defineOption, type OptionType } from './option.js';
import { localStateDir } from './state-dir.js';
import { booleanType, durationType, enumType, integerType, memoryType, stringType } from './option-types.js';

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

// ---------------------------------------------------------------------------
// Restart strategies (Flink's `RestartStrategyOptions`, defaults of Flink 1.19/1.20). The defaults live in
// `src/api/restart-strategy.ts`, shared with the runtime, which reads these keys from `FlinktsConfig.toJSON()`.

/**
 * A decimal number such as `1.5`, within bounds. Only the restart options need one so far; it belongs in
 * `option-types.ts` once a second user appears.
 */
function decimalType(bounds: { above?: number; min?: number; max?: number }): OptionType<number> {
  const { above, min, max } = bounds;
  const parts = [above === undefined ? undefined : `> ${above}`, min === undefined ? undefined : `≥ ${min}`, max === undefined ? undefined : `≤ ${max}`];
  const range = min !== undefined && max !== undefined ? `${min} to ${max}` : parts.filter((part) => part !== undefined).join(', ');
  return {
    name: 'Double',
    constraint: range === '' ? undefined : range,
    expected: range === '' ? 'a number' : `a number ${min !== undefined && max !== undefined ? `from ${range}` : range}`,
    hint: undefined,
    parse(text) {
      const trimmed = text.trim();
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
      const value = Number(trimmed);
      if (!Number.isFinite(value)) return undefined;
      if ((above !== undefined && value <= above) || (min !== undefined && value < min) || (max !== undefined && value > max)) return undefined;
      return value;
    },
    format: (value) => String(value),
  };
}

/** A {@link durationType} of at least 1 ms, for intervals and backoffs that cannot be zero. */
function positiveDurationType(): OptionType<number> {
  const duration = durationType();
  return {
    ...duration,
    constraint: '≥ 1 ms',
    expected: "a duration ≥ 1 ms such as '100 ms', '1 s' or '2 min'",
    parse(text) {
      const value = duration.parse(text);
      return value === undefined || value < 1 ? undefined : value;
    },
  };
}

/** `jobmanager.execution.failover-strategy`: what restarts when a task fails. */
export const JOBMANAGER_EXECUTION_FAILOVER_STRATEGY = defineOption({
  key: 'jobmanager.execution.failover-strategy',
  type: enumType(['region', 'full']),
  default: 'region',
  description:
    '`region` restarts only the failed task\'s pipelined region — the tasks it exchanges records with, directly or ' +
    'through others (with slot sharing: every task of the worker threads involved) — from the latest checkpoint, ' +
    'while the rest of the job runs on; a job whose tasks are all connected (e.g. through `keyBy`) is one region. ' +
    '`full` restarts every task.',
});

/** `restart-strategy.type`: the restart strategy of jobs that set none. */
export const RESTART_STRATEGY_TYPE = defineOption({
  key: 'restart-strategy.type',
  type: enumType(['none', 'off', 'disable', 'fixed-delay', 'fixeddelay', 'failure-rate', 'failurerate', 'exponential-delay', 'exponentialdelay']),
  description:
    'Restart strategy of jobs that do not set one with `env.setRestartStrategy`: `none` (or `off`, `disable`) fails ' +
    'the job on its first failure; `fixed-delay` (or `fixeddelay`), `failure-rate` (or `failurerate`) and ' +
    '`exponential-delay` (or `exponentialdelay`) restart it as their `restart-strategy.<type>.*` options say. ' +
    'When unset: `exponential-delay` with its defaults if the job checkpoints, otherwise `none`. Failures a ' +
    'restart cannot cure (incompatible state, an invalid job) fail the job at once.',
});

/** `restart-strategy.fixed-delay.attempts`: restarts before a fixed-delay job fails. */
export const RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS = defineOption({
  key: 'restart-strategy.fixed-delay.attempts',
  type: integerType({ min: 0 }),
  default: RESTART_STRATEGY_DEFAULTS.fixedDelay.restartAttempts,
  description: 'Number of times a job is restarted before it fails, if `restart-strategy.type` is `fixed-delay`.',
});

/** `restart-strategy.fixed-delay.delay`: the wait before each fixed-delay restart. */
export const RESTART_STRATEGY_FIXED_DELAY_DELAY = defineOption({
  key: 'restart-strategy.fixed-delay.delay',
  type: durationType(),
  default: RESTART_STRATEGY_DEFAULTS.fixedDelay.delayMs,
  description:
    'Delay between two consecutive restart attempts, if `restart-strategy.type` is `fixed-delay`. A delay helps ' +
    'when the job talks to external systems whose connections or pending transactions should time out first.',
});

/** `restart-strategy.failure-rate.max-failures-per-interval`: failures tolerated per interval. */
export const RESTART_STRATEGY_FAILURE_RATE_MAX_FAILURES_PER_INTERVAL = defineOption({
  key: 'restart-strategy.failure-rate.max-failures-per-interval',
  type: integerType({ min: 1 }),
  default: RESTART_STRATEGY_DEFAULTS.failureRate.maxFailuresPerInterval,
  description:
    'Number of failures within `restart-strategy.failure-rate.failure-rate-interval` after which the job is still ' +
    'restarted, if `restart-strategy.type` is `failure-rate`; one more within the interval fails the job.',
});

/** `restart-strategy.failure-rate.failure-rate-interval`: the sliding window failures are counted in. */
export const RESTART_STRATEGY_FAILURE_RATE_FAILURE_RATE_INTERVAL = defineOption({
  key: 'restart-strategy.failure-rate.failure-rate-interval',
  type: positiveDurationType(),
  default: RESTART_STRATEGY_DEFAULTS.failureRate.failureIntervalMs,
  description: 'Time interval (sliding) over which failures are counted, if `restart-strategy.type` is `failure-rate`.',
});

/** `restart-strategy.failure-rate.delay`: the wait before each failure-rate restart. */
export const RESTART_STRATEGY_FAILURE_RATE_DELAY = defineOption({
  key: 'restart-strategy.failure-rate.delay',
  type: durationType(),
  default: RESTART_STRATEGY_DEFAULTS.failureRate.delayMs,
  description: 'Delay between two consecutive restart attempts, if `restart-strategy.type` is `failure-rate`.',
});

/** `restart-strategy.exponential-delay.initial-backoff`: the first exponential-delay wait. */
export const RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF = defineOption({
  key: 'restart-strategy.exponential-delay.initial-backoff',
  type: positiveDurationType(),
  default: RESTART_STRATEGY_DEFAULTS.exponentialDelay.initialBackoffMs,
  description:
    'Delay before the first restart, and after a reset, if `restart-strategy.type` is `exponential-delay`. At most ' +
    '`restart-strategy.exponential-delay.max-backoff`.',
});

/** `restart-strategy.exponential-delay.max-backoff`: the largest exponential-delay wait. */
export const RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF = defineOption({
  key: 'restart-strategy.exponential-delay.max-backoff',
  type: positiveDurationType(),
  default: RESTART_STRATEGY_DEFAULTS.exponentialDelay.maxBackoffMs,
  description: 'The largest delay between restarts, if `restart-strategy.type` is `exponential-delay`.',
});

/** `restart-strategy.exponential-delay.backoff-multiplier`: how the wait grows per failure. */
export const RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER = defineOption({
  key: 'restart-strategy.exponential-delay.backoff-multiplier',
  type: decimalType({ above: 1 }),
  default: RESTART_STRATEGY_DEFAULTS.exponentialDelay.backoffMultiplier,
  description:
    'Factor the delay is multiplied by after every failure until it reaches the maximum, if ' +
    '`restart-strategy.type` is `exponential-delay`.',
});

/** `restart-strategy.exponential-delay.reset-backoff-threshold`: failure-free running time that resets the wait. */
export const RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD = defineOption({
  key: 'restart-strategy.exponential-delay.reset-backoff-threshold',
  type: positiveDurationType(),
  default: RESTART_STRATEGY_DEFAULTS.exponentialDelay.resetBackoffThresholdMs,
  description:
    'How long the job must run after a restart without failing for the delay to return to its initial value ' +
    '(and the attempt count to zero), if `restart-strategy.type` is `exponential-delay`.',
});

/** `restart-strategy.exponential-delay.jitter-factor`: random spread of each wait. */
export const RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR = defineOption({
  key: 'restart-strategy.exponential-delay.jitter-factor',
  type: decimalType({ min: 0, max: 1 }),
  default: RESTART_STRATEGY_DEFAULTS.exponentialDelay.jitterFactor,
  description:
    'Random spread of each delay as a fraction of it (0.1: ± 10 %), if `restart-strategy.type` is ' +
    '`exponential-delay`, so jobs that failed together do not all restart at the same moment.',
});

/** `restart-strategy.exponential-delay.attempts-before-reset-backoff`: restarts allowed between resets. */
export const RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS_BEFORE_RESET_BACKOFF = defineOption({
  key: 'restart-strategy.exponential-delay.attempts-before-reset-backoff',
  type: integerType({ min: 1 }),
  default: RESTART_STRATEGY_DEFAULTS.exponentialDelay.attemptsBeforeResetBackoff,
  description:
    'Number of restarts after which the job fails, counted since the delay was last reset, if ' +
    '`restart-strategy.type` is `exponential-delay`. The default, 2147483647, is what Flink calls "infinite".',
});

/** `rest.address`: where the JobManager's REST API listens. */
export const REST_ADDRESS = defineOption({
  key: 'rest.address',
  type: stringType(),
  default: '127.0.0.1',
  description:
    'Address the REST API of the cluster binds to. It stays on the loopback interface unless ' +
    '`rest.allow-non-loopback` is also set: every request needs the bearer token the cluster generates at start ' +
    '(found by local commands in the cluster registry under the flinkts state directory).',
});

/** `rest.port`: the port of the REST API; 0 picks a free one. */
export const REST_PORT = defineOption({
  key: 'rest.port',
  type: integerType({ min: 0, max: 65535 }),
  default: 0,
  description:
    'Port of the REST API. 0 (the default) picks a free port; `flinkts list` and the other job-control commands ' +
    'find it in the cluster registry, or take it with `-m host:port`.',
});

/** `rest.allow-non-loopback`: whether `rest.address` may be a non-loopback address. */
export const REST_ALLOW_NON_LOOPBACK = defineOption({
  key: 'rest.allow-non-loopback',
  type: booleanType(),
  default: false,
  description:
    'Allow `rest.address` to be an address other than loopback (such as `0.0.0.0`), exposing the REST API to ' +
    'the network. Without it such an address is refused at start. Requests still need the bearer token.',
});

/** `execution.checkpointing.interval`: checkpoint every this long; unset leaves checkpointing to the job. */
export const EXECUTION_CHECKPOINTING_INTERVAL = defineOption({
  key: 'execution.checkpointing.interval',
  type: durationType(),
  description:
    'Interval between checkpoints. Unset: checkpointing is off unless the job calls `env.enableCheckpointing(interval)`, ' +
    'which takes precedence. With checkpointing on, state survives failures and the job restarts from the latest checkpoint.',
});

/** `execution.checkpointing.mode`: aligned barriers or not. */
export const EXECUTION_CHECKPOINTING_MODE = defineOption({
  key: 'execution.checkpointing.mode',
  type: enumType(['EXACTLY_ONCE', 'AT_LEAST_ONCE']),
  default: 'EXACTLY_ONCE',
  description:
    '`EXACTLY_ONCE` aligns barriers: a task with several input channels holds back each channel whose barrier arrived ' +
    'until all arrived. `AT_LEAST_ONCE` does not hold back, so records after a barrier may be in the snapshot and are replayed after a failure.',
});

/** `execution.checkpointing.timeout`: a checkpoint not complete within this is aborted. */
export const EXECUTION_CHECKPOINTING_TIMEOUT = defineOption({
  key: 'execution.checkpointing.timeout',
  type: durationType(),
  default: 10 * 60 * 1000,
  description: 'A checkpoint that has not completed after this long is aborted and counts as a failed checkpoint.',
});

/** `execution.checkpointing.min-pause`: the least time between the end of one checkpoint and the start of the next. */
export const EXECUTION_CHECKPOINTING_MIN_PAUSE = defineOption({
  key: 'execution.checkpointing.min-pause',
  type: durationType(),
  default: 0,
  description: 'Minimum time between the end of a checkpoint and the start of the next, so that slow checkpoints leave the job time to process records.',
});

/** `execution.checkpointing.tolerable-failed-checkpoints`: failed checkpoints in a row before the job fails over. */
export const EXECUTION_CHECKPOINTING_TOLERABLE_FAILED_CHECKPOINTS = defineOption({
  key: 'execution.checkpointing.tolerable-failed-checkpoints',
  type: integerType({ min: 0 }),
  default: 0,
  description: 'Number of consecutive failed checkpoints tolerated; one more fails the job over (restart from the latest completed checkpoint).',
});

/** `execution.checkpointing.externalized-checkpoint-retention`: whether checkpoints outlive a cancelled job. */
export const EXECUTION_CHECKPOINTING_EXTERNALIZED_CHECKPOINT_RETENTION = defineOption({
  key: 'execution.checkpointing.externalized-checkpoint-retention',
  type: enumType(['DELETE_ON_CANCELLATION', 'RETAIN_ON_CANCELLATION']),
  default: 'DELETE_ON_CANCELLATION',
  description:
    'What happens to the retained checkpoints of a cancelled job: deleted, or kept so that `flinkts run -s <chk dir>` can resume it. ' +
    'Checkpoints of a failed job are always kept.',
});

/** `state.checkpoints.dir`: where checkpoints are written. */
export const STATE_CHECKPOINTS_DIR = defineOption({
  key: 'state.checkpoints.dir',
  type: stringType(),
  default: computedDefault(() => join(localStateDir(), 'checkpoints'), 'checkpoints/ in the flinkts state directory'),
  description:
    'Directory of checkpoints: `<dir>/<jobId>/chk-<n>/` with a `_metadata` file, and `<dir>/<jobId>/shared/` for files incremental checkpoints share. ' +
    'The state directory is `$FLINKTS_STATE_DIR`, else `$XDG_STATE_HOME/flinkts`, else `~/.local/state/flinkts`.',
});

/** `state.checkpoints.num-retained`: completed checkpoints kept. */
export const STATE_CHECKPOINTS_NUM_RETAINED = defineOption({
  key: 'state.checkpoints.num-retained',
  type: integerType({ min: 1 }),
  default: 1,
  description: 'Number of completed checkpoints kept; older ones are deleted when a newer one completes.',
});

/** `state.savepoints.dir`: the default target of savepoints. */
export const STATE_SAVEPOINTS_DIR = defineOption({
  key: 'state.savepoints.dir',
  type: stringType(),
  description: 'Default directory of savepoints taken without a target directory (`flinkts savepoint create <jobId>`, `flinkts stop`).',
});

/** `state.backend.type`: where keyed state lives, unless the job chooses in code. */
export const STATE_BACKEND_TYPE = defineOption({
  key: 'state.backend.type',
  type: enumType(['hashmap', 'embedded', 'rocksdb']),
  default: 'hashmap',
  description:
    'Keyed state backend of jobs that do not call `env.setStateBackend`: `hashmap` keeps keyed state on the heap of ' +
    'the task threads (fastest; state must fit in memory); `embedded` (or Flink\'s name `rocksdb`) keeps it in an ' +
    'on-disk store per operator subtask under `io.tmp.dirs`, behind a bounded cache, with incremental checkpoints. ' +
    'Values read from `embedded` state are copies: change them through `update()`. So are `hashmap` values that are ' +
    'numbers or plain objects of numbers (of keys that are numbers, without a time-to-live), which it keeps in typed ' +
    'columns for fast checkpoints; its other values are the stored objects themselves. Checkpoints and savepoints of ' +
    'either backend restore with the other.',
});

/** `state.backend.embedded.cache-entries`: the embedded backend's write-back cache bound. */
export const STATE_BACKEND_EMBEDDED_CACHE_ENTRIES = defineOption({
  key: 'state.backend.embedded.cache-entries',
  type: integerType({ min: 1 }),
  // The backend's own default (EMBEDDED_DEFAULTS in src/runtime/state/embedded/index.ts; a test keeps them equal).
  default: 100_000,
  description:
    'Entries (state, key, namespace) the `embedded` backend keeps in memory per operator subtask, in front of its ' +
    'on-disk store; changed entries are written out in one transaction when the cache outgrows this (or 64 MiB) ' +
    'and at every checkpoint.',
});

/** `state.backend.incremental`: whether checkpoints of the embedded backend hold only what changed. */
export const STATE_BACKEND_INCREMENTAL = defineOption({
  key: 'state.backend.incremental',
  type: booleanType(),
  default: true,
  description:
    'With the `embedded` backend, checkpoints write only the entries changed since the last completed checkpoint, ' +
    'referring to the earlier files in `<checkpoint dir>/<jobId>/shared/` (a full one again after 10 increments). ' +
    '`false` writes all state at every checkpoint. The `hashmap` backend always writes full checkpoints; savepoints are always full.',
});

/** `io.tmp.dirs`: where the embedded backend keeps its stores. */
export const IO_TMP_DIRS = defineOption({
  key: 'io.tmp.dirs',
  type: stringType(),
  default: computedDefault(() => tmpdir(), 'the system temp directory (`os.tmpdir()`)'),
  description:
    'Directories for local working files: the on-disk stores of the `embedded` state backend, in ' +
    '`<dir>/flinkts-<pid>/`, deleted when their task ends. Several directories (separated by `,`, `|` or the ' +
    'system path separator) are used in turn by subtask index.',
});
