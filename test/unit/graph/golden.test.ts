/**
 * Golden `jobgraph.json` fixtures: the planned graph of each job in
 * `fixture-jobs.ts` must equal its fixture byte for byte, and every fixture
 * must pass `parseJobGraph`. A failing comparison means the format or the
 * planner changed: check the new graph by hand, then update the fixture in
 * the same change so the difference is reviewed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseJobGraph } from '../../../src/graph/validate.js';
import { fixtureJobs } from './fixture-jobs.js';
import { plan } from './helpers.js';

const fixtureDir = fileURLToPath(new URL('../../fixtures/jobgraph/', import.meta.url));

describe('golden jobgraph.json fixtures', () => {
  for (const job of fixtureJobs) {
    describe(job.file, () => {
      const expected = readFileSync(fixtureDir + job.file, 'utf8');

      it('is what the planner produces', () => {
        const { jobGraph } = plan(job.define, job.settings, job.defaultJobName);
        expect(JSON.stringify(jobGraph, null, 2) + '\n').toBe(expected);
      });

      it('passes the schema and the cross-reference checks', () => {
        const parsed: unknown = JSON.parse(expected);
        expect(parseJobGraph(parsed, job.file)).toBe(parsed);
      });
    });
  }

  it('every fixture file belongs to a job', () => {
    const files = readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(fixtureJobs.map((job) => job.file).sort());
  });
});
