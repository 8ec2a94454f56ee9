import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { codeOf, gql, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, type Subscription, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const SUB = 'subscription($id: ID!) { productHighlighted(channelId: $id) { channelId version highlightedAt product { id name priceCents currency } } }';
const HIGHLIGHT = 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version product { id } } }';
const UNHIGHLIGHT = 'mutation($i: UnhighlightProductInput!) { unhighlightProduct(input: $i) { version product { id } } }';

async function channelWithProducts(app: App, seller: TestUser, count = 2) {
  const channel = (await ok(app, 'mutation { createChannel(input: { name: "Live" }) { id seller { id } highlight { version product { id } } } }', {}, seller.token)).createChannel;
  const products: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = await ok(
      app,
      'mutation($i: AddProductInput!) { addProduct(input: $i) { id name priceCents currency } }',
      { i: { channelId: channel.id, name: `Product ${i}`, priceCents: 1999 + i, currency: 'EUR', imageUrl: 'https://cdn.example.com/p.jpg' } },
      seller.token,
    );
    products.push(p.addProduct.id);
  }
  return { channel, products };
}

/** Subscribes and resolves once the listener is live and the first (current-state) payload is in. */
async function join(app: App, user: TestUser, channelId: string) {
  const { client } = wsClient(app, user.token);
  const sub = subscribeWs(client, SUB, { id: channelId });
  await sub.waitFor(1);
  return { sub, close: async () => (sub.dispose(), await client.dispose()) };
}

const versions = (sub: Subscription) => sub.results.map((r) => r.productHighlighted.version);

describe('live channels', () => {
  let app: App;
  let seller: TestUser;
  let buyer: TestUser;
  beforeAll(async () => {
    app = await startTestApp({ env: { CHANNEL_HIGHLIGHT_LIMIT: '1000' } });
    seller = await signUp(app, 'seller');
    buyer = await signUp(app, 'buyer');
  });
  afterAll(() => app?.stop());

  it('reaches the channel’s subscribers only; a joiner first gets the current product', async () => {
    const x = await channelWithProducts(app, seller);
    const y = await channelWithProducts(app, seller);
    expect(x.channel.seller.id).toBe(seller.id);
    expect(x.channel.highlight).toEqual({ version: 0, product: null });
    const inX = [await join(app, buyer, x.channel.id), await join(app, seller, x.channel.id), await join(app, buyer, x.channel.id)];
    const inY = await join(app, buyer, y.channel.id);
    for (const { sub } of [...inX, inY]) expect(sub.results[0].productHighlighted).toMatchObject({ version: 0, product: null, highlightedAt: null });

    const done = await ok(app, HIGHLIGHT, { i: { channelId: x.channel.id, productId: x.products[0] } }, seller.token);
    expect(done.highlightProduct).toEqual({ version: 1, product: { id: x.products[0] } });
    for (const { sub } of inX) {
      const [, event] = await sub.waitFor(2);
      expect(event.productHighlighted).toMatchObject({ channelId: x.channel.id, version: 1, product: { id: x.products[0], name: 'Product 0', priceCents: 1999, currency: 'EUR' } });
    }
    // Y's subscriber heard nothing: its next payload is Y's own change.
    await ok(app, HIGHLIGHT, { i: { channelId: y.channel.id, productId: y.products[1] } }, seller.token);
    const [, yEvent] = await inY.sub.waitFor(2);
    expect(yEvent.productHighlighted.channelId).toBe(y.channel.id);

    const late = await join(app, buyer, x.channel.id);
    expect(late.sub.results[0].productHighlighted).toMatchObject({ version: 1, product: { id: x.products[0] } });
    // Over SSE too.
    const sse = subscribeSse(app, buyer.token, SUB, { id: x.channel.id });
    expect((await sse.waitFor(1))[0].productHighlighted.version).toBe(1);
    sse.dispose();
    for (const s of [...inX, inY, late]) await s.close();
  });

  it('refuses a buyer with FORBIDDEN: no state change, no event', async () => {
    const { channel, products } = await channelWithProducts(app, seller);
    const watcher = await join(app, buyer, channel.id);
    expect(codeOf(await gql(app, HIGHLIGHT, { i: { channelId: channel.id, productId: products[0] } }, buyer.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(app, UNHIGHLIGHT, { i: { channelId: channel.id } }, buyer.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(app, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: { channelId: channel.id, name: 'x', priceCents: 1, currency: 'EUR' } }, buyer.token))).toBe('FORBIDDEN');
    const state = await ok(app, 'query($id: ID!) { channel(id: $id) { highlight { version product { id } } products { id } } }', { id: channel.id }, buyer.token);
    expect(state.channel.highlight).toEqual({ version: 0, product: null });
    expect(state.channel.products).toHaveLength(2);
    // The seller's change is the next thing the watcher sees.
    await ok(app, HIGHLIGHT, { i: { channelId: channel.id, productId: products[1] } }, seller.token);
    await watcher.sub.waitFor(2);
    expect(versions(watcher.sub)).toEqual([0, 1]);
    await watcher.close();
  });

  it('refuses a product of another channel and unknown channels', async () => {
    const a = await channelWithProducts(app, seller, 1);
    const b = await channelWithProducts(app, seller, 1);
    const res = await gql(app, HIGHLIGHT, { i: { channelId: a.channel.id, productId: b.products[0] } }, seller.token);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(app, HIGHLIGHT, { i: { channelId: a.channel.id, productId: 'junk' } }, seller.token))).toBe('BAD_USER_INPUT');
    const unknown = Buffer.from('Channel:00000000-0000-4000-8000-000000000000').toString('base64');
    expect(codeOf(await gql(app, HIGHLIGHT, { i: { channelId: unknown, productId: a.products[0] } }, seller.token))).toBe('NOT_FOUND');
    const { client } = wsClient(app, buyer.token);
    const sub = subscribeWs(client, SUB, { id: unknown });
    expect(JSON.stringify(await sub.waitForError())).toContain('NOT_FOUND');
    await client.dispose();
    const state = await ok(app, 'query($id: ID!) { channel(id: $id) { highlight { version } } }', { id: a.channel.id }, seller.token);
    expect(state.channel.highlight.version).toBe(0);
  });

  it('treats unhighlighting nothing as a no-op and unhighlighting something as a change', async () => {
    const { channel, products } = await channelWithProducts(app, seller, 1);
    const noop = await ok(app, UNHIGHLIGHT, { i: { channelId: channel.id } }, seller.token);
    expect(noop.unhighlightProduct).toEqual({ version: 0, product: null });
    const watcher = await join(app, buyer, channel.id);
    await ok(app, HIGHLIGHT, { i: { channelId: channel.id, productId: products[0] } }, seller.token);
    const off = await ok(app, UNHIGHLIGHT, { i: { channelId: channel.id } }, seller.token);
    expect(off.unhighlightProduct).toEqual({ version: 2, product: null });
    await ok(app, UNHIGHLIGHT, { i: { channelId: channel.id } }, seller.token);
    await ok(app, HIGHLIGHT, { i: { channelId: channel.id, productId: products[0] } }, seller.token);
    await watcher.sub.waitFor(4);
    expect(watcher.sub.results.map((r) => [r.productHighlighted.version, r.productHighlighted.product?.id ?? null])).toEqual([
      [0, null],
      [1, products[0]],
      [2, null],
      [3, products[0]],
    ]);
    await watcher.close();
  });

  it.each([
    ['an empty name', { name: ' ' }],
    ['a name over 200 characters', { name: 'n'.repeat(201) }],
    ['a negative price', { priceCents: -1 }],
    ['an unknown currency', { currency: 'XYZ' }],
    ['a lower-case currency', { currency: 'eur' }],
    ['a non-http image', { imageUrl: 'ftp://x/y.png' }],
  ])('refuses a product with %s', async (_label, override) => {
    const { channel } = await channelWithProducts(app, seller, 0);
    const res = await gql(app, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: { channelId: channel.id, name: 'Mug', priceCents: 1200, currency: 'EUR', ...override } }, seller.token);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    const state = await ok(app, 'query($id: ID!) { channel(id: $id) { products { id } } }', { id: channel.id }, seller.token);
    expect(state.channel.products).toEqual([]);
  });
});

describe.skipIf(!redisAvailable())('live channels across instances', () => {
  let one: App;
  let two: App;
  beforeAll(async () => {
    const env = { CHANNEL_HIGHLIGHT_LIMIT: '3', CHANNEL_HIGHLIGHT_WINDOW_SECONDS: '60' };
    [one, two] = await Promise.all([startTestApp({ redis: true, env }), startTestApp({ redis: true, env })]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
  });

  it('holds the per-channel rate limit across instances', async () => {
    const seller = await signUp(one, 'seller');
    const { channel, products } = await channelWithProducts(one, seller, 1);
    const input = { i: { channelId: channel.id, productId: products[0] } };
    await ok(one, HIGHLIGHT, input, seller.token);
    await ok(two, HIGHLIGHT, input, seller.token);
    await ok(one, HIGHLIGHT, input, seller.token);
    const res = await gql(two, HIGHLIGHT, input, seller.token);
    expect(codeOf(res)).toBe('RATE_LIMITED');
    expect(res.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    const state = await ok(two, 'query($id: ID!) { channel(id: $id) { highlight { version } } }', { id: channel.id }, seller.token);
    expect(state.channel.highlight.version).toBe(3);
  });
});

describe.skipIf(!redisAvailable())('50 interleaved changes from two instances while subscribers join', () => {
  let one: App;
  let two: App;
  beforeAll(async () => {
    const env = { CHANNEL_HIGHLIGHT_LIMIT: '1000' };
    [one, two] = await Promise.all([startTestApp({ redis: true, env }), startTestApp({ redis: true, env })]);
  });
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
  });

  it('gives every subscriber strictly increasing versions ending on the stored state', async () => {
    const seller = await signUp(one, 'seller');
    const viewer = await signUp(two, 'viewer');
    const { channel, products } = await channelWithProducts(one, seller, 3);
    const channelKey = `channel:highlight:${localIdOf(channel.id)}`;
    const subscribers: Array<{ sub: Subscription; close: () => Promise<void> }> = [];
    const joinOn = async (app: App) => {
      const ready = listening(app, channelKey);
      const joined = join(app, viewer, channel.id);
      await ready;
      subscribers.push(await joined);
    };
    await joinOn(one);
    await joinOn(two);

    const changes: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      const app = i % 2 === 0 ? one : two;
      const unhighlight = i % 7 === 6;
      changes.push(
        unhighlight
          ? ok(app, UNHIGHLIGHT, { i: { channelId: channel.id } }, seller.token)
          : ok(app, HIGHLIGHT, { i: { channelId: channel.id, productId: products[i % 3] } }, seller.token),
      );
      // Subscribers join mid-way, on both instances, while changes are in flight.
      if (i === 10 || i === 25 || i === 40) await joinOn(i === 25 ? one : two);
    }
    await Promise.all(changes);
    const stored = await ok(one, 'query($id: ID!) { channel(id: $id) { highlight { version product { id } } } }', { id: channel.id }, seller.token);
    const final = stored.channel.highlight;
    expect(final.version).toBeGreaterThan(40);

    for (const { sub } of subscribers) {
      // Wait until this subscriber has reached the stored version.
      const deadline = Date.now() + 15_000;
      while (versions(sub).at(-1) !== final.version) await sub.waitFor(sub.results.length + 1, deadline - Date.now());
      const seen = versions(sub);
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
      expect(sub.results.at(-1).productHighlighted.product?.id ?? null).toBe(final.product?.id ?? null);
    }
    // The first subscribers were there from the start: they saw every version.
    expect(versions(subscribers[0]!.sub)).toEqual(Array.from({ length: final.version + 1 }, (_, v) => v));
    for (const s of subscribers) await s.close();
  }, 60_000);
});
