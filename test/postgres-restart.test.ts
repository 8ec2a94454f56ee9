import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../src/app.ts';
import { adminQuery } from './global-setup.ts';
import { createTestDatabase } from './helpers/db.ts';
import { startTestApp } from './helpers/app.ts';
import { createPost, createSection, gql, ok, signUp } from './helpers/http.ts';

/**
 * PostgreSQL going away under a running server, as the server sees a restart:
 * every connection is cut and new ones are refused for a while, then allowed
 * again. Done on a database of the test's own, so nothing else is touched.
 */
describe('PostgreSQL restarting under a running server', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let name: string;
  let app: App;
  const admin = (sql: string) => adminQuery(inject('adminDatabaseUrl'), sql);

  beforeAll(async () => {
    database = await createTestDatabase();
    name = new URL(database.url).pathname.slice(1);
    app = await startTestApp({ env: { DATABASE_URL: database.url } });
  });
  afterAll(async () => {
    await admin(`alter database ${name} allow_connections true`).catch(() => {});
    await app?.stop();
    await database?.drop();
  });

  it('answers SERVICE_UNAVAILABLE while it is down, survives, and keeps every committed row', async () => {
    const user = await signUp(app);
    const section = await createSection(app, user);
    await createPost(app, user, section.id, 'before the restart');

    await admin(`alter database ${name} allow_connections false`);
    await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}' and pid <> pg_backend_pid()`);
    const during = await gql(app, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: section.id, content: 'refused' } }, user.token);
    expect(during.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    expect((await fetch(new URL('/readiness', app.url))).status).toBe(503);

    const listeningAgain = once(app.runtime.broker.events, 'reconnected');
    await admin(`alter database ${name} allow_connections true`);
    // The pool drops the dead connections and opens new ones on its own; the event listener reconnects.
    await createPost(app, user, section.id, 'after the restart');
    const feed = await ok(app, 'query($id: ID!) { section(id: $id) { posts { edges { node { content } } } } }', { id: section.id }, user.token);
    expect(feed.section.posts.edges.map((e: { node: { content: string } }) => e.node.content)).toEqual(['after the restart', 'before the restart']);
    await listeningAgain;
    expect((await fetch(new URL('/readiness', app.url))).status).toBe(200);
  });
});
