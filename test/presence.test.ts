import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp, twoInstances } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { gql, ok, signUp, type TestUser } from './helpers/http.ts';
import { type PlazaProcess, startPlazaProcess } from './helpers/process.ts';
import { subscribeWs, type Subscription, wsClient } from './helpers/subscriptions.ts';

const PRESENCE = 'subscription($id: ID!) { channelPresence(channelId: $id) { channelId viewerCount sellerLive } }';
const HIGHLIGHTS = 'subscription($id: ID!) { productHighlighted(channelId: $id) { version } }';
const VIEWERS = 'query($id: ID!) { channel(id: $id) { viewerCount sellerLive viewers(first: 10) { edges { node { id } } } } }';

type Presence = { channelPresence: { viewerCount: number; sellerLive: boolean } };

/** Waits until the latest presence result is `expected`; every result on the way is kept. */
async function presenceReaches(sub: Subscription<Presence>, expected: { viewerCount: number; sellerLive: boolean }, timeoutMs = 10_000) {
  for (let n = 1; ; n++) {
    const results = await sub.waitFor(n, timeoutMs);
    const last = results.at(-1)!.channelPresence;
    if (sub.results.length === n && last.viewerCount === expected.viewerCount && last.sellerLive === expected.sellerLive) return;
  }
}

async function createChannel(app: Pick<App, 'url'>, seller: TestUser): Promise<string> {
  return (await ok(app, 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, seller.token)).createChannel.id;
}

/** Opens `count` sockets for `user` on `app`, each with one productHighlighted subscription. */
async function tabs(app: Pick<App, 'url'>, user: TestUser, channel: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const { client } = wsClient(app, user.token);
      const sub = subscribeWs(client, HIGHLIGHTS, { id: channel });
      await sub.waitFor(1);
      return { close: () => client.dispose() };
    }),
  );
}

describe.skipIf(!redisAvailable())('presence across instances (Redis)', () => {
  const apps = twoInstances({ redis: true, env: { PRESENCE_INTERVAL_MS: '200', MAX_CONNECTIONS_PER_USER: '0' } });

  it('counts each user once over every tab and instance, tells the seller only who, and follows them out', async () => {
    const { a, b } = apps;
    const [seller, alice, bob] = await Promise.all([signUp(a, 'seller'), signUp(a, 'alice'), signUp(b, 'bob')]);
    const channel = await createChannel(a, seller);
    const sellerClient = wsClient(a, seller.token).client;
    const presence = subscribeWs<Presence>(sellerClient, PRESENCE, { id: channel });
    await presenceReaches(presence, { viewerCount: 0, sellerLive: true });

    // Alice: three tabs, two on one instance and one on the other. Bob: the presence subscription alone.
    const aliceTabs = [...(await tabs(a, alice, channel, 2)), ...(await tabs(b, alice, channel, 1))];
    const bobClient = wsClient(b, bob.token).client;
    subscribeWs<Presence>(bobClient, PRESENCE, { id: channel });
    await presenceReaches(presence, { viewerCount: 2, sellerLive: true });
    const fromB = await ok(b, VIEWERS, { id: channel }, seller.token);
    expect(fromB.channel).toMatchObject({ viewerCount: 2, sellerLive: true });
    expect(fromB.channel.viewers.edges.map((e: { node: { id: string } }) => e.node.id).sort()).toEqual([alice.id, bob.id].sort());

    // Identities are the seller's alone.
    const asAlice = await gql(a, VIEWERS, { id: channel }, alice.token);
    expect(asAlice.data?.channel).toMatchObject({ viewerCount: 2, viewers: null });
    expect(asAlice.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Two of Alice's tabs close, then Bob leaves: one viewer left, and it is Alice (her last tab holds her).
    aliceTabs[0]!.close();
    aliceTabs[2]!.close();
    bobClient.dispose();
    await presenceReaches(presence, { viewerCount: 1, sellerLive: true });
    const left = await ok(a, VIEWERS, { id: channel }, seller.token);
    expect(left.channel.viewers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([alice.id]);

    aliceTabs[1]!.close();
    await presenceReaches(presence, { viewerCount: 0, sellerLive: true });
    // The seller closes the channel: a viewer watching on the other instance sees the seller go.
    const watching = subscribeWs<Presence>(wsClient(b, alice.token).client, PRESENCE, { id: channel });
    await presenceReaches(watching, { viewerCount: 1, sellerLive: true });
    sellerClient.dispose();
    await presenceReaches(watching, { viewerCount: 1, sellerLive: false });
  });
});

describe.skipIf(!redisAvailable())('presence of an instance SIGKILLed', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dying: PlazaProcess;
  let survivor: App;
  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: inject('redisUrl')!,
      MAX_CONNECTIONS_PER_USER: '0',
      RUN_WORKERS: 'false',
      PRESENCE_TTL_SECONDS: '2',
      PRESENCE_INTERVAL_MS: '200',
    };
    dying = await startPlazaProcess(env);
    survivor = await startTestApp({ redis: true, env });
  });
  afterAll(async () => {
    dying?.child.kill('SIGKILL');
    await survivor?.stop();
    await database?.drop();
  });

  it('stops counting its viewers within the TTL, with nobody cleaning up', async () => {
    const seller = await signUp(survivor, 'seller');
    const viewers = await Promise.all([1, 2, 3].map(() => signUp(survivor, 'viewer')));
    const channel = await createChannel(survivor, seller);
    const presence = subscribeWs<Presence>(wsClient(survivor, seller.token).client, PRESENCE, { id: channel });
    for (const viewer of viewers) await tabs(dying, viewer, channel, 1);
    await presenceReaches(presence, { viewerCount: 3, sellerLive: true });

    const killedAt = Date.now();
    dying.child.kill('SIGKILL');
    // TTL 2 s, renewed every 2/3 s: gone within the TTL plus one renewal round of the survivor.
    await presenceReaches(presence, { viewerCount: 0, sellerLive: true }, 10_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
  });
});

describe('presence on one instance (in-process)', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ env: { PRESENCE_INTERVAL_MS: '500', MAX_CONNECTIONS_PER_USER: '0', MAX_SUBSCRIPTIONS_PER_CONNECTION: '0' } });
  });
  afterAll(() => app?.stop());

  it('answers a burst of 500 joins with a couple of updates per interval, not one per join', async () => {
    const seller = await signUp(app, 'seller');
    const users = await Promise.all(Array.from({ length: 50 }, () => signUp(app, 'fan')));
    const channel = await createChannel(app, seller);
    const presence = subscribeWs<Presence>(wsClient(app, seller.token).client, PRESENCE, { id: channel });
    await presenceReaches(presence, { viewerCount: 0, sellerLive: true });

    // 50 users, one socket each with 10 highlight subscriptions: 500 joins at once.
    const started = Date.now();
    const sockets = users.map((user) => {
      const { client } = wsClient(app, user.token);
      for (let i = 0; i < 10; i++) subscribeWs(client, HIGHLIGHTS, { id: channel });
      return client;
    });
    await presenceReaches(presence, { viewerCount: 50, sellerLive: true });
    const elapsed = Date.now() - started;
    const updates = presence.results.filter((r) => r.channelPresence.viewerCount > 0).length;
    expect(updates).toBeGreaterThanOrEqual(1);
    expect(updates).toBeLessThanOrEqual(Math.ceil(elapsed / 500) + 1);

    const { channel: state } = await ok(app, VIEWERS, { id: channel }, seller.token);
    expect(state.viewerCount).toBe(50);
    expect(state.viewers.edges).toHaveLength(10);
    for (const socket of sockets) socket.dispose();
    await presenceReaches(presence, { viewerCount: 0, sellerLive: true });
  });

  it('refuses a malformed page cursor with BAD_USER_INPUT', async () => {
    const seller = await signUp(app, 'seller');
    const channel = await createChannel(app, seller);
    const res = await gql(app, 'query($id: ID!) { channel(id: $id) { viewers(first: 5, after: "nope") { edges { cursor } } } }', { id: channel }, seller.token);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
