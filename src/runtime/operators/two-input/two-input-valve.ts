/**
 * The task side of a two-input operator's watermarks (Flink's per-input
 * `StatusWatermarkValve`): the channels of each input are combined on their
 * own (minimum over channels that are neither idle nor ended), and the
 * operator hears of every advance of an input's watermark and every change of
 * its idleness. An input whose channels all ended counts as +∞ and idle never.
 */
import type { InputGate } from '../../network/input-gate.js';
import type { TwoInputStreamOperator } from '../operator.js';

/** Feeds a two-input operator the watermark and idleness of each of its inputs. */
export class TwoInputValve {
  private readonly watermarks = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  private readonly idle = [false, false];
  private readonly ended = [false, false];

  constructor(
    private readonly gate: InputGate,
    private readonly operator: TwoInputStreamOperator,
  ) {}

  /** Re-reads input `inputIndex` (0 or 1) after a watermark, idleness or end-of-partition event on one of its channels. */
  update(inputIndex: number): void {
    let total = 0;
    let ended = 0;
    let idle = 0;
    let min = Number.POSITIVE_INFINITY;
    for (const channel of this.gate.channels) {
      if (channel.inputIndex !== inputIndex) continue;
      total++;
      if (channel.ended) ended++;
      else if (channel.idle) idle++;
      else if (channel.watermark < min) min = channel.watermark;
    }
    const allEnded = total > 0 && ended === total;
    const nowIdle = !allEnded && idle > 0 && idle + ended === total;
    const first = inputIndex === 0;
    // Status first: an input that becomes active again counts before its watermark moves.
    if (nowIdle !== this.idle[inputIndex]) {
      this.idle[inputIndex] = nowIdle;
      if (first) this.operator.processWatermarkStatus1(nowIdle);
      else this.operator.processWatermarkStatus2(nowIdle);
    }
    const watermark = allEnded ? Number.POSITIVE_INFINITY : nowIdle ? Number.NaN : min;
    if (watermark > this.watermarks[inputIndex]!) {
      this.watermarks[inputIndex] = watermark;
      if (first) this.operator.processWatermark1(watermark);
      else this.operator.processWatermark2(watermark);
    }
    if (allEnded && !this.ended[inputIndex]) {
      this.ended[inputIndex] = true;
      this.operator.endInput?.(first ? 1 : 2);
    }
  }

  /** The minimum watermark of the inputs that are not idle (the task's watermark); NaN when both are idle. */
  combinedWatermark(): number {
    if (this.idle[0] && this.idle[1]) return Number.NaN;
    if (this.idle[0]) return this.watermarks[1]!;
    if (this.idle[1]) return this.watermarks[0]!;
    return Math.min(this.watermarks[0]!, this.watermarks[1]!);
  }
}
