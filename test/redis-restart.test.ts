import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { findFreePort } from '../src/lib/ports.ts';
import { startTestApp } from './helpers/app.ts';
import { createPost, createSection, localIdOf, signUp } from './helpers/http.ts';
import { hasRedisServer, startRedis } from './helpers/redis.ts';
import { listening, subscribeWs, wsClient } from './helpers/subscriptions.ts';

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

  it('keeps committing while Redis is down, then delivers what was committed meanwhile, in order', async () => {
    const user = await signUp(app);
    const section = await createSection(app, user);
    const { client } = wsClient(app, user.token);
    const ready = listening(app, `post:created:${localIdOf(section.id)}`);
    const sub = subscribeWs(client, 'subscription($id: ID!) { postCreated(sectionId: $id) { content } }', { id: section.id });
    await ready;

    const gone = once(redis, 'exit');
    redis.kill('SIGKILL');
    await gone;
    // The write succeeds at once; its event waits in the outbox.
    await createPost(app, user, section.id, 'while Redis was down');
    expect((await fetch(new URL('/readiness', app.url))).status).toBe(503);

    redis = await startRedis(port);
    await createPost(app, user, section.id, 'after Redis came back');
    const contents = (await sub.waitFor(2, 15_000)).map((r) => r.postCreated.content);
    expect(contents).toEqual(['while Redis was down', 'after Redis came back']);
    sub.dispose();
    await client.dispose();
  }, 30_000);
});
