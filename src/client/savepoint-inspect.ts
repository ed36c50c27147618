/**
 * `flinkts savepoint inspect`: what a savepoint (or checkpoint) holds, read
 * offline from its directory. Without a state name: the snapshot's header
 * and per operator its states, their kinds and where they live. With one:
 * every entry of that state as JSON lines, deltas applied, values rendered
 * as `docs/checkpoint-format.md` (and `state-json.ts`) describe.
 */
import type { Writable } from 'node:stream';
import { FlinktsError } from '../api/errors.js';
import type { KeyedStateKind, OperatorSnapshot, OperatorStateMode, SnapshotFormat, SnapshotKind, StateBackendName } from '../runtime/checkpoint/metadata.js';
import { readKeyedEntries, readOperatorLists } from '../runtime/checkpoint/state-dump.js';
import { filesOfSubtask } from '../runtime/checkpoint/state-files.js';
import { toJsonValue, type JsonValue } from '../runtime/checkpoint/state-json.js';
import { loadSnapshot, type LoadedSnapshot } from '../runtime/checkpoint/snapshots.js';

/** Output formats of `savepoint inspect`. */
export const INSPECT_FORMATS = ['table', 'json', 'jsonl'] as const;
export type InspectFormat = (typeof INSPECT_FORMATS)[number];

/** Where one subtask holds a state: its key groups (keyed) or its number of elements (operator state). */
export interface SubtaskStateSummary {
  readonly subtask: number;
  readonly keyGroups?: { readonly start: number; readonly end: number };
  readonly elements?: number;
}

/** One named state of an operator. */
export interface StateSummary {
  readonly name: string;
  /** `timers`: the timers of a keyed operator (`timers/<service>/<event|processing>`), stored like keyed state. */
  readonly type: 'keyed' | 'timers' | 'operator';
  readonly kind: KeyedStateKind | OperatorStateMode;
  readonly subtasks: readonly SubtaskStateSummary[];
}

/** One operator of a snapshot. */
export interface OperatorSummary {
  readonly operatorId: string;
  readonly uid?: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** Bytes of the operator's state files (a file shared by several subtasks counted once). */
  readonly bytes: number;
  readonly states: readonly StateSummary[];
}

/** The result of {@link inspectSnapshot}: the `--json` result of `savepoint inspect` without `--state`. */
export interface SnapshotSummary {
  /** The snapshot directory (absolute). */
  readonly path: string;
  readonly kind: SnapshotKind;
  readonly format: SnapshotFormat;
  readonly backend: StateBackendName;
  readonly jobId: string;
  readonly jobName: string;
  readonly checkpointId: number;
  /** When the snapshot was triggered, epoch ms. */
  readonly timestamp: number;
  /** The same as ISO-8601 (UTC). */
  readonly time: string;
  /** Bytes of all state files (not `_metadata`). */
  readonly bytes: number;
  readonly files: number;
  readonly operators: readonly OperatorSummary[];
}

/** Loads the snapshot at `path` (a directory or its `_metadata`) and summarises it; reads no state file. */
export async function inspectSnapshot(path: string): Promise<SnapshotSummary> {
  const { dir, metadata } = await loadSnapshot(path);
  const allFiles = new Map<string, number>();
  const operators = metadata.operators.map((operator): OperatorSummary => {
    const files = new Map<string, number>();
    for (const subtask of operator.subtasks) {
      for (const file of filesOfSubtask(subtask)) files.set(`${file.location}:${file.path}`, file.size);
    }
    for (const [id, size] of files) allFiles.set(id, size);
    return {
      operatorId: operator.operatorId,
      ...(operator.uid === undefined ? {} : { uid: operator.uid }),
      name: operator.name,
      parallelism: operator.parallelism,
      maxParallelism: operator.maxParallelism,
      bytes: sum(files.values()),
      states: summariseStates(operator),
    };
  });
  return {
    path: dir,
    kind: metadata.kind,
    format: metadata.format,
    backend: metadata.backend,
    jobId: metadata.jobId,
    jobName: metadata.jobName,
    checkpointId: metadata.checkpointId,
    timestamp: metadata.timestamp,
    time: new Date(metadata.timestamp).toISOString(),
    bytes: sum(allFiles.values()),
    files: allFiles.size,
    operators,
  };
}

function summariseStates(operator: OperatorSnapshot): StateSummary[] {
  const byType = {
    keyed: new Map<string, { kind: KeyedStateKind; subtasks: SubtaskStateSummary[] }>(),
    timers: new Map<string, { kind: KeyedStateKind; subtasks: SubtaskStateSummary[] }>(),
    operator: new Map<string, { kind: OperatorStateMode; subtasks: SubtaskStateSummary[] }>(),
  };
  const subtasks = [...operator.subtasks].sort((a, b) => a.subtaskIndex - b.subtaskIndex);
  for (const subtask of subtasks) {
    for (const type of ['keyed', 'timers'] as const) {
      const handle = subtask[type];
      for (const state of handle?.states ?? []) {
        const entry = byType[type].get(state.name) ?? { kind: state.kind, subtasks: [] };
        const { start, end } = handle!.keyGroupRange;
        entry.subtasks.push({ subtask: subtask.subtaskIndex, keyGroups: { start, end } });
        byType[type].set(state.name, entry);
      }
    }
    for (const state of subtask.operator?.states ?? []) {
      const entry = byType.operator.get(state.name) ?? { kind: state.mode, subtasks: [] };
      entry.subtasks.push({ subtask: subtask.subtaskIndex, elements: state.count });
      byType.operator.set(state.name, entry);
    }
  }
  return (['keyed', 'timers', 'operator'] as const).flatMap((type) =>
    [...byType[type]].map(([name, { kind, subtasks: at }]): StateSummary => ({ name, type, kind, subtasks: at })),
  );
}

/** The summary as `format` prints it (ends with a newline). */
export function renderSnapshotSummary(summary: SnapshotSummary, format: InspectFormat): string {
  if (format === 'json') return `${JSON.stringify(summary, null, 2)}\n`;
  if (format === 'jsonl') return summary.operators.map((operator) => `${JSON.stringify(operator)}\n`).join('');
  const header = columns([
    ['kind:', summary.kind],
    ['format:', summary.format],
    ['backend:', summary.backend],
    ['job:', summary.jobName],
    ['job id:', summary.jobId],
    ['checkpoint:', String(summary.checkpointId)],
    ['time:', summary.time],
    ['path:', summary.path],
    ['state size:', `${count(summary.bytes)} bytes in ${count(summary.files)} file${summary.files === 1 ? '' : 's'}`],
  ]);
  if (summary.operators.length === 0) return `${header}\nno operator state\n`;
  const operators = columns([
    ['OPERATOR ID', 'UID', 'NAME', 'PARALLELISM', 'MAX PARALLELISM', 'BYTES'],
    ...summary.operators.map((op) => [op.operatorId, op.uid ?? '-', op.name, String(op.parallelism), String(op.maxParallelism), count(op.bytes)]),
  ]);
  const stateRows = summary.operators.flatMap((op) =>
    op.states.map((state) => [op.uid ?? op.operatorId, state.name, `${state.type} ${state.kind}`, state.subtasks.map(describeSubtask).join(', ')]),
  );
  const states = stateRows.length === 0 ? 'no named state\n' : columns([['OPERATOR', 'STATE', 'KIND', 'SUBTASK: KEY GROUPS OR ELEMENTS'], ...stateRows]);
  return `${header}\n${operators}\n${states}`;
}

function describeSubtask(at: SubtaskStateSummary): string {
  if (at.keyGroups !== undefined) return `${at.subtask}: ${at.keyGroups.start}-${at.keyGroups.end}`;
  return `${at.subtask}: ${at.elements ?? 0}`;
}

/** Rows aligned in columns two spaces apart, trailing spaces trimmed. */
function columns(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd() + '\n').join('');
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** What to dump. */
export interface StateDumpOptions {
  /** The snapshot directory or its `_metadata`. */
  readonly path: string;
  /** The state's name. */
  readonly state: string;
  /** The operator's uid or id; without it, every operator with a state of that name. */
  readonly operator?: string;
}

/** One keyed entry as dumped. `operator` is the uid, or the id when there is none. */
export interface KeyedEntryLine {
  readonly operator: string;
  readonly state: string;
  readonly keyGroup: number;
  readonly key: JsonValue;
  readonly namespace: string;
  readonly value: JsonValue;
}

/** One element of an operator state list as dumped (`index` within its subtask's list). */
export interface OperatorEntryLine {
  readonly operator: string;
  readonly state: string;
  readonly subtask: number;
  readonly index: number;
  readonly value: JsonValue;
}

export type StateEntryLine = KeyedEntryLine | OperatorEntryLine;

/**
 * Every entry of a state, in operator, subtask and key-group order. Checks
 * the operator and state names before yielding anything: an unknown one is a
 * USAGE error listing those that exist.
 */
export async function* dumpState(options: StateDumpOptions): AsyncGenerator<StateEntryLine> {
  const loaded = await loadSnapshot(options.path);
  for (const operator of selectOperators(loaded, options)) {
    const name = operator.uid ?? operator.operatorId;
    const subtasks = [...operator.subtasks].sort((a, b) => a.subtaskIndex - b.subtaskIndex);
    for (const type of ['keyed', 'timers'] as const) {
      for (const subtask of subtasks) {
        const handle = subtask[type];
        if (handle === undefined || !handle.states.some((s) => s.name === options.state)) continue;
        for await (const entry of readKeyedEntries(loaded.reader, handle, options.state)) {
          yield { operator: name, state: options.state, keyGroup: entry.keyGroup, key: toJsonValue(entry.key), namespace: entry.namespace, value: toJsonValue(entry.value) };
        }
      }
    }
    for (const subtask of subtasks) {
      const handle = subtask.operator;
      if (handle === undefined || !handle.states.some((s) => s.name === options.state)) continue;
      const list = (await readOperatorLists(loaded.reader, handle))[options.state] ?? [];
      for (let index = 0; index < list.length; index++) {
        yield { operator: name, state: options.state, subtask: subtask.subtaskIndex, index, value: toJsonValue(list[index]) };
      }
    }
  }
}

function selectOperators(loaded: LoadedSnapshot, options: StateDumpOptions): OperatorSnapshot[] {
  const { operators } = loaded.metadata;
  const statesOf = (op: OperatorSnapshot): string[] => {
    const names = new Set<string>();
    for (const subtask of op.subtasks) {
      for (const state of [...(subtask.keyed?.states ?? []), ...(subtask.timers?.states ?? []), ...(subtask.operator?.states ?? [])]) names.add(state.name);
    }
    return [...names];
  };
  const label = (op: OperatorSnapshot): string => (op.uid === undefined ? op.operatorId : `${op.uid} (${op.operatorId})`);
  let candidates = operators;
  if (options.operator !== undefined) {
    candidates = operators.filter((op) => op.uid === options.operator || op.operatorId === options.operator);
    if (candidates.length === 0) {
      const known = operators.map(label);
      throw new FlinktsError('USAGE', `no operator '${options.operator}' in ${loaded.dir}; operators (uid and id): ${known.length === 0 ? 'none' : known.join(', ')}`);
    }
  }
  const matching = candidates.filter((op) => statesOf(op).includes(options.state));
  if (matching.length === 0) {
    const known = candidates.flatMap((op) => statesOf(op).map((state) => `${op.uid ?? op.operatorId}/${state}`));
    const where = options.operator === undefined ? `any operator of ${loaded.dir}` : `operator '${options.operator}'`;
    throw new FlinktsError('USAGE', `no state '${options.state}' in ${where}; states (operator/state): ${known.length === 0 ? 'none' : known.join(', ')}`);
  }
  return matching;
}

/** Options of {@link writeStateDump}. */
export interface WriteStateDumpOptions extends StateDumpOptions {
  /** `jsonl`: one JSON object a line; `json`: one JSON array. */
  readonly format: 'jsonl' | 'json';
  readonly out: Writable;
}

/**
 * Writes {@link dumpState} to `out`, waiting when the stream asks to
 * (back-pressure); a closed pipe (`| head`) ends the dump quietly.
 */
export async function writeStateDump(options: WriteStateDumpOptions): Promise<{ readonly entries: number }> {
  const { out, format } = options;
  let closed = false;
  let failure: Error | undefined;
  const onError = (error: Error): void => {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') closed = true;
    else failure = error;
  };
  out.on('error', onError);
  let entries = 0;
  let chunk = '';
  const flush = async (): Promise<void> => {
    if (chunk === '' || closed || failure !== undefined) return;
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await new Promise<void>((resolve) => {
      const done = (): void => {
        out.off('drain', done);
        out.off('close', done);
        out.off('error', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
      out.on('error', done);
    });
  };
  try {
    const lines = dumpState(options);
    // The first entry (or the end) comes before any output, so a name error prints nothing on stdout.
    let next = await lines.next();
    if (format === 'json') chunk += '[';
    while (next.done !== true) {
      const line = JSON.stringify(next.value);
      chunk += format === 'json' ? `${entries === 0 ? '\n  ' : ',\n  '}${line}` : `${line}\n`;
      entries++;
      if (chunk.length >= 1 << 16) await flush();
      if (closed || failure !== undefined) break;
      next = await lines.next();
    }
    if (format === 'json') chunk += entries === 0 ? ']\n' : '\n]\n';
    await flush();
  } finally {
    out.off('error', onError);
  }
  if (failure !== undefined) throw new FlinktsError('INTERNAL', `cannot write the state dump: ${failure.message}`, { cause: failure });
  return { entries };
}

/** The `--json` result of `savepoint inspect --state`. */
export interface StateDump {
  readonly state: string;
  readonly operator?: string;
  readonly entries: readonly StateEntryLine[];
}

/** Every entry of {@link dumpState} in one array (the `--json` result with `--state`). */
export async function collectStateDump(options: StateDumpOptions): Promise<StateDump> {
  const entries: StateEntryLine[] = [];
  for await (const entry of dumpState(options)) entries.push(entry);
  return { state: options.state, ...(options.operator === undefined ? {} : { operator: options.operator }), entries };
}
