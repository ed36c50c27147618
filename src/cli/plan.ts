/**
 * How `flinkts info` prints a plan: readable text, Graphviz DOT, or the
 * `jobgraph.json` document.
 */
import type { JobGraph } from '../graph/job-graph.js';
import { renderDot, renderText } from '../graph/render.js';

/** The formats of `info --format`. */
export const PLAN_FORMATS = ['text', 'json', 'dot'] as const;

/** A plan format. */
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** The plan as `format`, ending with a newline. */
export function renderPlan(graph: JobGraph, format: PlanFormat): string {
  switch (format) {
    case 'text':
      return renderText(graph);
    case 'dot':
      return renderDot(graph);
    case 'json':
      return JSON.stringify(graph, null, 2) + '\n';
  }
}
