/**
 * The window function contracts, with Flink's names: `WindowFunction` /
 * `AllWindowFunction` (`apply`) and `ProcessWindowFunction` /
 * `ProcessAllWindowFunction` (`process`, with a context).
 */
import { AbstractRichFunction, type Collector } from '../functions.js';
import type { OutputTag } from '../output-tag.js';
import type { KeyedStateStore } from '../state.js';
import type { Window } from './windows.js';

/** Evaluates a window of a keyed stream: a function or an object with `apply`. */
export type WindowFunction<IN, OUT, KEY = any, W extends Window = Window> =
  | ((key: KEY, window: W, input: Iterable<IN>, out: Collector<OUT>) => void)
  | { apply(key: KEY, window: W, input: Iterable<IN>, out: Collector<OUT>): void };

/** Evaluates a window of a non-keyed stream (`windowAll`). */
export type AllWindowFunction<IN, OUT, W extends Window = Window> =
  | ((window: W, values: Iterable<IN>, out: Collector<OUT>) => void)
  | { apply(window: W, values: Iterable<IN>, out: Collector<OUT>): void };

/** A {@link WindowFunction} with a life cycle and runtime context. */
export abstract class RichWindowFunction<IN, OUT, KEY = any, W extends Window = Window> extends AbstractRichFunction {
  abstract apply(key: KEY, window: W, input: Iterable<IN>, out: Collector<OUT>): void;
}

/** An {@link AllWindowFunction} with a life cycle and runtime context. */
export abstract class RichAllWindowFunction<IN, OUT, W extends Window = Window> extends AbstractRichFunction {
  abstract apply(window: W, values: Iterable<IN>, out: Collector<OUT>): void;
}

/** What a {@link ProcessAllWindowFunction} knows about the window being evaluated. */
export interface ProcessAllWindowFunctionContext<W extends Window = Window> {
  /** The window being evaluated (or cleared). */
  window(): W;
  /** The timestamp of the records this evaluation emits: `window().maxTimestamp()`. */
  timestamp(): number;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /**
   * Keyed state scoped to this window (and key): it lives until the window is
   * cleaned up; release it in `clear`. Not available with merging (session) windows.
   */
  windowState(): KeyedStateStore;
  /** Keyed state of the key (the same in every window). */
  globalState(): KeyedStateStore;
  /** Emits to the side output `tag`, with the window's `maxTimestamp()` as timestamp. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/** What a {@link ProcessWindowFunction} knows: the window, time, state and the key. */
export interface ProcessWindowFunctionContext<KEY = any, W extends Window = Window> extends ProcessAllWindowFunctionContext<W> {
  /** The key of the window being evaluated. */
  getCurrentKey(): KEY;
}

/**
 * Evaluates a window of a keyed stream with access to its context; alone it
 * sees every element, after `reduce` / `aggregate` the one pre-aggregated value.
 */
export abstract class ProcessWindowFunction<IN, OUT, KEY = any, W extends Window = Window> extends AbstractRichFunction {
  abstract process(key: KEY, context: ProcessWindowFunctionContext<KEY, W>, elements: Iterable<IN>, out: Collector<OUT>): void;

  /** Called when the window is cleaned up: release per-window state here. */
  clear(_context: ProcessWindowFunctionContext<KEY, W>): void {}
}

/** Evaluates a window of a non-keyed stream (`windowAll`) with access to its context. */
export abstract class ProcessAllWindowFunction<IN, OUT, W extends Window = Window> extends AbstractRichFunction {
  abstract process(context: ProcessAllWindowFunctionContext<W>, elements: Iterable<IN>, out: Collector<OUT>): void;

  /** Called when the window is cleaned up: release per-window state here. */
  clear(_context: ProcessAllWindowFunctionContext<W>): void {}
}
