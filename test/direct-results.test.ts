import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DirectSubscription } from '../src/graphql/plugins/direct-results.ts';
import { EventQueue } from '../src/realtime/event-queue.ts';

/** A result that is ready now, or later when `release` is called. */
function later(value: ExecutionResult) {
  let release!: () => void;
  const promise = new Promise<ExecutionResult>((resolve) => {
    release = () => resolve(value);
  });
  return { promise, release };
}

function setup(resultOf: (event: number) => ExecutionResult | Promise<ExecutionResult>, maxBacklog = 100) {
  let closed = 0;
  const queue = new EventQueue<number>(() => closed++);
  const sent: unknown[] = [];
  const direct = new DirectSubscription(
    queue as EventQueue<unknown>,
    (event) => resultOf(event as number),
    { sendResult: (json) => sent.push(JSON.parse(json)) },
    maxBacklog,
  );
  return { queue, sent, direct, closed: () => closed };
}

const data = (n: number): ExecutionResult => ({ data: { n } });

describe('results written by the subscription itself', () => {
  it('writes ready results at once, in order, including those queued before it took over', () => {
    let closed = 0;
    const queue = new EventQueue<number>(() => closed++);
    queue.push(1);
    const sent: unknown[] = [];
    new DirectSubscription(queue as EventQueue<unknown>, (n) => data(n as number), { sendResult: (json) => sent.push(JSON.parse(json)) }, 10);
    queue.push(2);
    queue.push(3);
    expect(sent).toEqual([data(1), data(2), data(3)]);
    expect(closed).toBe(0);
  });

  it('holds later results behind one still executing, and shares one wait among subscribers', async () => {
    const slow = later(data(1));
    const results = new Map<number, ExecutionResult | Promise<ExecutionResult>>([
      [1, slow.promise],
      [2, data(2)],
    ]);
    const a = setup((n) => results.get(n)!);
    const b = setup((n) => results.get(n)!);
    for (const side of [a, b]) {
      side.queue.push(1);
      side.queue.push(2);
    }
    expect(a.sent).toEqual([]);
    slow.release();
    await slow.promise;
    await Promise.resolve();
    expect(a.sent).toEqual([data(1), data(2)]);
    expect(b.sent).toEqual([data(1), data(2)]);
  });

  it('hands a result with errors to the reader (to be masked like any other) and waits for it before writing on', async () => {
    const failed: ExecutionResult = { errors: [] as never, data: null };
    (failed as { errors: unknown[] }).errors = [{ message: 'boom' }];
    const { queue, sent, direct } = setup((n) => (n === 2 ? failed : data(n)));
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(sent).toEqual([data(1)]);
    expect(await direct.next()).toEqual({ value: failed, done: false });
    expect(sent).toEqual([data(1)]);
    const pending = direct.next();
    expect(sent).toEqual([data(1), data(3)]);
    await direct.return();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('ends with SLOW_CONSUMER and lets go of its stream when too many results wait', async () => {
    const stuck = later(data(0));
    const { queue, sent, direct, closed } = setup(() => stuck.promise, 3);
    for (let n = 1; n <= 5; n++) queue.push(n);
    await expect(direct.next()).rejects.toMatchObject({ code: 'SLOW_CONSUMER' });
    expect(closed()).toBe(1);
    stuck.release();
    await stuck.promise;
    expect(sent).toEqual([]);
    expect(await direct.next()).toEqual({ value: undefined, done: true });
  });

  it('writes nothing after the client completes it, and leaves the stream once', async () => {
    const { queue, sent, direct, closed } = setup(data);
    queue.push(1);
    await direct.return();
    queue.push(2);
    expect(sent).toEqual([data(1)]);
    expect(closed()).toBe(1);
  });

  it('passes on a failure of its stream to the reader', async () => {
    const { queue, direct, closed } = setup(data);
    const pending = direct.next();
    queue.fail(Object.assign(new Error('Events arrived faster'), { code: 'SLOW_CONSUMER' }));
    await expect(pending).rejects.toMatchObject({ code: 'SLOW_CONSUMER' });
    expect(closed()).toBe(1);
  });
});
