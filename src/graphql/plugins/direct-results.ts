import type { ExecutionResult } from 'graphql';
import { AppError } from '../../lib/errors.ts';
import { DIVERT, type Divertible, type Sink } from '../../lib/sink.ts';

/**
 * What a transport offers a subscription so its results skip the per-event
 * async iteration: a function that writes one result, already serialised, to
 * the client (the WebSocket layer frames it as a graphql-ws `next`).
 */
export interface DirectSend {
  sendResult(payloadJson: string): void;
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

function whenSettled(result: Promise<ExecutionResult>, subscription: DirectSubscription) {
  let waiting = waiters.get(result);
  if (!waiting) {
    const list: DirectSubscription[] = [];
    waiting = list;
    waiters.set(result, list);
    const settle = (outcome: Outcome) => {
      outcomes.set(result, outcome);
      waiters.delete(result);
      for (const each of list) each.pump();
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
 * question) is written to the client at once when it is ready and clean.
 * What the rest of the pipeline must see goes through the iterator this
 * object also is, which graphql-ws and Yoga's plugins read as usual: a result
 * with errors (so it is masked like any other), a failure (SLOW_CONSUMER),
 * the end. Results are written in the order of their events: one still being
 * executed holds back those after it, up to `maxBacklog`; everyone waiting
 * for the same result is written to in one loop when it is ready.
 */
export class DirectSubscription implements AsyncIterableIterator<ExecutionResult>, Sink<unknown> {
  private backlog: Array<ExecutionResult | Promise<ExecutionResult>> = [];
  /** Waiting for a result to be executed, or for the reader to take one: later results queue behind. */
  private busy = false;
  private ended = false;
  private failure: Error | null = null;
  /** A result handed to the iterator's reader, and what to do once the reader asks for the next (it was sent). */
  private handed: ExecutionResult | null = null;
  private afterHanded: (() => void) | null = null;
  private waiting: { resolve: (step: IteratorResult<ExecutionResult>) => void; reject: (error: Error) => void } | null = null;
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
    if (!this.busy && !(result instanceof Promise) && !result.errors) {
      this.send.sendResult(json(result));
      return;
    }
    if (this.backlog.length >= this.maxBacklog) {
      return this.abort(new AppError('SLOW_CONSUMER', 'Events arrived faster than this subscriber read them'));
    }
    this.backlog.push(result);
    if (!this.busy) this.pump();
  }

  /** Writes the backlog in order until a result is not ready yet (or must go through the reader). */
  pump(): void {
    this.busy = false;
    while (this.backlog.length > 0 && !this.ended) {
      let result = this.backlog[0]!;
      if (result instanceof Promise) {
        const outcome = outcomes.get(result);
        if (!outcome) {
          this.busy = true;
          return whenSettled(result, this);
        }
        if (!outcome.ok) return this.abort(outcome.error);
        result = outcome.value;
      }
      this.backlog.shift();
      if (result.errors) {
        this.busy = true;
        this.hand(result);
        return;
      }
      this.send.sendResult(json(result));
    }
  }

  /** Gives a result to the iterator's reader; the backlog goes on once the reader is done with it. */
  private hand(result: ExecutionResult) {
    this.afterHanded = () => this.pump();
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = null;
      waiting.resolve({ value: result, done: false });
    } else this.handed = result;
  }

  /** Fails this subscription from here, and lets go of its stream. */
  private abort(error: Error) {
    this.fail(error);
    void this.source.return?.();
  }

  fail(error: Error): void {
    this.finish(error);
  }

  end(): void {
    this.finish(null);
  }

  /** Nothing more is written; a waiting reader is told (the failure, or done), or the failure kept for its next read. */
  private finish(error: Error | null) {
    if (this.ended) return;
    this.ended = true;
    this.backlog = [];
    this.afterHanded = null;
    const waiting = this.waiting;
    this.waiting = null;
    if (!error) waiting?.resolve(DONE);
    else if (waiting) waiting.reject(error);
    else this.failure = error;
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.handed !== null) {
      const value = this.handed;
      this.handed = null;
      return Promise.resolve({ value, done: false });
    }
    // The reader asks again: the result handed before is sent.
    const after = this.afterHanded;
    this.afterHanded = null;
    after?.();
    if (this.handed !== null) return this.next();
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      return Promise.reject(failure);
    }
    if (this.ended) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.end();
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
