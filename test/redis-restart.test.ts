import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { findFreePort } from '../src/lib/ports.ts';
import { startTestApp } from './helpers/app.ts';
import { createPost, createSection, localIdOf, ok, signUp } from './helpers/http.ts';
import { listening, subscribeWs, wsClient } from './helpers/subscriptions.ts';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

/** A Redis of this test's own, so it can be killed and started again. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return child;
}

describe.skipIf(!hasRedisServer)('Redis restarting under a running server', () => {
  let port: number;
  let redis: ChildProcess;
  let app: App;
  beforeAll(async () => {
    port = await findFreePort();
    redis = await startRedis(port);
    app = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await app?.stop();
    redis?.kill('SIGKILL');
  });

  it('keeps committing while Redis is down and delivers again once it is back', async () => {
    const user = await signUp(app);
    const section = await createSection(app, user);
    const { client } = wsClient(app, user.token);
    const channel = `post:created:${localIdOf(section.id)}`;
    const ready = listening(app, channel);
    const sub = subscribeWs(client, 'subscription($id: ID!) { postCreated(sectionId: $id) { content } }', { id: section.id });
    await ready;

    const gone = once(redis, 'exit');
    redis.kill('SIGKILL');
    await gone;
    // The write succeeds and is stored; only its live event is lost (pub/sub is at most once).
    await createPost(app, user, section.id, 'while Redis was down');
    expect((await fetch(new URL('/readiness', app.url))).status).toBe(503);

    const back = once(app.runtime.realtime.events, 'redis-ready');
    redis = await startRedis(port);
    await back;
    // ioredis subscribes again on reconnect; a post now reaches the same subscriber.
    const resubscribed = once(app.runtime.realtime.events, 'redis-ready');
    if (app.runtime.realtime.redis?.status !== 'ready') await resubscribed;
    let delivered = false;
    for (let attempt = 0; attempt < 20 && !delivered; attempt++) {
      await createPost(app, user, section.id, `after restart ${attempt}`);
      delivered = await sub.waitFor(1, 500).then(
        () => true,
        () => false,
      );
    }
    expect(delivered).toBe(true);
    expect(sub.results[0].postCreated.content).toMatch(/^after restart/);
    const feed = await ok(app, 'query($id: ID!) { section(id: $id) { posts { edges { node { content } } } } }', { id: section.id }, user.token);
    expect(feed.section.posts.edges.map((e: { node: { content: string } }) => e.node.content)).toContain('while Redis was down');
    sub.dispose();
    await client.dispose();
  }, 30_000);
});
