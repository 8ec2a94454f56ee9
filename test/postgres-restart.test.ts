import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { startTestApp } from './helpers/app.ts';
import { codeOf, createPost, createSection, gql, ok, signUp } from './helpers/http.ts';

/** A PostgreSQL of this test's own (embedded), so it can be stopped and started under a server. */
describe('PostgreSQL restarting under a running server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plaza-pg-restart-'));
  const silent = pino({ level: 'silent' });
  let database: EmbeddedDatabase;
  let app: App;
  beforeAll(async () => {
    // PostgreSQL runs as its own system user when we are root: it must be able to enter the directory.
    chmodSync(dir, 0o755);
    database = await startEmbeddedPostgres(dir, silent);
    app = await startTestApp({ env: { DATABASE_URL: database.url } });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await database?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a masked error while it is down, survives, and keeps every committed row', async () => {
    const user = await signUp(app);
    const section = await createSection(app, user);
    await createPost(app, user, section.id, 'before the restart');

    await database.stop();
    const during = await gql(app, 'mutation($i: CreatePostInput!) { createPost(input: $i) { id } }', { i: { sectionId: section.id, content: 'lost?' } }, user.token);
    expect(during.errors?.[0]?.message).toBe('Unexpected error.');
    expect(codeOf(during)).not.toBe('BAD_USER_INPUT');
    expect((await fetch(new URL('/readiness', app.url))).status).toBe(503);

    // Same data directory, same port: the pool reconnects on its own.
    const url = new URL(database.url);
    database = await startEmbeddedPostgres(dir, silent, Number(url.port));
    await createPost(app, user, section.id, 'after the restart');
    const feed = await ok(app, 'query($id: ID!) { section(id: $id) { posts { edges { node { content } } } } }', { id: section.id }, user.token);
    expect(feed.section.posts.edges.map((e: { node: { content: string } }) => e.node.content)).toEqual(['after the restart', 'before the restart']);
    expect((await fetch(new URL('/readiness', app.url))).status).toBe(200);
  }, 120_000);
});
