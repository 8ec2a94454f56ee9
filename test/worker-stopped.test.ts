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
 * A worker process gets SIGTERM while a job of its own hangs on a page whose
 * deadline is a minute away: it stops within its 10 s deadline, exit code 0,
 * cutting the fetch off, and the job is retried elsewhere: the link ends READY.
 */
describe('a worker stopped mid-job', () => {
  const jobEnv = { JOB_SUPERVISE_SECONDS: '1', JOB_POLL_SECONDS: '0.5', LINK_RETRY_DELAY_SECONDS: '1' };
  let web: FakeWeb;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: App;
  let worker: ChildProcess | undefined;
  let workers: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    web = await new FakeWeb().start();
    database = await createTestDatabase();
    // The server runs no workers: its links go to the queue, for the worker process.
    app = await startTestApp({ env: { DATABASE_URL: database.url, RUN_WORKERS: 'false', LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`, ...jobEnv } });
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await workers?.stop();
    await app?.stop();
    await database?.drop();
    await web?.stop();
  });

  it('exits 0 within its deadline, and the job is retried elsewhere', async () => {
    const page = hangsFirst(html('<html><head><title>Retried</title></head></html>'));
    web.routes.set('/stuck', page.route);
    const spawned = spawnWorker({ DATABASE_URL: database.url, LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`, ...jobEnv, LINK_FETCH_TIMEOUT_MS: '60000' });
    worker = spawned.child;

    const user = await signUp(app);
    const section = await createSection(app, user);
    const { client, updates: sub } = await watchLinks(app, user.token, section.id, 'subscription($id: ID!) { linkMetadataUpdated(sectionId: $id) { link { status metadata { title } } } }');
    await createPost(app, user, section.id, 'stuck link', [web.url('/stuck')]);
    await page.reached;

    const exited = new Promise<number | null>((resolve) => worker!.once('exit', resolve));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(spawned.logs.some((line) => line.includes('"workers stopped"'))).toBe(true);

    // Another worker (here, in the server's process) takes the retry.
    workers = await startWorkers(app.runtime);
    const [event] = await sub.waitFor(1, 30_000);
    expect(event.linkMetadataUpdated.link).toEqual({ status: 'READY', metadata: { title: 'Retried' } });
    expect(web.hits.get('/stuck')).toBe(2);
    sub.dispose();
    await client.dispose();
  }, 60_000);
});
