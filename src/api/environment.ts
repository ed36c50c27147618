/**
 * The StreamExecutionEnvironment a job definition receives. It only records
 * transformations; the runtime executes them later (see `defineJob`).
 */
import { builtinConnectors, type FileProcessingModeName, type FileReadFormat, type PathFilter } from './builtins.js';
import { SingleOutputStreamOperator } from './datastream.js';
import { CheckpointConfig, type CheckpointingMode } from './checkpointing.js';
import { checkRestartStrategy, type RestartStrategyConfiguration } from './restart-strategy.js';
import { invalidArgument } from './errors.js';
import type { SourceFunction } from './functions.js';
import { ParameterTool } from './parameter-tool.js';
import type { Source } from './source.js';
import { WatermarkStrategy } from './watermark-strategy.js';
import { baseFields, type SourceTransformation, type Transformation } from './transformation.js';
import { checkParallelism, checkMaxParallelism } from './validation.js';

/** What the client decides before a job definition runs (CLI flags, configuration). */
export interface EnvironmentSettings {
  /** `-p` or `parallelism.default`. */
  readonly defaultParallelism: number;
  /** `pipeline.max-parallelism`; undefined derives it from the parallelism as Flink does. */
  readonly maxParallelism?: number | undefined;
  /** `pipeline.operator-chaining.enabled`. */
  readonly chainingEnabled?: boolean;
  /**
   * `execution.checkpointing.interval` and `.mode` of the configuration (the
   * job's own `enableCheckpointing` takes precedence); connectors check their
   * settings against the effective checkpointing when the job is built.
   */
  readonly configuredCheckpointing?: { readonly intervalMs: number; readonly mode: CheckpointingMode };
}

/**
 * The keyed state backends: `hashmap` keeps state on the heap (the default),
 * `embedded` on local disk (Flink's `rocksdb`), for state larger than memory.
 */
export type StateBackendType = 'hashmap' | 'embedded';

/** Execution settings of a job, as Flink's `ExecutionConfig`. */
export class ExecutionConfig {
  private globalJobParameters: ParameterTool = ParameterTool.fromMap({});
  private autoWatermarkInterval: number | undefined;

  /** How often periodic watermark generators emit (ms); overrides `pipeline.auto-watermark-interval`. */
  setAutoWatermarkInterval(intervalMs: number): this {
    if (!Number.isFinite(intervalMs) || intervalMs < 0) invalidArgument(`setAutoWatermarkInterval(${intervalMs})`, 'the interval must be ≥ 0 ms');
    this.autoWatermarkInterval = intervalMs;
    return this;
  }

  getAutoWatermarkInterval(): number | undefined {
    return this.autoWatermarkInterval;
  }

  /** Makes `params` available to every function through `getRuntimeContext().getGlobalJobParameters()`. */
  setGlobalJobParameters(params: ParameterTool): this {
    this.globalJobParameters = params;
    return this;
  }

  getGlobalJobParameters(): ParameterTool {
    return this.globalJobParameters;
  }
}

/** The entry point of the DataStream API. */
export class StreamExecutionEnvironment {
  private readonly recorded: Transformation[] = [];
  private readonly config = new ExecutionConfig();
  private readonly checkpointConfig = new CheckpointConfig();
  private restartStrategy: RestartStrategyConfiguration | undefined;
  private stateBackend: StateBackendType | undefined;
  private parallelism: number;
  private maxParallelism: number | undefined;
  private chainingEnabled: boolean;
  private jobName: string | undefined;
  private readonly configuredCheckpointing: EnvironmentSettings['configuredCheckpointing'];

  constructor(settings: EnvironmentSettings = { defaultParallelism: 1 }) {
    this.configuredCheckpointing = settings.configuredCheckpointing;
    this.parallelism = settings.defaultParallelism;
    this.maxParallelism = settings.maxParallelism;
    this.chainingEnabled = settings.chainingEnabled ?? true;
  }

  /** The default parallelism of operators that do not set their own. */
  setParallelism(parallelism: number): this {
    checkParallelism('env.setParallelism', parallelism);
    this.parallelism = parallelism;
    return this;
  }

  getParallelism(): number {
    return this.parallelism;
  }

  /** The number of key groups: the upper bound for rescaling keyed state. */
  setMaxParallelism(maxParallelism: number): this {
    checkMaxParallelism('env.setMaxParallelism', maxParallelism);
    this.maxParallelism = maxParallelism;
    return this;
  }

  getMaxParallelism(): number | undefined {
    return this.maxParallelism;
  }

  /**
   * Takes a checkpoint every `intervalMs` (Flink's `enableCheckpointing`):
   * state becomes fault tolerant and the job restarts from the latest
   * checkpoint on failure. `mode` defaults to `EXACTLY_ONCE`.
   */
  enableCheckpointing(intervalMs: number, mode?: CheckpointingMode): this {
    this.checkpointConfig.enable(intervalMs, mode);
    return this;
  }

  getCheckpointConfig(): CheckpointConfig {
    return this.checkpointConfig;
  }

  /** How the job restarts after a failure (`RestartStrategies.*`); overrides `restart-strategy.type`. */
  setRestartStrategy(strategy: RestartStrategyConfiguration): this {
    this.restartStrategy = checkRestartStrategy('env.setRestartStrategy', strategy);
    return this;
  }

  getRestartStrategy(): RestartStrategyConfiguration | undefined {
    return this.restartStrategy;
  }

  /**
   * Where the keyed state of this job lives: `hashmap` (heap) or `embedded`
   * (local disk); overrides `state.backend.type`. Both read each other's
   * checkpoints and savepoints.
   */
  setStateBackend(backend: StateBackendType): this {
    if (backend !== 'hashmap' && backend !== 'embedded') invalidArgument(`env.setStateBackend(${JSON.stringify(backend)})`, "expected 'hashmap' or 'embedded'");
    this.stateBackend = backend;
    return this;
  }

  getStateBackend(): StateBackendType | undefined {
    return this.stateBackend;
  }

  getConfig(): ExecutionConfig {
    return this.config;
  }

  /** Shorthand for `getConfig().setGlobalJobParameters(params)`. */
  setGlobalJobParameters(params: ParameterTool): this {
    this.config.setGlobalJobParameters(params);
    return this;
  }

  /** Turns operator chaining off for the whole job. */
  disableOperatorChaining(): this {
    this.chainingEnabled = false;
    return this;
  }

  isChainingEnabled(): boolean {
    return this.chainingEnabled;
  }

  /**
   * Names the job. The job runs when the CLI executes the definition, so this
   * only records the name (Flink jobs call `execute(name)` at the end).
   */
  execute(jobName?: string): void {
    if (jobName !== undefined) this.jobName = jobName;
  }

  getJobName(): string | undefined {
    return this.jobName;
  }

  /** A bounded stream of the given elements (parallelism 1). */
  fromElements<T>(...elements: T[]): SingleOutputStreamOperator<T> {
    return this.fromCollection(elements, 'Collection Source');
  }

  /** A bounded stream of the elements of an array or iterable (parallelism 1). */
  fromCollection<T>(collection: Iterable<T>, name = 'Collection Source'): SingleOutputStreamOperator<T> {
    if (collection === null || typeof (collection as Iterable<T>)?.[Symbol.iterator] !== 'function') {
      invalidArgument('env.fromCollection', 'the collection must be an array or an iterable');
    }
    const source = builtinConnectors().collection([...collection]);
    return this.fromBuiltinSource(source, name);
  }

  /** The numbers from `from` to `to`, both included, split over the parallel instances. */
  fromSequence(from: number, to: number): SingleOutputStreamOperator<number> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
      invalidArgument(`env.fromSequence(${from}, ${to})`, 'both bounds must be integers');
    }
    if (from > to) invalidArgument(`env.fromSequence(${from}, ${to})`, 'the start must not be greater than the end');
    return this.fromBuiltinSource(builtinConnectors().sequence(from, to), 'Sequence Source');
  }

  /** The lines of a text file, read in parallel by byte ranges. */
  readTextFile(path: string): SingleOutputStreamOperator<string> {
    if (typeof path !== 'string' || path.length === 0) invalidArgument('env.readTextFile', 'the path must be a non-empty string');
    return this.fromBuiltinSource(builtinConnectors().textFile(path), `readTextFile(${path})`);
  }

  /**
   * The records of the files under `filePath` (a file or a directory, nested
   * directories included) read with `format` (Flink's legacy `readFile`, on
   * the `FileSource`): `PROCESS_ONCE` reads the files there now and ends;
   * `PROCESS_CONTINUOUSLY` lists the path every `intervalMs` and reads new
   * files, and a file modified after it was read again, whole (Flink's legacy
   * semantics). `filter.filterPath(path)` true leaves a file out.
   */
  readFile<T>(format: FileReadFormat<T>, filePath: string, watchType: FileProcessingModeName = 'PROCESS_ONCE', intervalMs = -1, filter?: PathFilter): SingleOutputStreamOperator<T> {
    if (typeof filePath !== 'string' || filePath.length === 0) invalidArgument('env.readFile', 'the path must be a non-empty string');
    if (watchType !== 'PROCESS_ONCE' && watchType !== 'PROCESS_CONTINUOUSLY') {
      invalidArgument(`env.readFile(..., ${String(watchType)})`, 'the watch type must be PROCESS_ONCE or PROCESS_CONTINUOUSLY');
    }
    return this.fromBuiltinSource(builtinConnectors().fileSource(format, filePath, watchType, intervalMs, filter), `readFile(${filePath})`);
  }

  /** The delimited text read from a TCP socket (parallelism 1); ends when the server closes the connection. */
  socketTextStream(hostname: string, port: number, delimiter = '\n', maxRetry = 0): SingleOutputStreamOperator<string> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      invalidArgument(`env.socketTextStream(${hostname}, ${port})`, 'the port must be an integer between 1 and 65535');
    }
    if (delimiter.length === 0) invalidArgument('env.socketTextStream', 'the delimiter must not be empty');
    return this.fromBuiltinSource(builtinConnectors().socketText(hostname, port, delimiter, maxRetry), 'Socket Stream');
  }

  /** A stream from a legacy `SourceFunction` (parallel when it is a `ParallelSourceFunction`). */
  addSource<T>(fn: SourceFunction<T>, name = 'Custom Source'): SingleOutputStreamOperator<T> {
    if (fn === null || typeof fn !== 'object' || typeof fn.run !== 'function' || typeof fn.cancel !== 'function') {
      invalidArgument('env.addSource', 'the source must be an object with run(ctx) and cancel() methods');
    }
    const parallel = fn.parallel === true;
    return this.addSourceTransformation<T>(name, { kind: 'function', fn }, parallel ? undefined : 1, false);
  }

  /**
   * A stream from a pull-based {@link Source}, with its event time and
   * watermarks (`WatermarkStrategy.noWatermarks()` for none).
   */
  fromSource<T>(source: Source<T>, watermarkStrategy: WatermarkStrategy<T>, sourceName: string): SingleOutputStreamOperator<T> {
    if (!(watermarkStrategy instanceof WatermarkStrategy)) invalidArgument(`env.fromSource(..., ${String(watermarkStrategy)})`, 'expected a WatermarkStrategy');
    if (source.handlesWatermarks === true) {
      return this.addSourceTransformation<T>(sourceName, { kind: 'source', source, watermarkStrategy }, source.maxSourceParallelism, source.boundedness === 'BOUNDED');
    }
    const stream = this.fromBuiltinSource(source, sourceName);
    if (!watermarkStrategy.hasWatermarks() && !watermarkStrategy.hasTimestampAssigner()) return stream;
    return stream.assignTimestampsAndWatermarks(watermarkStrategy);
  }

  /** @internal a stream from a source without watermarks. */
  private fromBuiltinSource<T>(source: Source<T>, name: string): SingleOutputStreamOperator<T> {
    return this.addSourceTransformation<T>(
      name,
      { kind: 'source', source },
      source.maxSourceParallelism,
      source.boundedness === 'BOUNDED',
    );
  }

  /** The checkpointing the job runs with: its own, else the configuration's. @internal */
  getEffectiveCheckpointing(): { readonly intervalMs: number; readonly mode: CheckpointingMode } | undefined {
    const own = this.checkpointConfig.toSettings();
    return own === undefined ? this.configuredCheckpointing : { intervalMs: own.intervalMs, mode: own.mode ?? 'EXACTLY_ONCE' };
  }

  /** Every transformation recorded so far, in creation order. @internal */
  getTransformations(): readonly Transformation[] {
    return this.recorded;
  }

  /** Records a transformation and gives it the next id. @internal */
  record<T extends Transformation>(make: (id: number) => T): T {
    const transformation = make(this.recorded.length);
    transformation.defaultParallelism = this.parallelism;
    this.recorded.push(transformation);
    return transformation;
  }

  private addSourceTransformation<T>(
    name: string,
    source: SourceTransformation['source'],
    maxSourceParallelism: number | undefined,
    bounded: boolean,
  ): SingleOutputStreamOperator<T> {
    const transformation = this.record<SourceTransformation>((id) => ({
      ...baseFields(id, name),
      kind: 'source',
      source,
      maxSourceParallelism,
      bounded,
      parallelism: maxSourceParallelism === 1 ? 1 : undefined,
    }));
    return new SingleOutputStreamOperator<T>(this, transformation);
  }
}
