import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { findFreePort } from '../src/lib/ports.ts';
import { startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createPost, createSection, localIdOf, ok, signUp, type TestUser } from './helpers/http.ts';
import { hasRedisServer, killRedis, startRedis } from './helpers/redis.ts';
import { listening, type Subscription, subscribeWs, wsClient } from './helpers/subscriptions.ts';
import { FakeWeb, html } from './helpers/web.ts';

/**
 * Two instances, A (where changes are made, and the workers) and B (where
 * subscribers listen), sharing PostgreSQL and a Redis of the test's own that
 * is killed for 5 s while changes keep coming. Nothing committed may be lost.
 */
const HIGHLIGHTS = 'subscription($id: ID!) { productHighlighted(channelId: $id) { version } }';
const LINKS = 'subscription($id: ID!) { linkMetadataUpdated(sectionId: $id) { linkId link { status } } }';
const OUTAGE_MS = 5_000;

/** Pacing of the load itself (about 20 changes a second), not a wait for async work. */
const pace = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!hasRedisServer)('Redis killed for 5 s under load, two instances', () => {
  let redis: ChildProcess;
  let redisPort: number;
  let web: FakeWeb;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: App;
  let b: App;
  let seller: TestUser;

  beforeAll(async () => {
    redisPort = await findFreePort();
    redis = await startRedis(redisPort);
    web = await new FakeWeb().start();
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      CHANNEL_HIGHLIGHT_LIMIT: '100000',
      MAX_CONNECTIONS_PER_USER: '0',
      LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`,
      JOB_POLL_SECONDS: '0.5',
    };
    a = await startTestApp({ env: { ...env, RUN_WORKERS: 'true' } });
    b = await startTestApp({ env });
    seller = await signUp(a, 'seller');
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await killRedis(redis);
    await web?.stop();
    await database?.drop();
  });

  /** Kills Redis, runs `during` for OUTAGE_MS, starts Redis again. */
  async function outage(during: (until: number) => Promise<void>) {
    await killRedis(redis);
    await during(Date.now() + OUTAGE_MS);
    redis = await startRedis(redisPort);
  }

  it('every one of 50 subscribers on B ends with every version committed on A, in order, none twice', async () => {
    const channel = (await ok(a, 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, seller.token)).createChannel.id;
    const products: string[] = [];
    for (const name of ['A', 'B']) {
      const input = { channelId: channel, name, priceCents: 100, currency: 'EUR' };
      products.push((await ok(a, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: input }, seller.token)).addProduct.id);
    }
    let version = 0;
    const highlight = async () => {
      const started = performance.now();
      const res = await ok(a, 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version } }', { i: { channelId: channel, productId: products[version % 2] } }, seller.token);
      version = res.highlightProduct.version;
      return performance.now() - started;
    };

    const viewer = await signUp(b, 'viewer');
    const clients = Array.from({ length: 50 }, () => wsClient(b, viewer.token).client);
    const subs = clients.map((client) => subscribeWs(client, HIGHLIGHTS, { id: channel }));
    await Promise.all(subs.map((sub) => sub.waitFor(1)));
    for (let i = 0; i < 20; i++) await highlight();

    const duringOutage: number[] = [];
    await outage(async (until) => {
      while (Date.now() < until) {
        duringOutage.push(await highlight());
        await pace(50);
      }
    });
    for (let i = 0; i < 20; i++) await highlight();

    const last = version;
    expect(duringOutage.length).toBeGreaterThan(40);
    // Mutations do not wait on Redis: none took anywhere near the outage.
    expect(Math.max(...duringOutage)).toBeLessThan(OUTAGE_MS / 2);
    for (const sub of subs) {
      await waitForVersion(sub, last);
      const versions = sub.results.map((r) => r.productHighlighted.version);
      expect(versions).toEqual(Array.from({ length: last + 1 }, (_, v) => v));
    }
    await Promise.all(clients.map((client) => client.dispose()));
  }, 60_000);

  it("while Redis is away, an instance's own subscribers see its changes live, and nothing twice once it is back", async () => {
    const channel = (await ok(a, 'mutation { createChannel(input: { name: "Own" }) { id } }', {}, seller.token)).createChannel.id;
    const input = { channelId: channel, name: 'Only', priceCents: 100, currency: 'EUR' };
    const product = (await ok(a, 'mutation($i: AddProductInput!) { addProduct(input: $i) { id } }', { i: input }, seller.token)).addProduct.id;
    const highlight = async () => (await ok(a, 'mutation($i: HighlightProductInput!) { highlightProduct(input: $i) { version } }', { i: { channelId: channel, productId: product } }, seller.token)).highlightProduct.version as number;
    const viewer = await signUp(a, 'own_viewer');
    const { client } = wsClient(a, viewer.token);
    const sub = subscribeWs(client, HIGHLIGHTS, { id: channel });
    await sub.waitFor(1);
    await highlight();
    await sub.waitFor(2);

    await killRedis(redis);
    try {
      // Each change reaches the subscriber on A before Redis is back (it used to wait for Redis and the catch-up).
      for (let i = 0; i < 5; i++) {
        await highlight();
        await sub.waitFor(sub.results.length + 1, 3_000);
      }
    } finally {
      redis = await startRedis(redisPort);
    }
    const outageLast = sub.results.at(-1)!.productHighlighted.version as number;
    // The relay publishes the outage's events once Redis is back; then one more change, which A's subscriber
    // connection receives after them: by then A has been offered every copy, and must have skipped them.
    const published = async () =>
      Number(
        (
          await a.runtime.database.pool.query(
            `select max(e.seq) as seq from events e, event_relay_position p
              where e.topic = 'channel:highlight' and e.key = $1 and (e.numbered_xid, e.topic, e.key, e.seq) <= (p.numbered_xid, p.topic, p.key, p.seq)`,
            [localIdOf(channel)],
          )
        ).rows[0]?.seq ?? 0,
      );
    for (const deadline = Date.now() + 15_000; (await published()) < outageLast; ) {
      if (Date.now() > deadline) throw new Error('the relay did not publish the outage events');
      await pace(50);
    }
    const last = await highlight();
    await waitForVersion(sub, last);
    const versions = sub.results.map((r) => r.productHighlighted.version);
    expect(versions).toEqual(Array.from({ length: last + 1 }, (_, v) => v));
    await client.dispose();
  }, 60_000);

  it('30 posts with links across the outage: every link READY, every subscriber gets all 30 READY events', async () => {
    const author = await signUp(a, 'author');
    const section = await createSection(a, author);
    const viewer = await signUp(b, 'viewer');
    const watchers: Subscription[] = [];
    const clients = [];
    for (let i = 0; i < 5; i++) {
      const { client } = wsClient(b, viewer.token);
      clients.push(client);
      const ready = listening(b, `link:updated:${localIdOf(section.id)}`);
      watchers.push(subscribeWs(client, LINKS, { id: section.id }));
      await ready;
    }
    const linkIds: string[] = [];
    const make = async (i: number) => {
      web.routes.set(`/page-${i}`, html(`<html><head><title>Page ${i}</title></head><body>x</body></html>`));
      const post = await createPost(a, author, section.id, `post ${i}`, [web.url(`/page-${i}`)]);
      linkIds.push(post.links[0]!.id);
    };
    let made = 0;
    for (; made < 10; made++) await make(made);
    await outage(async (until) => {
      for (; made < 20; made++) await make(made);
      while (Date.now() < until) await pace(50);
    });
    for (; made < 30; made++) await make(made);

    for (const watcher of watchers) {
      await watcher.waitFor(30, 30_000);
      const ready = watcher.results.filter((r) => r.linkMetadataUpdated.link.status === 'READY');
      expect(new Set(ready.map((r) => r.linkMetadataUpdated.linkId))).toEqual(new Set(linkIds));
      expect(watcher.results).toHaveLength(30);
    }
    const { rows } = await a.runtime.database.pool.query('select status, count(*)::int as n from links group by status');
    expect(rows).toEqual([{ status: 'READY', n: 30 }]);
    await Promise.all(clients.map((client) => client.dispose()));
  }, 60_000);
});

async function waitForVersion(sub: Subscription, version: number) {
  while (!sub.results.some((r) => r.productHighlighted.version === version)) {
    await sub.waitFor(sub.results.length + 1, 20_000);
  }
}
