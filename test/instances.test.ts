import { describe, expect, it } from 'vitest';
import { redisAvailable, twoInstances } from './helpers/app.ts';
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
