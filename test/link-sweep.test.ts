import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { createTestDatabase, insertLinkWithoutJob } from './helpers/db.ts';
import { startTestApp } from './helpers/app.ts';
import { createSection, localIdOf, signUp } from './helpers/http.ts';
import { watchLinks } from './helpers/subscriptions.ts';
import { FakeWeb, html } from './helpers/web.ts';

/**
 * A post's link jobs are inserted just after the post commits. A process that
 * dies in between leaves its links PENDING with no job: the sweeper gives them
 * one. The crash is stood in for by writing the post and its link straight
 * into the database, with no job.
 */
describe('links a crash left without a job', () => {
  let web: FakeWeb;
  let app: App;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    web = await new FakeWeb().start();
    web.routes.set('/orphan', html('<html><head><meta property="og:title" content="Found again"></head></html>'));
    database = await createTestDatabase();
    app = await startTestApp({
      env: {
        DATABASE_URL: database.url,
        RUN_WORKERS: 'true',
        LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`,
        LINK_SWEEP_SECONDS: '1',
        JOB_POLL_SECONDS: '0.5',
      },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await database?.drop();
    await web?.stop();
  });

  it('get their job from the sweep and end READY, announced', async () => {
    const user = await signUp(app);
    const section = await createSection(app, user);
    const { client, updates } = await watchLinks(
      app,
      user.token,
      section.id,
      'subscription($id: ID!) { linkMetadataUpdated(sectionId: $id) { link { url status metadata { title } } } }',
    );
    const url = web.url('/orphan');
    await insertLinkWithoutJob(app.runtime.database.pool, { sectionId: localIdOf(section.id), authorId: localIdOf(user.id), url, ageSeconds: 5 });
    const [event] = await updates.waitFor(1, 20_000);
    expect(event.linkMetadataUpdated.link).toEqual({ url, status: 'READY', metadata: { title: 'Found again' } });
    expect(web.hits.get('/orphan')).toBe(1);
    updates.dispose();
    await client.dispose();
  }, 30_000);
});
