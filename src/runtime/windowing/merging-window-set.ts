/**
 * The in-flight windows of one key for a merging assigner (session windows),
 * as Flink's MergingWindowSet: each window maps to the *state window* whose
 * namespace holds its contents. When windows merge, the result keeps the
 * state window of one of them and the others' state is merged into it, so
 * growing a session never moves its contents. Kept per key in keyed state
 * (namespace `''`): the heap backend holds this live object (references) and
 * snapshots store `persist()`, the `[window, stateWindow]` namespace pairs;
 * a backend that stores copies (`embedded`) holds the pairs themselves, and
 * the operator rebuilds the set on every access and writes it back after
 * every change.
 */
import { FlinktsError } from '../../api/errors.js';
import type { MergingWindowAssigner } from '../../api/windowing/assigners.js';
import { EventTimeSessionWindows } from '../../api/windowing/session-windows.js';
import { TimeWindow, type Window } from '../../api/windowing/windows.js';
import { SNAPSHOT_FORM } from '../state/heap-keyed-state-backend.js';
import type { WindowNamespaces } from './window-namespaces.js';

/** Called when windows merge: state and timers of `mergedWindows` move to `mergeResult`. */
export type MergeFunction = (mergeResult: Window, mergedWindows: readonly Window[], stateWindowResult: string, mergedStateWindows: readonly string[]) => void;

/** The persisted form: `[window namespace, state window namespace]` pairs. */
export type MergingWindowSetState = [string, string][];

export class MergingWindowSet {
  /** Window namespace → its state window namespace and the window itself (parsed once, not per element). */
  private readonly inFlight = new Map<string, { stateWindow: string; window: Window }>();
  /** The assigner merges overlapping time windows as the built-in session assigners do (fast path below). */
  private readonly mergesOverlappingTimeWindows: boolean;

  constructor(
    private readonly assigner: MergingWindowAssigner<any, any>,
    private readonly namespaces: WindowNamespaces,
    stored: MergingWindowSetState | undefined,
  ) {
    this.mergesOverlappingTimeWindows = assigner.mergeWindows === EventTimeSessionWindows.prototype.mergeWindows;
    for (const [window, stateWindow] of stored ?? []) this.put(window, stateWindow, namespaces.window(window));
  }

  /** The state window of an in-flight window, or undefined when it is not in flight (merged away or retired). */
  getStateWindow(window: string): string | undefined {
    return this.inFlight.get(window)?.stateWindow;
  }

  /** Removes a window from the in-flight set. */
  retireWindow(window: string): void {
    if (!this.inFlight.delete(window)) throw new FlinktsError('INTERNAL', `window ${window} is not in the in-flight window set`);
  }

  get isEmpty(): boolean {
    return this.inFlight.size === 0;
  }

  /** The state to store, or undefined when no window is in flight. */
  persist(): MergingWindowSetState | undefined {
    return this.inFlight.size === 0 ? undefined : [...this.inFlight].map(([window, entry]): [string, string] => [window, entry.stateWindow]);
  }

  /** Snapshots store the persisted form (the heap backend holds this live object). */
  [SNAPSHOT_FORM](): MergingWindowSetState {
    return this.persist() ?? [];
  }

  private put(namespace: string, stateWindow: string, window: Window): void {
    this.inFlight.set(namespace, { stateWindow, window });
  }

  /**
   * Adds `newWindow`, merging it with in-flight windows as the assigner
   * decides. Returns the window it ended up in: itself, or a merge result.
   * `merge` is called for every merge (without the new window among the
   * merged ones: it never had state).
   */
  addWindow(newWindow: Window, merge: MergeFunction): Window {
    if (this.mergesOverlappingTimeWindows && this.inFlight.size <= 1 && newWindow instanceof TimeWindow) {
      return this.addToSingleSession(newWindow, merge);
    }
    const newNamespace = this.namespaces.of(newWindow);
    const windows: Window[] = [];
    for (const entry of this.inFlight.values()) windows.push(entry.window);
    if (!this.inFlight.has(newNamespace)) windows.push(newWindow);
    const merges: { result: Window; merged: Window[] }[] = [];
    this.assigner.mergeWindows(windows, { merge: (toBeMerged, mergeResult) => merges.push({ result: mergeResult, merged: [...toBeMerged] }) });

    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const { result, merged: all } of merges) {
      const merged = all.filter((w) => !w.equals(newWindow));
      if (merged.length !== all.length) {
        mergedNewWindow = true;
        resultWindow = result;
      }
      const resultNamespace = this.namespaces.of(result);
      const mergedNamespaces = merged.map((w) => this.namespaces.of(w));
      // The result keeps the state window of one merged window (the earliest: deterministic).
      const stateWindow = this.inFlight.get(mergedNamespaces[0]!)!.stateWindow;
      const mergedStateWindows: string[] = [];
      for (const ns of mergedNamespaces) {
        const res = this.inFlight.get(ns)?.stateWindow;
        if (res !== undefined) {
          this.inFlight.delete(ns);
          if (res !== stateWindow) mergedStateWindows.push(res);
        }
      }
      this.put(resultNamespace, stateWindow, result);
      // Merging one existing window into itself (the new window lies inside it) changes nothing.
      if (!(mergedNamespaces.length === 1 && mergedNamespaces[0] === resultNamespace)) {
        merge(result, merged, stateWindow, mergedStateWindows);
      }
    }
    // A new, self-contained window (or one equal to an in-flight window, which keeps its state window).
    if (!mergedNewWindow && !this.inFlight.has(newNamespace)) this.put(newNamespace, newNamespace, newWindow);
    return resultWindow;
  }

  /**
   * `addWindow` for session assigners when at most one window is in flight
   * (a key's usual state): the same outcome as the general path without
   * sorting, callbacks or the new window's namespace when it merges.
   */
  private addToSingleSession(newWindow: TimeWindow, merge: MergeFunction): Window {
    for (const [namespace, entry] of this.inFlight) {
      const existing = entry.window as TimeWindow;
      if (!existing.intersects(newWindow)) break;
      if (existing.start <= newWindow.start && existing.end >= newWindow.end) return existing;
      const result = existing.cover(newWindow);
      this.inFlight.delete(namespace);
      this.put(this.namespaces.of(result), entry.stateWindow, result);
      merge(result, [existing], entry.stateWindow, []);
      return result;
    }
    const newNamespace = this.namespaces.of(newWindow);
    this.put(newNamespace, newNamespace, newWindow);
    return newWindow;
  }
}
