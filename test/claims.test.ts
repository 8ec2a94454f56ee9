import { describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, twoInstances } from './helpers/app.ts';
import { codeOf, gql, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { listening, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';
import { manyUsers } from './helpers/users.ts';

const UPDATES = 'subscription($c: ID!, $after: String) { productUpdated(channelId: $c, after: $after) { product { id stock available priceCents } removed cursor } }';
const HIGHLIGHTS = 'subscription($c: ID!) { productHighlighted(channelId: $c) { version product { id stock priceCents } } }';
const CLAIM = 'mutation($i: ClaimProductInput!) { claimProduct(input: $i) { id quantity product { id } } }';
const UPDATE = 'mutation($i: UpdateProductInput!) { updateProduct(input: $i) { id stock priceCents available } }';

async function shop(app: App, seller: TestUser, stock: number | null) {
  const channel = (await ok(app, 'mutation { createChannel(input: { name: "Drop" }) { id } }', {}, seller.token)).createChannel.id as string;
  const product = (
    await ok(
      app,
      'mutation($i: AddProductInput!) { addProduct(input: $i) { id stock available } }',
      { i: { channelId: channel, name: 'Sneaker', priceCents: 12_000, currency: 'EUR', stock } },
      seller.token,
    )
  ).addProduct;
  expect(product.stock).toBe(stock);
  return { channel, product: product.id as string };
}

describe.skipIf(!redisAvailable() && process.env.CI !== 'true')('claims across two instances', () => {
  const instances = twoInstances({ redis: true, env: { MAX_CLAIM_QUANTITY: '5' } });

  it('500 buyers at once for 50 units: exactly 50 claimed, every other SOLD_OUT, every viewer sees 49..0 in order', async () => {
    const { a, b } = instances;
    const seller = await signUp(a, 'seller');
    const { channel, product } = await shop(a, seller, 50);
    const viewer = await signUp(a, 'viewer');
    // One viewer over WebSocket on A, one over SSE on B.
    const { client } = wsClient(a, viewer.token);
    const readyA = listening(a, `channel:product:${localIdOf(channel)}`);
    const onA = subscribeWs(client, UPDATES, { c: channel });
    await readyA;
    const readyB = listening(b, `channel:product:${localIdOf(channel)}`);
    const onB = subscribeSse(b, viewer.token, UPDATES, { c: channel });
    await readyB;

    const buyers = await manyUsers(a, 500, 'buyer');
    const answers = await Promise.all(
      buyers.map((buyer, i) => gql(i % 2 === 0 ? a : b, CLAIM, { i: { productId: product, quantity: 1 } }, buyer.token)),
    );
    const codes = answers.map((r) => codeOf(r) ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(50);
    expect(codes.filter((c) => c === 'SOLD_OUT')).toHaveLength(450);

    const { rows } = await a.runtime.database.pool.query(
      'select p.stock, (select coalesce(sum(quantity), 0)::int from product_claims where product_id = p.id) as claimed from products p where id = $1',
      [localIdOf(product)],
    );
    expect(rows[0]).toEqual({ stock: 0, claimed: 50 });

    for (const sub of [onA, onB]) {
      const events = (await sub.waitFor(50, 15_000)).map((r) => r.productUpdated);
      expect(events.map((e) => e.product.stock)).toEqual(Array.from({ length: 50 }, (_, i) => 49 - i));
      expect(events.at(-1)!.product.available).toBe(false);
    }
    // The seller sees the claims; nobody else does.
    const claims = await ok(a, 'query($c: ID!) { node(id: $c) { ... on Channel { claims(first: 100) { edges { node { quantity buyer { id } } } } } } }', { c: channel }, seller.token);
    expect(claims.node.claims.edges).toHaveLength(50);
    expect(codeOf(await gql(a, 'query($c: ID!) { node(id: $c) { ... on Channel { claims { edges { node { id } } } } } }', { c: channel }, viewer.token))).toBe('FORBIDDEN');
    onA.dispose();
    onB.dispose();
    await client.dispose();
  });

  it('holds a buyer to MAX_CLAIM_QUANTITY even when their claims race', async () => {
    const { a, b } = instances;
    const seller = await signUp(a, 'seller');
    const { product } = await shop(a, seller, 100);
    const [buyer] = await manyUsers(a, 1, 'racer');
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => gql(i % 2 ? a : b, CLAIM, { i: { productId: product, quantity: 2 } }, buyer!.token)));
    const codes = answers.map((r) => codeOf(r) ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(2);
    expect(codes.filter((c) => c === 'CLAIM_LIMIT_REACHED')).toHaveLength(4);
    expect(codeOf(await gql(a, CLAIM, { i: { productId: product, quantity: 6 } }, buyer!.token))).toBe('CLAIM_LIMIT_REACHED');
    expect(codeOf(await gql(a, CLAIM, { i: { productId: product, quantity: 0 } }, buyer!.token))).toBe('BAD_USER_INPUT');
    const stock = (await ok(a, 'query($p: ID!) { node(id: $p) { ... on Product { stock } } }', { p: product }, seller.token)).node.stock;
    expect(stock).toBe(96);
  });

  it('edits and removals: seller only, one stream with claims, the highlight follows its product', async () => {
    const { a, b } = instances;
    const seller = await signUp(a, 'seller');
    const other = await signUp(a, 'other');
    const { channel, product } = await shop(a, seller, 3);
    await ok(a, 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version } }', { i: { channelId: channel, productId: product } }, seller.token);
    const { client } = wsClient(b, other.token);
    const highlights = subscribeWs(client, HIGHLIGHTS, { c: channel });
    expect((await highlights.waitFor(1))[0].productHighlighted.product).toEqual({ id: product, stock: 3, priceCents: 12_000 });
    const ready = listening(b, `channel:product:${localIdOf(channel)}`);
    const updates = subscribeWs(client, UPDATES, { c: channel });
    await ready;

    // Refused, and nothing changed.
    expect(codeOf(await gql(a, UPDATE, { i: { productId: product, priceCents: 1 } }, other.token))).toBe('FORBIDDEN');
    expect(codeOf(await gql(a, UPDATE, { i: { productId: product, priceCents: -1 } }, seller.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(a, UPDATE, { i: { productId: product, stock: -5 } }, seller.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(a, 'mutation($p: ID!) { removeProduct(productId: $p) }', { p: product }, other.token))).toBe('FORBIDDEN');

    expect((await ok(a, UPDATE, { i: { productId: product, priceCents: 9_900 } }, seller.token)).updateProduct).toMatchObject({ priceCents: 9_900, stock: 3 });
    await ok(b, CLAIM, { i: { productId: product, quantity: 2 } }, other.token);
    expect(await ok(a, 'mutation($p: ID!) { removeProduct(productId: $p) }', { p: product }, seller.token)).toEqual({ removeProduct: product });
    expect(codeOf(await gql(b, CLAIM, { i: { productId: product } }, other.token))).toBe('NOT_FOUND');

    const events = (await updates.waitFor(3)).map((r) => r.productUpdated);
    expect(events.map((e) => [e.product.priceCents, e.product.stock, e.removed, e.product.available])).toEqual([
      [9_900, 3, false, true],
      [9_900, 1, false, true],
      [9_900, 1, true, false],
    ]);
    const seen = (await highlights.waitFor(4)).map((r) => r.productHighlighted.product);
    expect(seen.slice(1)).toEqual([{ id: product, stock: 3, priceCents: 9_900 }, { id: product, stock: 1, priceCents: 9_900 }, null]);
    // Resuming after the first change gives the other two.
    const resumed = subscribeWs(client, UPDATES, { c: channel, after: events[0].cursor });
    expect((await resumed.waitFor(2)).map((r) => r.productUpdated.product.stock)).toEqual([1, 1]);
    // A removed product is no longer offered.
    const products = await ok(a, 'query($c: ID!) { node(id: $c) { ... on Channel { products { id } } } }', { c: channel }, other.token);
    expect(products.node.products).toEqual([]);
    await client.dispose();
  });

  it('a banned buyer cannot claim', async () => {
    const { a } = instances;
    const seller = await signUp(a, 'seller');
    const banned = await signUp(a, 'banned');
    const { channel, product } = await shop(a, seller, null);
    await ok(a, 'mutation($i: ChannelBanInput!) { banFromChannel(input: $i) { id } }', { i: { channelId: channel, userId: banned.id } }, seller.token);
    expect(codeOf(await gql(a, CLAIM, { i: { productId: product } }, banned.token))).toBe('FORBIDDEN');
    expect((await ok(a, CLAIM, { i: { productId: product } }, seller.token)).claimProduct.quantity).toBe(1);
  });
});
