import { type ExecutionArgs, type ExecutionResult, GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type DirectSend, DirectSubscription } from '../src/graphql/plugins/direct-results.ts';
import { createSubscribeHandler, type WsContext } from '../src/http/ws/subscribe.ts';
import { EventQueue } from '../src/realtime/event-queue.ts';

// The subscribe path's own rules, with the GraphQL layers stood in for: what a pushed subscription
// says when its results carry errors, when it fails, and when it ends. (test/ws-protocol.test.ts
// holds the same path against a real server.)

function setup() {
  const frames: Array<{ id?: string; type: string; payload?: unknown }> = [];
  const socket = { OPEN: 1, readyState: 1, send: (frame: string) => void frames.push(JSON.parse(frame)) };
  const ctx = { acknowledged: true, connectionInitReceived: true, subscriptions: Object.create(null), extra: { socket } } as unknown as WsContext;
  const queues = new Map<string, EventQueue<unknown>>();
  const masked: unknown[] = [];
  const done: string[] = [];
  let resultOf: (event: unknown) => ExecutionResult = (event) => ({ data: { x: event } });
  const handle = createSubscribeHandler({
    prepare: async (_ctx, id, payload, push: DirectSend) =>
      ({
        schema: null as never,
        document: parse(payload.query),
        rootValue: {
          subscribe: () => {
            const queue = new EventQueue<unknown>(() => {});
            queues.set(id, queue);
            return new DirectSubscription(queue as EventQueue<unknown>, (event) => resultOf(event), push, 10);
          },
        },
      }) as unknown as ExecutionArgs,
    mask: (error) => {
      masked.push(error);
      return new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL' } });
    },
    done: (_ctx, id) => void done.push(id),
  });
  const subscribe = async (id: string) => {
    await handle(ctx, JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { x }' } }));
  };
  return { frames, ctx, queues, masked, done, subscribe, setResults: (f: typeof resultOf) => (resultOf = f) };
}

describe('a pushed subscription over graphql-transport-ws', () => {
  it('sends results as next frames and holds only its entry in ctx.subscriptions', async () => {
    const { frames, ctx, queues, subscribe } = setup();
    await subscribe('a');
    expect(ctx.subscriptions.a).toBeInstanceOf(DirectSubscription);
    queues.get('a')!.push(1);
    expect(frames).toEqual([{ id: 'a', type: 'next', payload: { data: { x: 1 } } }]);
  });

  it('masks a shared result’s errors once for all its subscribers, and goes on', async () => {
    const { frames, queues, masked, setResults, subscribe } = setup();
    const failed: ExecutionResult = { data: { x: null }, errors: [new GraphQLError('database said no')] };
    setResults((event) => (event === 'bad' ? failed : { data: { x: event } }));
    await subscribe('a');
    await subscribe('b');
    for (const id of ['a', 'b']) queues.get(id)!.push('bad');
    for (const id of ['a', 'b']) queues.get(id)!.push('good');
    expect(masked).toHaveLength(1);
    const expected = { type: 'next', payload: { data: { x: null }, errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL' } }] } };
    expect(frames).toEqual([
      { id: 'a', ...expected },
      { id: 'b', ...expected },
      { id: 'a', type: 'next', payload: { data: { x: 'good' } } },
      { id: 'b', type: 'next', payload: { data: { x: 'good' } } },
    ]);
  });

  it('ends with an error frame when its stream fails, masked once, and is over', async () => {
    const { frames, ctx, queues, masked, done, subscribe } = setup();
    await subscribe('a');
    await subscribe('b');
    const gone = new Error('stream gone');
    for (const id of ['a', 'b']) queues.get(id)!.fail(gone);
    expect(masked).toEqual([gone]);
    expect(frames).toEqual(['a', 'b'].map((id) => ({ id, type: 'error', payload: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL' } }] })));
    expect(Object.keys(ctx.subscriptions)).toEqual([]);
    expect(done).toEqual(['a', 'b']);
  });

  it('sends complete when its stream ends, and nothing when the client completed it', async () => {
    const { frames, ctx, queues, done, subscribe } = setup();
    await subscribe('a');
    await subscribe('b');
    await queues.get('a')!.return();
    // What graphql-ws does on the client's `complete`: out of ctx.subscriptions, then returned.
    const b = ctx.subscriptions.b as DirectSubscription;
    delete ctx.subscriptions.b;
    await b.return();
    queues.get('b')!.push(2);
    expect(frames).toEqual([{ id: 'a', type: 'complete' }]);
    expect(done).toEqual(['a', 'b']);
  });

  it('leaves to graphql-ws what it refuses: before the ack, a running id, a malformed message, other types', async () => {
    const { ctx, subscribe } = setup();
    const handle = createSubscribeHandler({ prepare: async () => [], mask: (e) => e as GraphQLError, done: () => {} });
    await subscribe('a');
    expect(handle(ctx, JSON.stringify({ id: 'a', type: 'subscribe', payload: { query: '{ x }' } }))).toBeNull();
    expect(handle(ctx, '{"type":"subscribe"')).toBeNull();
    expect(handle(ctx, JSON.stringify({ type: 'ping' }))).toBeNull();
    expect(handle(ctx, JSON.stringify({ id: 'c', type: 'subscribe', payload: {} }))).toBeNull();
    const early = { ...ctx, acknowledged: false, subscriptions: Object.create(null) } as WsContext;
    expect(handle(early, JSON.stringify({ id: 'd', type: 'subscribe', payload: { query: '{ x }' } }))).toBeNull();
  });
});
