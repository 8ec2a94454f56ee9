import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createPost, createSection, signUp } from './helpers/http.ts';
import { type PlazaProcess, startPlazaProcess } from './helpers/process.ts';
import { cursorAfterNewPost, resumingPostSubscribers } from './helpers/resuming-client.ts';
import { inject } from 'vitest';

describe.skipIf(!redisAvailable())('an instance SIGKILLed under its subscribers', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: PlazaProcess;
  let b: App;
  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.url, REDIS_URL: inject('redisUrl')!, MAX_CONNECTIONS_PER_USER: '0', RUN_WORKERS: 'false' };
    a = await startPlazaProcess(env);
    b = await startTestApp({ redis: true, env });
  });
  afterAll(async () => {
    a?.child.kill('SIGKILL');
    await b?.stop();
    await database?.drop();
  });

  it('30 subscribers reconnect to the other instance with their last cursor: 0 missed, 0 twice', async () => {
    const user = await signUp(b);
    const section = await createSection(b, user);
    // Subscribers start from a known point, the cursor of a post read by a query: nothing can slip past them.
    const start = await cursorAfterNewPost(b, user, section.id);
    const subscribers = resumingPostSubscribers(30, { urls: [a.url, b.url], token: user.token, sectionId: section.id, after: start });
    const contents = Array.from({ length: 30 }, (_, i) => `post ${i}`);
    // The first ten reach everyone through A.
    for (let i = 0; i < 10; i++) await createPost(b, user, section.id, contents[i]);
    await Promise.all(subscribers.map(({ sub }) => sub.waitFor(10, 15_000)));
    expect(subscribers.every(({ connections }) => connections() === 1)).toBe(true);

    const died = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.kill('SIGKILL');
    await died;
    for (let i = 10; i < 30; i++) await createPost(b, user, section.id, contents[i]);

    for (const { sub, client, connections } of subscribers) {
      await sub.waitFor(30, 20_000);
      expect(sub.results.map((r) => r.postCreated.content)).toEqual(contents);
      expect(connections()).toBeGreaterThanOrEqual(2);
      sub.dispose();
      await client.dispose();
    }
  }, 60_000);
});
