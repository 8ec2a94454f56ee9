import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { startWorkers } from '../src/start-workers.ts';
import { startTestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';
import { createPost, createSection, signUp } from './helpers/http.ts';
import { watchLinks } from './helpers/subscriptions.ts';
import { spawnWorker } from './helpers/process.ts';
import { FakeWeb, hangsFirst, html } from './helpers/web.ts';

/**
 * A worker process is killed (SIGKILL) while it holds a job: the job is not
 * lost. pg-boss sees it expire, another worker takes it, the link ends READY;
 * so does a second post's link to the same page, which was waiting on that
 * fetch, and the page is fetched once more, not once per link.
 */
describe('a worker killed mid-job', () => {
  const jobEnv = { LINK_FETCH_TIMEOUT_MS: '1000', JOB_SUPERVISE_SECONDS: '1', JOB_POLL_SECONDS: '0.5', LINK_RETRY_DELAY_SECONDS: '1' };
  let web: FakeWeb;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: App;
  let worker: ChildProcess | undefined;
  let workers: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    web = await new FakeWeb().start();
    database = await createTestDatabase();
    // The server runs no workers: the first attempt belongs to the separate worker process.
    app = await startTestApp({
      env: { DATABASE_URL: database.url, RUN_WORKERS: 'false', LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`, ...jobEnv },
    });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await workers?.stop();
    await app?.stop();
    await database?.drop();
    await web?.stop();
  });

  it('retries the job elsewhere and the link ends READY, with the link that waited on the same page', async () => {
    // First request: the page hangs (the worker is mid-job) and we kill the worker. Later: it answers.
    const page = hangsFirst(html('<html><head><title>Survived</title></head></html>'));
    web.routes.set('/slow', page.route);
    ({ child: worker } = spawnWorker({
      DATABASE_URL: database.url,
      LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`,
      ...jobEnv,
      // Long enough that the worker is surely still holding the job when it is killed.
      LINK_FETCH_TIMEOUT_MS: '20000',
    }));

    const user = await signUp(app);
    const section = await createSection(app, user);
    const { client, updates: sub } = await watchLinks(app, user.token, section.id, 'subscription($id: ID!) { linkMetadataUpdated(sectionId: $id) { link { status metadata { title } } } }');

    await createPost(app, user, section.id, 'slow link', [web.url('/slow')]);
    await page.reached;
    // A second post links the page while its fetch is under way: it waits on that fetch, not a fetch of its own.
    await createPost(app, user, section.id, 'same link', [web.url('/slow')]);
    const killed = new Promise((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGKILL');
    await killed;

    // Another worker (here, in the server's process) picks the job up once it expires.
    workers = await startWorkers(app.runtime);
    const events = await sub.waitFor(2, 30_000);
    for (const event of events) expect(event.linkMetadataUpdated.link).toEqual({ status: 'READY', metadata: { title: 'Survived' } });
    expect(web.hits.get('/slow')).toBe(2);
    sub.dispose();
    await client.dispose();
  }, 90_000);
});
