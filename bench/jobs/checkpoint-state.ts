// The checkpoint benchmark's keyed-state job (bench/checkpoints.js): a paced
// source and a keyed process function holding one string of about
// `value-bytes` bytes per key in ValueState.
//
//   load  the source emits 0..keys-1 as fast as the job takes them: every key
//         gets its value once (the full state);
//   hot   then, for `hot-ms` milliseconds, it emits the hot keys (a fraction
//         `hot-fraction` of all keys, spread evenly over the key space) in
//         rounds, one round every `round-ms`: between two checkpoints only
//         those keys change, which is what an incremental checkpoint should
//         write.
//
// With `--fail true` the keyed function fails once, in attempt 0, on the
// first record after a checkpoint that holds the whole state completed; the
// source then keeps emitting hot rounds until that happens (at most
// `max-ms`). A restarted attempt emits `hot-ms` of hot rounds and ends.
//
// Markers (epoch ms, one file each, in `--markers <dir>`; the benchmark reads
// them): `input-end` when the source of attempt 0 emitted its last record,
// `load-done` when the keyed function saw the first hot record,
// `full-checkpoint` when a checkpoint holding the whole state completed,
// `failed-at` just before the planned failure, `open-<attempt>` and
// `first-record-<attempt>` for the attempts after a restart. The keyed
// function of subtask 0 writes all but the first (run at parallelism 1).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defineJob,
  DiscardingSink,
  KeyedProcessFunction,
  ListStateDescriptor,
  RichSourceFunction,
  ValueStateDescriptor,
  type CheckpointedFunction,
  type CheckpointListener,
  type Collector,
  type FunctionInitializationContext,
  type FunctionSnapshotContext,
  type KeyedProcessFunctionContext,
  type OperatorListState,
  type SourceContext,
  type ValueState,
} from 'flinkts';

const FILLER = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(64);

/** Emits the load, then hot rounds; its position survives a restart. */
class PacedKeys extends RichSourceFunction<number> implements CheckpointedFunction {
  private next = 0;
  private running = true;
  private position!: OperatorListState<number>;

  constructor(
    private readonly keys: number,
    private readonly hot: number,
    private readonly roundMs: number,
    private readonly hotMs: number,
    /** How long attempt 0 keeps emitting hot rounds when it waits for its planned failure. */
    private readonly maxMs: number,
    private readonly markers: string | undefined,
  ) {
    super();
  }

  initializeState(context: FunctionInitializationContext): void {
    this.position = context.getOperatorStateStore().getListState(new ListStateDescriptor<number>('next'));
    for (const next of this.position.get()) this.next = next;
  }

  snapshotState(): void {
    this.position.update([this.next]);
  }

  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running && this.next < this.keys) {
      // Advance first: a checkpoint taken while collect() waits must not see this number again.
      const pending = ctx.collect(this.next++);
      if (pending !== undefined) await pending;
    }
    const start = Date.now();
    const limit = this.maxMs > 0 && this.getRuntimeContext().getAttemptNumber() === 0 ? this.maxMs : this.hotMs;
    while (this.running && Date.now() - start < limit) {
      for (let i = 0; i < this.hot && this.running; i++) {
        const pending = ctx.collect(this.next++);
        if (pending !== undefined) await pending;
      }
      await new Promise((resolve) => setTimeout(resolve, this.roundMs));
    }
    if (this.running && this.markers !== undefined && this.getRuntimeContext().getAttemptNumber() === 0) writeFileSync(join(this.markers, 'input-end'), String(Date.now()));
  }

  cancel(): void {
    this.running = false;
  }
}

/** Keeps one value per key; plans the failure and writes the markers. */
class Payloads extends KeyedProcessFunction<number, number, never> implements CheckpointedFunction, CheckpointListener {
  private payload!: ValueState<string>;
  private loadDone = false;
  /** The first checkpoint snapshotted after the whole load arrived. */
  private fullCheckpointId: number | undefined;
  private fullCheckpointDone = false;
  private seen = 0;

  constructor(
    private readonly keys: number,
    private readonly valueBytes: number,
    private readonly fail: boolean,
    private readonly markers: string | undefined,
  ) {
    super();
  }

  initializeState(): void {}

  override open(): void {
    this.payload = this.getRuntimeContext().getState(new ValueStateDescriptor<string>('payload'));
    if (this.attempt() > 0) this.mark(`open-${this.attempt()}`);
  }

  processElement(v: number, ctx: KeyedProcessFunctionContext<number>, _out: Collector<never>): void {
    if (this.seen++ === 0 && this.attempt() > 0) this.mark(`first-record-${this.attempt()}`);
    if (v >= this.keys && !this.loadDone) {
      this.loadDone = true;
      if (this.attempt() === 0) this.mark('load-done');
    }
    if (this.fail && this.fullCheckpointDone && this.attempt() === 0 && this.subtask() === 0) {
      this.mark('failed-at');
      throw new Error('planned failure (bench/jobs/checkpoint-state.ts): attempt 0 fails after a full checkpoint');
    }
    // A string of its own per key (not a shared constant), so the heap holds what the checkpoint writes.
    const prefix = `${ctx.getCurrentKey()}:${v}:`;
    this.payload.update(prefix + FILLER.slice(0, Math.max(0, this.valueBytes - prefix.length)));
  }

  snapshotState(context: FunctionSnapshotContext): void {
    if (this.loadDone && this.fullCheckpointId === undefined) this.fullCheckpointId = context.getCheckpointId();
  }

  notifyCheckpointComplete(checkpointId: number): void {
    if (this.fullCheckpointDone || this.fullCheckpointId === undefined || checkpointId < this.fullCheckpointId) return;
    this.fullCheckpointDone = true;
    if (this.attempt() === 0) this.mark('full-checkpoint');
  }

  private attempt(): number {
    return this.getRuntimeContext().getAttemptNumber();
  }

  private subtask(): number {
    return this.getRuntimeContext().getIndexOfThisSubtask();
  }

  private mark(name: string): void {
    if (this.markers !== undefined && this.subtask() === 0) writeFileSync(join(this.markers, name), String(Date.now()));
  }
}

export default defineJob((env, params) => {
  const keys = params.getInt('keys');
  const hot = Math.max(1, Math.round(keys * Number(params.get('hot-fraction', '0.01'))));
  const stride = Math.max(1, Math.floor(keys / hot));
  const fail = params.get('fail', 'false') === 'true';
  env
    .addSource(
      new PacedKeys(keys, hot, params.getInt('round-ms', 100), params.getInt('hot-ms', 8_000), fail ? params.getInt('max-ms', 600_000) : 0, params.get('markers')),
      'Paced keys',
    )
    .uid('paced-keys')
    // Load values are the keys themselves; hot values cycle through every stride-th key.
    .keyBy((v) => (v < keys ? v : ((v - keys) % hot) * stride))
    .process(new Payloads(keys, params.getInt('value-bytes', 200), fail, params.get('markers')))
    .uid('payloads')
    .addSink(new DiscardingSink());
});
