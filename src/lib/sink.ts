/**
 * A push alternative to async iteration. An iterator that implements
 * `[DIVERT]` can hand its items, from then on, straight to a sink as they
 * arrive: no promise per item, no per-item await in every layer above. A
 * fan-out to thousands of subscribers of one stream then costs a plain
 * function call per subscriber instead of a chain of async iterators.
 */
export const DIVERT = Symbol.for('plaza.divert');

export interface Sink<T> {
  /** The next item, in order. */
  push(value: T): void;
  /** The source failed: no item follows. */
  fail(error: Error): void;
  /** The source ended (it was returned): no item follows. */
  end(): void;
}

export interface Divertible<T> {
  /** From now on every item goes to `sink` (those buffered first, in order); `next()` is no longer called. */
  [DIVERT](sink: Sink<T>): void;
}

export function isDivertible<T>(value: unknown): value is Divertible<T> {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Divertible<T>>)[DIVERT] === 'function';
}
