import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { startWorkers } from '../src/start-workers.ts';
import { createRuntime, type Runtime } from '../src/runtime.ts';
import { createTestDatabase } from './helpers/db.ts';
import { redisAvailable, startTestApp, TEST_JWT_SECRET } from './helpers/app.ts';
import { createPost, createSection, signUp } from './helpers/http.ts';
import { watchLinks } from './helpers/subscriptions.ts';
import { FakeWeb, html } from './helpers/web.ts';

describe.skipIf(!redisAvailable())('workers running apart from the servers', () => {
  let web: FakeWeb;
  let server: App;
  let worker: Runtime;
  let workers: { stop(): Promise<void> };
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    web = await new FakeWeb().start();
    web.routes.set('/page', html('<html><head><title>From the worker</title></head><body></body></html>'));
    // A server with RUN_WORKERS=false, and a worker process's runtime (as `npm run worker` builds it).
    database = await createTestDatabase();
    server = await startTestApp({ redis: true, env: { DATABASE_URL: database.url, RUN_WORKERS: 'false' } });
    worker = await createRuntime(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: database.url,
        REDIS_URL: inject('redisUrl')!,
        JWT_SECRET: TEST_JWT_SECRET,
        LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}`,
        JOB_POLL_SECONDS: '0.5',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'plaza-worker-')),
      }),
      pino({ level: 'silent' }),
    );
    workers = await startWorkers(worker);
  });
  afterAll(async () => {
    await workers?.stop();
    await worker?.stop();
    await server?.stop();
    await database?.drop();
    await web?.stop();
  });

  it('fetches a link posted on a server and the server’s subscribers get READY', async () => {
    const user = await signUp(server);
    const section = await createSection(server, user);
    const { client, updates: sub } = await watchLinks(server, user.token, section.id, 'subscription($id: ID!) { linkMetadataUpdated(sectionId: $id) { link { status metadata { title } } } }');
    await createPost(server, user, section.id, 'apart', [web.url('/page')]);
    const [event] = await sub.waitFor(1, 15_000);
    expect(event.linkMetadataUpdated.link).toEqual({ status: 'READY', metadata: { title: 'From the worker' } });
    sub.dispose();
    await client.dispose();
  });
});
