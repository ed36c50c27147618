/**
 * Checks that a parsed `_metadata` payload is a {@link CheckpointMetadata}
 * of format version 1, field by field: types, ranges, cross-field rules
 * (subtask indexes below the parallelism, key groups inside the subtask's
 * range, sections inside their file) and safe relative paths. A `_metadata`
 * file comes from disk, possibly from another machine or an attacker, and its
 * paths are joined to directories, so nothing is trusted. Unknown fields are
 * refused too: `encodeMetadata` runs the same check, so a field added to the
 * model without being added here fails loudly instead of being lost.
 */
import type {
  CheckpointMetadata,
  KeyedStateFile,
  KeyedStateHandle,
  OperatorSnapshot,
  OperatorStateHandle,
  SubtaskSnapshot,
} from './metadata.js';

/** What is wrong and where (`$.operators[0].name`). */
export class MalformedMetadata extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'MalformedMetadata';
  }
}

const KINDS = ['checkpoint', 'savepoint'] as const;
const FORMATS = ['canonical', 'native'] as const;
const BACKENDS = ['hashmap', 'embedded'] as const;
const KEYED_KINDS = ['value', 'list', 'map', 'reducing', 'aggregating'] as const;
const OPERATOR_MODES = ['split', 'union', 'broadcast'] as const;
const LOCATIONS = ['exclusive', 'shared'] as const;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Why `path` is not a safe relative path inside a snapshot, or undefined when
 * it is: non-empty, `/`-separated, no empty, `.` or `..` segment, not
 * absolute (`/x`, `C:x`), no backslash and no NUL.
 */
export function unsafePathProblem(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (path.includes('\u0000')) return 'contains a NUL character';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter';
  for (const segment of path.split('/')) {
    if (segment === '..') return "contains a '..' segment";
    if (segment === '.' || segment === '') return 'contains an empty or . segment';
  }
  return undefined;
}

/** Returns `json` typed after checking it (see the module comment); throws {@link MalformedMetadata}. */
export function validateMetadata(json: unknown): CheckpointMetadata {
  const o = object(json, '$', ['kind', 'format', 'backend', 'jobId', 'jobName', 'checkpointId', 'timestamp', 'operators'], []);
  oneOf(o.kind, '$.kind', KINDS);
  oneOf(o.format, '$.format', FORMATS);
  oneOf(o.backend, '$.backend', BACKENDS);
  nonEmptyString(o.jobId, '$.jobId');
  string(o.jobName, '$.jobName');
  integer(o.checkpointId, '$.checkpointId', 0);
  integer(o.timestamp, '$.timestamp', 0);
  const operators = array(o.operators, '$.operators');
  const ids = new Set<string>();
  operators.forEach((operator, i) => {
    const path = `$.operators[${i}]`;
    const snapshot = validateOperator(operator, path);
    if (ids.has(snapshot.operatorId)) fail(`${path}.operatorId`, `duplicate operator id ${JSON.stringify(snapshot.operatorId)}`);
    ids.add(snapshot.operatorId);
  });
  return json as CheckpointMetadata;
}

function validateOperator(json: unknown, path: string): OperatorSnapshot {
  const o = object(json, path, ['operatorId', 'name', 'parallelism', 'maxParallelism', 'subtasks'], ['uid']);
  nonEmptyString(o.operatorId, `${path}.operatorId`);
  if (o.uid !== undefined) string(o.uid, `${path}.uid`);
  string(o.name, `${path}.name`);
  const maxParallelism = integer(o.maxParallelism, `${path}.maxParallelism`, 1);
  const parallelism = integer(o.parallelism, `${path}.parallelism`, 1);
  if (parallelism > maxParallelism) fail(`${path}.parallelism`, `must be at most the max parallelism ${maxParallelism}, got ${parallelism}`);
  const seen = new Set<number>();
  array(o.subtasks, `${path}.subtasks`).forEach((subtask, i) => {
    const index = validateSubtask(subtask, `${path}.subtasks[${i}]`, parallelism, maxParallelism);
    if (seen.has(index)) fail(`${path}.subtasks[${i}].subtaskIndex`, `duplicate subtask index ${index}`);
    seen.add(index);
  });
  return json as OperatorSnapshot;
}

function validateSubtask(json: unknown, path: string, parallelism: number, maxParallelism: number): number {
  const o = object(json, path, ['subtaskIndex'], ['keyed', 'timers', 'operator', 'finished']);
  const index = integer(o.subtaskIndex, `${path}.subtaskIndex`, 0);
  if (index >= parallelism) fail(`${path}.subtaskIndex`, `must be below the parallelism ${parallelism}, got ${index}`);
  if (o.keyed !== undefined) validateKeyed(o.keyed, `${path}.keyed`, maxParallelism);
  if (o.timers !== undefined) validateKeyed(o.timers, `${path}.timers`, maxParallelism);
  if (o.operator !== undefined) validateOperatorState(o.operator, `${path}.operator`);
  if (o.finished !== undefined) boolean(o.finished, `${path}.finished`);
  return (json as SubtaskSnapshot).subtaskIndex;
}

function validateKeyed(json: unknown, path: string, maxParallelism: number): KeyedStateHandle {
  const o = object(json, path, ['keyGroupRange', 'files', 'states'], []);
  const range = object(o.keyGroupRange, `${path}.keyGroupRange`, ['start', 'end'], []);
  const start = integer(range.start, `${path}.keyGroupRange.start`, 0);
  // end = start - 1 is the empty range.
  const end = integer(range.end, `${path}.keyGroupRange.end`, start - 1);
  if (end >= maxParallelism) fail(`${path}.keyGroupRange.end`, `must be below the max parallelism ${maxParallelism}, got ${end}`);
  array(o.files, `${path}.files`).forEach((file, i) => validateKeyedFile(file, `${path}.files[${i}]`, start, end));
  const names = new Set<string>();
  array(o.states, `${path}.states`).forEach((state, i) => {
    const s = object(state, `${path}.states[${i}]`, ['name', 'kind'], []);
    const name = nonEmptyString(s.name, `${path}.states[${i}].name`);
    if (names.has(name)) fail(`${path}.states[${i}].name`, `duplicate state name ${JSON.stringify(name)}`);
    names.add(name);
    oneOf(s.kind, `${path}.states[${i}].kind`, KEYED_KINDS);
  });
  return json as KeyedStateHandle;
}

function validateKeyedFile(json: unknown, path: string, start: number, end: number): KeyedStateFile {
  const o = object(json, path, ['path', 'location', 'size', 'sha256', 'sections', 'delta'], ['clearedKeyGroups']);
  const size = validateFileFields(o, path);
  let previous = -1;
  array(o.sections, `${path}.sections`).forEach((section, i) => {
    const at = `${path}.sections[${i}]`;
    const s = array(section, at);
    if (s.length !== 3) fail(at, `must be [keyGroup, offset, length], got ${s.length} elements`);
    const keyGroup = integer(s[0], `${at}[0]`, start);
    if (keyGroup > end) fail(`${at}[0]`, `key group ${keyGroup} is outside the subtask's range ${start}-${end}`);
    if (keyGroup <= previous) fail(`${at}[0]`, `key groups must ascend, got ${keyGroup} after ${previous}`);
    previous = keyGroup;
    const offset = integer(s[1], `${at}[1]`, 0);
    const length = integer(s[2], `${at}[2]`, 0);
    if (offset + length > size) fail(at, `section ends at byte ${offset + length}, after the end of the ${size}-byte file`);
  });
  boolean(o.delta, `${path}.delta`);
  if (o.clearedKeyGroups !== undefined) {
    array(o.clearedKeyGroups, `${path}.clearedKeyGroups`).forEach((group, i) => {
      const keyGroup = integer(group, `${path}.clearedKeyGroups[${i}]`, start);
      if (keyGroup > end) fail(`${path}.clearedKeyGroups[${i}]`, `key group ${keyGroup} is outside the subtask's range ${start}-${end}`);
    });
  }
  return json as KeyedStateFile;
}

function validateOperatorState(json: unknown, path: string): OperatorStateHandle {
  const o = object(json, path, ['file', 'states'], []);
  validateFileFields(object(o.file, `${path}.file`, ['path', 'location', 'size', 'sha256'], []), `${path}.file`);
  const names = new Set<string>();
  array(o.states, `${path}.states`).forEach((state, i) => {
    const at = `${path}.states[${i}]`;
    const s = object(state, at, ['name', 'mode', 'count'], []);
    const name = nonEmptyString(s.name, `${at}.name`);
    if (names.has(name)) fail(`${at}.name`, `duplicate state name ${JSON.stringify(name)}`);
    names.add(name);
    oneOf(s.mode, `${at}.mode`, OPERATOR_MODES);
    integer(s.count, `${at}.count`, 0);
  });
  return json as OperatorStateHandle;
}

/** The fields of a `StateFileRef`; returns the size. */
function validateFileFields(o: Record<string, unknown>, path: string): number {
  const relative = string(o.path, `${path}.path`);
  const problem = unsafePathProblem(relative);
  if (problem !== undefined) fail(`${path}.path`, `${JSON.stringify(relative)} ${problem}; state file paths must be relative and stay inside the snapshot`);
  oneOf(o.location, `${path}.location`, LOCATIONS);
  const size = integer(o.size, `${path}.size`, 0);
  const sha = string(o.sha256, `${path}.sha256`);
  if (!SHA256_HEX.test(sha)) fail(`${path}.sha256`, 'must be 64 lowercase hex digits');
  return size;
}

function fail(path: string, problem: string): never {
  throw new MalformedMetadata(path, problem);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

function object(value: unknown, path: string, required: readonly string[], optional: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, `must be an object, got ${describe(value)}`);
  const o = value as Record<string, unknown>;
  for (const key of required) if (!(key in o)) fail(`${path}.${key}`, 'is missing');
  for (const key of Object.keys(o)) {
    if (!required.includes(key) && !optional.includes(key)) fail(`${path}.${key}`, 'is not a field of this format version');
  }
  return o;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, `must be an array, got ${describe(value)}`);
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, `must be a string, got ${describe(value)}`);
  return value;
}

function nonEmptyString(value: unknown, path: string): string {
  if (string(value, path) === '') fail(path, 'must not be empty');
  return value as string;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, `must be true or false, got ${describe(value)}`);
  return value;
}

function integer(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(path, `must be an integer, got ${describe(value)}`);
  if (value < min) fail(path, `must be at least ${min}, got ${value}`);
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) {
    fail(path, `must be one of ${options.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}
