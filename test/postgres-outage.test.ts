import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../src/app.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../src/db/embedded.ts';
import { findFreePort } from '../src/lib/ports.ts';
import { redisAvailable, startTestApp } from './helpers/app.ts';
import { codeOf, CREATE_POST, createSection, gql, localIdOf, signUp, type TestUser } from './helpers/http.ts';
import { resumingSubscription } from './helpers/resuming-client.ts';
import { listening } from './helpers/subscriptions.ts';
import { FakeWeb, html } from './helpers/web.ts';

const POSTS = 'subscription($id: ID!, $after: String) { postCreated(sectionId: $id, after: $after) { content cursor } }';

/**
 * PostgreSQL stopped and started again under a running instance, as a
 * restart or a failover does: a server of the test's own (the embedded one),
 * while a client writes posts with links and five others follow the section.
 */
describe.skipIf(!redisAvailable())('PostgreSQL stopped and started under load', () => {
  const silent = pino({ level: 'silent' });
  const dataDir = mkdtempSync(join(tmpdir(), 'plaza-pg-outage-'));
  const rootDir = mkdtempSync(join(tmpdir(), 'plaza-pg-outage-root-'));
  let port: number;
  let database: EmbeddedDatabase;
  let web: FakeWeb;
  let app: App;
  let user: TestUser;

  const startDatabase = async () => {
    database = await startEmbeddedPostgres(dataDir, silent, { fixedPort: port, rootDir });
  };

  beforeAll(async () => {
    port = await findFreePort();
    await startDatabase();
    web = await new FakeWeb().start();
    web.routes.set('/page', html('<html><head><title>Through the restart</title></head></html>'));
    app = await startTestApp({
      redis: true,
      env: { DATABASE_URL: database.url, RUN_WORKERS: 'true', JOB_POLL_SECONDS: '0.5', LINK_FETCH_ALLOW_HOSTS: `127.0.0.1:${web.port}` },
    });
    user = await signUp(app, 'writer');
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await database?.stop();
    await web?.stop();
  });

  it('answers SERVICE_UNAVAILABLE while it is down, then loses nothing and delivers everything once, in order', async () => {
    const section = await createSection(app, user);
    const followers = [];
    for (let i = 0; i < 5; i++) {
      const live = listening(app, `post:created:${localIdOf(section.id)}`);
      followers.push(resumingSubscription({ urls: [app.url], token: user.token, query: POSTS, variables: { id: section.id }, cursorOf: (d) => d.postCreated.cursor }));
      await live;
    }

    // One writer, a post at a time, each with a link; what it was told is what happened.
    const acknowledged: string[] = [];
    const refusals: Array<{ code: string | undefined; ms: number }> = [];
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        const content = `post ${n++}`;
        const started = Date.now();
        const res = await gql(app, CREATE_POST, { input: { sectionId: section.id, content, links: [`${web.url('/page')}?${n}`] } }, user.token).catch(() => null);
        if (!res) return;
        if (res.data?.createPost) acknowledged.push(content);
        else refusals.push({ code: codeOf(res), ms: Date.now() - started });
      }
    })();
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThanOrEqual(20), { timeout: 20_000, interval: 50 });

    await database.stop();
    // The fault lasts 10 s, as a restart does: that is its length, not a wait for anything to happen.
    const outage = new Promise((resolve) => setTimeout(resolve, 10_000));
    // While it is down: refused quickly and clearly, not ready, alive, subscriptions still open.
    await vi.waitFor(() => expect(refusals.length).toBeGreaterThanOrEqual(5), { timeout: 15_000, interval: 50 });
    await vi.waitFor(async () => expect((await fetch(new URL('/readiness', app.url))).status).toBe(503), { timeout: 5_000, interval: 100 });
    expect((await fetch(new URL('/health', app.url))).status).toBe(200);
    expect(refusals.every((r) => r.code === 'SERVICE_UNAVAILABLE')).toBe(true);
    expect(Math.max(...refusals.map((r) => r.ms))).toBeLessThan(3_000);
    for (const { sub, connections } of followers) {
      expect(sub.errors).toEqual([]);
      expect(connections()).toBe(1);
    }

    await outage;
    for (const { sub, connections } of followers) {
      expect(sub.errors).toEqual([]);
      expect(connections()).toBe(1);
    }
    await startDatabase();
    await vi.waitFor(async () => expect((await fetch(new URL('/readiness', app.url))).status).toBe(200), { timeout: 30_000, interval: 200 });
    const before = acknowledged.length;
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThanOrEqual(before + 20), { timeout: 30_000, interval: 50 });
    writing = false;
    await writer;

    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      // What committed: every acknowledged post, and perhaps a few whose answer the outage cut off (a post committed
      // just before the database went, its answer then unable to load its author): a client cannot tell those from lost.
      const stored = (await db.query('select content from posts where section_id = $1 order by created_at, id', [localIdOf(section.id)])).rows.map((r) => r.content as string);
      expect(stored.filter((content) => acknowledged.includes(content))).toEqual(acknowledged);
      expect(stored.length - acknowledged.length).toBeLessThanOrEqual(2);
      // Every subscriber: every post committed, in order, none twice.
      for (const { sub } of followers) {
        const got = await sub.waitFor(stored.length, 30_000);
        expect(got.map((r) => r.postCreated.content)).toEqual(stored);
      }
      // Every link final: the workers resumed.
      const pending = async () => Number((await db.query("select count(*) as n from links where status = 'PENDING'")).rows[0].n);
      await vi.waitFor(async () => expect(await pending()).toBe(0), { timeout: 30_000, interval: 200 });
    } finally {
      await db.end();
    }
    for (const { sub, client } of followers) {
      sub.dispose();
      await client.dispose();
    }
  }, 180_000);
});
