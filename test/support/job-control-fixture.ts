/**
 * A fixture {@link JobControl} for the REST API tests: two fake jobs with
 * fixed times and metrics (one RUNNING, one FINISHED), a checkpoint history,
 * and triggers whose completion the test controls. The real JobMaster
 * implements the same interface; this one only records what is asked.
 */
import { FlinktsError } from '../../src/api/errors.js';
import {
  jobStateConflictError,
  type CheckpointDetails,
  unknownJobError,
  type CheckpointEntry,
  type CheckpointStats,
  type ClusterResources,
  type ExecutionState,
  type JobControl,
  type JobDetails,
  type JobOverview,
  type JobState,
  type SavepointFormat,
  type VertexDetails,
} from '../../src/cluster/jobmanager/job-control.js';

/** The running job: 'word count', two vertices at parallelism 2, started 2026-01-01 10:00:00 UTC, 65 s ago. */
export const RUNNING_JOB_ID = '3f2b9c1d4e5a6b7c8d9e0f1a2b3c4d5e';
/** The finished job: 'nexmark q5', 09:00:00–09:02:03.5 UTC. */
export const FINISHED_JOB_ID = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';
/** A well-formed id no job has. */
export const UNKNOWN_JOB_ID = '00000000000000000000000000000000';

/** 2026-01-01T10:00:00Z */
export const RUNNING_START = Date.UTC(2026, 0, 1, 10, 0, 0);
/** 2026-01-01T09:00:00Z */
export const FINISHED_START = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A target directory whose savepoints fail. */
export const FAILING_SAVEPOINT_DIR = '/denied';

interface FixtureJob {
  jid: string;
  name: string;
  state: JobState;
  startTime: number;
  endTime: number;
  duration: number;
  history: CheckpointEntry[];
}

/** What the fixture was asked to do, in order. */
export type FixtureCall =
  | { readonly method: 'triggerCheckpoint'; readonly jobId: string; readonly full: boolean }
  | { readonly method: 'triggerSavepoint'; readonly jobId: string; readonly targetDirectory?: string; readonly formatType: SavepointFormat; readonly cancelJob: boolean }
  | { readonly method: 'stopWithSavepoint'; readonly jobId: string; readonly targetDirectory?: string; readonly drain: boolean; readonly formatType: SavepointFormat }
  | { readonly method: 'cancel'; readonly jobId: string };

/** The fixture cluster. */
export class FixtureJobControl implements JobControl {
  readonly calls: FixtureCall[] = [];
  private readonly jobs = new Map<string, FixtureJob>();
  private gate: Promise<void> | undefined;
  private nextCheckpointId = 5;
  private savepointCount = 0;

  constructor(
    /** How long a trigger takes when no gate holds it. */
    private readonly operationDelayMs = 0,
  ) {
    this.jobs.set(RUNNING_JOB_ID, {
      jid: RUNNING_JOB_ID,
      name: 'word count',
      state: 'RUNNING',
      startTime: RUNNING_START,
      endTime: -1,
      duration: 65_000,
      history: [
        checkpoint(4, 'IN_PROGRESS', RUNNING_START + 40_000),
        { ...checkpoint(3, 'FAILED', RUNNING_START + 30_000), failureTimestamp: RUNNING_START + 30_250, failureMessage: 'declined by counter (subtask 1)' },
        { ...checkpoint(2, 'COMPLETED', RUNNING_START + 20_000), stateSize: 1536, externalPath: `/tmp/flinkts-checkpoints/${RUNNING_JOB_ID}/chk-2` },
        {
          ...checkpoint(1, 'COMPLETED', RUNNING_START + 10_000),
          isSavepoint: true,
          checkpointType: 'SAVEPOINT',
          savepointFormat: 'CANONICAL',
          stateSize: 512,
          externalPath: '/data/savepoints/savepoint-3f2b9c-1',
        },
      ],
    });
    this.jobs.set(FINISHED_JOB_ID, {
      jid: FINISHED_JOB_ID,
      name: 'nexmark q5',
      state: 'FINISHED',
      startTime: FINISHED_START,
      endTime: FINISHED_START + 123_500,
      duration: 123_500,
      history: [],
    });
  }

  /** Holds every trigger until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  listJobs(): JobOverview[] {
    return [...this.jobs.values()].map((job) => ({
      jid: job.jid,
      name: job.name,
      state: job.state,
      startTime: job.startTime,
      endTime: job.endTime,
      duration: job.duration,
      totalTasks: 4,
      tasks: job.state === 'RUNNING' ? { RUNNING: 4 } : job.state === 'CANCELED' ? { CANCELED: 4 } : { FINISHED: 4 },
    }));
  }

  jobDetails(jobId: string): JobDetails | undefined {
    const job = this.jobs.get(jobId);
    if (job === undefined) return undefined;
    const status: ExecutionState = job.state === 'RUNNING' ? 'RUNNING' : job.state === 'CANCELED' ? 'CANCELED' : 'FINISHED';
    const vertex = (id: string, name: string, records: number): VertexDetails => ({
      id,
      name,
      parallelism: 2,
      maxParallelism: 128,
      status,
      startTime: job.startTime,
      endTime: job.endTime,
      duration: job.duration,
      tasks: { [status]: 2 },
      metrics: {
        readBytes: records * 10,
        writeBytes: records * 12,
        readRecords: records,
        writeRecords: records * 2,
        accumulatedBusyTime: 1200,
        accumulatedBackpressuredTime: 30,
      },
    });
    return {
      jid: job.jid,
      name: job.name,
      state: job.state,
      startTime: job.startTime,
      endTime: job.endTime,
      duration: job.duration,
      maxParallelism: -1,
      timestamps: { CREATED: job.startTime - 500, INITIALIZING: job.startTime - 1000, RUNNING: job.startTime, ...(job.endTime < 0 ? {} : { [job.state]: job.endTime }) },
      vertices: [vertex('bc764cd8ddf7a0cff126f51c16239658', 'Source: lines -> Flat Map', 1000), vertex('0a448493b4782967b150582570326227', 'counter -> Sink: print', 2000)],
    };
  }

  checkpoints(jobId: string): CheckpointStats | undefined {
    const job = this.jobs.get(jobId);
    if (job === undefined) return undefined;
    const count = (status: CheckpointEntry['status']): number => job.history.filter((c) => c.status === status).length;
    const latest = (status: CheckpointEntry['status'], savepoint: boolean) => job.history.find((c) => c.status === status && c.isSavepoint === savepoint);
    const completed = latest('COMPLETED', false);
    const savepoint = latest('COMPLETED', true);
    const failed = job.history.find((c) => c.status === 'FAILED');
    return {
      counts: { restored: 0, total: job.history.length, inProgress: count('IN_PROGRESS'), completed: count('COMPLETED'), failed: count('FAILED') },
      latest: { ...(completed === undefined ? {} : { completed }), ...(savepoint === undefined ? {} : { savepoint }), ...(failed === undefined ? {} : { failed }) },
      history: job.history,
    };
  }

  /**
   * Checkpoint 2 of the running job: every subtask acknowledged (subtask i of vertex v: 100·(v+1)+i bytes, sync
   * 10+i ms, async 20+i ms, alignment 3·v ms, start delay 5+v ms, acknowledged 60+20·v+i ms after the trigger;
   * 120 ms for the last). Checkpoint 4: only the source's subtask 0.
   */
  checkpointDetails(jobId: string, checkpointId: number): CheckpointDetails | undefined {
    const entry = this.jobs.get(jobId)?.history.find((c) => c.id === checkpointId);
    if (entry === undefined || (checkpointId !== 2 && checkpointId !== 4)) return undefined;
    const vertices = ['bc764cd8ddf7a0cff126f51c16239658', '0a448493b4782967b150582570326227'];
    return {
      checkpoint: entry,
      tasks: vertices.map((vertexId, v) => ({
        vertexId,
        subtasks: [0, 1].map((index) =>
          checkpointId === 4 && (v > 0 || index > 0)
            ? { index }
            : {
                index,
                acknowledged: {
                  ackTimestamp: entry.triggerTimestamp + (v === 1 && index === 1 ? 120 : 60 + 20 * v + index),
                  stateSize: 100 * (v + 1) + index,
                  syncDuration: 10 + index,
                  asyncDuration: 20 + index,
                  alignmentDuration: 3 * v,
                  startDelay: 5 + v,
                },
              },
        ),
      })),
    };
  }

  resources(): ClusterResources {
    return { taskManagers: 1, slotsTotal: 2, slotsAvailable: 0 };
  }

  async triggerCheckpoint(jobId: string, options: { full: boolean }): Promise<{ checkpointId: number; externalPath: string }> {
    const job = this.running(jobId);
    this.calls.push({ method: 'triggerCheckpoint', jobId, full: options.full });
    const id = this.nextCheckpointId++;
    await this.settle();
    const externalPath = `/tmp/flinkts-checkpoints/${jobId}/chk-${id}`;
    job.history.unshift({ ...checkpoint(id, 'COMPLETED', RUNNING_START + 60_000), checkpointType: options.full ? 'FULL_CHECKPOINT' : 'CHECKPOINT', externalPath });
    return { checkpointId: id, externalPath };
  }

  async triggerSavepoint(jobId: string, options: { targetDirectory?: string; formatType: SavepointFormat; cancelJob: boolean }): Promise<{ location: string }> {
    const job = this.running(jobId);
    this.calls.push({ method: 'triggerSavepoint', jobId, ...options });
    const location = await this.savepoint(jobId, options.targetDirectory);
    if (options.cancelJob) this.end(job, 'CANCELED');
    return { location };
  }

  async stopWithSavepoint(jobId: string, options: { targetDirectory?: string; drain: boolean; formatType: SavepointFormat }): Promise<{ location: string }> {
    const job = this.running(jobId);
    this.calls.push({ method: 'stopWithSavepoint', jobId, ...options });
    const location = await this.savepoint(jobId, options.targetDirectory);
    this.end(job, 'FINISHED');
    return { location };
  }

  cancel(jobId: string): void {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw unknownJobError(jobId);
    this.calls.push({ method: 'cancel', jobId });
    this.end(job, 'CANCELED');
  }

  private running(jobId: string): FixtureJob {
    const job = this.jobs.get(jobId);
    if (job === undefined) throw unknownJobError(jobId);
    if (job.state !== 'RUNNING') throw jobStateConflictError(jobId, job.state);
    return job;
  }

  private async savepoint(jobId: string, targetDirectory: string | undefined): Promise<string> {
    await this.settle();
    if (targetDirectory === FAILING_SAVEPOINT_DIR) {
      throw new FlinktsError('CONFIG', `cannot write the savepoint to ${FAILING_SAVEPOINT_DIR}: permission denied`);
    }
    return `${targetDirectory ?? '/data/savepoints'}/savepoint-${jobId.slice(0, 6)}-${++this.savepointCount}`;
  }

  private end(job: FixtureJob, state: 'CANCELED' | 'FINISHED'): void {
    job.state = state;
    job.endTime = job.startTime + job.duration;
  }

  private async settle(): Promise<void> {
    if (this.gate !== undefined) await this.gate;
    else await new Promise((resolve) => setTimeout(resolve, this.operationDelayMs));
  }
}

function checkpoint(id: number, status: CheckpointEntry['status'], triggerTimestamp: number): CheckpointEntry {
  const done = status !== 'IN_PROGRESS';
  return {
    id,
    status,
    isSavepoint: false,
    checkpointType: 'CHECKPOINT',
    triggerTimestamp,
    latestAckTimestamp: triggerTimestamp + (done ? 120 : 0),
    stateSize: 0,
    endToEndDuration: done ? 120 : 0,
    numSubtasks: 4,
    numAcknowledgedSubtasks: status === 'COMPLETED' ? 4 : 1,
  };
}
