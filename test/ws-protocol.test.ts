import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { gql, ok, signUp, type TestUser, unique } from './helpers/http.ts';
import { RawGraphqlWs } from './helpers/raw-ws.ts';
import { wsUrl } from './helpers/subscriptions.ts';

// Plaza serves `subscribe` messages itself (http/ws/subscribe.ts) beside graphql-ws's engine:
// these hold it to graphql-transport-ws frame by frame, spoken by hand.

const SUB = 'subscription($id: ID!) { productHighlighted(channelId: $id) { version product { id } } }';
const HIGHLIGHT = 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version } }';

let app: App;
let seller: TestUser;
let viewer: TestUser;

beforeAll(async () => {
  app = await startTestApp({ env: { CHANNEL_HIGHLIGHT_LIMIT: '1000' } });
  seller = await signUp(app, 'seller');
  viewer = await signUp(app, 'viewer');
});
afterAll(() => app?.stop());

async function liveChannel() {
  const channel = (await ok(app, 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, seller.token)).createChannel.id as string;
  const product = (
    await ok(
      app,
      'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }',
      { i: { channelId: channel, name: 'Lamp', priceCents: 1000, currency: 'EUR', imageUrl: 'https://cdn.example.com/p.jpg' } },
      seller.token,
    )
  ).addProduct.id as string;
  const highlight = async () => (await ok(app, HIGHLIGHT, { i: { channelId: channel, productId: product } }, seller.token)).highlightProduct.version as number;
  await highlight();
  return { channel, highlight };
}

const nextFor = (ws: RawGraphqlWs, id: string) => ws.received.filter((m) => m.type === 'next' && m.id === id);

describe('graphql-transport-ws, subscribe served by Plaza', () => {
  it('answers a query and a mutation with next then complete', async () => {
    const { ws } = await RawGraphqlWs.open(app, viewer.token);
    ws.send({ id: 'q', type: 'subscribe', payload: { query: '{ me { id } }' } });
    ws.send({ id: 'm', type: 'subscribe', payload: { query: 'mutation { createChannel(input: { name: "Over a socket" }) { name } }' } });
    await ws.until(() => ws.count('complete') === 2);
    expect(nextFor(ws, 'q').map((m) => m.payload)).toEqual([{ data: { me: { id: viewer.id } } }]);
    expect(nextFor(ws, 'm').map((m) => m.payload)).toEqual([{ data: { createChannel: { name: 'Over a socket' } } }]);
    const order = ws.received.filter((m) => m.id === 'q').map((m) => m.type);
    expect(order).toEqual(['next', 'complete']);
    ws.close();
  });

  it('refuses a bad document with an error frame and no complete; the id is free again afterwards', async () => {
    const { ws } = await RawGraphqlWs.open(app, viewer.token);
    ws.send({ id: 'bad', type: 'subscribe', payload: { query: 'subscription { nope' } });
    await ws.until(() => ws.count('error') === 1);
    const [error] = ws.received.filter((m) => m.type === 'error');
    expect(error).toMatchObject({ id: 'bad', payload: [{ message: expect.stringContaining('Syntax Error'), locations: [{ line: 1, column: 20 }], extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
    ws.send({ id: 'bad', type: 'subscribe', payload: { query: '{ me { id } }' } });
    await ws.until(() => ws.count('complete') === 1);
    expect(ws.count('complete', (m) => m.id === 'bad')).toBe(1);
    expect(ws.count('error')).toBe(1);
    expect(ws.closed).toBeNull();
    ws.close();
  });

  it('answers a broken document the same over HTTP after a socket sent it first (the parser cache keeps one answer)', async () => {
    const query = `{ me { id ${unique('never_seen')}`;
    const { ws } = await RawGraphqlWs.open(app, viewer.token);
    ws.send({ id: 'first', type: 'subscribe', payload: { query } });
    await ws.until(() => ws.count('error') === 1);
    const overSocket = ws.received.find((m) => m.type === 'error')!.payload as Array<Record<string, unknown>>;
    ws.close();
    const overHttp = await gql(app, query, {}, viewer.token);
    expect(overHttp.errors).toEqual(overSocket);
    expect(overSocket).toMatchObject([{ extensions: { code: 'GRAPHQL_PARSE_FAILED' }, locations: [expect.any(Object)] }]);
  });

  it('stops a pushed subscription at the client’s complete, keeps the socket’s others, and frees its id', async () => {
    const { channel, highlight } = await liveChannel();
    const { ws } = await RawGraphqlWs.open(app, viewer.token);
    ws.subscribe('a', SUB, { id: channel });
    ws.subscribe('b', SUB, { id: channel });
    await ws.until(() => nextFor(ws, 'a').length === 1 && nextFor(ws, 'b').length === 1);
    ws.send({ id: 'a', type: 'complete' });
    const second = await highlight();
    await ws.until(() => nextFor(ws, 'b').length === 2);
    expect(nextFor(ws, 'b')[1]!.payload.data.productHighlighted.version).toBe(second);
    expect(nextFor(ws, 'a')).toHaveLength(1);
    // No complete is sent back for a subscription the client completed.
    expect(ws.count('complete')).toBe(0);

    ws.subscribe('a', SUB, { id: channel });
    await ws.until(() => nextFor(ws, 'a').length === 2);
    const third = await highlight();
    await ws.until(() => nextFor(ws, 'a').length === 3 && nextFor(ws, 'b').length === 3);
    expect(nextFor(ws, 'a')[2]!.payload.data.productHighlighted.version).toBe(third);
    expect(ws.closed).toBeNull();
    ws.close();
  });

  it('closes with 4409 on a second subscribe with a running id, and with 4401 on a subscribe before the ack', async () => {
    const { channel } = await liveChannel();
    const { ws } = await RawGraphqlWs.open(app, viewer.token);
    ws.subscribe('same', SUB, { id: channel });
    await ws.until(() => nextFor(ws, 'same').length === 1);
    ws.subscribe('same', SUB, { id: channel });
    await ws.until(() => ws.closed !== null);
    expect(ws.closed).toEqual({ code: 4409, reason: 'Subscriber for same already exists' });

    const early = new WebSocket(wsUrl(app), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => early.on('close', (code) => resolve(code)));
    early.on('open', () => early.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUB, variables: { id: channel } } })));
    expect(await closed).toBe(4401);
  });

  it('lets go of pushed subscriptions when the client completes them and when their socket closes', async () => {
    const { channel } = await liveChannel();
    const running = async () => {
      const text = await (await fetch(new URL('/metrics', app.url))).text();
      return Number(/^plaza_active_subscriptions\{topic="channel:highlight"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const before = await running();
    const { ws } = await RawGraphqlWs.open(app, viewer.token);
    for (const id of ['x', 'y', 'z']) ws.subscribe(id, SUB, { id: channel });
    await ws.until(() => ['x', 'y', 'z'].every((id) => nextFor(ws, id).length === 1));
    expect(await running()).toBe(before + 3);
    ws.send({ id: 'x', type: 'complete' });
    await expect.poll(running).toBe(before + 2);
    ws.close();
    await expect.poll(running).toBe(before);
  });

  it('closes a socket that never sends connection_init with 4408, and keeps one that did', async () => {
    const silent = new WebSocket(wsUrl(app), 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((resolve) => silent.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    const { ws } = await RawGraphqlWs.open(app, viewer.token);
    expect(await closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    ws.send({ id: 'alive', type: 'subscribe', payload: { query: '{ me { id } }' } });
    await ws.until(() => ws.count('complete') === 1);
    expect(ws.closed).toBeNull();
    ws.close();
  }, 15_000);
});
