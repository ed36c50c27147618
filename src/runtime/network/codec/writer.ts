/**
 * The record writer: {@link BufferBuilder} fills fixed-size network buffers
 * with records and events in the format of format.ts; values are written by
 * encoder.ts.
 *
 * Encoding is synchronous, so one encode runs at a time per thread; a getter
 * that starts another encode is refused rather than let it overwrite the
 * shared encoder state.
 * @module
 */

import { FlinktsError } from '../../../api/errors.js';
import { useShapes, writeValue } from './encoder.js';
import { OVERFLOW, W } from './encoder-state.js';
import { EVENT_SIZE, H_EVENT, H_RECORD, H_RECORD_TS } from './format.js';
import { nativeStringsOf, type NativeStrings } from './node-buffer.js';
import { serializationError } from './problems.js';
import { ShapeTable } from './shape-tree.js';

/** Largest buffer encodeOversized builds. */
const MAX_OVERSIZED = 2 ** 31;

/** The builder whose buffer the encoder state holds. */
/** Id of the builder whose buffer the state holds (0: none). Ids rather than a reference: no builder is kept alive. */
let activeId = 0;
let lastId = 0;
/** Whether an encode is running (a getter may try to start another). */
let busy = false;
/** Buffer epochs are unique per thread, so a shape's epoch never matches a buffer it was not defined in. */
let epochCounter = 0;

/**
 * Fills one network buffer with records and events. One builder per output
 * channel: the shape tree it learns is reused for every buffer it fills.
 */
export class BufferBuilder {
  private readonly id = ++lastId;
  private target: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.target.buffer);
  private native: NativeStrings = nativeStringsOf(this.target);
  private pos = 0;
  private count = 0;
  private epoch = 0;
  private readonly shapes = new ShapeTable();

  /** Starts filling `target` (all its bytes are free). */
  begin(target: Uint8Array): void {
    this.target = target;
    this.view = new DataView(target.buffer, target.byteOffset, target.byteLength);
    this.native = nativeStringsOf(target);
    this.pos = 0;
    this.count = 0;
    this.epoch = ++epochCounter;
    this.shapes.nextId = 0;
    this.shapes.defined.length = 0;
    if (activeId === this.id) activeId = 0;
  }

  /**
   * Appends a record; returns false and leaves the buffer unchanged when it
   * does not fit in the remaining space (bytes after {@link size} are scratch
   * and may have been overwritten). Throws a SERIALIZATION error naming the
   * field for values that cannot be encoded, also leaving the buffer as it was.
   */
  tryWriteRecord(value: unknown, timestamp: number | undefined): boolean {
    if (busy) throw new FlinktsError('SERIALIZATION', 'a record was serialised while another one was (from a getter?)');
    if (timestamp !== undefined && typeof timestamp !== 'number') {
      throw new FlinktsError('SERIALIZATION', `record timestamp must be a number or undefined, got ${typeof timestamp}`);
    }
    if (activeId !== this.id) this.activate();
    const start = this.pos;
    const firstId = this.shapes.nextId;
    busy = true;
    try {
      let p = start;
      if (timestamp === undefined) {
        if (p >= W.end) throw OVERFLOW;
        W.target[p++] = H_RECORD;
      } else {
        if (p + 9 > W.end) throw OVERFLOW;
        W.target[p] = H_RECORD_TS;
        W.view.setFloat64(p + 1, timestamp, true);
        p += 9;
      }
      W.pos = p;
      writeValue(value, 0);
    } catch (e) {
      busy = false;
      this.shapes.undefineFrom(firstId);
      if (e === OVERFLOW) return false;
      throw serializationError(e, value);
    }
    busy = false;
    this.pos = W.pos;
    this.count++;
    return true;
  }

  /** Appends an event (kind 0..255, two float64 payload numbers); false when it does not fit. */
  tryWriteEvent(kind: number, a: number, b: number): boolean {
    if (!Number.isInteger(kind) || kind < 0 || kind > 255 || typeof a !== 'number' || typeof b !== 'number') {
      throw new FlinktsError('SERIALIZATION', `invalid event (kind ${String(kind)}, payload ${String(a)}, ${String(b)})`);
    }
    const p = this.pos;
    if (p + EVENT_SIZE > this.target.length) return false;
    this.target[p] = H_EVENT;
    this.target[p + 1] = kind;
    this.view.setFloat64(p + 2, a, true);
    this.view.setFloat64(p + 10, b, true);
    this.pos = p + EVENT_SIZE;
    return true;
  }

  /** Bytes written since begin(). */
  get size(): number {
    return this.pos;
  }

  /** Number of records written since begin(). */
  get recordCount(): number {
    return this.count;
  }

  /** One record that does not fit into an empty segment, encoded alone into a new exactly-sized buffer readable by BufferReader. */
  static encodeOversized(value: unknown, timestamp: number | undefined): Uint8Array {
    oversized ??= new BufferBuilder();
    for (let size = 1 << 16; ; size = Math.min(size * 4, MAX_OVERSIZED)) {
      oversized.begin(new Uint8Array(size));
      if (oversized.tryWriteRecord(value, timestamp)) return oversized.target.slice(0, oversized.pos);
      if (size >= MAX_OVERSIZED) {
        throw new FlinktsError('SERIALIZATION', `record is larger than ${MAX_OVERSIZED} bytes when serialised`);
      }
    }
  }

  private activate(): void {
    activeId = this.id;
    W.target = this.target;
    W.view = this.view;
    W.native = this.native;
    W.end = this.target.length;
    useShapes(this.shapes, this.epoch);
  }
}

let oversized: BufferBuilder | undefined;
