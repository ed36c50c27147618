// Flink's changelog form for the updating Nexmark queries (q4, q15–q19):
// every output row carries `op`, its row kind, next to the query's columns.
// Applying the rows in order to a table keyed by the query's unique key
// gives the query's result table:
//   +I  a new key's row          -U  the key's current row, about to change
//   +U  the key's row after it   -D  the key's row, removed
// An update is always `-U` (the old row) immediately followed by `+U` (the
// new one), from the same subtask, so per key the order holds at any
// parallelism. As Flink's GroupAggFunction, a change that leaves a row as it
// was emits nothing.
import { KeyedProcessFunction, ValueStateDescriptor, type Collector, type KeyedProcessFunctionContext, type ValueState } from 'flinkts';

/** Flink's `RowKind` in its short form. */
export type RowKind = '+I' | '-U' | '+U' | '-D';

/** A result row with its row kind. */
export type ChangelogRow<T extends object> = { readonly op: RowKind } & T;

/** `row` tagged with `op` (first, so the JSON lines read naturally). */
export function changelogRow<T extends object>(op: RowKind, row: T): ChangelogRow<T> {
  return { op, ...row };
}

/** Whether two flat rows have the same columns with the same values (no allocation: it runs once per input record). */
export function sameRow(a: object, b: object): boolean {
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let columns = 0;
  for (const key in ra) {
    if (!Object.is(ra[key], rb[key])) return false;
    columns++;
  }
  for (const _ in rb) columns--;
  return columns === 0;
}

/**
 * Emits the change of one key's row from `before` to `after` (`undefined`:
 * no row): `+I`, `-U` + `+U`, `-D`, or nothing when the row did not change.
 */
export function emitChange<T extends object>(out: Collector<ChangelogRow<T>>, before: T | undefined, after: T | undefined): void {
  if (before === undefined) {
    if (after !== undefined) out.collect(changelogRow('+I', after));
  } else if (after === undefined) {
    out.collect(changelogRow('-D', before));
  } else if (!sameRow(before, after)) {
    out.collect(changelogRow('-U', before));
    out.collect(changelogRow('+U', after));
  }
}

/** A group's accumulator and the row last emitted for it. */
interface GroupState<ACC, ROW> {
  readonly acc: ACC;
  row: ROW;
}

/**
 * An unbounded `GROUP BY` over an append-only input, as Flink's
 * GroupAggFunction without mini-batches: per key an accumulator in value
 * state; every input element updates it and emits the group's new row as a
 * change of the row emitted before (`+I` for a new group, then `-U`/`+U`).
 * Subclasses say how to start, update and read the accumulator; they may
 * keep more keyed state of their own (e.g. map state for distinct counts),
 * which is scoped to the current key when `accumulate` runs.
 */
export abstract class GroupAggregateFunction<K, IN, ACC, ROW extends object> extends KeyedProcessFunction<K, IN, ChangelogRow<ROW>> {
  private group!: ValueState<GroupState<ACC, ROW>>;

  override open(): void {
    this.group = this.getRuntimeContext().getState(new ValueStateDescriptor<GroupState<ACC, ROW>>('group-aggregate'));
  }

  /** A new group's accumulator, before its first element. */
  protected abstract createAccumulator(value: IN, key: K): ACC;

  /** Adds `value` to `acc` (in place). */
  protected abstract accumulate(acc: ACC, value: IN): void;

  /** The group's result row. */
  protected abstract result(acc: ACC, key: K): ROW;

  processElement(value: IN, ctx: KeyedProcessFunctionContext<K>, out: Collector<ChangelogRow<ROW>>): void {
    const key = ctx.getCurrentKey();
    const state = this.group.value();
    if (state === undefined) {
      const acc = this.createAccumulator(value, key);
      this.accumulate(acc, value);
      const row = this.result(acc, key);
      this.group.update({ acc, row });
      out.collect(changelogRow('+I', row));
      return;
    }
    this.accumulate(state.acc, value);
    const row = this.result(state.acc, key);
    emitChange(out, state.row, row);
    state.row = row;
    this.group.update(state);
  }
}
