import { describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp, twoInstances } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createPost, createSection, localIdOf, signUp } from './helpers/http.ts';
import { listening, subscribeSse, subscribeWs, wsClient } from './helpers/subscriptions.ts';

// Skipped only where no Redis can be had; global setup shouts about it, and fails under CI=true.
describe.skipIf(!redisAvailable())('two instances sharing PostgreSQL and Redis', () => {
  const instances = twoInstances({ redis: true });

  it('delivers a post created on one to subscribers on the other, over graphql-ws and SSE', async () => {
    const { a, b } = instances;
    expect(a.runtime.broker.mode).toBe('redis');
    const alice = await signUp(a, 'alice');
    const bob = await signUp(b, 'bob');
    const section = await createSection(b, bob);
    const channel = `post:created:${localIdOf(section.id)}`;

    const { client } = wsClient(a, alice.token);
    const wsReady = listening(a, channel);
    const ws = subscribeWs(client, 'subscription($id: ID!) { postCreated(sectionId: $id) { id content } }', {
      id: section.id,
    });
    await wsReady;
    const sseReady = listening(a, channel);
    const sse = subscribeSse(a, alice.token, 'subscription($id: ID!) { postCreated(sectionId: $id) { id } }', {
      id: section.id,
    });
    await sseReady;

    const post = await createPost(b, bob, section.id, 'from instance B');
    expect((await ws.waitFor(1))[0].postCreated).toEqual({ id: post.id, content: 'from instance B' });
    expect((await sse.waitFor(1))[0].postCreated).toEqual({ id: post.id });
    ws.dispose();
    sse.dispose();
    await client.dispose();
  });

  it('reports ready when PostgreSQL and Redis answer', async () => {
    const { a, b } = instances;
    expect((await fetch(new URL('/readiness', a.url))).status).toBe(200);
    expect((await fetch(new URL('/health', b.url))).status).toBe(200);
  });
});

describe.skipIf(!redisAvailable())('the relay across instances', () => {
  it('watches what is published from the leading instance only, and from the next one once it is gone', async () => {
    // A database of their own: the lead is one per database.
    const database = await createTestDatabase();
    const env = { DATABASE_URL: database.url };
    const [a, b] = await Promise.all([startTestApp({ redis: true, env }), startTestApp({ redis: true, env })]);
    const stopped = new Set<App>();
    try {
      await expect.poll(() => [a, b].filter((app) => app.runtime.relay.watching()).length, { timeout: 10_000 }).toBe(1);
      const leader = a.runtime.relay.watching() ? a : b;
      const other = leader === a ? b : a;
      await leader.stop();
      stopped.add(leader);
      await expect.poll(() => other.runtime.relay.watching(), { timeout: 10_000 }).toBe(true);
      // Delivery goes on through the instance left.
      const alice = await signUp(other, 'alice');
      const section = await createSection(other, alice);
      const { client } = wsClient(other, alice.token);
      const ready = listening(other, `post:created:${localIdOf(section.id)}`);
      const ws = subscribeWs(client, 'subscription($id: ID!) { postCreated(sectionId: $id) { id } }', { id: section.id });
      await ready;
      const post = await createPost(other, alice, section.id, 'after the lead moved');
      expect((await ws.waitFor(1))[0].postCreated).toEqual({ id: post.id });
      ws.dispose();
      await client.dispose();
    } finally {
      await Promise.all([a, b].filter((app) => !stopped.has(app)).map((app) => app.stop()));
      await database.drop();
    }
  });
});
