import type { ExecutionResult } from 'graphql';
import { AppError } from '../../lib/errors.ts';
import { DIVERT, type Divertible, type Sink } from '../../lib/sink.ts';

/**
 * What a transport offers a subscription so it delivers by push, with no
 * reader: the WebSocket layer frames each call as graphql-ws would. The
 * transport owns what the subscription says, start to end.
 */
export interface DirectSend {
  /** A clean result, already serialised (once for everyone who asked the same question). */
  sendResult(payloadJson: string): void;
  /** A result with errors: the transport masks them like any other. */
  sendErrored(result: ExecutionResult): void;
  /** It failed (SLOW_CONSUMER, its stream failed): nothing follows. */
  failed(error: Error): void;
  /** It ended (its stream ended, or it was returned: the client's `complete`, the socket closed): nothing follows. */
  ended(): void;
  /** Told once, when the subscription is made. */
  attached(subscription: DirectSubscription): void;
}

const serialised = new WeakMap<ExecutionResult, string>();

/** A result's JSON, made once however many subscribers it goes to. */
function json(result: ExecutionResult): string {
  let text = serialised.get(result);
  if (text === undefined) {
    text = JSON.stringify(result);
    serialised.set(result, text);
  }
  return text;
}

const DONE = { value: undefined, done: true } as const;

type Outcome = { ok: true; value: ExecutionResult } | { ok: false; error: Error };
/** Results still being executed -> the subscriptions waiting for each; one `then` per result, not one per subscriber. */
const waiters = new WeakMap<Promise<ExecutionResult>, DirectSubscription[]>();
const outcomes = new WeakMap<Promise<ExecutionResult>, Outcome>();

/**
 * Subscriptions written to in one turn of the event loop when a shared result is ready. A frame of a busy
 * chat goes to thousands of sockets; written in slices, with the loop let go between them, another
 * stream's event (a highlight to a few hundred) goes out between two slices instead of after all of
 * them. Each subscription still writes its results in order: later ones wait behind the one it has yet
 * to write.
 */
const SLICE = 256;

function pumpFrom(list: DirectSubscription[], start: number): void {
  const end = Math.min(list.length, start + SLICE);
  for (let i = start; i < end; i++) list[i]!.pump();
  if (end < list.length) setImmediate(pumpFrom, list, end);
}

function whenSettled(result: Promise<ExecutionResult>, subscription: DirectSubscription) {
  let waiting = waiters.get(result);
  if (!waiting) {
    const list: DirectSubscription[] = [];
    waiting = list;
    waiters.set(result, list);
    const settle = (outcome: Outcome) => {
      outcomes.set(result, outcome);
      waiters.delete(result);
      pumpFrom(list, 0);
    };
    result.then(
      (value) => settle({ ok: true, value }),
      (error: unknown) => settle({ ok: false, error: error as Error }),
    );
  }
  waiting.push(subscription);
}

/**
 * One subscription delivered by push. Its source stream hands each event
 * straight here (`[DIVERT]`); the result (shared by everyone asking the same
 * question) goes to the transport at once when it is ready. Nothing reads it
 * as an iterator: no promise per event, no suspended reader per idle
 * subscription. Results are written in the order of their events: one still
 * being executed holds back those after it, up to `maxBacklog`; everyone
 * waiting for the same result is written to in one loop when it is ready.
 * It is an async iterator only so that GraphQL layers can hand it on and
 * `return()` it (the end).
 */
export class DirectSubscription implements AsyncIterableIterator<ExecutionResult>, Sink<unknown> {
  /** Results waiting behind one still being executed; made on first use (an idle subscription holds none). */
  private backlog: Array<ExecutionResult | Promise<ExecutionResult>> | null = null;
  /** Waiting for a result to be executed: later results queue behind. */
  private busy = false;
  private ended = false;
  /** The stream ended while results were still being executed: finish once they are written. */
  private ending = false;
  private readonly source: AsyncIterator<unknown> & Divertible<unknown>;
  private readonly resultOf: (event: unknown) => ExecutionResult | Promise<ExecutionResult>;
  private readonly send: DirectSend;
  private readonly maxBacklog: number;

  constructor(
    source: AsyncIterator<unknown> & Divertible<unknown>,
    resultOf: (event: unknown) => ExecutionResult | Promise<ExecutionResult>,
    send: DirectSend,
    maxBacklog: number,
  ) {
    this.source = source;
    this.resultOf = resultOf;
    this.send = send;
    this.maxBacklog = maxBacklog;
    send.attached(this);
    source[DIVERT](this);
  }

  push(event: unknown): void {
    if (this.ended) return;
    let result: ExecutionResult | Promise<ExecutionResult>;
    try {
      result = this.resultOf(event);
    } catch (err) {
      return this.abort(err as Error);
    }
    if (!this.busy && !(result instanceof Promise)) return this.write(result);
    const backlog = (this.backlog ??= []);
    if (backlog.length >= this.maxBacklog) {
      return this.abort(new AppError('SLOW_CONSUMER', 'Events arrived faster than this subscriber read them'));
    }
    backlog.push(result);
    if (!this.busy) this.pump();
  }

  private write(result: ExecutionResult) {
    if (result.errors) this.send.sendErrored(result);
    else this.send.sendResult(json(result));
  }

  /** Writes the backlog in order until a result is not ready yet. */
  pump(): void {
    this.busy = false;
    const backlog = this.backlog;
    while (backlog && backlog.length > 0 && !this.ended) {
      let result = backlog[0]!;
      if (result instanceof Promise) {
        const outcome = outcomes.get(result);
        if (!outcome) {
          this.busy = true;
          return whenSettled(result, this);
        }
        if (!outcome.ok) return this.abort(outcome.error);
        result = outcome.value;
      }
      backlog.shift();
      this.write(result);
    }
    if (this.ending && !this.ended) this.finish(null);
  }

  /** Fails this subscription from here, and lets go of its stream. */
  private abort(error: Error) {
    this.finish(error);
    void this.source.return?.();
  }

  fail(error: Error): void {
    this.finish(error);
  }

  /** The stream ended: what is still being executed is written first (a revoked subscription's last error). */
  end(): void {
    if (this.backlog && this.backlog.length > 0) this.ending = true;
    else this.finish(null);
  }

  /** Nothing more is written; the transport is told why, once. */
  private finish(error: Error | null) {
    if (this.ended) return;
    this.ended = true;
    this.backlog = null;
    if (error) this.send.failed(error);
    else this.send.ended();
  }

  /** Not read: every result goes to the transport. A reader learns the end, or that it should not read. */
  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.ended) return Promise.resolve(DONE);
    return Promise.reject(new Error('A pushed subscription is not read: its transport is sent every result'));
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish(null);
    await this.source.return?.();
    return DONE;
  }

  async throw(err?: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
