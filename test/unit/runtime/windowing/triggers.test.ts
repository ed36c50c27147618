/**
 * Each trigger through the window operator, with exact firings worked out
 * from Flink's definitions in the comment above each expectation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValueStateDescriptor, type ValueState } from '../../../../src/api/state.js';
import { GlobalWindows, TumblingEventTimeWindows, TumblingProcessingTimeWindows } from '../../../../src/api/windowing/assigners.js';
import { EventTimeSessionWindows } from '../../../../src/api/windowing/session-windows.js';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from '../../../../src/api/windowing/trigger.js';
import { ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger } from '../../../../src/api/windowing/continuous-triggers.js';
import {
  CountTrigger,
  DeltaTrigger,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  PurgingTrigger,
} from '../../../../src/api/windowing/triggers.js';
import type { Window } from '../../../../src/api/windowing/windows.js';
import { BACKENDS, disposeHarnesses, specOf, useBackend, WindowHarness } from './harness.js';
import { describeWindow, rec, windowText, type Rec } from './helpers.js';

describe.each(BACKENDS)('%s backend', (backend) => {
  beforeEach(() => useBackend(backend));
  afterEach(async () => {
    await disposeHarnesses();
    useBackend('hashmap');
  });

  describe('built-in triggers', () => {
    it('CountTrigger.of(2) on tumbling event-time windows: fires every 2nd element, the window is dropped at cleanup without firing', async () => {
      const h = await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.trigger(CountTrigger.of(2)).apply(describeWindow))).open();
      // 1, 2 → FIRE (count reset, contents kept); 3 → count 1; wm 9: cleanup, no firing (EventTimeTrigger replaced).
      h.element(rec('a', 1), 1).element(rec('a', 2), 2).element(rec('a', 3), 3).watermark(9);
      expect(h.take()).toEqual(['a [0,10): 1,2']);
      expect(h.keysWithState()).toBe(0);
    });

    it('PurgingTrigger.of(CountTrigger.of(2)): every FIRE becomes FIRE_AND_PURGE', async () => {
      const h = await new WindowHarness(specOf(TumblingEventTimeWindows.of(10), (s) => s.trigger(PurgingTrigger.of(CountTrigger.of(2))).apply(describeWindow))).open();
      for (let v = 1; v <= 5; v++) h.element(rec('a', v), v);
      h.watermark(Number.POSITIVE_INFINITY);
      // 1,2 | 3,4 | 5 left over, dropped at cleanup.
      expect(h.take()).toEqual(['a [0,10): 1,2', 'a [0,10): 3,4']);
    });

    it('PurgingTrigger.of(EventTimeTrigger): each late firing sees only the elements since the last one', async () => {
      const spec = specOf(TumblingEventTimeWindows.of(10), (s) => s.allowedLateness(100).trigger(PurgingTrigger.of(EventTimeTrigger.create())).apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      h.element(rec('a', 1), 1).element(rec('a', 2), 2).watermark(9).element(rec('a', 3), 3).element(rec('a', 4), 4);
      // wm 9: FIRE_AND_PURGE → 1,2; each late element then fires (maxTimestamp ≤ wm) and purges.
      expect(h.take()).toEqual(['a [0,10): 1,2', 'a [0,10): 3', 'a [0,10): 4']);
    });

    it('ContinuousEventTimeTrigger.of(5) on 20 ms windows: early firings every 5 ms of event time, then at the end', async () => {
      const spec = specOf(TumblingEventTimeWindows.of(20), (s) => s.trigger(ContinuousEventTimeTrigger.of(5)).apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      // First element 1: next fire 1 − 1 % 5 + 5 = 5. Fires at 5 (1,3), 10 (1,3,7), 15 (same),
      // then min(20, 19) = 19, which is also the end of the window: one firing, then cleanup.
      h.element(rec('a', 1), 1).element(rec('a', 3), 3).watermark(5);
      expect(h.take()).toEqual(['a [0,20): 1,3']);
      h.element(rec('a', 7), 7).watermark(10);
      expect(h.take()).toEqual(['a [0,20): 1,3,7']);
      h.watermark(15);
      expect(h.take()).toEqual(['a [0,20): 1,3,7']);
      h.watermark(19);
      expect(h.take()).toEqual(['a [0,20): 1,3,7']);
      expect(h.keysWithState()).toBe(0);
      expect(h.timerService!.pending()).toEqual({ event: 0, processing: 0 });
    });

    it('ContinuousEventTimeTrigger fires at once for an element of a window the watermark passed (lateness)', async () => {
      const spec = specOf(TumblingEventTimeWindows.of(10), (s) => s.allowedLateness(10).trigger(ContinuousEventTimeTrigger.of(3)).apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      h.watermark(12).element(rec('a', 4), 4);
      expect(h.take()).toEqual(['a [0,10): 4']);
    });

    it('ContinuousProcessingTimeTrigger.of(5) on processing-time windows of 20', async () => {
      const spec = specOf(TumblingProcessingTimeWindows.of(20), (s) => s.trigger(ContinuousProcessingTimeTrigger.of(5)).apply(describeWindow));
      const h = await new WindowHarness(spec, { processingTime: 1 }).open();
      // Clock 1: next fire 5. Fires at 5, 10 (after 8 arrived), 15, then min(20, 19) = 19, and cleanup at 19.
      h.element(rec('a', 1)).processingTime(3).element(rec('a', 3)).processingTime(5);
      expect(h.take()).toEqual(['a [0,20): 1,3']);
      h.processingTime(8).element(rec('a', 8)).processingTime(10);
      expect(h.take()).toEqual(['a [0,20): 1,3,8']);
      h.processingTime(19);
      expect(h.take()).toEqual(['a [0,20): 1,3,8', 'a [0,20): 1,3,8']);
      expect(h.keysWithState()).toBe(0);
    });

    it('at the end of input pending processing-time timers fire once; timers registered meanwhile are ignored', async () => {
      const spec = specOf(GlobalWindows.create(), (s) => s.trigger(ContinuousProcessingTimeTrigger.of(5)).apply(describeWindow));
      const h = await new WindowHarness(spec, { processingTime: 1 }).open();
      // The timer at 5 fires at the end; the next one (10) it registers is ignored, so the job can end.
      h.element(rec('a', 1)).element(rec('a', 2)).finish();
      expect(h.take()).toEqual(['a global: 1,2']);
      expect(h.timerService!.pending()).toEqual({ event: 0, processing: 0 });
    });

    it('ProcessingTimeTrigger on event-time windows fires by the clock', async () => {
      const spec = specOf(TumblingEventTimeWindows.of(10), (s) => s.trigger(ProcessingTimeTrigger.create()).apply(describeWindow));
      const h = await new WindowHarness(spec, { processingTime: 0 }).open();
      // The timer is at maxTimestamp 9 in processing time; the event-time cleanup (wm 9) comes later here.
      h.element(rec('a', 1), 1).processingTime(9);
      expect(h.take()).toEqual(['a [0,10): 1']);
    });

    it('DeltaTrigger.of(3, Δv): fires when the value moved more than 3 since the last firing', async () => {
      const spec = specOf(GlobalWindows.create(), (s) => s.trigger(DeltaTrigger.of<Rec>(3, (a, b) => b.v - a.v)).apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      // last = 1; 2 (Δ1), 3 (Δ2) no; 5 (Δ4 > 3) FIRE, last = 5; 6 (Δ1), 8 (Δ3, not > 3) no; 10 (Δ5) FIRE.
      for (const v of [1, 2, 3, 5, 6, 8, 10]) h.element(rec('a', v));
      expect(h.take()).toEqual(['a global: 1,2,3,5', 'a global: 1,2,3,5,6,8,10']);
    });

    it('CountTrigger merges its count when sessions merge', async () => {
      const spec = specOf(EventTimeSessionWindows.withGap(10), (s) => s.trigger(CountTrigger.of(3)).apply(describeWindow));
      const h = await new WindowHarness(spec).open();
      // 1 → [1,11) count 1; 30 → [30,40) count 1; 15 → [15,25) count 1: no merge yet (11 < 15, 25 < 30).
      // 25 → [25,35) touches [15,25) and overlaps [30,40): merged [15,40), counts 1 + 1 merged, + 1 = 3 → FIRE.
      // The merged contents live in the state window of the earliest merged window, [15,25): 15, then 30, then 25.
      h.element(rec('a', 1), 1).element(rec('a', 30), 30).element(rec('a', 15), 15);
      expect(h.take()).toEqual([]);
      h.element(rec('a', 25), 25);
      expect(h.take()).toEqual(['a [15,40): 15,30,25']);
    });
  });

  /** What the custom trigger saw, in order. */
  const log: string[] = [];

  /**
   * A custom trigger driven by the element values: 1 FIRE, 2 PURGE, 3
   * FIRE_AND_PURGE, 4 an event-time timer at ts + 5 (remembered in state),
   * 5 deletes that timer, 6 a processing-time timer at now + 10; other values
   * CONTINUE. Event-time timers FIRE_AND_PURGE, processing-time timers FIRE.
   */
  class ScriptedTrigger extends Trigger<Rec, Window> {
    private readonly timerState = new ValueStateDescriptor<number>('scripted-timer');

    onElement(element: Rec, timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
      log.push(`element ${element.v} in ${windowText(window)} wm ${ctx.getCurrentWatermark()}`);
      const timer: ValueState<number> = ctx.getPartitionedState(this.timerState);
      switch (element.v) {
        case 1:
          return TriggerResult.FIRE;
        case 2:
          return TriggerResult.PURGE;
        case 3:
          return TriggerResult.FIRE_AND_PURGE;
        case 4:
          timer.update(timestamp! + 5);
          ctx.registerEventTimeTimer(timestamp! + 5);
          return TriggerResult.CONTINUE;
        case 5:
          ctx.deleteEventTimeTimer(timer.value()!);
          timer.clear();
          return TriggerResult.CONTINUE;
        case 6:
          ctx.registerProcessingTimeTimer(ctx.getCurrentProcessingTime() + 10);
          return TriggerResult.CONTINUE;
        default:
          return TriggerResult.CONTINUE;
      }
    }

    onEventTime(time: number, window: Window): TriggerResult {
      log.push(`event time ${time} in ${windowText(window)}`);
      return TriggerResult.FIRE_AND_PURGE;
    }

    onProcessingTime(time: number, window: Window): TriggerResult {
      log.push(`processing time ${time} in ${windowText(window)}`);
      return TriggerResult.FIRE;
    }

    override canMerge(): boolean {
      return true;
    }

    override onMerge(window: Window, ctx: OnMergeContext): void {
      log.push(`merge into ${windowText(window)}`);
      ctx.mergePartitionedState(new ValueStateDescriptor<number>('unused-value-state-is-not-mergeable'));
    }

    clear(window: Window, ctx: TriggerContext): void {
      log.push(`clear ${windowText(window)}`);
      ctx.getPartitionedState(this.timerState).clear();
    }
  }

  describe('a custom trigger', () => {
    it('gets every call with its window; CONTINUE, FIRE, PURGE and FIRE_AND_PURGE act as in Flink', async () => {
      log.length = 0;
      const h = await new WindowHarness(specOf(GlobalWindows.create(), (s) => s.trigger(new ScriptedTrigger()).apply(describeWindow)), { processingTime: 100 }).open();
      h.element(rec('a', 0), 0).element(rec('a', 1), 1); // FIRE: 0,1 (kept)
      h.element(rec('a', 2), 2); // PURGE: window emptied (0,1,2 dropped)
      h.element(rec('a', 7), 7).element(rec('a', 3), 3); // FIRE_AND_PURGE: 7,3
      h.element(rec('a', 4), 20).watermark(24); // timer at 25: not yet
      h.element(rec('a', 8), 21).watermark(25); // timer 25 → FIRE_AND_PURGE: 4,8
      h.element(rec('a', 4), 30).element(rec('a', 5), 31).watermark(100); // timer at 35 registered, then deleted
      h.element(rec('a', 6), 32).processingTime(110); // processing timer at 110 → FIRE: 4,5,6
      expect(h.take()).toEqual(['a global: 0,1', 'a global: 7,3', 'a global: 4,8', 'a global: 4,5,6']);
      expect(log).toEqual([
        'element 0 in global wm -Infinity',
        'element 1 in global wm -Infinity',
        'element 2 in global wm -Infinity',
        'element 7 in global wm -Infinity',
        'element 3 in global wm -Infinity',
        'element 4 in global wm -Infinity',
        'element 8 in global wm 24',
        'event time 25 in global',
        'element 4 in global wm 25',
        'element 5 in global wm 25',
        'element 6 in global wm 100',
        'processing time 110 in global',
      ]);
    });

    it('onMerge and clear are called when sessions merge; merging value state is refused, naming it', async () => {
      log.length = 0;
      const h = await new WindowHarness(specOf(EventTimeSessionWindows.withGap(10), (s) => s.trigger(new ScriptedTrigger()).apply(describeWindow))).open();
      h.element(rec('a', 0), 0);
      expect(() => h.element(rec('a', 0), 5)).toThrow("mergePartitionedState('unused-value-state-is-not-mergeable'): value state cannot be merged");
      expect(log).toEqual(['element 0 in [0,10) wm -Infinity', 'merge into [0,15)']);
    });
  });
});
