import { AppError } from '../lib/errors.ts';
import { DIVERT, type Divertible, type Sink } from '../lib/sink.ts';

/** Events one subscription may have waiting by default. */
export const MAX_BUFFERED_EVENTS = 1_000;

export interface EventQueueOptions {
  /** Events that may wait for the reader; one more ends the queue with SLOW_CONSUMER. Default 1,000. */
  maxBuffered?: number;
}

/**
 * The iterator a subscription reads its events from: a plain queue, lighter
 * than a Repeater per subscriber when thousands listen to one topic. The
 * queue holds references to events shared by every subscriber, not copies.
 * A reader that falls `maxBuffered` events behind is told so (the next read
 * rejects with SLOW_CONSUMER, then the queue ends) instead of silently losing
 * events or holding the server's memory.
 */
export class EventQueue<T> implements AsyncIterableIterator<T>, Divertible<T> {
  private buffer: T[] = [];
  /** Where items go instead of the buffer once the reader diverted the queue. */
  private sink: Sink<T> | null = null;
  private waiting: { resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void } | null = null;
  private closed = false;
  /** Ends once the buffer is read (`close`). */
  private closing = false;
  private failure: Error | null = null;
  private readonly onClose: () => void;
  private readonly maxBuffered: number;

  constructor(onClose: () => void, { maxBuffered = MAX_BUFFERED_EVENTS }: EventQueueOptions = {}) {
    this.onClose = onClose;
    this.maxBuffered = maxBuffered;
  }

  /** Whether the queue has ended (its reader returned, or it failed): nothing pushed now is read. */
  get ended(): boolean {
    return this.closed;
  }

  push(value: T): void {
    if (this.closed || this.closing) return;
    if (this.sink) return this.sink.push(value);
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting.resolve({ value, done: false });
      return;
    }
    if (this.buffer.length >= this.maxBuffered) {
      this.fail(new AppError('SLOW_CONSUMER', 'Events arrived faster than this subscriber read them'));
      return;
    }
    this.buffer.push(value);
  }

  /** Ends the queue with an error: the reader's next read rejects with it, then the queue is done. */
  fail(error: Error): void {
    if (this.closed) return;
    if (this.sink) {
      this.sink.fail(error);
      void this.return();
      return;
    }
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) waiting.reject(error);
    else this.failure = error;
    void this.return();
  }

  /** Ends the queue once what it holds is read (a last event pushed just before: the end of a revoked subscription). */
  close(): void {
    if (this.closed) return;
    if (this.sink || this.buffer.length === 0) return void this.return();
    this.closing = true;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.buffer.length > 0) {
      const value = this.buffer.shift() as T;
      if (this.closing && this.buffer.length === 0) void this.return();
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  /** Hands what is buffered, then every later item, to `sink`. */
  [DIVERT](sink: Sink<T>): void {
    const buffered = this.buffer;
    this.buffer = [];
    this.sink = sink;
    for (const value of buffered) sink.push(value);
    if (this.closing) {
      this.closing = false;
      void this.return();
    } else if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      sink.fail(failure);
    } else if (this.closed) sink.end();
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.closed) {
      this.closed = true;
      this.buffer = [];
      this.onClose();
      this.sink?.end();
    }
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  async throw(err?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
