/**
 * The buffers that carry a snapshot's copied columns to the encoding thread
 * (section-thread.ts), which hands them back when it is done. They are kept
 * here for the next snapshot: a checkpoint every second would otherwise
 * allocate tens of megabytes outside the JS heap every second, which costs
 * the task page faults on the fresh memory and V8 full collections of its
 * heap. Per thread (module state), at most {@link MAX_SPARE} buffers.
 */

const MAX_SPARE = 32;
/** Room to grow: the next snapshot's columns are likely a little larger. */
const HEADROOM = 1.25;
const spare: ArrayBuffer[] = [];

/**
 * A copy of the first `length` numbers of `array`, in a buffer of its own
 * (a spare one when one is large enough) that may be moved to another thread.
 */
export function copyForTransfer<A extends Float64Array | Int32Array>(array: A, length: number): A {
  const bytes = length * array.BYTES_PER_ELEMENT;
  let best = -1;
  for (let i = 0; i < spare.length; i++) {
    const size = spare[i]!.byteLength;
    if (size >= bytes && (best < 0 || size < spare[best]!.byteLength)) best = i;
  }
  const buffer = best >= 0 ? spare.splice(best, 1)[0]! : new ArrayBuffer(Math.max(8, Math.ceil((bytes * HEADROOM) / 8) * 8));
  const copy = new (array.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => A)(buffer, 0, length);
  copy.set(array.subarray(0, length));
  return copy;
}

/** Takes back buffers the encoding thread is done with; beyond the limit, the smallest are dropped. */
export function giveBack(buffers: readonly ArrayBuffer[]): void {
  for (const buffer of buffers) if (buffer.byteLength > 0) spare.push(buffer);
  if (spare.length > MAX_SPARE) {
    spare.sort((a, b) => b.byteLength - a.byteLength);
    spare.length = MAX_SPARE;
  }
}

/** Spare buffers and their bytes, for tests. */
export function spareBuffers(): { count: number; bytes: number } {
  return { count: spare.length, bytes: spare.reduce((sum, b) => sum + b.byteLength, 0) };
}
