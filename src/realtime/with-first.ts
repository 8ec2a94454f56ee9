import { DIVERT, type Divertible, isDivertible, type Sink } from '../lib/sink.ts';

const DONE = { value: undefined, done: true } as const;

/**
 * One item first (a state read at the start: a channel's highlight, a
 * chat's last messages), then a stream. Not an async generator: closing one
 * that waits on the stream would wait for the next event before the stream
 * is let go. A class, so each of thousands of watchers holds two fields, not
 * a set of closures.
 */
class WithFirst<T> implements AsyncIterableIterator<T> {
  protected pending: T | null;
  protected readonly rest: AsyncIterableIterator<T>;

  constructor(first: T, rest: AsyncIterableIterator<T>) {
    this.rest = rest;
    this.pending = first;
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.pending;
    if (value === null) return this.rest.next();
    this.pending = null;
    return Promise.resolve({ value, done: false });
  }

  async return(): Promise<IteratorResult<T>> {
    this.pending = null;
    await this.rest.return?.();
    return DONE;
  }

  async throw(err?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** Pushes the first item, then the rest, to a sink (lib/sink.ts): only made when the rest can be pushed too. */
class DivertibleWithFirst<T> extends WithFirst<T> {
  [DIVERT](sink: Sink<T>): void {
    const first = this.pending;
    this.pending = null;
    if (first !== null) sink.push(first);
    (this.rest as unknown as Divertible<T>)[DIVERT](sink);
  }
}

export function withFirst<T>(first: T, rest: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  return isDivertible(rest) ? new DivertibleWithFirst(first, rest) : new WithFirst(first, rest);
}
