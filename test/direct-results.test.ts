import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type DirectSend, DirectSubscription } from '../src/graphql/plugins/direct-results.ts';
import { EventQueue } from '../src/realtime/event-queue.ts';

/** A result that is ready now, or later when `release` is called. */
function later(value: ExecutionResult) {
  let release!: () => void;
  const promise = new Promise<ExecutionResult>((resolve) => {
    release = () => resolve(value);
  });
  return { promise, release };
}

/** A transport that records what the subscription tells it: results as the client would read them, then how it ended. */
function transport() {
  const sent: unknown[] = [];
  const told = { errored: [] as ExecutionResult[], failed: [] as Error[], ended: 0, attached: 0 };
  const send: DirectSend = {
    sendResult: (json) => void sent.push(JSON.parse(json)),
    sendErrored: (result) => void told.errored.push(result),
    failed: (error) => void told.failed.push(error),
    ended: () => void told.ended++,
    attached: () => void told.attached++,
  };
  return { sent, told, send };
}

function setup(resultOf: (event: number) => ExecutionResult | Promise<ExecutionResult>, maxBacklog = 100) {
  let closed = 0;
  const queue = new EventQueue<number>(() => closed++);
  const { sent, told, send } = transport();
  const direct = new DirectSubscription(queue as EventQueue<unknown>, (event) => resultOf(event as number), send, maxBacklog);
  return { queue, sent, told, direct, closed: () => closed };
}

const data = (n: number): ExecutionResult => ({ data: { n } });

describe('results written by the subscription itself', () => {
  it('writes ready results at once, in order, including those queued before it took over', () => {
    let closed = 0;
    const queue = new EventQueue<number>(() => closed++);
    queue.push(1);
    const { sent, told, send } = transport();
    new DirectSubscription(queue as EventQueue<unknown>, (n) => data(n as number), send, 10);
    queue.push(2);
    queue.push(3);
    expect(sent).toEqual([data(1), data(2), data(3)]);
    expect(closed).toBe(0);
    expect(told).toMatchObject({ attached: 1, ended: 0, failed: [] });
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

  it('hands a result with errors to the transport (to be masked) in its place among the others', () => {
    const failed = { data: null, errors: [{ message: 'boom' }] } as unknown as ExecutionResult;
    const { queue, sent, told } = setup((n) => (n === 2 ? failed : data(n)));
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(sent).toEqual([data(1), data(3)]);
    expect(told.errored).toEqual([failed]);
  });

  it('ends with SLOW_CONSUMER and lets go of its stream when too many results wait', async () => {
    const stuck = later(data(0));
    const { queue, sent, told, direct, closed } = setup(() => stuck.promise, 3);
    for (let n = 1; n <= 5; n++) queue.push(n);
    expect(told.failed).toEqual([expect.objectContaining({ code: 'SLOW_CONSUMER' })]);
    expect(closed()).toBe(1);
    stuck.release();
    await stuck.promise;
    expect(sent).toEqual([]);
    expect(told.ended).toBe(0);
    expect(await direct.next()).toEqual({ value: undefined, done: true });
  });

  it('writes nothing after the client completes it, leaves the stream once, and says it ended once', async () => {
    const { queue, sent, told, direct, closed } = setup(data);
    queue.push(1);
    await expect(direct.next()).rejects.toThrow(/not read/);
    await direct.return();
    await direct.return();
    queue.push(2);
    expect(sent).toEqual([data(1)]);
    expect(closed()).toBe(1);
    expect(told).toMatchObject({ ended: 1, failed: [] });
  });

  it('passes on a failure of its stream to the transport', () => {
    const { queue, told, closed } = setup(data);
    queue.fail(Object.assign(new Error('Events arrived faster'), { code: 'SLOW_CONSUMER' }));
    expect(told.failed).toEqual([expect.objectContaining({ code: 'SLOW_CONSUMER' })]);
    expect(told.ended).toBe(0);
    expect(closed()).toBe(1);
  });
});
