/** Plan rendering for `flinkts info`: text for people, DOT for Graphviz. */
import type { JobGraph } from './job-graph.js';
import { partitionerLabel } from './stream-graph.js';

/** A readable listing of vertices (with their chained operators) and edges. */
export function renderText(graph: JobGraph): string {
  const index = new Map(graph.vertices.map((v, i) => [v.id, i + 1]));
  const lines = [`Job: ${graph.jobName}`, '', 'Vertices:'];
  for (const vertex of graph.vertices) {
    lines.push(
      `  [${index.get(vertex.id)}] ${vertex.name}`,
      `      parallelism ${vertex.parallelism}, max parallelism ${vertex.maxParallelism}, slot sharing group ${vertex.slotSharingGroup}`,
    );
    for (const op of vertex.operators) {
      const tags = [op.kind, op.keyed ? 'keyed' : undefined, op.uid === undefined ? undefined : `uid ${op.uid}`].filter(Boolean).join(', ');
      lines.push(`      ${op.id}  ${op.name} (${tags})`);
    }
  }
  lines.push('', 'Edges:');
  if (graph.edges.length === 0) lines.push('  (none: the whole job is one chain)');
  for (const edge of graph.edges) {
    const side = (edge.sideOutput === undefined ? '' : ` side output '${edge.sideOutput}'`) + (edge.inputIndex === 1 ? ' (second input)' : '');
    lines.push(`  [${index.get(edge.source)}] -> [${index.get(edge.target)}]  ${partitionerLabel(edge.partitioner)}${side}`);
  }
  return lines.join('\n') + '\n';
}

/** Graphviz DOT: one box per vertex, edges labelled with their partitioner. */
export function renderDot(graph: JobGraph): string {
  const quote = (text: string): string => JSON.stringify(text);
  const lines = [`digraph ${quote(graph.jobName)} {`, '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  for (const vertex of graph.vertices) {
    const label = `${vertex.name}\\nparallelism ${vertex.parallelism}`;
    lines.push(`  ${quote(vertex.id)} [label=${quote(label).replace(/\\\\n/g, '\\n')}];`);
  }
  for (const edge of graph.edges) {
    const label = partitionerLabel(edge.partitioner) + (edge.sideOutput === undefined ? '' : ` (${edge.sideOutput})`);
    lines.push(`  ${quote(edge.source)} -> ${quote(edge.target)} [label=${quote(label)}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
