/**
 * The reader of one KafkaSource subtask: owns a set of partitions (its
 * splits), fetches them with a {@link PartitionFetcher}, buffers a bounded
 * number of fetched records (pausing the partitions above the bound, resuming
 * them below half of it), and emits them from `pollNext` with per-partition
 * watermarks. Its checkpointed state is the next offset to emit per
 * partition, so a restored reader resumes at exactly those offsets.
 *
 * Which partitions it owns (there is no enumerator on the JobManager, see
 * docs/connectors.md "Kafka source"): on a fresh start, those that
 * {@link splitOwner} gives its subtask index; after a restore, the splits the
 * runtime hands it (redistributed when the parallelism changed), plus
 * partitions that were not known at the checkpoint and that `splitOwner`
 * gives it. Partition discovery adds new partitions the same way; they start
 * at their earliest offset.
 */
import type { KafkaMessage } from 'kafkajs';
import type { InputStatus, ReaderOutput, SourceReader, SourceReaderContext } from '../../../api/source.js';
import { BadRecords } from '../../bad-records.js';
import { KafkaAdminSession, type PartitionOffset } from '../common/kafka-admin.js';
import type { KafkaConsumerRecord } from './deserializers.js';
import type { KafkaSourceSettings } from './kafka-source.js';
import { partitionKey } from './offsets-initializer.js';
import { PartitionFetcher } from './partition-fetcher.js';
import { checkSplit, type KafkaPartitionSplit, type SplitState } from './partition-split.js';
import { PartitionWatermarks } from './partition-watermarks.js';
import { splitOwner } from './split-owner.js';

/** A fetched record, or (without `message`) a position reached through filtered records. */
interface Entry {
  readonly split: SplitState;
  readonly message?: KafkaMessage;
  readonly position: number;
}

/** Records emitted per pollNext call at most. */
const BATCH_SIZE = 1000;
/** Pause every partition above this many buffered records or bytes; resume below half. */
export const MAX_BUFFERED_RECORDS = 10_000;
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export class KafkaSourceReader<T> implements SourceReader<T> {
  private readonly splits = new Map<string, SplitState>();
  /** Partition count per topic known to this reader (see KafkaPartitionSplit.knownPartitions). */
  private readonly known = new Map<string, number>();
  private entries: (Entry | undefined)[] = [];
  private head = 0;
  private bufferedBytes = 0;
  private backPressured = false;
  private session: KafkaAdminSession | undefined;
  private fetcher: PartitionFetcher | undefined;
  private readonly watermarks: PartitionWatermarks;
  private readonly badRecords: BadRecords;
  private nextTick = 0;
  private failure: Error | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private discoveryTimer: NodeJS.Timeout | undefined;
  private readonly pendingCommits = new Map<number, PartitionOffset[]>();
  private commits: Promise<void> = Promise.resolve();
  private readonly where: string;

  constructor(
    private readonly settings: KafkaSourceSettings<T>,
    private readonly context: SourceReaderContext,
  ) {
    this.where = `KafkaSource '${context.operatorName}' (subtask ${context.subtaskIndex})`;
    this.watermarks = new PartitionWatermarks(context.watermarkStrategy, context.autoWatermarkIntervalMs ?? 200);
    this.badRecords = new BadRecords(settings.badRecordPolicy, context.metricGroup);
  }

  /** Records fetched and not yet emitted (bounded: fetching pauses above {@link MAX_BUFFERED_RECORDS}). */
  get bufferedRecords(): number {
    let n = 0;
    for (let i = this.head; i < this.entries.length; i++) if (this.entries[i]?.message !== undefined) n++;
    return n;
  }

  async start(): Promise<void> {
    try {
      this.session = await KafkaAdminSession.connect(this.settings.clientConfig(`-${this.context.subtaskIndex}`), this.settings.isolation);
      const current = await this.currentPartitions();
      if (this.context.restoredSplits !== undefined) await this.restore(this.context.restoredSplits, current);
      else await this.initial(current);
      await this.resolveStoppingOffsets();
      for (const split of this.splits.values()) this.checkFinished(split);
      await this.startFetcher();
    } catch (error) {
      // Leave no connection behind when the task fails before it could close the reader.
      await this.close();
      throw error;
    }
    if (this.settings.boundedness === 'CONTINUOUS_UNBOUNDED' && this.settings.discoveryIntervalMs > 0) this.scheduleDiscovery();
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    if (this.failure !== undefined) throw this.failure;
    if (this.watermarks.periodic) {
      const now = Date.now();
      if (now >= this.nextTick) {
        this.watermarks.onPeriodic();
        this.nextTick = now + this.watermarks.intervalMs;
      }
    }
    let emitted = 0;
    while (this.head < this.entries.length && emitted < BATCH_SIZE) {
      const entry = this.entries[this.head]!;
      this.entries[this.head++] = undefined;
      const split = entry.split;
      if (entry.message !== undefined) this.bufferedBytes -= entry.message.value?.length ?? 0;
      if (split.finished || this.splits.get(split.key) !== split) continue;
      if (entry.message === undefined) {
        if (entry.position > split.nextOffset) split.nextOffset = entry.position;
        this.checkFinished(split);
        continue;
      }
      const offset = Number(entry.message.offset);
      if (offset < split.nextOffset) continue;
      if (split.stoppingOffset !== undefined && offset >= split.stoppingOffset) {
        this.finish(split);
        continue;
      }
      split.nextOffset = offset + 1;
      this.emit(split, entry.message, output as ReaderOutput<unknown>);
      emitted++;
      this.checkFinished(split);
    }
    if (this.head >= this.entries.length) {
      this.entries = [];
      this.head = 0;
    }
    if (this.backPressured && this.buffered() < MAX_BUFFERED_RECORDS / 2 && this.bufferedBytes < MAX_BUFFERED_BYTES / 2) {
      this.backPressured = false;
      this.forEachTopic((topic, splits) => this.fetcher?.resume(topic, splits.filter((s) => !s.finished).map((s) => s.partition)));
    }
    this.watermarks.emit(output as ReaderOutput<unknown>);
    if (this.head < this.entries.length) return 'MORE_AVAILABLE';
    if (this.ended()) return 'END_OF_INPUT';
    return 'NOTHING_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    if (this.failure !== undefined || this.closed || this.head < this.entries.length || this.ended()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const previous = this.wake;
      this.wake = () => {
        previous?.();
        resolve();
      };
      // Periodic watermarks and idleness need a poll even when no record comes.
      if (this.watermarks.periodic && this.wakeTimer === undefined) {
        this.wakeTimer = setTimeout(() => this.signal(), Math.max(0, this.nextTick - Date.now()));
      }
    });
  }

  snapshotState(checkpointId: number): KafkaPartitionSplit[] {
    const knownPartitions = Object.fromEntries(this.known);
    const splits = [...this.splits.values()].map((s) => ({
      topic: s.topic,
      partition: s.partition,
      nextOffset: s.nextOffset,
      ...(s.stoppingOffset !== undefined && { stoppingOffset: s.stoppingOffset }),
      knownPartitions,
    }));
    if (this.settings.groupId !== undefined && this.settings.commitOffsetsOnCheckpoint) {
      this.pendingCommits.set(checkpointId, splits.map(({ topic, partition, nextOffset }) => ({ topic, partition, offset: nextOffset })));
    }
    return splits;
  }

  /** Commits the checkpoint's offsets under the group id, for monitoring only (never read back for correctness). */
  notifyCheckpointComplete(checkpointId: number): void {
    const offsets = this.pendingCommits.get(checkpointId);
    for (const id of [...this.pendingCommits.keys()]) if (id <= checkpointId) this.pendingCommits.delete(id);
    const session = this.session;
    const groupId = this.settings.groupId;
    if (offsets === undefined || session === undefined || groupId === undefined || offsets.length === 0) return;
    const metrics = this.context.metricGroup;
    this.commits = this.commits
      .then(() => session.commitOffsets(groupId, offsets))
      .then(
        () => metrics?.counter('commitsSucceeded').inc(),
        () => metrics?.counter('commitsFailed').inc(),
      );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.discoveryTimer);
    this.signal();
    await this.fetcher?.close();
    await this.commits;
    await this.session?.close();
  }

  private emit(split: SplitState, message: KafkaMessage, output: ReaderOutput<unknown>): void {
    const record: KafkaConsumerRecord = {
      topic: split.topic,
      partition: split.partition,
      offset: split.nextOffset - 1,
      timestamp: Number(message.timestamp),
      key: message.key ?? null,
      value: message.value ?? null,
      headers: (message.headers ?? {}) as KafkaConsumerRecord['headers'],
    };
    let value: unknown;
    try {
      value = this.settings.deserializer.deserialize(record);
    } catch (error) {
      const where = `topic ${record.topic} partition ${record.partition} offset ${record.offset}`;
      this.badRecords.handle(output, record.value ?? new Uint8Array(0), { topic: record.topic, partition: record.partition, offset: record.offset }, where, error);
      return;
    }
    // Flink's convention: a deserializer returns null for a record to drop.
    if (value === null || value === undefined) return;
    output.collect(value, this.watermarks.onRecord(split.key, value, record.timestamp));
  }

  /** The partitions of the subscribed topics now: the listed topics (a missing one is an error) or those the pattern matches. */
  private async currentPartitions(): Promise<Map<string, number[]>> {
    const session = this.session!;
    const pattern = this.settings.topicPattern;
    const topics = pattern === undefined ? this.settings.topics : (await session.listTopics()).filter((t) => pattern.test(t)).sort();
    return session.partitionsOf(topics);
  }

  private subscribed(topic: string): boolean {
    return this.settings.topicPattern?.test(topic) ?? this.settings.topics.includes(topic);
  }

  private async initial(current: Map<string, number[]>): Promise<void> {
    const { subtaskIndex, parallelism } = this.context;
    for (const [topic, partitions] of current) {
      this.known.set(topic, partitions.length);
      const mine = partitions.filter((p) => splitOwner(topic, p, parallelism) === subtaskIndex);
      const offsets = await this.settings.startingOffsets.resolve(this.session!, topic, mine, this.settings.groupId);
      for (const p of mine) this.addSplit(topic, p, offsets.get(p)!, undefined);
    }
  }

  private async restore(restored: readonly unknown[], current: Map<string, number[]>): Promise<void> {
    // A failover (attempt > 0) keeps the stopping offsets of the checkpoint, so it reads what the first attempt would;
    // a new run from a savepoint resolves them for its own bounds.
    const keepStops = (this.context.attemptNumber ?? 0) > 0;
    for (const raw of restored) {
      const split = checkSplit(raw, this.where);
      for (const [topic, count] of Object.entries(split.knownPartitions)) this.known.set(topic, Math.max(this.known.get(topic) ?? 0, count));
      // A topic the job no longer subscribes to is dropped (as Flink drops splits of removed topics).
      if (!this.subscribed(split.topic)) continue;
      const stop = keepStops && this.settings.boundedness === 'BOUNDED' ? split.stoppingOffset : undefined;
      this.addSplit(split.topic, split.partition, split.nextOffset, stop);
    }
    // A reader restored with no split does not know what the checkpoint knew: it takes what exists now as known
    // (a partition created between the checkpoint and the restore that maps to it is then not read; see the docs).
    if (restored.length === 0) for (const [topic, partitions] of current) this.known.set(topic, partitions.length);
    await this.addNewPartitions(current);
  }

  /** Partitions beyond the known ones that this reader owns become splits from their earliest offset. */
  private async addNewPartitions(current: Map<string, number[]>): Promise<boolean> {
    const { subtaskIndex, parallelism } = this.context;
    let added = false;
    for (const [topic, partitions] of current) {
      const known = this.known.get(topic) ?? 0;
      this.known.set(topic, Math.max(known, partitions.length));
      const mine = partitions.filter((p) => p >= known && splitOwner(topic, p, parallelism) === subtaskIndex && !this.splits.has(partitionKey(topic, p)));
      if (mine.length === 0) continue;
      const offsets = await this.session!.offsetsFor(topic, mine, 'earliest');
      for (const p of mine) this.addSplit(topic, p, offsets.get(p)!, undefined);
      added = true;
    }
    return added;
  }

  private addSplit(topic: string, partition: number, nextOffset: number, stoppingOffset: number | undefined): void {
    const key = partitionKey(topic, partition);
    this.splits.set(key, { topic, partition, key, nextOffset, fetchPosition: nextOffset, stoppingOffset, finished: false });
    this.watermarks.add(key);
  }

  private async resolveStoppingOffsets(): Promise<void> {
    const bounded = this.settings.stoppingOffsets;
    if (bounded === undefined) return;
    await this.forEachTopicAsync(async (topic, splits) => {
      const open = splits.filter((s) => s.stoppingOffset === undefined);
      if (open.length === 0) return;
      const stops = await bounded.resolve(this.session!, topic, open.map((s) => s.partition), this.settings.groupId);
      for (const s of open) s.stoppingOffset = stops.get(s.partition)!;
    });
  }

  private checkFinished(split: SplitState): void {
    if (!split.finished && split.stoppingOffset !== undefined && split.nextOffset >= split.stoppingOffset) this.finish(split);
  }

  private finish(split: SplitState): void {
    split.finished = true;
    this.watermarks.remove(split.key);
    this.fetcher?.pause(split.topic, [split.partition]);
  }

  private ended(): boolean {
    if (this.settings.boundedness !== 'BOUNDED') return false;
    for (const split of this.splits.values()) if (!split.finished) return false;
    return true;
  }

  /** (Re)starts fetching the unfinished splits (after discovery added some). */
  private async startFetcher(): Promise<void> {
    const old = this.fetcher;
    this.fetcher = undefined;
    await old?.close();
    const assignment = new Map<string, number[]>();
    this.forEachTopic((topic, splits) => {
      const open = splits.filter((s) => !s.finished).map((s) => s.partition);
      if (open.length > 0) assignment.set(topic, open);
    });
    if (assignment.size === 0 || this.closed) return;
    const fetcher = new PartitionFetcher(this.settings.clientConfig(`-${this.context.subtaskIndex}`), this.settings.fetcherSettings, assignment, {
      onMessages: (topic, partition, messages) => this.onMessages(topic, partition, messages),
      onPosition: (topic, partition, next) => this.onPosition(topic, partition, next),
      positionOf: (topic, partition) => this.splits.get(partitionKey(topic, partition))!.fetchPosition,
      isPaused: (topic, partition) => this.backPressured || this.splits.get(partitionKey(topic, partition))!.finished,
      onError: (error) => this.fail(error),
    }, `flinkts-source-${this.settings.groupId ?? 'no-group'}-${this.context.subtaskIndex}`);
    this.fetcher = fetcher;
    await fetcher.start();
  }

  private onMessages(topic: string, partition: number, messages: readonly KafkaMessage[]): void {
    const split = this.splits.get(partitionKey(topic, partition));
    if (split === undefined || split.finished || this.closed) return;
    for (const message of messages) {
      const offset = Number(message.offset);
      // A refetch after a rejoin may repeat what is buffered already.
      if (offset < split.fetchPosition) continue;
      split.fetchPosition = offset + 1;
      this.entries.push({ split, message, position: offset + 1 });
      this.bufferedBytes += message.value?.length ?? 0;
    }
    if (!this.backPressured && (this.buffered() >= MAX_BUFFERED_RECORDS || this.bufferedBytes >= MAX_BUFFERED_BYTES)) {
      this.backPressured = true;
      this.forEachTopic((t, splits) => this.fetcher?.pause(t, splits.map((s) => s.partition)));
    }
    this.signal();
  }

  private onPosition(topic: string, partition: number, next: number): void {
    const split = this.splits.get(partitionKey(topic, partition));
    if (split === undefined || split.finished || this.closed || next <= split.fetchPosition) return;
    split.fetchPosition = next;
    this.entries.push({ split, position: next });
    this.signal();
  }

  private scheduleDiscovery(): void {
    this.discoveryTimer = setTimeout(() => {
      void this.discover().then(
        () => {
          if (!this.closed) this.scheduleDiscovery();
        },
        (error: unknown) => this.fail(error as Error),
      );
    }, this.settings.discoveryIntervalMs);
  }

  private async discover(): Promise<void> {
    if (this.closed) return;
    const added = await this.addNewPartitions(await this.currentPartitions());
    if (added && !this.closed) await this.startFetcher();
    this.signal();
  }

  private buffered(): number {
    return this.entries.length - this.head;
  }

  private forEachTopic(action: (topic: string, splits: SplitState[]) => void): void {
    const byTopic = new Map<string, SplitState[]>();
    for (const s of this.splits.values()) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s]);
    for (const [topic, splits] of byTopic) action(topic, splits);
  }

  private async forEachTopicAsync(action: (topic: string, splits: SplitState[]) => Promise<void>): Promise<void> {
    const byTopic: [string, SplitState[]][] = [];
    this.forEachTopic((topic, splits) => byTopic.push([topic, splits]));
    for (const [topic, splits] of byTopic) await action(topic, splits);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.signal();
  }

  private signal(): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
