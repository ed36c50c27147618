/**
 * The trigger contract, as Flink's `Trigger`: decides when a window is
 * evaluated (fired) and when its contents are dropped (purged). A trigger
 * keeps no fields of its own per window; it keeps per-window state through
 * its context and registers timers there.
 */
import { FlinktsError } from '../errors.js';
import type { StateDescriptor } from '../state.js';
import type { Window } from './windows.js';

/** What a trigger method decides for its window. */
export class TriggerResult {
  /** Do nothing. */
  static readonly CONTINUE = new TriggerResult('CONTINUE', false, false);
  /** Evaluate the window function and emit its result; keep the contents. */
  static readonly FIRE = new TriggerResult('FIRE', true, false);
  /** Drop the contents without evaluating. */
  static readonly PURGE = new TriggerResult('PURGE', false, true);
  /** Evaluate, emit, then drop the contents. */
  static readonly FIRE_AND_PURGE = new TriggerResult('FIRE_AND_PURGE', true, true);

  private constructor(
    readonly name: 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE',
    private readonly fire: boolean,
    private readonly purge: boolean,
  ) {}

  isFire(): boolean {
    return this.fire;
  }

  isPurge(): boolean {
    return this.purge;
  }

  toString(): string {
    return this.name;
  }
}

/** What a trigger may do while it handles an event of one window. */
export interface TriggerContext {
  /** The current processing time (epoch ms). */
  getCurrentProcessingTime(): number;
  /** The current event-time watermark of the operator. */
  getCurrentWatermark(): number;
  /** Calls `onProcessingTime(time, window)` when the clock passes `time` (one timer per key, window and time). */
  registerProcessingTimeTimer(time: number): void;
  /** Calls `onEventTime(time, window)` when the watermark passes `time` (one timer per key, window and time). */
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  /** Keyed state scoped to the current key and this trigger's window. */
  getPartitionedState<S>(descriptor: StateDescriptor<S, any>): S;
}

/** The context of `onMerge`: it can also merge the trigger's state of the merged windows. */
export interface OnMergeContext extends TriggerContext {
  /** Merges the state `descriptor` of the merged windows into the merge result (list, reducing and aggregating states). */
  mergePartitionedState(descriptor: StateDescriptor<any, any>): void;
}

/**
 * Decides when a window fires. Subclass it and implement the four abstract
 * methods; override `canMerge` / `onMerge` to support session windows.
 *
 * @typeParam T - the elements the trigger sees
 * @typeParam W - the windows it works on
 */
export abstract class Trigger<T = any, W extends Window = Window> {
  /** Called for every element added to `window`. */
  abstract onElement(element: T, timestamp: number | undefined, window: W, ctx: TriggerContext): TriggerResult;

  /** Called when a processing-time timer registered for `window` fires. */
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;

  /** Called when an event-time timer registered for `window` fires. */
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;

  /** Whether this trigger supports merging windows (needed by session windows). */
  canMerge(): boolean {
    return false;
  }

  /** Called when windows merged into `window`: re-register timers, merge state. */
  onMerge(window: W, _ctx: OnMergeContext): void {
    throw new FlinktsError('USER_FUNCTION', `${String(this)}: this trigger does not support merging windows (${String(window)})`);
  }

  /** Called when `window` is removed: delete the timers and state this trigger keeps for it. */
  abstract clear(window: W, ctx: TriggerContext): void;

  toString(): string {
    return this.constructor.name;
  }
}
