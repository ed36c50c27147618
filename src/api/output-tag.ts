import { invalidArgument } from './errors.js';

/**
 * Identifies a side output of a process function. Tags are equal when their
 * ids are equal, so a job may create the same tag twice.
 */
export class OutputTag<T> {
  /** Phantom field that carries the element type. */
  declare readonly __type?: T;

  constructor(readonly id: string) {
    if (typeof id !== 'string' || id.length === 0) {
      invalidArgument('new OutputTag', 'the id must be a non-empty string');
    }
  }

  getId(): string {
    return this.id;
  }

  toString(): string {
    return `OutputTag(${this.id})`;
  }
}
