import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createPost, createSection, gql, localIdOf, ok, signUp } from './helpers/http.ts';
import { hasRedisCluster, type LocalCluster, startLocalCluster } from './helpers/redis-cluster.ts';
import { listening, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const POSTS = 'subscription($id: ID!) { postCreated(sectionId: $id) { content } }';
const HIGHLIGHTS = 'subscription($id: ID!) { productHighlighted(channelId: $id) { version } }';

if (!hasRedisCluster && process.env.CI === 'true') throw new Error('redis-server and redis-cli are needed for the Redis Cluster tests under CI');

describe.skipIf(!hasRedisCluster)('two instances on a Redis Cluster (three masters, three replicas)', () => {
  let cluster: LocalCluster;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: App;
  let b: App;
  beforeAll(async () => {
    cluster = await startLocalCluster();
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, REDIS_CLUSTER_NODES: cluster.nodes.slice(0, 2).join(','), MAX_CONNECTIONS_PER_USER: '0', PRESENCE_INTERVAL_MS: '200', RATE_LIMIT_CREATE_CHANNEL: '3/3600' };
    [a, b] = await Promise.all([startTestApp({ env }), startTestApp({ env })]);
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
    await cluster?.stop();
  });

  it("carries a stream's events over sharded pub/sub to its shard only, across instances, over graphql-ws and SSE", async () => {
    expect(a.runtime.broker.mode).toBe('redis');
    const alice = await signUp(a, 'alice');
    const bob = await signUp(b, 'bob');
    const section = await createSection(b, bob);
    const channel = `post:created:${localIdOf(section.id)}`;
    const { client } = wsClient(a, alice.token);
    const wsReady = listening(a, channel);
    const ws = subscribeWs(client, POSTS, { id: section.id });
    await wsReady;
    const sse = subscribeSse(b, bob.token, POSTS, { id: section.id });
    await listening(b, channel);

    await createPost(b, bob, section.id, 'over a shard');
    expect((await ws.waitFor(1))[0].postCreated.content).toBe('over a shard');
    expect((await sse.waitFor(1))[0].postCreated.content).toBe('over a shard');
    // Subscribed with SSUBSCRIBE on the master owning the channel's slot; no classic or pattern subscription
    // (which every node of a cluster would carry) anywhere.
    const owner = await cluster.masterOf(channel);
    expect(await cluster.ask(owner, 'pubsub', 'shardchannels', 'post:created:*')).toContain(channel);
    for (const node of cluster.nodes) {
      expect(await cluster.ask(node, 'pubsub', 'numpat')).toBe(0);
      expect(await cluster.ask(node, 'pubsub', 'channels', 'post:*')).toEqual([]);
    }
    ws.dispose();
    sse.dispose();
    await client.dispose();
  });

  it('keeps presence in the cluster: a viewer on each instance, both counted', async () => {
    const [seller, alice, bob] = await Promise.all([signUp(a, 'seller'), signUp(a, 'alice'), signUp(b, 'bob')]);
    const channel = (await ok(a, 'mutation { createChannel(input: { name: "Live" }) { id } }', {}, seller.token)).createChannel.id as string;
    const viewers = [wsClient(a, alice.token).client, wsClient(b, bob.token).client];
    for (const client of viewers) await subscribeWs(client, HIGHLIGHTS, { id: channel }).waitFor(1);
    await expect
      .poll(async () => (await ok(b, 'query($id: ID!) { channel(id: $id) { viewerCount } }', { id: channel }, seller.token)).channel.viewerCount, { timeout: 10_000 })
      .toBe(2);
    await Promise.all(viewers.map((client) => client.dispose()));
  });

  it('counts a rate limit once across instances, on its key in the cluster', async () => {
    const seller = await signUp(a, 'busy_seller');
    const create = (app: App) => gql(app, 'mutation { createChannel(input: { name: "Again" }) { id } }', {}, seller.token);
    // Three allowed an hour, made on the two instances in turn: the fourth is refused wherever it lands.
    for (const app of [a, b, a]) expect((await create(app)).errors).toBeUndefined();
    const refused = await create(b);
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it("loses nothing when the master of a stream's shard is killed mid-stream and its replica takes over", async () => {
    const author = await signUp(a, 'author');
    const section = await createSection(a, author);
    const channel = `post:created:${localIdOf(section.id)}`;
    const viewers = await Promise.all(Array.from({ length: 10 }, (_, i) => signUp(b, `viewer${i}`)));
    const clients = viewers.map((viewer) => wsClient(b, viewer.token).client);
    // Every one of the ten joined before the first post (they subscribe from now on).
    const ready = Promise.all(clients.map(() => listening(b, channel)));
    const subs = clients.map((client) => subscribeWs(client, POSTS, { id: section.id }));
    await ready;
    const contents = Array.from({ length: 30 }, (_, i) => `post ${i}`);
    for (let i = 0; i < 10; i++) await createPost(a, author, section.id, contents[i]!);
    await Promise.all(subs.map((sub) => sub.waitFor(10, 10_000)));

    const master = await cluster.masterOf(channel);
    await cluster.kill(master);
    // While the shard has no master: the writes commit, their publication fails, the relay sends them later.
    for (let i = 10; i < 20; i++) await createPost(a, author, section.id, contents[i]!);
    const promoted = await cluster.waitForFailover(channel, master);
    expect(promoted).not.toBe(master);
    for (let i = 20; i < 30; i++) await createPost(a, author, section.id, contents[i]!);

    const results = await Promise.all(subs.map((sub) => sub.waitFor(30, 30_000)));
    for (const result of results) expect(result.map((r) => r.postCreated.content)).toEqual(contents);
    for (const sub of subs) sub.dispose();
    await Promise.all(clients.map((client) => client.dispose()));
  }, 90_000);
});
