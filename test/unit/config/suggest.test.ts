import { describe, expect, it } from 'vitest';
import { ALL_OPTIONS } from '../../../src/config/registry.js';
import { editDistance, suggestKey } from '../../../src/config/suggest.js';

const KEYS = ALL_OPTIONS.map((option) => option.key);

describe('editDistance', () => {
  it.each<[string, string, number]>([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['slot', 'slots', 1],
    ['same', 'same', 0],
  ])('%j → %j is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('suggestKey', () => {
  it.each<[string, string | undefined]>([
    ['taskmanager.numberOfTaskSlot', 'taskmanager.numberOfTaskSlots'],
    ['taskmanager.numberoftaskslots', 'taskmanager.numberOfTaskSlots'],
    ['paralelism.default', 'parallelism.default'],
    ['parallelism.defualt', 'parallelism.default'],
    ['pipeline.max-paralelism', 'pipeline.max-parallelism'],
    ['execution.buffer_timeout', 'execution.buffer-timeout'],
    ['numberOfTaskSlots', 'taskmanager.numberOfTaskSlots'],
    ['segment-size', 'taskmanager.memory.segment-size'],
    ['parallelism', undefined],
    ['pipeline.nme', 'pipeline.name'],
    ['pipeline.id', undefined],
    ['state.backend.kind', undefined],
    ['xyz', undefined],
  ])('%j → %s', (key, suggestion) => {
    expect(suggestKey(key, KEYS)).toBe(suggestion);
  });

  it('prefers the closest key, then the alphabetically first', () => {
    expect(suggestKey('section.alpha', ['section.alpah', 'section.alphx'])).toBe('section.alphx');
    expect(suggestKey('a.bcdeg', ['a.bcdez', 'a.bcdex'])).toBe('a.bcdex');
  });

  it('does not suggest a tail shared by several keys', () => {
    expect(suggestKey('enabled', ['a.enabled', 'b.enabled'])).toBeUndefined();
    expect(suggestKey('enabled', ['a.enabled', 'b.other'])).toBe('a.enabled');
  });
});
