/**
 * Reading a `jobgraph.json` back: the JSON schema (`jobgraph.schema.json`)
 * checks the shape, this module the cross-references a schema cannot express
 * (edge endpoints, chained outputs, unique ids). Artifacts come from disk or
 * over the network, so every problem is reported as one INVALID_ARTIFACT
 * error naming the artifact, the JSON path and what is wrong.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { FlinktsError } from '../api/errors.js';
import { JOB_GRAPH_FORMAT, JOB_GRAPH_VERSION, type JobGraph, type JobVertex } from './job-graph.js';
// Imported (not read from disk) so that tsc copies it next to the compiled module.
import schemaJson from './jobgraph.schema.json' with { type: 'json' };

/** The JSON schema of `jobgraph.json` (version {@link JOB_GRAPH_VERSION}). */
export const jobGraphSchema: Readonly<Record<string, unknown>> = schemaJson;

/** Operator kinds with two inputs: only they may be fed through `inputIndex` 1. */
const TWO_INPUT_KINDS: ReadonlySet<string> = new Set(['coMap', 'coFlatMap', 'coProcess', 'keyedCoProcess', 'broadcastProcess', 'keyedBroadcastProcess', 'intervalJoin']);

/** The file name used in messages: the graph is stored as `jobgraph.json` inside an artifact. */
const FILE = 'jobgraph.json';

let compiled: ValidateFunction | undefined;

/**
 * Compiles the schema on first use, once per process. Checking the schema
 * itself against the draft 2020-12 meta-schema would double the cost on every
 * start; the unit tests do it once instead.
 */
function schemaValidator(): ValidateFunction {
  compiled ??= new Ajv2020({ strict: true, allErrors: false, validateSchema: false }).compile(schemaJson);
  return compiled;
}

/**
 * Checks that `json` (the parsed content of a `jobgraph.json`) is a JobGraph
 * this version of flinkts can run, and returns it typed.
 *
 * @param json - the parsed JSON value
 * @param source - where it came from (e.g. the artifact path), named in errors
 * @throws FlinktsError INVALID_ARTIFACT, e.g.
 *   `job.tgz: jobgraph.json /vertices/0/parallelism: must be >= 1`
 */
export function parseJobGraph(json: unknown, source: string): JobGraph {
  checkFormatAndVersion(json, source);
  const validate = schemaValidator();
  if (!validate(json)) {
    const error = validate.errors![0]!;
    const { path, problem } = describeSchemaError(error);
    throw invalid(source, path, problem);
  }
  const graph = json as JobGraph;
  checkReferences(graph, source);
  return graph;
}

function invalid(source: string, path: string, problem: string): FlinktsError {
  return new FlinktsError('INVALID_ARTIFACT', `${source}: ${FILE} ${path === '' ? '/' : path}: ${problem}`);
}

/** A wrong format or version gets its own message: the rest of the file means nothing then. */
function checkFormatAndVersion(json: unknown, source: string): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const got = json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json;
    throw new FlinktsError('INVALID_ARTIFACT', `${source}: ${FILE} must contain a JSON object, got ${got}`);
  }
  const { format, version } = json as Record<string, unknown>;
  if (format !== JOB_GRAPH_FORMAT) {
    const got = format === undefined ? 'it has no format field' : `its format is ${JSON.stringify(format)}`;
    throw new FlinktsError('INVALID_ARTIFACT', `${source}: ${FILE} is not a flinkts job graph: ${got}, expected "${JOB_GRAPH_FORMAT}"`);
  }
  if (version !== JOB_GRAPH_VERSION) {
    const got = version === undefined ? 'has no version' : `has version ${JSON.stringify(version)}`;
    throw new FlinktsError(
      'INVALID_ARTIFACT',
      `${source}: ${FILE} ${got}; this flinkts reads job graph version ${JOB_GRAPH_VERSION} only`,
      { hint: 'compile the job again with this version of flinkts' },
    );
  }
}

/** JSON pointer escaping of one path segment (RFC 6901). */
function pointerSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Turns ajv's first error into a path and a sentence. */
function describeSchemaError(error: ErrorObject): { path: string; problem: string } {
  const path = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: `${path}/${pointerSegment(String(params.missingProperty))}`, problem: 'is required but missing' };
    case 'additionalProperties':
      return { path: `${path}/${pointerSegment(String(params.additionalProperty))}`, problem: 'is not a known property' };
    case 'enum':
      return { path, problem: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'pattern':
      if (error.schemaPath === '#/$defs/operatorId/pattern') return { path, problem: 'must be an operator id of 32 lowercase hex digits' };
      return { path, problem: error.message ?? 'does not match its pattern' };
    default:
      return { path, problem: error.message ?? `fails the ${error.keyword} check` };
  }
}

/** The cross-reference checks; the graph already has the schema's shape. */
function checkReferences(graph: JobGraph, source: string): void {
  const vertexById = new Map<string, { vertex: JobVertex; index: number }>();
  const operatorPaths = new Map<string, string>();
  const uidPaths = new Map<string, string>();

  graph.vertices.forEach((vertex, v) => {
    const at = `/vertices/${v}`;
    const previous = vertexById.get(vertex.id);
    if (previous) throw invalid(source, `${at}/id`, `duplicate vertex id ${vertex.id} (also /vertices/${previous.index}/id)`);
    vertexById.set(vertex.id, { vertex, index: v });
    if (vertex.id !== vertex.operators[0]!.id) {
      throw invalid(source, `${at}/id`, `must equal the id of the vertex's first operator (${vertex.operators[0]!.id})`);
    }
    if (vertex.parallelism > vertex.maxParallelism) {
      throw invalid(source, `${at}/parallelism`, `must be <= maxParallelism (${vertex.maxParallelism})`);
    }

    const indexInVertex = new Map(vertex.operators.map((op, i) => [op.id, i]));
    const inputs = vertex.operators.map(() => 0);
    vertex.operators.forEach((op, o) => {
      const opAt = `${at}/operators/${o}`;
      const clash = operatorPaths.get(op.id);
      if (clash !== undefined) throw invalid(source, `${opAt}/id`, `duplicate operator id ${op.id} (also ${clash})`);
      operatorPaths.set(op.id, `${opAt}/id`);
      if (op.uid !== undefined) {
        const uidClash = uidPaths.get(op.uid);
        if (uidClash !== undefined) throw invalid(source, `${opAt}/uid`, `duplicate uid '${op.uid}' (also ${uidClash})`);
        uidPaths.set(op.uid, `${opAt}/uid`);
      }
      op.chainedOutputs.forEach((out, c) => {
        const target = indexInVertex.get(out.operator);
        const outAt = `${opAt}/chainedOutputs/${c}/operator`;
        if (target === undefined) throw invalid(source, outAt, `names no operator of this vertex (${out.operator})`);
        if (target <= o) throw invalid(source, outAt, 'must name an operator listed after this one (a chain runs head first)');
        inputs[target]! += 1;
      });
    });
    // The head is fed by the network, every other operator by exactly one chained output.
    inputs.forEach((count, o) => {
      if (o > 0 && count !== 1) {
        const problem = count === 0 ? 'is not fed by any chained output of its vertex' : `is fed by ${count} chained outputs; a chained operator has one input`;
        throw invalid(source, `${at}/operators/${o}`, problem);
      }
    });
  });

  graph.edges.forEach((edge, e) => {
    const at = `/edges/${e}`;
    const from = vertexById.get(edge.source);
    if (!from) throw invalid(source, `${at}/source`, `names no vertex (${edge.source})`);
    const to = vertexById.get(edge.target);
    if (!to) throw invalid(source, `${at}/target`, `names no vertex (${edge.target})`);
    if (!from.vertex.operators.some((op) => op.id === edge.sourceOperator)) {
      throw invalid(source, `${at}/sourceOperator`, `names no operator of the source vertex /vertices/${from.index} (${edge.sourceOperator})`);
    }
    if (edge.inputIndex === 1 && !TWO_INPUT_KINDS.has(to.vertex.operators[0]!.kind)) {
      throw invalid(source, `${at}/inputIndex`, `is 1, but the head of the target vertex /vertices/${to.index} ('${to.vertex.operators[0]!.kind}') has one input`);
    }
    if (edge.partitioner === 'forward' && from.vertex.parallelism !== to.vertex.parallelism) {
      throw invalid(
        source,
        `${at}/partitioner`,
        `forward needs equal parallelism, but the source vertex has ${from.vertex.parallelism} and the target ${to.vertex.parallelism}`,
      );
    }
  });

  checkAcyclic(graph, source);
}

/** Kahn's algorithm: vertices that never run out of pending inputs lie on or behind a cycle. */
function checkAcyclic(graph: JobGraph, source: string): void {
  const pending = new Map(graph.vertices.map((v) => [v.id, 0]));
  for (const edge of graph.edges) pending.set(edge.target, pending.get(edge.target)! + 1);
  const ready = graph.vertices.filter((v) => pending.get(v.id) === 0).map((v) => v.id);
  let removed = 0;
  while (ready.length > 0) {
    const id = ready.pop()!;
    removed += 1;
    for (const edge of graph.edges) {
      if (edge.source !== id) continue;
      const left = pending.get(edge.target)! - 1;
      pending.set(edge.target, left);
      if (left === 0) ready.push(edge.target);
    }
  }
  if (removed < graph.vertices.length) {
    // Every vertex left has an input left; walking inputs back |V| steps ends on the cycle itself.
    let id = graph.vertices.find((v) => pending.get(v.id)! > 0)!.id;
    for (let step = 0; step < graph.vertices.length; step++) {
      id = graph.edges.find((edge) => edge.target === id && pending.get(edge.source)! > 0)!.source;
    }
    const index = graph.vertices.findIndex((v) => v.id === id);
    throw invalid(source, '/edges', `the edges form a cycle through /vertices/${index} ('${graph.vertices[index]!.name}')`);
  }
}
