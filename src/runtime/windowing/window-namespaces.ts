/**
 * Windows as keyed-state namespaces. Window state, trigger state and timers
 * are keyed by (key, namespace); a namespace is a string, so each window has
 * one: `start|end` for a time window, `G` for the global window. Other
 * window classes (custom assigners) get an id per distinct window, kept in
 * memory while the window is alive.
 */
import { FlinktsError } from '../../api/errors.js';
import { GlobalWindow, TimeWindow, type Window } from '../../api/windowing/windows.js';

const GLOBAL = 'G';
/** Bounded cache of time-window namespaces (sliding windows see a few distinct windows at a time). */
const CACHE_LIMIT = 4096;

export class WindowNamespaces {
  private lastWindow: Window | undefined;
  private lastNamespace = '';
  private readonly byStart = new Map<number, { end: number; namespace: string }>();
  private readonly custom = new Map<string, Window>();
  private customIds = new Map<Window, string>();
  private nextCustomId = 0;
  private lastParsedNamespace: string | undefined;
  private lastParsed: Window | undefined;

  /** The namespace of `window`. */
  of(window: Window): string {
    // Assigners hand out the same window object for runs of elements: one comparison.
    if (window === this.lastWindow) return this.lastNamespace;
    let namespace: string;
    if (window instanceof TimeWindow) {
      const cached = this.byStart.get(window.start);
      if (cached !== undefined && cached.end === window.end) {
        namespace = cached.namespace;
      } else {
        namespace = `${window.start}|${window.end}`;
        if (this.byStart.size >= CACHE_LIMIT) this.byStart.clear();
        this.byStart.set(window.start, { end: window.end, namespace });
      }
    } else if (window instanceof GlobalWindow) {
      namespace = GLOBAL;
    } else {
      namespace = this.customNamespace(window);
    }
    this.lastWindow = window;
    this.lastNamespace = namespace;
    return namespace;
  }

  /** The window of a namespace (as timers carry it). */
  window(namespace: string): Window {
    // Timers fire grouped by time, so runs of timers share a window.
    if (namespace === this.lastParsedNamespace) return this.lastParsed!;
    if (namespace === GLOBAL) return GlobalWindow.get();
    const bar = namespace.indexOf('|');
    if (bar > 0) {
      const window = new TimeWindow(Number(namespace.slice(0, bar)), Number(namespace.slice(bar + 1)));
      this.lastParsedNamespace = namespace;
      this.lastParsed = window;
      return window;
    }
    const window = this.custom.get(namespace);
    if (window === undefined) throw new FlinktsError('INTERNAL', `unknown window namespace '${namespace}'`);
    return window;
  }

  /** Forgets a custom window that was cleaned up (time and global windows need nothing). */
  release(namespace: string): void {
    const window = this.custom.get(namespace);
    if (window === undefined) return;
    this.custom.delete(namespace);
    this.customIds.delete(window);
  }

  private customNamespace(window: Window): string {
    const known = this.customIds.get(window);
    if (known !== undefined) return known;
    for (const [namespace, existing] of this.custom) {
      if (existing.equals(window)) {
        this.customIds.set(window, namespace);
        return namespace;
      }
    }
    const namespace = `#${this.nextCustomId++}`;
    this.custom.set(namespace, window);
    this.customIds.set(window, namespace);
    if (this.customIds.size > CACHE_LIMIT) this.customIds = new Map([...this.custom].map(([ns, w]) => [w, ns]));
    return namespace;
  }
}
