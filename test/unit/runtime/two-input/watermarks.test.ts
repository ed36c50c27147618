/**
 * The watermark of a two-input operator: per input from its channels (the
 * valve), then the minimum of both inputs, an idle input left out, never
 * moving back (Flink's AbstractStreamOperator.processWatermark1/2 and
 * processWatermarkStatus1/2). Expected outputs worked out by hand from those rules.
 */
import { describe, expect, it } from 'vitest';
import { InputGate } from '../../../../src/runtime/network/input-gate.js';
import type { TwoInputStreamOperator } from '../../../../src/runtime/operators/operator.js';
import { CoStreamMap } from '../../../../src/runtime/operators/two-input/co-stream-operators.js';
import { TwoInputValve } from '../../../../src/runtime/operators/two-input/two-input-valve.js';
import { harness } from './harness.js';

const identity = { map1: (v: unknown) => v, map2: (v: unknown) => v };

describe('combined watermark of a two-input operator', () => {
  // Each step: [input, watermark or 'idle'/'active'], then what the operator emits.
  const cases: { name: string; steps: [1 | 2, number | 'idle' | 'active'][]; emitted: string[] }[] = [
    {
      name: 'waits for both inputs, then emits the minimum whenever it grows',
      // 5/−∞ → min −∞; 5/3 → 3; 8/3 → 3 (no change); 8/10 → 8; 9/10 → 9; 9/+∞ → 9 (no change); +∞/+∞ → +∞.
      steps: [[1, 5], [2, 3], [1, 8], [2, 10], [1, 9], [2, Infinity], [1, Infinity]],
      emitted: ['wm:3', 'wm:8', 'wm:9', 'wm:Infinity'],
    },
    {
      name: 'an idle input is left out, and the watermark never moves back when it returns',
      // 4/−∞; input 2 idle → 4; 7 → 7; input 2 active again at 2: min 2 < 7, nothing; 2 → 9: min(12, 9) = 9.
      steps: [[1, 4], [2, 'idle'], [1, 7], [2, 'active'], [2, 2], [1, 12], [2, 9]],
      emitted: ['wm:4', 'wm:7', 'wm:9'],
    },
    {
      name: 'both inputs idle: nothing is emitted until one is active again',
      steps: [[1, 'idle'], [2, 'idle'], [1, 'active'], [1, 6]],
      // After input 1 returns, input 2 is still idle: the watermark is input 1's, 6.
      emitted: ['wm:6'],
    },
    {
      name: 'equal watermarks on both inputs are emitted once',
      steps: [[1, 10], [2, 10], [1, 10], [2, 10]],
      emitted: ['wm:10'],
    },
  ];

  for (const { name, steps, emitted } of cases) {
    it(name, async () => {
      const { op, out } = await harness((c) => new CoStreamMap(identity, c));
      for (const [input, step] of steps) {
        if (step === 'idle' || step === 'active') {
          if (input === 1) op.processWatermarkStatus1(step === 'idle');
          else op.processWatermarkStatus2(step === 'idle');
        } else if (input === 1) op.processWatermark1(step);
        else op.processWatermark2(step);
      }
      expect(out.take()).toEqual(emitted);
    });
  }
});

/** Records what the valve tells the operator. */
class CallLog implements TwoInputStreamOperator {
  readonly calls: string[] = [];
  processElement1(): void {}
  processElement2(): void {}
  processWatermark1(w: number): void {
    this.calls.push(`wm1:${w}`);
  }
  processWatermark2(w: number): void {
    this.calls.push(`wm2:${w}`);
  }
  processWatermarkStatus1(idle: boolean): void {
    this.calls.push(`status1:${idle ? 'idle' : 'active'}`);
  }
  processWatermarkStatus2(idle: boolean): void {
    this.calls.push(`status2:${idle ? 'idle' : 'active'}`);
  }
  endInput(input: 1 | 2): void {
    this.calls.push(`end${input}`);
  }
}

describe('TwoInputValve (per-input channel combination)', () => {
  it('takes the minimum over the channels of each input separately', () => {
    const gate = new InputGate(() => {});
    const a0 = gate.addChannel(0, 0, 0);
    const a1 = gate.addChannel(1, 0, 0);
    const b0 = gate.addChannel(2, 0, 1);
    const log = new CallLog();
    const valve = new TwoInputValve(gate, log);
    a0.watermark = 10;
    valve.update(0); // a1 still at −∞: input 1 stays at −∞
    a1.watermark = 4;
    valve.update(0); // min(10, 4) = 4
    b0.watermark = 7;
    valve.update(1);
    a1.watermark = 12;
    valve.update(0); // min(10, 12) = 10
    expect(log.calls).toEqual(['wm1:4', 'wm2:7', 'wm1:10']);
    expect(valve.combinedWatermark()).toBe(7);
  });

  it('an input is idle when all its running channels are; an ended input counts as +∞ and ends', () => {
    const gate = new InputGate(() => {});
    const a0 = gate.addChannel(0, 0, 0);
    const a1 = gate.addChannel(1, 0, 0);
    const b0 = gate.addChannel(2, 0, 1);
    const log = new CallLog();
    const valve = new TwoInputValve(gate, log);
    a0.idle = true;
    valve.update(0); // a1 still active: input 1 is not idle
    a1.idle = true;
    valve.update(0);
    b0.watermark = 3;
    valve.update(1);
    expect(valve.combinedWatermark()).toBe(3);
    a1.idle = false;
    a1.watermark = 1;
    valve.update(0);
    gate.markEnded(b0);
    valve.update(1);
    expect(log.calls).toEqual(['status1:idle', 'wm2:3', 'status1:active', 'wm1:1', 'wm2:Infinity', 'end2']);
    expect(valve.combinedWatermark()).toBe(1);
  });
});
